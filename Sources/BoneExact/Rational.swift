import BoneNumerics
import CGMP

/// An exact rational number, backed by a GMP `mpq_t`.
///
/// A value type: each operation returns a new value and never modifies an
/// operand, so values may be shared freely, including across threads. The
/// canonical text form is `p/q` in lowest terms with a positive denominator,
/// or `p` for an integer (`EXACT-RATIONAL-1`).
public struct Rational: Sendable {
  @usableFromInline
  let storage: RationalStorage

  /// Wraps a storage object that nothing else holds.
  init(storage: RationalStorage) {
    self.storage = storage
  }

  /// Builds a value by letting `body` write into a fresh rational.
  static func make(_ body: (UnsafeMutablePointer<__mpq_struct>) -> Void) -> Rational {
    let storage = RationalStorage()
    body(storage.pointer)
    return Rational(storage: storage)
  }

  /// Zero.
  public init() {
    self.storage = RationalStorage()
  }

  /// The integer `value`.
  public init(_ value: Int) {
    self = Rational.make { cgmp_q_set_si($0, value, 1) }
  }

  /// The fraction `numerator / denominator` in lowest terms.
  ///
  /// - Throws: `RationalError.divisionByZero` when `denominator` is zero.
  public init(numerator: Int, denominator: Int) throws(RationalError) {
    guard denominator != 0 else { throw .divisionByZero }
    self = try Rational(numerator) / Rational(denominator)
  }

  /// The integer `±Σ words[i]·2^(64·i)`, least significant word first.
  public init(integerWords words: [UInt64], negative: Bool = false) {
    self = Rational.make { q in
      let numerator = cgmp_q_numref(q)
      words.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: UInt64.self) {
          cgmp_z_import_u64(numerator, $0.count, $0.baseAddress)
        }
      }
      if negative { cgmp_z_neg(numerator, numerator) }
    }
  }

  /// Zero.
  public static let zero = Rational()

  /// One.
  public static let one = Rational(1)

  // MARK: Arithmetic (EXACT-RATIONAL-2)

  /// The exact sum.
  public static func + (lhs: Rational, rhs: Rational) -> Rational {
    make { cgmp_q_add($0, lhs.storage.pointer, rhs.storage.pointer) }
  }

  /// The exact difference.
  public static func - (lhs: Rational, rhs: Rational) -> Rational {
    make { cgmp_q_sub($0, lhs.storage.pointer, rhs.storage.pointer) }
  }

  /// The exact product.
  public static func * (lhs: Rational, rhs: Rational) -> Rational {
    make { cgmp_q_mul($0, lhs.storage.pointer, rhs.storage.pointer) }
  }

  /// The exact quotient.
  ///
  /// - Throws: `RationalError.divisionByZero` when `rhs` is zero.
  public static func / (lhs: Rational, rhs: Rational) throws(RationalError) -> Rational {
    guard !rhs.isZero else { throw .divisionByZero }
    return make { cgmp_q_div($0, lhs.storage.pointer, rhs.storage.pointer) }
  }

  /// The negation.
  public static prefix func - (operand: Rational) -> Rational {
    make { cgmp_q_neg($0, operand.storage.pointer) }
  }

  /// Adds in place.
  public static func += (lhs: inout Rational, rhs: Rational) { lhs = lhs + rhs }

  /// Subtracts in place.
  public static func -= (lhs: inout Rational, rhs: Rational) { lhs = lhs - rhs }

  /// Multiplies in place.
  public static func *= (lhs: inout Rational, rhs: Rational) { lhs = lhs * rhs }

  /// The absolute value.
  public var magnitude: Rational {
    Rational.make { cgmp_q_abs($0, storage.pointer) }
  }

  /// The reciprocal.
  ///
  /// - Throws: `RationalError.divisionByZero` for zero.
  public func reciprocal() throws(RationalError) -> Rational {
    try Rational.one / self
  }

  /// `self × 2^exponent`, exactly, for any exponent.
  public func scaled(byPowerOfTwo exponent: Int) -> Rational {
    if exponent >= 0 {
      return Rational.make { cgmp_q_mul_2exp($0, storage.pointer, mp_bitcnt_t(exponent)) }
    }
    return Rational.make { cgmp_q_div_2exp($0, storage.pointer, mp_bitcnt_t(exponent.magnitude)) }
  }

  /// −1, 0 or 1.
  public var signum: Int { Int(cgmp_q_sgn(storage.pointer)) }

  /// True when the value is zero.
  public var isZero: Bool { signum == 0 }

  /// True when the value is negative.
  public var isNegative: Bool { signum < 0 }

  /// True when the denominator is one.
  public var isInteger: Bool {
    cgmp_z_sizeinbase2(storage.denominator) == 1
  }

  /// The numerator in lowest terms, as base-10 text with its sign.
  public var numeratorText: String {
    let text = description
    return text.firstIndex(of: "/").map { String(text[..<$0]) } ?? text
  }

  /// The (positive) denominator in lowest terms, as base-10 text.
  public var denominatorText: String {
    let text = description
    return text.firstIndex(of: "/").map { String(text[text.index(after: $0)...]) } ?? "1"
  }
}

// MARK: - Comparison and hashing

extension Rational: Comparable, Hashable {
  /// Exact equality.
  public static func == (lhs: Rational, rhs: Rational) -> Bool {
    cgmp_q_equal(lhs.storage.pointer, rhs.storage.pointer) != 0
  }

  /// Exact ordering.
  public static func < (lhs: Rational, rhs: Rational) -> Bool {
    cgmp_q_cmp(lhs.storage.pointer, rhs.storage.pointer) < 0
  }

  /// Hashes the canonical (lowest terms) numerator and denominator.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(signum)
    for integer in [storage.numerator, storage.denominator] {
      let count = cgmp_z_size_limbs(integer)
      hasher.combine(count)
      for index in 0..<count { hasher.combine(cgmp_z_limb(integer, index)) }
    }
  }
}

// MARK: - Text

extension Rational: CustomStringConvertible, LosslessStringConvertible {
  /// The canonical text form: `p/q` in lowest terms, or `p` for an integer.
  public var description: String {
    let capacity = cgmp_q_str_capacity(storage.pointer)
    return String(unsafeUninitializedCapacity: capacity) { buffer in
      buffer.withMemoryRebound(to: CChar.self) { chars in
        _ = cgmp_q_get_str(chars.baseAddress, storage.pointer)
        return chars.firstIndex(of: 0) ?? 0
      }
    }
  }

  /// Parses text in any form `Rational(parsing:)` accepts; nil on junk.
  public init?(_ description: String) {
    guard let value = try? Rational(parsing: description) else { return nil }
    self = value
  }
}
