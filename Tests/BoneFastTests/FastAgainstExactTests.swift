import BoneExact
import BoneFast
import BoneLayers
import BoneNumerics
import BoneTestSupport
import Testing

/// The fast implementation against the exact reference (CPU policy): every
/// result within the spec's bound, bit for bit where the spec says it is
/// bit-determined, and the same errors. Merge then unmerge is judged with
/// the radii the reference carries between steps (TOL-PROPAGATE-1,
/// TOL-ROUNDTRIP-1).
@Suite struct FastAgainstExactTests {
  /// Stored values of moderate magnitude, as the reference tests use.
  static func moderate(_ dtype: DType) -> Gen<UInt64> {
    Gen<Int>.integer(in: -(1 << 12)...(1 << 12)).zip(Gen<Int>.integer(in: -30...4)).map { m, e in
      Rational(m).scaled(byPowerOfTwo: e - 6).roundedBits(to: dtype)
    }
  }

  /// Values below 1 in magnitude (down to 2⁻¹⁴), so that no sum of a few
  /// hundred products overflows float16 and every wrong term shows.
  static func small(_ dtype: DType) -> Gen<UInt64> {
    Gen<Int>.integer(in: -(1 << 10)...(1 << 10)).zip(Gen<Int>.integer(in: -14...(-10))).map { m, e in
      Rational(m).scaled(byPowerOfTwo: e).roundedBits(to: dtype)
    }
  }

  static func bits(_ dtype: DType, _ rows: Int, _ columns: Int, element: Gen<UInt64>? = nil) -> Gen<Matrix<UInt64>> {
    Gen<Matrix<UInt64>>.matrix(rows: rows...rows, columns: columns...columns, element: element ?? moderate(dtype))
  }

  /// A problem: shape, variant, weight, bias, block(s) and a batch, as encodings.
  struct Problem: CustomStringConvertible {
    let variant: AdapterVariant
    let shape: LayerShape
    let weight: Matrix<UInt64>
    let bias: [UInt64]
    let blocks: [Matrix<UInt64>]
    let input: Matrix<UInt64>
    var description: String { "\(variant) \(shape) W=\(weight) bias=\(bias) blocks=\(blocks) x=\(input)" }
  }

  /// Problem sizes. Small shapes reach every edge (r > in, in % r ≠ 0, one
  /// row); large ones reach the register-blocked micro-kernels (BAT r ≥ 16,
  /// four-row groups, dot products longer than one SIMD step and than a
  /// forward chunk, batches of two and one); wide tiles are BAT with r ≥ 32,
  /// where the 512-bit tile kernel takes 32 columns at a time; wide batches
  /// (8 to 20 samples) reach the forward with the samples in the lanes, in
  /// blocks of twelve rows (partial ones too) and groups of sixteen samples;
  /// wide chunks are wide batches with more than one column chunk of the
  /// forward (257 to 400 input features, 8 to 20 samples), where the
  /// half-precision rows of the next chunk are widened while the current one
  /// is multiplied, on values below 1 (`small`), so that float16 outputs do
  /// not overflow to infinities that would hide wrong terms; large finite
  /// problems are large ones on values below 1, for the same reason; nearly
  /// singular problems are BAT with r from 2 to 12 and blocks whose I + B
  /// is close to singular (`Gen.nearlySingularBlock`), where the unmerge's
  /// inverse is ill-conditioned.
  enum Size: String { case small, large, largeFinite, wideTiles, wideBatches, wideChunks, nearlySingular }

