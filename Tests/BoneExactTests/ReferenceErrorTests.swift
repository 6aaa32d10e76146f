import BoneExact
import BoneLayers
import BoneNumerics
import BoneTestSupport
import Testing

/// Every error rule raises its typed error and leaves the layer exactly as it
/// was (`LAYER-ERROR-1`).
@Suite struct ReferenceErrorTests {
  /// A fingerprint of everything a layer holds.
  static func state(_ layer: ExactLayer) -> String {
    "\(layer.weight)|\(layer.adapters.map { "\($0.name):\($0.variant):\($0.rank):\($0.block)" })|\(layer.activeAdapters)|\(layer.mergedAdapters)|\(layer.isDisabled)"
  }

  /// Runs `body` on a copy of `layer`, requires `expected`, and requires the
  /// copy unchanged.
  static func requireFailure(
    _ layer: ExactLayer, _ expected: LayerError, _ body: (inout ExactLayer) throws(LayerError) -> Void
  ) throws {
    var copy = layer
    do {
      try body(&copy)
      throw PropertyFailure("expected \(expected), but the operation succeeded")
    } catch let error as LayerError {
      try requireEqual(error, expected)
      try requireEqual(state(copy), state(layer), "state after \(expected.kind)")
    }
  }

  static func layer(out: Int = 4, in inFeatures: Int = 4) throws -> ExactLayer {
    try ExactLayer(
      dtype: .float32, policy: .cpu,
      weight: Matrix(rows: out, columns: inFeatures) { o, c in Rational(o * inFeatures + c) })
  }

  /// LAYER-RANK-1.
  @Test func nonPositiveRankIsInvalid() throws {
    let base = try Self.layer()
    forAll(Gen<Int>.integer(in: -1000...0).zip(Gen<AdapterVariant>.element(of: AdapterVariant.allCases))) { r, variant in
      try Self.requireFailure(base, .invalidRank(r)) { layer throws(LayerError) in
        try layer.addAdapter("a", variant: variant, rank: r)
      }
    }
  }

  /// BAT-SHAPE-1.
  @Test func batNeedsDivisibleDimensions() throws {
    forAll(Gen<LayerShape>.layerShape(out: 1...12, in: 1...12, rank: 1...6).filter { !$0.isBATCompatible }) { shape in
      let base = try Self.layer(out: shape.outFeatures, in: shape.inFeatures)
      try Self.requireFailure(
        base, .batShapeNotDivisible(inFeatures: shape.inFeatures, outFeatures: shape.outFeatures, rank: shape.rank)
      ) { layer throws(LayerError) in try layer.addAdapter("a", variant: .bat, rank: shape.rank) }
    }
  }

  /// LAYER-VARIANT-1, LAYER-NAME-1, LAYER-BLOCK-1; the block shapes of
  /// BONE-PARAM-1 (r × out) and BAT-PARAM-1 (out/r blocks r × r).
  @Test func variantNameAndBlockRulesAreEnforced() throws {
    var bone = try Self.layer()
    try bone.addAdapter("a", variant: .bone, rank: 2)
    try Self.requireFailure(bone, .variantMismatch(layer: .bone, adapter: .bat)) { layer throws(LayerError) in
      try layer.addAdapter("b", variant: .bat, rank: 2)
    }
    try Self.requireFailure(bone, .duplicateAdapter("a")) { layer throws(LayerError) in
      try layer.addAdapter("a", variant: .bone, rank: 3)
    }
    try Self.requireFailure(bone, .unknownAdapter("z")) { layer throws(LayerError) in try layer.setActive(["a", "z"]) }
    try Self.requireFailure(bone, .unknownAdapter("z")) { layer throws(LayerError) in try layer.merge(["a", "z"]) }
    try Self.requireFailure(bone, .blockShapeMismatch(adapter: "c", expected: "2×4", got: "[4×2]")) { layer throws(LayerError) in
      try layer.addAdapter("c", variant: .bone, rank: 2, block: [Matrix(rows: 4, columns: 2, repeating: .zero)])
    }
    var bat = try Self.layer()
    try bat.addAdapter("a", variant: .bat, rank: 2)
    try Self.requireFailure(bat, .variantMismatch(layer: .bat, adapter: .bone)) { layer throws(LayerError) in
      try layer.addAdapter("b", variant: .bone, rank: 2)
    }
    try Self.requireFailure(bat, .blockShapeMismatch(adapter: "c", expected: "2 blocks 2×2", got: "[2×2]")) { layer throws(LayerError) in
      try layer.addAdapter("c", variant: .bat, rank: 2, block: [Matrix(rows: 2, columns: 2, repeating: .zero)])
    }
  }

