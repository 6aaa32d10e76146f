import BoneNumerics
import CGMP

// MARK: - Exact values of encodings (EXACT-FLOAT-1)

extension Rational {
  /// The exact value of a finite encoding of `dtype`. Both zeros give 0.
  ///
  /// - Throws: `RationalError.notFinite` for NaN and ±infinity.
  public init(bits: UInt64, dtype: DType) throws(RationalError) {
    switch dtype.decode(bits) {
    case .zero:
      self = .zero
    case .finite(let negative, let significand, let exponent):
      let magnitude = Rational.make { cgmp_q_set_si($0, 0, 1); cgmp_z_set_ui(cgmp_q_numref($0), UInt(significand)) }
      self = (negative ? -magnitude : magnitude).scaled(byPowerOfTwo: exponent)
    case .infinity, .nan:
      throw .notFinite(dtype: dtype, bits: bits & dtype.encodingMask)
    }
  }

  /// The exact value of a finite `Double`.
  ///
  /// - Throws: `RationalError.notFinite` for NaN and ±infinity.
  public init(exactly value: Double) throws(RationalError) {
    try self.init(bits: value.bitPattern, dtype: .float64)
  }

  /// The exact value of a finite `Float`.
  ///
  /// - Throws: `RationalError.notFinite` for NaN and ±infinity.
  public init(exactly value: Float) throws(RationalError) {
    try self.init(bits: UInt64(value.bitPattern), dtype: .float32)
  }

  /// The exact value of a finite `Float16`.
  ///
  /// - Throws: `RationalError.notFinite` for NaN and ±infinity.
  public init(exactly value: Float16) throws(RationalError) {
    try self.init(bits: UInt64(value.bitPattern), dtype: .float16)
  }

  /// The exact value of a finite `BFloat16`.
  ///
  /// - Throws: `RationalError.notFinite` for NaN and ±infinity.
  public init(exactly value: BFloat16) throws(RationalError) {
    try self.init(bits: UInt64(value.bitPattern), dtype: .bfloat16)
  }
}

// MARK: - Correct rounding (EXACT-ROUND-1)

extension Rational {
  /// The encoding of `dtype` nearest to this value, ties to even, as IEEE 754
  /// round-to-nearest-even defines it: subnormals are produced where the
  /// value lies below the smallest normal; a value whose magnitude is at least
  /// `2^emax × (2 − 2^−p)` (the midpoint between the largest finite value and
  /// the next power of two) becomes ±infinity; a nonzero value that rounds to
  /// zero keeps its sign (−0 for a negative one); exact zero is +0.
  public func roundedBits(to dtype: DType) -> UInt64 {
    let sign = signum
    if sign == 0 { return 0 }
    let signBit: UInt64 = sign < 0 ? dtype.signMask : 0
    let precision = dtype.precision

    let numerator = IntegerStorage()
    let denominator = IntegerStorage()
    cgmp_z_set(numerator.pointer, storage.numerator)
    if sign < 0 { cgmp_z_neg(numerator.pointer, numerator.pointer) }
    cgmp_z_set(denominator.pointer, storage.denominator)

    // e = floor(log2(n/d)): the bit lengths give e or e + 1.
    var exponent = Int(cgmp_z_sizeinbase2(numerator.pointer)) - Int(cgmp_z_sizeinbase2(denominator.pointer))
    if compareScaled(numerator.pointer, denominator.pointer, exponent) < 0 { exponent -= 1 }
    if exponent > dtype.maxExponent { return signBit | dtype.positiveInfinityBits }

    // The quantum (weight of the last significand bit) of the binade, or of
    // the subnormal range when the value lies below 2^emin.
    var quantum = max(exponent, dtype.minExponent) - (precision - 1)
    // m = floor(n / (d · 2^quantum)), with the remainder deciding the rounding.
    if quantum >= 0 {
      cgmp_z_mul_2exp(denominator.pointer, denominator.pointer, mp_bitcnt_t(quantum))
    } else {
      cgmp_z_mul_2exp(numerator.pointer, numerator.pointer, mp_bitcnt_t(quantum.magnitude))
    }
    let quotient = IntegerStorage()
    let remainder = IntegerStorage()
    cgmp_z_fdiv_qr(quotient.pointer, remainder.pointer, numerator.pointer, denominator.pointer)
    cgmp_z_mul_2exp(remainder.pointer, remainder.pointer, 1)
    let half = cgmp_z_cmp(remainder.pointer, denominator.pointer)
    var significand = UInt64(cgmp_z_get_ui(quotient.pointer))
    if half > 0 || (half == 0 && significand & 1 == 1) { significand += 1 }
    if significand == 1 << UInt64(precision) {  // rounded up into the next binade
      significand >>= 1
      quantum += 1
    }

    let hidden: UInt64 = 1 << UInt64(dtype.fractionBits)
    guard significand >= hidden else { return signBit | significand }  // subnormal or zero
    let biased = quantum + (precision - 1) + dtype.exponentBias
    if biased >= (1 << dtype.exponentBits) - 1 { return signBit | dtype.positiveInfinityBits }
    return signBit | UInt64(biased) << UInt64(dtype.fractionBits) | (significand - hidden)
  }

  /// The nearest `Double`, ties to even (`EXACT-ROUND-1`).
  public var roundedToDouble: Double { Double(bitPattern: roundedBits(to: .float64)) }

  /// The nearest `Float`, ties to even (`EXACT-ROUND-1`).
  public var roundedToFloat: Float { Float(bitPattern: UInt32(roundedBits(to: .float32))) }

  /// The nearest `Float16`, ties to even (`EXACT-ROUND-1`).
  public var roundedToFloat16: Float16 { Float16(bitPattern: UInt16(roundedBits(to: .float16))) }

  /// The nearest `BFloat16`, ties to even (`EXACT-ROUND-1`).
  public var roundedToBFloat16: BFloat16 { BFloat16(bitPattern: UInt16(roundedBits(to: .bfloat16))) }
}

/// Compares `n` with `d · 2^shift` for positive integers, without changing them.
private func compareScaled(
  _ n: UnsafeMutablePointer<__mpz_struct>, _ d: UnsafeMutablePointer<__mpz_struct>, _ shift: Int
) -> Int32 {
  let scaled = IntegerStorage()
  if shift >= 0 {
    cgmp_z_mul_2exp(scaled.pointer, d, mp_bitcnt_t(shift))
    return cgmp_z_cmp(n, scaled.pointer)
  }
  cgmp_z_mul_2exp(scaled.pointer, n, mp_bitcnt_t(shift.magnitude))
  return cgmp_z_cmp(scaled.pointer, d)
}