  static func problem(_ dtype: DType, size: Size = .small) -> Gen<Problem> {
    let large = size == .large || size == .largeFinite
    let wideBatches = size == .wideBatches || size == .wideChunks
    let inFeatures = large ? 17...300 : size == .wideChunks ? 257...400 : wideBatches ? 9...90 : 1...20
    let bone = Gen<LayerShape>.layerShape(out: large ? 5...23 : wideBatches ? 5...26 : 1...9, in: inFeatures, rank: 1...24)
      .map { (AdapterVariant.bone, $0) }
    let ranks = size == .wideTiles ? 32...40 : large ? 13...26 : size == .nearlySingular ? 2...12 : 1...9
    let bat = Gen<LayerShape>.batShape(rank: ranks, blocks: size == .small ? 1...3 : 1...2)
      .map { (AdapterVariant.bat, $0) }
    let variants = size == .wideTiles || size == .nearlySingular ? [bat] : wideBatches ? [bone] : [bone, bat]
    let element = size == .wideChunks || size == .largeFinite ? small(dtype) : moderate(dtype)
    return Gen.oneOf(variants).flatMap { variant, shape in
      let blockShapes = variant.blockShapes(rank: shape.rank, outFeatures: shape.outFeatures)
      let blockGen = Gen<[Matrix<UInt64>]> { source throws(GenerationError) in
        try blockShapes.map { (shape) throws(GenerationError) in
          try (size == .nearlySingular
            ? .nearlySingularBlock(dtype, rank: shape.rows) : bits(dtype, shape.rows, shape.columns, element: element)
          ).generate(&source)
        }
      }
      return bits(dtype, shape.outFeatures, shape.inFeatures, element: element)
        .zip(bits(dtype, 1, shape.outFeatures, element: element))
        .zip(blockGen)
        .zip(Gen<Int>.integer(in: large ? 1...6 : wideBatches ? 8...20 : 1...3).flatMap { n in
          bits(dtype, n, shape.inFeatures, element: element)
        })
        .map { Problem(variant: variant, shape: shape, weight: $0.0.0.0, bias: $0.0.0.1.elements, blocks: $0.0.1, input: $0.1) }
    }
  }

  static func layers<S: FastStorage>(_ p: Problem, _: S.Type, _ instructions: FastInstructions) throws -> (FastLayer<S>, ExactLayer) {
    let dtype = S.dtype
    // BAT forwards one band of out-blocks at a time, so the bands meet the bounds too.
    var backend = try FastBackend<S>(instructions: instructions)
    backend.batForwardBandBytes = 1
    var fast = try FastLayer<S>(backend: backend, weight: p.weight.map { S(bits: $0) }, bias: p.bias.map { S(bits: $0) })
    try fast.addAdapter("a", variant: p.variant, rank: p.shape.rank, block: p.blocks.map { $0.map { S(bits: $0) } })
    var exact = try ExactLayer(dtype: dtype, policy: .cpu, weightBits: p.weight, biasBits: p.bias)
    try exact.addAdapter("a", variant: p.variant, rank: p.shape.rank, block: p.blocks.map { $0.map { ExtendedRational(bits: $0, dtype: dtype) } })
    return (fast, exact)
  }

  /// Requires every fast element to be accepted by the reference element,
  /// but in the rows `unjudged` names (asked only about a rejected element).
  static func requireAccepted<S: FastStorage>(
    _ fast: Matrix<S>, _ exact: Matrix<ReferenceElement>, _ what: String, unjudged: (Int) -> Bool = { _ in false }
  ) throws {
    try requireEqual(fast.rows, exact.rows, "\(what) rows")
    for (index, (got, expected)) in zip(fast.elements, exact.elements).enumerated() {
      try require(
        expected.accepts(bits: got.bits, dtype: S.dtype) || unjudged(index / fast.columns),
        "\(what)[\(index / fast.columns), \(index % fast.columns)]: fast 0x\(S.dtype.hex(got.bits)), reference \(expected)")
    }
  }

  func check<S: FastStorage>(_ type: S.Type, _ instructions: FastInstructions, size: Size = .small) {
    let name = "fast (\(instructions)) against exact, \(S.dtype), \(size) shapes"
    let cases = [Size.small: 150, .large: 12, .largeFinite: 12, .wideTiles: 5, .wideBatches: 10, .wideChunks: 4, .nearlySingular: 60][size] ?? 1
    forAll(Self.problem(S.dtype, size: size), cases: cases, name: name) { p in
      var (fast, exact) = try Self.layers(p, type, instructions)
      let x = p.input
      try Self.requireAccepted(try fast.forward(x.map { S(bits: $0) }), try exact.forward(x.map { ExtendedRational(bits: $0, dtype: S.dtype) }), "unmerged forward")
      try fast.merge()
      try exact.merge()
      if p.variant == .bone {
        try require(exact.weight.elements.allSatisfy(\.determined), "BONE merge is bit-determined (EXACT-DETERMINED-1)")
      }
      try Self.requireAccepted(fast.weight, exact.weight, "merged W")
      try Self.requireAccepted(try fast.forward(x.map { S(bits: $0) }), try exact.forward(x.map { ExtendedRational(bits: $0, dtype: S.dtype) }), "merged forward")
      guard p.variant == .bat else {
        try fast.unmerge()
        try exact.unmerge()
        try Self.requireAccepted(fast.weight, exact.weight, "W after merge and unmerge")
        return
      }
      // BAT-UNMERGE-2: the fast backend refuses the first exactly singular
      // block, or an earlier numerically singular one (BAT-UNMERGE-3), and
      // nothing else; the rows of numerically singular blocks are not judged
      // (θ_a, exact work, is computed only when it is needed).
      let blocks = exact.adapters[0].block
      let singular = exact.backend.firstSingularBlock(blocks)
      lazy var numericallySingular = exact.backend.numericallySingularBlocks(blocks)
      let refused = fast.backend.firstSingularBlock(fast.adapters[0].block)
      if let refused {
        try require(
          refused == singular || (numericallySingular.contains(refused) && refused < (singular ?? .max)),
          "refused out-block \(refused): exactly singular \(String(describing: singular)), numerically singular \(numericallySingular)")
        let before = fast.weight
        do {
          try fast.unmerge()
          try require(false, "the unmerge of a refused block succeeded")
        } catch let error as LayerError {
          try requireEqual(error, .singularBlock(adapter: "a", outBlock: refused), "error")
        }
        try require(fast.weight == before && fast.mergedAdapters == ["a"], "a refused unmerge changed the layer")
        return
      }
      try require(singular == nil, "exactly singular out-block \(String(describing: singular)) was not refused")
      try fast.unmerge()
      try exact.unmerge()
      let r = p.shape.rank
      try Self.requireAccepted(fast.weight, exact.weight, "W after merge and unmerge") { row in numericallySingular.contains(row / r) }
    }
  }

