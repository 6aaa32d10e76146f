import BoneExact
import BoneNumerics

extension ChoiceSource {
  /// A number in `0...max` drawn with a bias toward small magnitudes: first a
  /// bit length (uniform), then a value of at most that many bits. Shrinks
  /// toward 0.
  public mutating func magnitude(upTo max: UInt64) throws(GenerationError) -> UInt64 {
    let bits = try choose(upTo: UInt64(64 - max.leadingZeroBitCount))
    let cap: UInt64 = bits >= 64 ? .max : (1 << bits) - 1
    return try choose(upTo: Swift.min(max, cap))
  }
}

extension Gen where Value == Int {
  /// Integers in `range`, biased toward small magnitudes; they shrink toward
  /// zero when the range holds it, else toward the bound nearer to zero.
  public static func integer(in range: ClosedRange<Int>) -> Gen<Int> {
    let lower = range.lowerBound
    let upper = range.upperBound
    if lower >= 0 {
      let span = UInt64(upper - lower)
      return Gen { source throws(GenerationError) in lower + Int(try source.magnitude(upTo: span)) }
    }
    if upper <= 0 {
      let span = UInt64(bitPattern: Int64(upper &- lower))
      return Gen { source throws(GenerationError) in upper - Int(try source.magnitude(upTo: span)) }
    }
    return Gen { source throws(GenerationError) in
      let negative = try source.choose(upTo: 1) == 1
      let limit: UInt64 = negative ? UInt64(lower.magnitude) : UInt64(upper)
      let magnitude = try source.magnitude(upTo: limit)
      return negative ? Int(truncatingIfNeeded: 0 &- magnitude) : Int(magnitude)
    }
  }
}

extension Gen where Value == Rational {
  /// Rationals `±n/d` with `n < 2^maxBits` and `1 ≤ d ≤ 2^maxBits`, in lowest
  /// terms. Shrinks toward 0, then toward integers.
  public static func rational(maxBits: Int = 96) -> Gen<Rational> {
    precondition(maxBits >= 1, "rational(maxBits:) needs at least one bit")
    return Gen { source throws(GenerationError) in
      let numerator = try source.integerWords(maxBits: maxBits)
      let denominatorMinusOne = try source.integerWords(maxBits: maxBits)
      let negative = try source.choose(upTo: 1) == 1
      let n = Rational(integerWords: numerator, negative: negative)
      let d = Rational(integerWords: denominatorMinusOne) + .one
      // d ≥ 1, so the division cannot fail.
      return (try? n / d) ?? n
    }
  }
}

extension ChoiceSource {
  /// The words (least significant first) of an integer below `2^maxBits`,
  /// with its bit length drawn first so that small integers are common.
  mutating func integerWords(maxBits: Int) throws(GenerationError) -> [UInt64] {
    let bits = Int(try choose(upTo: UInt64(maxBits)))
    var words: [UInt64] = []
    var remaining = bits
    while remaining > 0 {
      let width = Swift.min(64, remaining)
      words.append(try choose(upTo: width == 64 ? .max : (1 << UInt64(width)) - 1))
      remaining -= width
    }
    return words
  }
}

extension DType {
  /// Positive encodings that break implementations: zero, the smallest and
  /// largest subnormal, the smallest normal, one and its neighbours, the
  /// largest finite value and its predecessor. The order is simplest first.
  public var hardPositiveEncodings: [UInt64] {
    let one = UInt64(exponentBias) << UInt64(fractionBits)
    return [
      0, one, 1, largestSubnormalBits, smallestNormalBits, largestFiniteBits,
      one + 1, one - 1, smallestNormalBits + 1, largestFiniteBits - 1, largestSubnormalBits - 1,
    ]
  }
}

extension Gen where Value == UInt64 {
  /// Encodings of `dtype`, weighted toward hard values: the hard encodings
  /// (±0, subnormals, the smallest normal, the largest finite value), their
  /// near neighbours, fractions whose low bits sit next to a rounding tie
  /// (`…1000`, `…0111`, `…1001`), and uniformly random finite encodings.
  /// With `includeNonFinite`, ±infinity and NaNs (quiet and signalling) too.
  /// Shrinks toward +0.
  public static func floatBits(_ dtype: DType, includeNonFinite: Bool = false) -> Gen<UInt64> {
    let hard = dtype.hardPositiveEncodings
    let finiteExponents = UInt64((1 << dtype.exponentBits) - 2)
    let fractionBits = UInt64(dtype.fractionBits)
    let nonFinite: [UInt64] = [
      dtype.positiveInfinityBits,
      dtype.positiveInfinityBits | (1 << (fractionBits - 1)),  // quiet NaN
      dtype.positiveInfinityBits | 1,  // signalling NaN
    ]
    return Gen { source throws(GenerationError) in
      let magnitude: UInt64
      switch try source.choose(upTo: includeNonFinite ? 4 : 3) {
      case 0:
        magnitude = hard[Int(try source.choose(upTo: UInt64(hard.count - 1)))]
      case 1:
        let exponent = try source.choose(upTo: finiteExponents)
        magnitude = exponent << fractionBits | (try source.choose(upTo: dtype.fractionMask))
      case 2:
        let base = hard[Int(try source.choose(upTo: UInt64(hard.count - 1)))]
        let delta = try source.choose(upTo: 8)
        let down = try source.choose(upTo: 1) == 1
        magnitude = down ? base - Swift.min(base, delta) : Swift.min(base + delta, dtype.largestFiniteBits)
      case 3:
        let exponent = try source.choose(upTo: finiteExponents)
        let width = 1 + (try source.choose(upTo: fractionBits - 1))  // 1...fractionBits
        let half: UInt64 = 1 << (width - 1)
        let low = [half, half - 1, half + 1][Int(try source.choose(upTo: 2))] & ((1 << width) - 1)
        let high = (try source.choose(upTo: dtype.fractionMask >> width)) << width
        magnitude = exponent << fractionBits | high | low
      default:
        magnitude = nonFinite[Int(try source.choose(upTo: UInt64(nonFinite.count - 1)))]
      }
      let negative = try source.choose(upTo: 1) == 1
      return magnitude | (negative ? dtype.signMask : 0)
    }
  }
}

extension Gen where Value == Double {
  /// Finite doubles weighted toward hard values (see `floatBits`).
  public static var double: Gen<Double> { Gen<UInt64>.floatBits(.float64).map { Double(bitPattern: $0) } }
}

extension Gen where Value == Float {
  /// Finite floats weighted toward hard values (see `floatBits`).
  public static var float: Gen<Float> {
    Gen<UInt64>.floatBits(.float32).map { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
  }
}

extension Gen where Value == Float16 {
  /// Finite float16 values weighted toward hard values (see `floatBits`).
  public static var float16: Gen<Float16> {
    Gen<UInt64>.floatBits(.float16).map { Float16(bitPattern: UInt16(truncatingIfNeeded: $0)) }
  }
}

extension Gen where Value == BFloat16 {
  /// Finite bfloat16 values weighted toward hard values (see `floatBits`).
  public static var bfloat16: Gen<BFloat16> {
    Gen<UInt64>.floatBits(.bfloat16).map { BFloat16(bitPattern: UInt16(truncatingIfNeeded: $0)) }
  }
}
