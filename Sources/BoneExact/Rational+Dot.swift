import CGMP

/// An exact running sum of products, reused across many sums
/// (`EXACT-RATIONAL-2`): the building block of every matrix product of the
/// reference.
///
/// While every term has a power-of-two denominator (always so for values of
/// float encodings), the sum is kept as one integer over 2^E, E growing as
/// needed, with no allocation per term; a term with another denominator
/// switches it to rational accumulation. It owns its GMP temporaries.
public struct ExactAccumulator: ~Copyable {
  private let integer = IntegerStorage()
  private let term = IntegerStorage()
  private var exponent = 0
  private var fallback: Rational?

  /// An empty sum.
  public init() {}

  /// Empties the sum.
  public mutating func reset() {
    cgmp_z_set_ui(integer.pointer, 0)
    exponent = 0
    fallback = nil
  }

  /// Adds `x · y`.
  public mutating func addProduct(_ x: Rational, _ y: Rational) {
    if fallback == nil, let ex = x.denominatorExponent, let ey = y.denominatorExponent {
      cgmp_z_mul(term.pointer, x.storage.numerator, y.storage.numerator)
      addTerm(exponent: ex + ey)
    } else {
      switchToFallback()
      fallback = (fallback ?? .zero) + x * y
    }
  }

  /// Adds `x`.
  public mutating func add(_ x: Rational) {
    if fallback == nil, let e = x.denominatorExponent {
      cgmp_z_set(term.pointer, x.storage.numerator)
      addTerm(exponent: e)
    } else {
      switchToFallback()
      fallback = (fallback ?? .zero) + x
    }
  }

  /// The sum so far.
  public var value: Rational {
    if let fallback { return fallback }
    return Rational.make { cgmp_q_set_num_den_2exp($0, integer.pointer, mp_bitcnt_t(exponent)) }
  }

  /// Adds the integer in `term`, which has the weight 2^−e.
  private mutating func addTerm(exponent e: Int) {
    if e > exponent {
      cgmp_z_mul_2exp(integer.pointer, integer.pointer, mp_bitcnt_t(e - exponent))
      exponent = e
    } else if e < exponent {
      cgmp_z_mul_2exp(term.pointer, term.pointer, mp_bitcnt_t(exponent - e))
    }
    cgmp_z_add(integer.pointer, integer.pointer, term.pointer)
  }

  private mutating func switchToFallback() {
    if fallback == nil { fallback = value }
  }
}

extension Rational {
  /// `Σ_{i < count} a(i)·b(i) + Σ addends`, exactly.
  public static func dot(
    count: Int, _ a: (Int) -> Rational, _ b: (Int) -> Rational, adding addends: [Rational] = []
  ) -> Rational {
    var accumulator = ExactAccumulator()
    for index in 0..<count { accumulator.addProduct(a(index), b(index)) }
    for addend in addends { accumulator.add(addend) }
    return accumulator.value
  }

  /// log2 of the denominator when it is a power of two, else nil.
  var denominatorExponent: Int? {
    let denominator = storage.denominator
    guard cgmp_z_popcount(denominator) == 1 else { return nil }
    return Int(cgmp_z_sizeinbase2(denominator)) - 1
  }
}
