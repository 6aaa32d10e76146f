import BoneExact
import BoneFast
import BoneLayers
import BoneNumerics
import BoneTestSupport
import Testing

/// TOL-FWD-1 where `VDPBF16PS` (the `avx512bf16` copy's batched bfloat16
/// forward) would break it: the instruction reads subnormal inputs as zero
/// and flushes subnormal sums to zero. Each layer below has a batch of nine
/// (the pair path's smallest is eight), an even number of input features
/// and 13 outputs (a full block of eight rows and a partial one), and one
/// output or sample whose every term the instruction would lose. Every copy
/// of the kernels must give results the reference accepts; on a processor
/// with AVX512_BF16 these reach the pair path's guards.
@Suite struct BFloat16PairForwardTests {
  static let outFeatures = 13
  static let inFeatures = 20
  static let batch = 9

  /// Encodings: +2^e for a normal power of two, and a subnormal.
  static func power(_ e: Int) -> UInt64 { UInt64(e + 127) << 7 }
  static let subnormal: UInt64 = 0x0040  // 2^−127

  /// Requires the fast forward of every copy to be within the bound of the
  /// exact one, for the weight and input given as bfloat16 encodings.
  func requireWithinTheBound(weight: Matrix<UInt64>, input: Matrix<UInt64>) throws {
    let exact = try ExactLayer(dtype: .bfloat16, policy: .cpu, weightBits: weight)
    let expected = try exact.forward(input.map { ExtendedRational(bits: $0, dtype: .bfloat16) })
    for instructions in FastAgainstExactTests.instructions {
      let fast = try FastLayer<BFloat16>(
        backend: FastBackend<BFloat16>(instructions: instructions), weight: weight.map { BFloat16(bits: $0) })
      let got = try fast.forward(input.map { BFloat16(bits: $0) })
      try FastAgainstExactTests.requireAccepted(got, expected, "forward (\(instructions))")
    }
  }

  /// A row whose nonzero weights are a subnormal 2^−127 and the smallest
  /// normal 2^−126, against inputs of 2^100: its outputs are 3·2^−27, of
  /// which reading the weight as zero would lose a third, far above the
  /// bound (and the result would stay above the floor below which the pair
  /// path computes a dot product again).
  @Test func subnormalWeightRowIsNotReadAsZero() throws {
    let weight = Matrix<UInt64>(rows: Self.outFeatures, columns: Self.inFeatures) { o, c in
      o == 5 ? (c == 3 ? Self.subnormal : c == 4 ? Self.power(-126) : 0) : Self.power(-3 - (o + c) % 5)
    }
    let input = Matrix<UInt64>(rows: Self.batch, columns: Self.inFeatures) { _, _ in Self.power(100) }
    try requireWithinTheBound(weight: weight, input: input)
  }

  /// A sample whose nonzero inputs are a subnormal 2^−127 and 2^−126,
  /// against weights of 2^100: its outputs are 3·2^−27, of which reading the
  /// input as zero would lose a third.
  @Test func subnormalInputIsNotReadAsZero() throws {
    let weight = Matrix<UInt64>(rows: Self.outFeatures, columns: Self.inFeatures) { _, _ in Self.power(100) }
    let input = Matrix<UInt64>(rows: Self.batch, columns: Self.inFeatures) { s, c in
      s == 4 ? (c == 7 ? Self.subnormal : c == 8 ? Self.power(-126) : 0) : Self.power(-110 - (s + c) % 7)
    }
    try requireWithinTheBound(weight: weight, input: input)
  }

  /// Weights and inputs of 2^−64, all normal: every product is 2^−128, a
  /// float32 subnormal, so every partial sum below 2^−126 would be flushed
  /// to zero; the outputs are 20·2^−128, which gradual underflow keeps.
  @Test func subnormalSumsAreNotFlushedToZero() throws {
    let weight = Matrix<UInt64>(rows: Self.outFeatures, columns: Self.inFeatures) { o, _ in o % 3 == 0 ? Self.power(-64) : Self.power(-2) }
    let input = Matrix<UInt64>(rows: Self.batch, columns: Self.inFeatures) { s, _ in s % 2 == 0 ? Self.power(-64) : Self.power(-60) }
    try requireWithinTheBound(weight: weight, input: input)
  }

  /// A batch (8 to 20 samples) against a weight with an even number of input
  /// features from 258 to 400 (several column chunks), values of 2⁻¹⁴ to 1
  /// in magnitude, no bias and no adapter.
  static var wideProblem: Gen<(weight: Matrix<UInt64>, input: Matrix<UInt64>)> {
    Gen<Int>.integer(in: 5...26).zip(Gen<Int>.integer(in: 129...200)).zip(Gen<Int>.integer(in: 8...20)).flatMap { shape in
      let ((out, halfIn), n) = shape
      let element = FastAgainstExactTests.small(.bfloat16)
      return FastAgainstExactTests.bits(.bfloat16, out, 2 * halfIn, element: element)
        .zip(FastAgainstExactTests.bits(.bfloat16, n, 2 * halfIn, element: element))
        .map { (weight: $0.0, input: $0.1) }
    }
  }

  /// The pair forward computes what `VDPBF16PS` is specified to (Intel's
  /// pseudo-code: per pair of columns, the odd column's product added, then
  /// the even one's, each one multiply-add rounded to nearest), pair after
  /// pair across the column chunks, then rounds once; a dot product below
  /// 2⁻⁹⁰ is the sequential float32 one. With values from 2⁻¹⁴ up no sum is
  /// subnormal, so nothing is flushed. TOL-FWD-1 accepts nearly any
  /// bfloat16 result from 255 input features on (TOL-MODEL-2); this is what
  /// catches a pair or a chunk multiplied in the wrong place (dropping one
  /// pair per chunk fails it). The order within a pair seldom shows in a
  /// bfloat16 result: the model with the even column first passed too.
  @Test(.enabled(if: FastInstructions.avx512bf16.isSupported))
  func pairForwardIsTheSpecifiedInstructionSequence() {
    forAll(Self.wideProblem, cases: 12, name: "bfloat16 pair forward is VDPBF16PS's sequence (avx512bf16)") { p in
      let fast = try FastLayer<BFloat16>(
        backend: FastBackend<BFloat16>(instructions: .avx512bf16), weight: p.weight.map { BFloat16(bits: $0) })
      let got = try fast.forward(p.input.map { BFloat16(bits: $0) })
      let inFeatures = p.weight.columns
      for sample in 0..<p.input.rows {
        for o in 0..<p.weight.rows {
          /// Column c of the weight row and of the sample, widened exactly.
          func w(_ c: Int) -> Float { BFloat16(bits: p.weight[o, c]).floatValue }
          func x(_ c: Int) -> Float { BFloat16(bits: p.input[sample, c]).floatValue }
          var dot: Float = 0
          for k in 0..<(inFeatures / 2) {
            dot = dot.addingProduct(w(2 * k + 1), x(2 * k + 1))
            dot = dot.addingProduct(w(2 * k), x(2 * k))
          }
          if abs(dot) < 0x1p-90 {
            dot = 0
            for c in 0..<inFeatures { dot = dot.addingProduct(w(c), x(c)) }
          }
          let expected = BFloat16(dot + 0)
          try require(
            got[sample, o].bitPattern == expected.bitPattern,
            "y[\(sample), \(o)]: 0x\(String(got[sample, o].bitPattern, radix: 16)), the instruction's sequence gives \(dot), which rounds to 0x\(String(expected.bitPattern, radix: 16))")
        }
      }
    }
  }
}