  /// The copies of the kernels this processor can run.
  static let instructions = FastInstructions.allCases.filter(\.isSupported)

  @Test(arguments: instructions) func float64WithinTheBoundsAndBitExactWhereDetermined(_ i: FastInstructions) { check(Double.self, i) }
  @Test(arguments: instructions) func float32WithinTheBoundsAndBitExactWhereDetermined(_ i: FastInstructions) { check(Float.self, i) }
  @Test(arguments: instructions) func float16WithinTheBoundsAndBitExactWhereDetermined(_ i: FastInstructions) { check(Float16.self, i) }
  @Test(arguments: instructions) func bfloat16WithinTheBoundsAndBitExactWhereDetermined(_ i: FastInstructions) { check(BFloat16.self, i) }

  @Test(arguments: instructions) func float64NearlySingularUnmergeWithinTheBounds(_ i: FastInstructions) { check(Double.self, i, size: .nearlySingular) }
  @Test(arguments: instructions) func float32NearlySingularUnmergeWithinTheBounds(_ i: FastInstructions) { check(Float.self, i, size: .nearlySingular) }
  @Test(arguments: instructions) func float16NearlySingularUnmergeWithinTheBounds(_ i: FastInstructions) { check(Float16.self, i, size: .nearlySingular) }
  @Test(arguments: instructions) func bfloat16NearlySingularUnmergeWithinTheBounds(_ i: FastInstructions) { check(BFloat16.self, i, size: .nearlySingular) }
  @Test(arguments: instructions) func float32MicroKernelsWithinTheBounds(_ i: FastInstructions) { check(Float.self, i, size: .large) }
  @Test(arguments: instructions) func float32WideTilesWithinTheBounds(_ i: FastInstructions) { check(Float.self, i, size: .wideTiles) }
  @Test(arguments: instructions) func float16MicroKernelsWithinTheBounds(_ i: FastInstructions) { check(Float16.self, i, size: .large) }
  @Test(arguments: instructions) func float16MicroKernelsOnFiniteSumsWithinTheBounds(_ i: FastInstructions) { check(Float16.self, i, size: .largeFinite) }
  @Test(arguments: instructions) func bfloat16MicroKernelsWithinTheBounds(_ i: FastInstructions) { check(BFloat16.self, i, size: .large) }
  @Test(arguments: instructions) func float64MicroKernelsWithinTheBounds(_ i: FastInstructions) { check(Double.self, i, size: .large) }
  @Test(arguments: instructions) func float32WideBatchesWithinTheBounds(_ i: FastInstructions) { check(Float.self, i, size: .wideBatches) }
  @Test(arguments: instructions) func bfloat16WideBatchesWithinTheBounds(_ i: FastInstructions) { check(BFloat16.self, i, size: .wideBatches) }
  @Test(arguments: instructions) func float32WideChunksWithinTheBounds(_ i: FastInstructions) { check(Float.self, i, size: .wideChunks) }
  @Test(arguments: instructions) func float16WideChunksWithinTheBounds(_ i: FastInstructions) { check(Float16.self, i, size: .wideChunks) }
  @Test(arguments: instructions) func bfloat16WideChunksWithinTheBounds(_ i: FastInstructions) { check(BFloat16.self, i, size: .wideChunks) }

