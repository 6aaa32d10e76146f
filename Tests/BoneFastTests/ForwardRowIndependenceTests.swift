import BoneFast
import BoneLayers
import BoneNumerics
import BoneTestSupport
import Testing

/// The fast BONE forward (`BONE-FWD-1`) gives each output feature the same
/// bits whichever other features are computed with it: the forward of the
/// rows `k ..< out` of W (with their bias and their columns of b) equals
/// columns `k ..< out` of the whole layer's forward, bit for bit, in every
/// path (one sample, a few, and the samples in the lanes from eight on).
/// Threads split a forward by output features, so this is what makes its
/// bits independent of the number of cores; it failed when the bias and
/// adapter terms were added in tiles that began at a thread's first output
/// and the last few terms of a tile were not fused like the others.
@Suite struct ForwardRowIndependenceTests {
  /// Rows `range` of `m`.
  static func rows<S>(_ m: Matrix<S>, _ range: Range<Int>) throws -> Matrix<S> {
    try Matrix(rows: range.count, columns: m.columns, elements: Array(m.elements[range.lowerBound * m.columns..<range.upperBound * m.columns]))
  }

  /// Columns `range` of `m`.
  static func columns<S>(_ m: Matrix<S>, _ range: Range<Int>) throws -> Matrix<S> {
    var elements: [S] = []
    for row in 0..<m.rows { elements += m.elements[row * m.columns + range.lowerBound..<row * m.columns + range.upperBound] }
    return try Matrix(rows: m.rows, columns: range.count, elements: elements)
  }

  func check<S: FastStorage>(_: S.Type, _ instructions: FastInstructions, size: FastAgainstExactTests.Size) {
    let name = "forward rows independent of the others (\(instructions)), \(S.dtype), \(size) shapes"
    let problems = FastAgainstExactTests.problem(S.dtype, size: size).filter { $0.variant == .bone }
    forAll(problems, cases: size == .small ? 60 : 8, name: name) { p in
      let backend = try FastBackend<S>(instructions: instructions)
      let weight = p.weight.map { S(bits: $0) }
      let bias = p.bias.map { S(bits: $0) }
      let block = p.blocks[0].map { S(bits: $0) }
      let input = p.input.map { S(bits: $0) }
      let whole = backend.forward(input, weight: weight, bias: bias, boneBlocks: [block])
      let out = weight.rows
      for k in 1..<max(1, out) {
        let part = backend.forward(
          input, weight: try Self.rows(weight, k..<out), bias: Array(bias[k...]),
          boneBlocks: [try Self.columns(block, k..<out)])
        let expected = try Self.columns(whole, k..<out)
        for (index, (a, b)) in zip(part.elements, expected.elements).enumerated() {
          let (sample, o) = (index / part.columns, k + index % part.columns)
          try require(
            a.bits == b.bits,
            "y[\(sample), \(o)]: rows \(k)..<\(out) alone 0x\(S.dtype.hex(a.bits)), the whole layer 0x\(S.dtype.hex(b.bits))")
        }
      }
    }
  }

  static let instructions = FastInstructions.allCases.filter(\.isSupported)

  @Test(arguments: instructions) func float32OutputsDoNotDependOnTheirNeighbours(_ i: FastInstructions) {
    check(Float.self, i, size: .small)
    check(Float.self, i, size: .large)
    check(Float.self, i, size: .wideBatches)
  }

  @Test(arguments: instructions) func float16OutputsDoNotDependOnTheirNeighbours(_ i: FastInstructions) {
    check(Float16.self, i, size: .large)
    check(Float16.self, i, size: .wideBatches)
  }

  @Test(arguments: instructions) func bfloat16OutputsDoNotDependOnTheirNeighbours(_ i: FastInstructions) {
    check(BFloat16.self, i, size: .large)
    check(BFloat16.self, i, size: .wideBatches)
  }

  @Test(arguments: instructions) func float64OutputsDoNotDependOnTheirNeighbours(_ i: FastInstructions) {
    check(Double.self, i, size: .small)
    check(Double.self, i, size: .large)
  }
}
