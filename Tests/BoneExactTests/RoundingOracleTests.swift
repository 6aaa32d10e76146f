import BoneExact
import BoneNumerics
import BoneTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Correct rounding to float32 and float64 against oracles that are
/// themselves correctly rounded: IEEE hardware arithmetic (each of + − × ÷ and
/// fused multiply-add rounds its exact result once) and glibc's strtod and
/// strtof, which round long decimal text once (`EXACT-ROUND-1`).
@Suite struct RoundingOracleTests {
  /// Compares our rounding of an exact result with the hardware's. An exact
  /// zero has no sign, while IEEE gives −0 for some zero results (−0 + −0),
  /// so a zero is only compared by value.
  static func agrees(_ exact: Rational, _ hardwareBits: UInt64, _ dtype: DType) -> Bool {
    if exact.isZero { return hardwareBits & ~dtype.signMask == 0 }
    return exact.roundedBits(to: dtype) == hardwareBits
  }

  @Test func float64RoundingAgreesWithHardwareArithmetic() {
    let doubles = Gen<Double>.double
    forAll(doubles.zip(doubles).zip(doubles), cases: 20000) { input in
      let ((x, y), z) = input
      let (a, b, c) = (try Rational(exactly: x), try Rational(exactly: y), try Rational(exactly: z))
      try require(Self.agrees(a + b, (x + y).bitPattern, .float64), "\(x) + \(y) = \(x + y)")
      try require(Self.agrees(a - b, (x - y).bitPattern, .float64), "\(x) − \(y) = \(x - y)")
      try require(Self.agrees(a * b, (x * y).bitPattern, .float64), "\(x) × \(y) = \(x * y)")
      if y != 0 { try require(Self.agrees(try a / b, (x / y).bitPattern, .float64), "\(x) ÷ \(y) = \(x / y)") }
      let fused = z.addingProduct(x, y)
      try require(Self.agrees(c + a * b, fused.bitPattern, .float64), "\(z) + \(x)·\(y) = \(fused)")
    }
  }

  @Test func float32RoundingAgreesWithHardwareArithmetic() {
    let floats = Gen<Float>.float
    forAll(floats.zip(floats).zip(floats), cases: 20000) { input in
      let ((x, y), z) = input
      let (a, b, c) = (try Rational(exactly: x), try Rational(exactly: y), try Rational(exactly: z))
      func bits(_ f: Float) -> UInt64 { UInt64(f.bitPattern) }
      try require(Self.agrees(a + b, bits(x + y), .float32), "\(x) + \(y) = \(x + y)")
      try require(Self.agrees(a - b, bits(x - y), .float32), "\(x) − \(y) = \(x - y)")
      try require(Self.agrees(a * b, bits(x * y), .float32), "\(x) × \(y) = \(x * y)")
      if y != 0 { try require(Self.agrees(try a / b, bits(x / y), .float32), "\(x) ÷ \(y) = \(x / y)") }
      let fused = z.addingProduct(x, y)
      try require(Self.agrees(c + a * b, bits(fused), .float32), "\(z) + \(x)·\(y) = \(fused)")
    }
  }

  /// Decimal text of 1 to 40 significant digits with an exponent that reaches
  /// below the subnormals and above the largest finite values of float64.
  static var decimals: Gen<String> { Gen<Int>.integer(in: 1...40).flatMap { digits in
    Gen<Int>.integer(in: 0...9).array(count: digits...digits)
      .zip(Gen<Int>.integer(in: -345...330)).zip(Gen<Bool>.bool)
      .map { input in
        let ((digitValues, exponent), negative) = input
        return (negative ? "-" : "") + digitValues.map(String.init).joined() + "e\(exponent)"
      }
  } }

  @Test func roundingAgreesWithStrtodAndStrtofOnLongDecimals() {
    forAll(Self.decimals, cases: 10000) { text in
      let exact = try Rational(parsing: text)
      let double = strtod(text, nil)
      let float = strtof(text, nil)
      try require(Self.agrees(exact, double.bitPattern, .float64), "strtod(\(text)) = \(double), ours \(exact.roundedToDouble)")
      try require(Self.agrees(exact, UInt64(float.bitPattern), .float32), "strtof(\(text)) = \(float), ours \(exact.roundedToFloat)")
    }
  }