  /// The error rules are the shared state machine's; the fast backend's own
  /// contribution is singularity, checked here on exactly singular blocks:
  /// one whose elimination is exact, and one whose second pivot rounds to
  /// zero without a fused multiply-add and to −2⁻²⁵ with one (BAT-UNMERGE-2).
  @Test(arguments: instructions, [[Float(0), 2, 1, 1], [2, 3, 1, 0]])
  func singularBlockIsTheSameErrorAsTheReference(_ instructions: FastInstructions, singularBlock: [Float]) throws {
    var fast = try FastLayer<Float>(backend: FastBackend(instructions: instructions), weight: Matrix(rows: 4, columns: 4, repeating: 1))
    let blocks: [Matrix<Float>] = [
      Matrix(rows: 2, columns: 2, repeating: 0),
      try Matrix(rows: 2, columns: 2, elements: singularBlock),  // I + B = [[1, 2], [1, 2]] or [[3, 3], [1, 1]]
    ]
    try fast.addAdapter("s", variant: .bat, rank: 2, block: blocks)
    try fast.merge()
    let before = fast.weight
    #expect(throws: LayerError.singularBlock(adapter: "s", outBlock: 1)) { try fast.unmerge() }
    #expect(fast.weight == before && fast.mergedAdapters == ["s"])
    var exact = try ExactLayer(dtype: .float32, policy: .cpu, weight: Matrix(rows: 4, columns: 4, repeating: .one))
    try exact.addAdapter("s", variant: .bat, rank: 2, block: blocks.map { $0.map { .finite(try! Rational(exactly: $0)) } })
    try exact.merge()
    #expect(throws: LayerError.singularBlock(adapter: "s", outBlock: 1)) { try exact.unmerge() }
  }

  /// BAT-UNMERGE-2, DTYPE-NONFINITE-1: a block with an infinity is not
  /// singular, even where its elimination meets a zero pivot (I + B =
  /// [[1, 0], [∞, 1]]: the multiplier 1/∞ leaves 0 as the second pivot);
  /// the unmerge goes on and that block's tiles become non-finite, as in the
  /// reference.
  @Test(arguments: instructions) func nonFiniteBlockIsNotSingular(_ instructions: FastInstructions) throws {
    let weight = Matrix<Float>(rows: 4, columns: 2) { i, j in Float(i + 2 * j + 1) / 8 }
    var fast = try FastLayer<Float>(backend: FastBackend(instructions: instructions), weight: weight)
    let blocks: [Matrix<Float>] = [Matrix(rows: 2, columns: 2, repeating: 0), try Matrix(rows: 2, columns: 2, elements: [0, 0, .infinity, 0])]
    try fast.addAdapter("i", variant: .bat, rank: 2, block: blocks)
    try fast.merge()
    try fast.unmerge()
    var exact = try ExactLayer(dtype: .float32, policy: .cpu, weightBits: weight.map { UInt64($0.bitPattern) })
    try exact.addAdapter("i", variant: .bat, rank: 2, block: blocks.map { $0.map { ExtendedRational(bits: UInt64($0.bitPattern), dtype: .float32) } })
    try exact.merge()
    try exact.unmerge()
    try Self.requireAccepted(fast.weight, exact.weight, "W after merge and unmerge")
    #expect((2..<4).allSatisfy { row in (0..<2).allSatisfy { !fast.weight[row, $0].isFinite } })
  }

  /// LAYER-SAFE-1, DTYPE-NONFINITE-1 in the fast implementation: NaN in a
  /// block, safe merge, nothing written; unsafe merge writes NaN.
  @Test(arguments: instructions) func safeMergeOfNaNWritesNothing(_ instructions: FastInstructions) throws {
    var fast = try FastLayer<Float16>(backend: FastBackend(instructions: instructions), weight: Matrix(rows: 2, columns: 5, repeating: 1))
    var block = Matrix<Float16>(rows: 3, columns: 2, repeating: 0)
    block[2, 1] = .nan
    try fast.addAdapter("n", variant: .bone, rank: 3, block: [block])
    let before = fast.weight
    #expect(throws: LayerError.nonFiniteMerge(adapter: "n")) { try fast.merge(safe: true) }
    #expect(fast.weight == before && fast.mergedAdapters.isEmpty)
    try fast.merge()
    #expect(fast.weight[1, 2].isNaN && fast.weight[1, 0] == 1)
  }
}
