import CGMP

/// The single owner of one GMP rational (`mpq_t`).
///
/// It is initialised when allocated and cleared exactly once, in `deinit`.
/// Every arithmetic operation writes into a fresh storage object, and no
/// storage is written after the operation that created it returns, so a
/// storage object is immutable once shared and may be read from any thread:
/// that is why the `Sendable` conformance is unchecked.
@usableFromInline
final class RationalStorage: @unchecked Sendable {
  /// The rational, allocated and initialised in `init`.
  let pointer: UnsafeMutablePointer<__mpq_struct>

  /// Allocates and initialises a rational equal to zero.
  init() {
    pointer = .allocate(capacity: 1)
    cgmp_q_init(pointer)
  }

  deinit {
    cgmp_q_clear(pointer)
    pointer.deallocate()
  }

  /// The numerator, which GMP keeps signed.
  var numerator: UnsafePointer<__mpz_struct> { cgmp_q_numref_const(pointer) }

  /// The denominator, which GMP keeps positive and coprime to the numerator.
  var denominator: UnsafePointer<__mpz_struct> { cgmp_q_denref_const(pointer) }
}

/// The single owner of one GMP integer (`mpz_t`) used as a temporary.
///
/// Scoped: `IntegerStorage.with` hands a temporary to a closure and clears
/// it when the closure returns, so no integer outlives the computation that
/// needs it.
struct IntegerStorage: ~Copyable {
  /// The integer, allocated and initialised in `init`.
  let pointer: UnsafeMutablePointer<__mpz_struct>

  /// Allocates and initialises an integer equal to zero.
  init() {
    pointer = .allocate(capacity: 1)
    cgmp_z_init(pointer)
  }

  deinit {
    cgmp_z_clear(pointer)
    pointer.deallocate()
  }
}