  @Test func midpointsBetweenFloat64AndFloat32NeighboursTieToEven() {
    for dtype in [DType.float64, .float32] {
      forAll(Gen<UInt64>.floatBits(dtype), cases: 10000, name: "midpoints \(dtype)") { bits in
        let magnitude = bits & ~dtype.signMask
        let sign = bits & dtype.signMask
        let low = try Rational(bits: magnitude, dtype: dtype)
        let high =
          magnitude == dtype.largestFiniteBits
          ? Rational.one.scaled(byPowerOfTwo: dtype.maxExponent + 1) : try Rational(bits: magnitude + 1, dtype: dtype)
        let highBits = magnitude == dtype.largestFiniteBits ? dtype.positiveInfinityBits : magnitude + 1
        let midpoint = try (low + high) / Rational(2)
        let hair = (high - low).scaled(byPowerOfTwo: -70)
        let signed: (Rational) -> Rational = { sign == 0 ? $0 : -$0 }
        let even = magnitude & 1 == 0 ? magnitude : highBits
        try requireEqual(signed(midpoint).roundedBits(to: dtype), even | sign, "midpoint above 0x\(dtype.hex(bits))")
        try requireEqual(signed(midpoint - hair).roundedBits(to: dtype), magnitude | sign, "below the midpoint")
        try requireEqual(signed(midpoint + hair).roundedBits(to: dtype), highBits | sign, "above the midpoint")
      }
    }
  }

  /// The boundary cases of every format, negative values too; expected
  /// encodings are the IEEE 754 constants, from Swift's own types where it
  /// has them.
  @Test(arguments: DType.allCases)
  func boundaryCasesRoundAsIEEE754Says(dtype: DType) throws {
    let (largestSubnormal, smallestNormal, largestFinite, infinity): (UInt64, UInt64, UInt64, UInt64) =
      switch dtype {
      case .float64:
        (
          Double.leastNormalMagnitude.nextDown.bitPattern, Double.leastNormalMagnitude.bitPattern,
          Double.greatestFiniteMagnitude.bitPattern, Double.infinity.bitPattern
        )
      case .float32:
        (
          UInt64(Float.leastNormalMagnitude.nextDown.bitPattern), UInt64(Float.leastNormalMagnitude.bitPattern),
          UInt64(Float.greatestFiniteMagnitude.bitPattern), UInt64(Float.infinity.bitPattern)
        )
      case .float16:
        (
          UInt64(Float16.leastNormalMagnitude.nextDown.bitPattern), UInt64(Float16.leastNormalMagnitude.bitPattern),
          UInt64(Float16.greatestFiniteMagnitude.bitPattern), UInt64(Float16.infinity.bitPattern)
        )
      case .bfloat16: (0x007F, 0x0080, 0x7F7F, 0x7F80)
      }
    #expect(dtype.largestSubnormalBits == largestSubnormal)
    #expect(dtype.smallestNormalBits == smallestNormal)
    #expect(dtype.largestFiniteBits == largestFinite)
    #expect(dtype.positiveInfinityBits == infinity)

    let p = dtype.precision
    let two = Rational(2)
    // 2^emin and 2^emin × (1 − 2^(1−p)): the smallest normal, the largest subnormal.
    let normal = Rational.one.scaled(byPowerOfTwo: dtype.minExponent)
    let subnormal = normal - Rational.one.scaled(byPowerOfTwo: dtype.minExponent - (p - 1))
    // 2^emax × (2 − 2^(1−p)), and the overflow threshold 2^emax × (2 − 2^−p).
    let largest = Rational.one.scaled(byPowerOfTwo: dtype.maxExponent) * (two - Rational.one.scaled(byPowerOfTwo: 1 - p))
    let threshold = Rational.one.scaled(byPowerOfTwo: dtype.maxExponent) * (two - Rational.one.scaled(byPowerOfTwo: -p))
    let hair = Rational.one.scaled(byPowerOfTwo: dtype.maxExponent - p - 30)
    let cases: [(Rational, UInt64, String)] = [
      (subnormal, largestSubnormal, "largest subnormal"),
      (normal, smallestNormal, "smallest normal"),
      (try (subnormal + normal) / two, smallestNormal, "tie between them (to the even smallest normal)"),
      (largest, largestFinite, "largest finite"),
      (threshold, infinity, "midpoint to overflow"),
      (threshold - hair, largestFinite, "just below the midpoint to overflow"),
      (threshold + hair, infinity, "just above the midpoint to overflow"),
      (Rational.one.scaled(byPowerOfTwo: dtype.minExponent - p), 0, "half the smallest subnormal (tie to zero)"),
      (Rational.one.scaled(byPowerOfTwo: dtype.minExponent - p) * Rational(3), 2, "1.5 smallest subnormals (tie to two)"),
    ]
    for (value, expected, what) in cases {
      #expect(value.roundedBits(to: dtype) == expected, "\(dtype) \(what)")
      #expect((-value).roundedBits(to: dtype) == expected | dtype.signMask, "\(dtype) negative \(what)")
    }
  }
}
