import BoneFast
import BoneLayers
import BoneNumerics
import BoneTestSupport
import Testing

/// BAT-FWD-1 in the fast implementation: the forward merges the copy of W a
/// band of rows at a time, and that gives the same bits as merging a whole
/// copy and multiplying it, for one adapter or two of different ranks (in
/// their order, BAT-MERGE-2), any band size and any batch.
@Suite struct BatForwardBandTests {
  /// Two ranks, a shape both divide, blocks for each, a batch, and a band budget.
  struct Problem: CustomStringConvertible {
    let ranks: [Int]
    let out: Int
    let inFeatures: Int
    let weight: Matrix<UInt64>
    let bias: [UInt64]
    let blocks: [[Matrix<UInt64>]]
    let input: Matrix<UInt64>
    let bandBytes: Int
    var description: String {
      "ranks \(ranks) W \(out)×\(inFeatures)=\(weight) bias=\(bias) blocks=\(blocks) x=\(input) band bytes \(bandBytes)"
    }
  }

  static func problem(_ dtype: DType) -> Gen<Problem> {
    Gen { source throws(GenerationError) in
      let adapters = try Gen<Int>.integer(in: 1...2).generate(&source)
      let ranks = try (0..<adapters).map { (_) throws(GenerationError) in try Gen<Int>.integer(in: 1...4).generate(&source) }
      let unit = ranks.reduce(1) { lcm, r in lcm / gcd(lcm, r) * r }
      let out = unit * (try Gen<Int>.integer(in: 1...6).generate(&source))
      let inFeatures = unit * (try Gen<Int>.integer(in: 1...4).generate(&source))
      func bits(_ rows: Int, _ columns: Int) throws(GenerationError) -> Matrix<UInt64> {
        try FastAgainstExactTests.bits(dtype, rows, columns).generate(&source)
      }
      let weight = try bits(out, inFeatures)
      let bias = try bits(1, out).elements
      let blocks = try ranks.map { (r) throws(GenerationError) in
        try (0..<out / r).map { (_) throws(GenerationError) in try bits(r, r) }
      }
      let n = try Gen<Int>.integer(in: 1...17).generate(&source)
      let input = try bits(n, inFeatures)
      let bandBytes = try Gen<Int>.integer(in: 1...(out * inFeatures * 8)).generate(&source)
      return Problem(
        ranks: ranks, out: out, inFeatures: inFeatures, weight: weight, bias: bias, blocks: blocks, input: input,
        bandBytes: bandBytes)
    }
  }

  static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

  func check<S: FastStorage>(_: S.Type, _ instructions: FastInstructions) {
    let name = "banded BAT forward is the whole-copy forward, \(S.dtype), \(instructions)"
    forAll(Self.problem(S.dtype), cases: 60, name: name) { p in
      var backend = try FastBackend<S>(instructions: instructions)
      backend.batForwardBandBytes = p.bandBytes
      let weight = p.weight.map { S(bits: $0) }
      let bias = p.bias.map { S(bits: $0) }
      let blocks = p.blocks.map { $0.map { $0.map { S(bits: $0) } } }
      let input = p.input.map { S(bits: $0) }
      var merged = weight
      for adapter in blocks { backend.batMerge(&merged, blocks: adapter) }
      let expected = backend.forward(input, weight: merged, bias: bias, boneBlocks: [])
      let got = backend.batForward(input, weight: weight, bias: bias, batBlocks: blocks)
      try requireEqual(got.rows, expected.rows, "rows")
      for (index, (a, b)) in zip(got.elements, expected.elements).enumerated() {
        try require(
          a.bits == b.bits,
          "y[\(index / got.columns), \(index % got.columns)]: banded 0x\(S.dtype.hex(a.bits)), whole copy 0x\(S.dtype.hex(b.bits))")
      }
    }
  }

  static let instructions = FastInstructions.allCases.filter(\.isSupported)

  @Test(arguments: instructions) func float32BandsGiveTheWholeCopysBits(_ i: FastInstructions) { check(Float.self, i) }
  @Test(arguments: instructions) func float16BandsGiveTheWholeCopysBits(_ i: FastInstructions) { check(Float16.self, i) }
  @Test(arguments: instructions) func bfloat16BandsGiveTheWholeCopysBits(_ i: FastInstructions) { check(BFloat16.self, i) }
  @Test(arguments: instructions) func float64BandsGiveTheWholeCopysBits(_ i: FastInstructions) { check(Double.self, i) }
}