  /// BONE-SHAPE-1, LAYER-INPUT-1.
  @Test func shapesOfWeightBiasAndInputAreChecked() throws {
    #expect(throws: LayerError.weightShapeMismatch("the bias must have 4 entries (out), not 3")) {
      _ = try ExactLayer(dtype: .float32, policy: .cpu, weight: Matrix(rows: 4, columns: 2, repeating: .zero), bias: [.zero, .zero, .zero])
    }
    #expect(throws: LayerError.self) {
      _ = try ExactLayer(dtype: .float32, policy: .cpu, weight: Matrix(rows: 0, columns: 2, repeating: .zero))
    }
    let layer = try Self.layer()
    #expect(throws: LayerError.inputShapeMismatch(expectedColumns: 4, rows: 1, columns: 3)) {
      _ = try layer.forward(Matrix(rows: 1, columns: 3, repeating: .zero))
    }
    #expect(throws: LayerError.inputShapeMismatch(expectedColumns: 4, rows: 0, columns: 4)) {
      _ = try layer.forward(Matrix(rows: 0, columns: 4, repeating: .zero))
    }
  }

  /// LAYER-BLOCK-1, LAYER-INPUT-1: values the dtype cannot hold are rejected.
  @Test func valuesOutsideTheDTypeAreRejected() throws {
    let third = try Rational(numerator: 1, denominator: 3)
    #expect(throws: LayerError.dtypeMismatch(what: "the weight", dtype: .float16)) {
      _ = try ExactLayer(dtype: .float16, policy: .cpu, weight: Matrix(rows: 1, columns: 1, repeating: third))
    }
    #expect(throws: LayerError.dtypeMismatch(what: "the bias", dtype: .bfloat16)) {
      _ = try ExactLayer(dtype: .bfloat16, policy: .cpu, weight: Matrix(rows: 1, columns: 1, repeating: .one), bias: [Rational(257)])
    }
    let layer = try Self.layer()
    try Self.requireFailure(layer, .dtypeMismatch(what: "the block of adapter \"a\"", dtype: .float32)) { layer throws(LayerError) in
      try layer.addAdapter("a", variant: .bone, rank: 1, block: [Matrix(rows: 1, columns: 4, repeating: .finite(third))])
    }
    #expect(throws: LayerError.dtypeMismatch(what: "the input", dtype: .float32)) {
      _ = try layer.forward(Matrix(rows: 1, columns: 4, repeating: .finite(third)))
    }
    // Under the exact policy every rational is allowed.
    _ = try ExactLayer(dtype: .float16, policy: .exact, weight: Matrix(rows: 1, columns: 1, repeating: third))
  }

  /// LAYER-SAFE-1: a safe merge that would write NaN or infinity writes
  /// nothing, for both variants, in % r ≠ 0 included (where PEFT writes).
  @Test func safeMergeOfNonFiniteResultWritesNothing() throws {
    for (variant, rank, inFeatures) in [(AdapterVariant.bone, 3, 4), (.bone, 2, 4), (.bone, 6, 4), (.bat, 2, 4)] {
      for bad in [ExtendedRational.nan, .infinity(negative: false), .infinity(negative: true)] {
        var layer = try Self.layer(in: inFeatures)
        try layer.addAdapter("good", variant: variant, rank: rank)
        let shapes = variant.blockShapes(rank: rank, outFeatures: 4)
        var block = shapes.map { Matrix<ExtendedRational>(rows: $0.rows, columns: $0.columns, repeating: .zero) }
        block[0][0, 0] = bad
        try layer.addAdapter("bad", variant: variant, rank: rank, block: block)
        try Self.requireFailure(layer, .nonFiniteMerge(adapter: "bad")) { layer throws(LayerError) in
          try layer.merge(["good", "bad"], safe: true)
        }
        // Without safe, the non-finite values are written.
        var unsafe = layer
        try unsafe.merge(["bad"])
        #expect(unsafe.weight.elements.contains { !$0.value.isFinite }, "\(variant) \(bad)")
      }
    }
  }

  /// BAT-UNMERGE-2: a singular I + B_a fails the unmerge (and disable) and
  /// leaves weight and merged stack as they were.
  @Test func singularBlockFailsTheUnmergeAndKeepsTheMergedState() throws {
    var layer = try Self.layer()
    // B_1 = −I makes I + B_1 = 0.
    let blocks: [Matrix<ExtendedRational>] = [
      Matrix(rows: 2, columns: 2, repeating: .zero),
      Matrix(rows: 2, columns: 2) { i, j in i == j ? .finite(Rational(-1)) : .zero },
    ]
    try layer.addAdapter("s", variant: .bat, rank: 2, block: blocks)
    try layer.merge()
    try Self.requireFailure(layer, .singularBlock(adapter: "s", outBlock: 1)) { layer throws(LayerError) in try layer.unmerge() }
    try Self.requireFailure(layer, .singularBlock(adapter: "s", outBlock: 1)) { layer throws(LayerError) in try layer.disable() }
  }

  /// LAYER-STATE-2: merging what is merged, and unmerging with nothing
  /// merged, are no-ops.
  @Test func mergingTwiceAndUnmergingNothingAreNoOps() throws {
    var layer = try Self.layer()
    try layer.addAdapter("a", variant: .bone, rank: 3, block: [Matrix(rows: 3, columns: 4) { i, j in .finite(Rational(i + j + 1)) }])
    let before = Self.state(layer)
    try layer.unmerge()
    #expect(Self.state(layer) == before)
    try layer.merge()
    let merged = Self.state(layer)
    try layer.merge()
    try layer.merge(["a"])
    #expect(Self.state(layer) == merged)
    #expect(layer.mergedAdapters == ["a"])
  }

  /// LAYER-STATE-1: the first adapter is active, later ones are not.
  @Test func onlyTheFirstAdapterStartsActive() throws {
    var layer = try Self.layer()
    try layer.addAdapter("a", variant: .bone, rank: 2)
    try layer.addAdapter("b", variant: .bone, rank: 2)
    #expect(layer.activeAdapters == ["a"])
    try layer.setActive(["b", "a"])
    #expect(layer.activeAdapters == ["b", "a"])
  }
}
