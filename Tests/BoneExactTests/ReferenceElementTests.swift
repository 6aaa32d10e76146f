import BoneExact
import BoneNumerics
import BoneTestSupport
import Testing

/// How a reference element judges a result, and the rounding model behind
/// the bounds.
@Suite struct ReferenceElementTests {
  /// DTYPE-NONFINITE-1: the sign of a zero is not judged; an undetermined NaN
  /// admits infinities; a determined NaN admits any NaN and nothing else.
  @Test func zerosNaNsAndInfinitiesAreJudgedByClass() {
    let zero = ReferenceElement(input: .zero)
    #expect(zero.accepts(bits: 0x8000, dtype: .float16) && zero.accepts(bits: 0, dtype: .float16))
    #expect(!zero.accepts(bits: 1, dtype: .float16))
    let nan = ReferenceElement(input: .nan)
    #expect(nan.accepts(bits: 0x7E01, dtype: .float16) && nan.accepts(bits: 0xFC01, dtype: .float16))
    #expect(!nan.accepts(bits: 0x7C00, dtype: .float16))
    let open = ReferenceElement(value: .nan, exact: .nan, bound: .zero, determined: false)
    #expect(open.accepts(bits: 0x7C00, dtype: .float16) && open.accepts(bits: 0xFC00, dtype: .float16))
    #expect(!open.accepts(bits: 0x3C00, dtype: .float16))
    let infinity = ReferenceElement(input: .infinity(negative: true))
    #expect(infinity.accepts(bits: 0xFC00, dtype: .float16) && !infinity.accepts(bits: 0x7C00, dtype: .float16))
  }

  /// TOL-MODEL-1: |round(z) − z| ≤ u·|z| + η for every rounding, subnormal
  /// range included, in every dtype.
  @Test(arguments: DType.allCases)
  func oneRoundingIsWithinTheModelBound(dtype: DType) {
    let values = Gen<Int>.integer(in: -(1 << 40)...(1 << 40)).zip(Gen<Int>.integer(in: -1200...1000))
    forAll(values, cases: 2000) { m, e in
      let z = Rational(m).scaled(byPowerOfTwo: e)
      let bits = z.roundedBits(to: dtype)
      guard case .finite(let rounded) = ExtendedRational(bits: bits, dtype: dtype) else { return }
      try require((rounded - z).magnitude <= RoundingModel.roundingBound(z.magnitude, dtype: dtype), "\(z) → \(rounded)")
    }
  }

  /// TOL-MODEL-1: γ_n(u) = n·u / (1 − n·u).
  @Test func gammaIsHighamsGamma() throws {
    let u = Rational.one.scaled(byPowerOfTwo: -11)
    #expect(RoundingModel.gamma(3, .float16) == (try (Rational(3) * u) / (.one - Rational(3) * u)))
    #expect(RoundingModel.overflowThreshold(.float16) == Rational(65520))
  }

  /// TOL-MODEL-2: γ is positive and never decreases in n in every dtype:
  /// Higham's γ while n·u < 1 and Ω/η (above every such γ) from there on.
  @Test(arguments: DType.allCases)
  func gammaIsPositiveAndIncreasing(dtype: DType) throws {
    let u = RoundingModel.unitRoundoff(dtype)
    var previous = Rational.zero
    for n in [1, 2, 3, 100, 254, 255, 256, 257, 1000, 2047, 2048, 2049, 5000, 1 << 24, (1 << 24) + 1] {
      let gamma = RoundingModel.gamma(n, dtype)
      try require(gamma > .zero && gamma >= previous, "γ_\(n) = \(gamma) after \(previous)")
      let nu = Rational(n) * u
      let expected = nu < .one ? try nu / (.one - nu) : RoundingModel.unboundedGamma(dtype)
      try requireEqual(gamma, expected, "γ_\(n) in \(dtype)")
      previous = gamma
    }
  }

  /// TOL-MODEL-2: a bfloat16 sum of 256 roundings has no bound; the reference
  /// element then accepts every finite bfloat16 value and the infinity of
  /// the exact value's sign, and still rejects NaN.
  @Test func sumTheModelCannotBoundAcceptsEveryFiniteValue() throws {
    let exact = Rational(3)
    let bound = RoundingModel.sumBound(absoluteSum: exact, roundings: 256, dtype: .bfloat16)
    let element = ReferenceElement(value: .finite(exact), exact: .finite(exact), bound: bound, determined: false)
    var log = MismatchLog()
    for bits in UInt64(0)...0xFFFF {
      let value = ExtendedRational(bits: bits, dtype: .bfloat16)
      let expected = value.isFinite || bits == DType.bfloat16.positiveInfinityBits
      log.check(element.accepts(bits: bits, dtype: .bfloat16) == expected, "0x\(String(bits, radix: 16))")
    }
    #expect(log.finish() == 0x10000)
    #expect(bound >= RoundingModel.overflowThreshold(.bfloat16))
    // One rounding fewer (255·u < 1) is bounded: γ_255 = 255.
    let bounded = RoundingModel.sumBound(absoluteSum: exact, roundings: 255, dtype: .bfloat16)
    #expect(bounded < Rational(256) * exact)
  }
}
