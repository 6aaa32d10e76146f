import BoneExact
import BoneFast
import BoneLayers
import BoneNumerics
import BoneTestSupport
import Testing

/// The BONE forward (`BONE-FWD-1`) on small whole numbers, with about 4096
/// input features: every product and every partial sum is then exact in
/// float32, so any order of summation gives the exact result, and the
/// forward must store the exact result rounded once (`DTYPE-CPU-2`), bit for
/// bit, as the reference rounds it. At this size TOL-FWD-1 accepts nearly any
/// half-precision value, so this property is what catches a column, chain
/// or row of the one-sample forward left out or taken twice. The input
/// features straddle `FastKernels.rowByRowColumns` (4096), where every copy
/// changes from reading half-precision rows one after another to reading
/// them four side by side, and include counts that are not multiples of 8,
/// 16, 32 or 64.
@Suite struct ExactSumForwardTests {
  /// Whole numbers from −3 to 3, as encodings of `dtype` (exact in all four).
  static func wholeNumbers(_ dtype: DType) -> Gen<UInt64> {
    Gen<Int>.integer(in: -3...3).map { Rational($0).roundedBits(to: dtype) }
  }

  /// A BONE problem with 4081 to 4200 input features, one to six output
  /// features (a partial group of four rows too) and one or two samples.
  /// |each output| ≤ 9·4200 (the weight) + 9·4200 (the adapter) + 3 < 2¹⁷,
  /// so every partial sum is a whole number below 2²⁴.
  static func problem(_ dtype: DType) -> Gen<FastAgainstExactTests.Problem> {
    let element = wholeNumbers(dtype)
    func bits(_ rows: Int, _ columns: Int) -> Gen<Matrix<UInt64>> {
      Gen<Matrix<UInt64>>.matrix(rows: rows...rows, columns: columns...columns, element: element)
    }
    return Gen<LayerShape>.layerShape(out: 1...6, in: 4081...4200, rank: 1...24).flatMap { shape in
      bits(shape.outFeatures, shape.inFeatures)
        .zip(bits(1, shape.outFeatures))
        .zip(bits(shape.rank, shape.outFeatures))
        .zip(Gen<Int>.integer(in: 1...2).flatMap { n in bits(n, shape.inFeatures) })
        .map {
          FastAgainstExactTests.Problem(
            variant: .bone, shape: shape, weight: $0.0.0.0, bias: $0.0.0.1.elements, blocks: [$0.0.1], input: $0.1)
        }
    }
  }

  func check<S: FastStorage>(_: S.Type, _ instructions: FastInstructions) {
    let name = "forward on whole numbers is the exact sum rounded once (\(instructions)), \(S.dtype)"
    forAll(Self.problem(S.dtype), cases: 24, name: name) { p in
      let (fast, exact) = try FastAgainstExactTests.layers(p, S.self, instructions)
      let got = try fast.forward(p.input.map { S(bits: $0) })
      let expected = try exact.forward(p.input.map { ExtendedRational(bits: $0, dtype: S.dtype) })
      try requireEqual(got.rows, expected.rows, "rows")
      for (index, (value, reference)) in zip(got.elements, expected.elements).enumerated() {
        let rounded = reference.exact.roundedBits(to: S.dtype)
        try require(
          ExtendedRational(bits: value.bits, dtype: S.dtype) == ExtendedRational(bits: rounded, dtype: S.dtype),
          "y[\(index / got.columns), \(index % got.columns)]: fast 0x\(S.dtype.hex(value.bits)), exact \(reference.exact) rounds to 0x\(S.dtype.hex(rounded))"
        )
      }
    }
  }

  static let instructions = FastInstructions.allCases.filter(\.isSupported)

  @Test(arguments: instructions) func float32ForwardOfWholeNumbersIsTheExactSumRoundedOnce(_ i: FastInstructions) {
    check(Float.self, i)
  }
  @Test(arguments: instructions) func float16ForwardOfWholeNumbersIsTheExactSumRoundedOnce(_ i: FastInstructions) {
    check(Float16.self, i)
  }
  @Test(arguments: instructions) func bfloat16ForwardOfWholeNumbersIsTheExactSumRoundedOnce(_ i: FastInstructions) {
    check(BFloat16.self, i)
  }
}
