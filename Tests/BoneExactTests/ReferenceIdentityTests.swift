import BoneExact
import BoneLayers
import BoneNumerics
import BoneTestSupport
import Testing

/// The exact identities of BONE and BAT, under the `exact` policy (no rounding).
@Suite struct ReferenceIdentityTests {
  typealias Problem = ReferenceGen.BoneProblem

  static func boneLayer(_ p: Problem) throws -> ExactLayer {
    var layer = try ExactLayer(dtype: .float64, policy: .exact, weight: p.weight, bias: p.bias)
    try layer.addAdapter("a", variant: .bone, rank: p.shape.rank, block: [p.block.extended])
    return layer
  }

  static func batLayer(_ p: ReferenceGen.BATProblem) throws -> ExactLayer {
    var layer = try ExactLayer(dtype: .float64, policy: .exact, weight: p.weight, bias: p.bias)
    try layer.addAdapter("a", variant: .bat, rank: p.shape.rank, block: p.blocks.map(\.extended))
    return layer
  }

  /// BONE-MERGE-1, BONE-MERGE-2: merge then unmerge restores W, for every r.
  @Test func boneMergeThenUnmergeIsTheIdentity() {
    forAll(ReferenceGen.boneProblem) { p in
      var layer = try Self.boneLayer(p)
      try layer.merge()
      try requireEqual(layer.mergedAdapters, ["a"])
      try layer.unmerge()
      try requireEqual(layer.weightValues, p.weight, "W after merge and unmerge")
      try requireEqual(layer.mergedAdapters, [])
    }
  }

  /// BONE-MERGE-1: column c of W gains row c mod r of b, checked element by element.
  @Test func boneMergeAddsRowCModRToColumnC() {
    forAll(ReferenceGen.boneProblem) { p in
      var layer = try Self.boneLayer(p)
      try layer.merge()
      let merged = try #require(layer.weightValues)
      for o in 0..<p.shape.outFeatures {
        for c in 0..<p.shape.inFeatures {
          try requireEqual(merged[o, c], p.weight[o, c] + p.block[c % p.shape.rank, o], "W'[\(o), \(c)]")
        }
      }
    }
  }

  /// BONE-MERGE-3, LAYER-STATE-3, LAYER-BIAS-1: merged and unmerged forwards are equal.
  @Test func boneMergedForwardEqualsUnmergedForward() {
    let gen = ReferenceGen.boneProblem.flatMap { p in
      ReferenceGen.batch(columns: p.shape.inFeatures).map { (p, $0) }
    }
    forAll(gen) { p, x in
      var layer = try Self.boneLayer(p)
      let unmerged = try layer.forward(x.extended).exactValues
      try layer.merge()
      let merged = try layer.forward(x.extended).exactValues
      try requireEqual(merged, unmerged, "forward")
      // And both are the formula of BONE-FWD-1.
      try requireEqual(unmerged, ExactMath.boneForward(x, weight: p.weight, bias: p.bias, blocks: [p.block]), "BONE-FWD-1")
    }
  }

  /// BONE-FWD-1, BONE-FWD-2: a forward with in % r ≠ 0 (or r > in) equals the
  /// forward of the explicitly zero-padded problem.
  @Test func boneForwardEqualsTheForwardOfTheZeroPaddedProblem() {
    let gen = ReferenceGen.boneProblem.flatMap { p in
      ReferenceGen.batch(columns: p.shape.inFeatures).map { (p, $0) }
    }
    forAll(gen) { p, x in
      let r = p.shape.rank
      let padded = (p.shape.inFeatures + r - 1) / r * r
      let paddedWeight = Matrix<Rational>(rows: p.shape.outFeatures, columns: padded) { o, c in
        c < p.shape.inFeatures ? p.weight[o, c] : .zero
      }
      let paddedX = Matrix<Rational>(rows: x.rows, columns: padded) { n, c in c < p.shape.inFeatures ? x[n, c] : .zero }
      let original = try Self.boneLayer(p).forward(x.extended).exactValues
      var paddedLayer = try ExactLayer(dtype: .float64, policy: .exact, weight: paddedWeight, bias: p.bias)
      try paddedLayer.addAdapter("a", variant: .bone, rank: r, block: [p.block.extended])
      try requireEqual(try paddedLayer.forward(paddedX.extended).exactValues, original, "padded forward")
    }
  }

  /// LAYER-INIT-1: zero blocks make the layer the identity, both variants.
  @Test func zeroBlocksLeaveTheLayerUnchanged() {
    let gen = ReferenceGen.batProblem.flatMap { p in ReferenceGen.batch(columns: p.shape.inFeatures).map { (p, $0) } }
    forAll(gen) { p, x in
      for variant in AdapterVariant.allCases {
        var layer = try ExactLayer(dtype: .float64, policy: .exact, weight: p.weight, bias: p.bias)
        let base = try layer.forward(x.extended).exactValues
        try layer.addAdapter("zero", variant: variant, rank: p.shape.rank)
        try requireEqual(try layer.forward(x.extended).exactValues, base, "\(variant) forward with zero block")
        try layer.merge()
        try requireEqual(layer.weightValues, p.weight, "\(variant) merge of zero block")
      }
    }
  }

  /// BONE-MERGE-4: BONE adapters commute, and active ones add up.
  @Test func boneAdaptersCommuteAndAddUp() {
    let gen = ReferenceGen.boneProblem.flatMap { p in
      Gen<Int>.integer(in: 1...9).flatMap { r2 in
        ReferenceGen.matrix(rows: r2, columns: p.shape.outFeatures)
          .zip(ReferenceGen.batch(columns: p.shape.inFeatures))
          .map { (p, r2, $0.0, $0.1) }
      }
    }
    forAll(gen) { p, r2, block2, x in
      var layer = try Self.boneLayer(p)
      try layer.addAdapter("b", variant: .bone, rank: r2, block: [block2.extended])
      try layer.setActive(["a", "b"])
      let together = try layer.forward(x.extended).exactValues
      let formula = ExactMath.boneForward(x, weight: p.weight, bias: p.bias, blocks: [p.block, block2])
      try requireEqual(together, formula, "two active adapters add up")
      var ab = layer
      try ab.merge(["a", "b"])
      var ba = layer
      try ba.merge(["b", "a"])
      try requireEqual(ab.weightValues, ba.weightValues, "merge order")
      try requireEqual(try ab.forward(x.extended).exactValues, together, "merged forward")
      try ab.unmerge()
      try requireEqual(ab.weightValues, p.weight, "unmerge both")
    }
  }

  /// BAT-MERGE-1, BAT-UNMERGE-1, BAT-UNMERGE-2: merge then unmerge is the
  /// identity whenever every I + B_a is invertible; otherwise a singularBlock error.
  @Test func batMergeThenUnmergeIsTheIdentityWhenInvertible() {
    forAll(ReferenceGen.batProblem) { p in
      var layer = try Self.batLayer(p)
      try layer.merge()
      try requireEqual(layer.weightValues, ExactMath.batMerge(p.weight, blocks: p.blocks), "BAT-MERGE-1")
      let singular = p.blocks.firstIndex { ExactMath.identityPlus($0).inverse() == nil }
      do {
        try layer.unmerge()
        try require(singular == nil, "unmerge succeeded with singular block \(singular ?? -1)")
        try requireEqual(layer.weightValues, p.weight, "W after merge and unmerge")
      } catch let error as LayerError {
        try requireEqual(error, .singularBlock(adapter: "a", outBlock: singular ?? -1))
      }
    }
  }

  /// BAT-FWD-1, LAYER-STATE-3: the unmerged forward is the base linear with
  /// the merged weight, and equals the merged forward.
  @Test func batForwardIsTheLinearWithTheMergedWeight() {
    let gen = ReferenceGen.batProblem.flatMap { p in ReferenceGen.batch(columns: p.shape.inFeatures).map { (p, $0) } }
    forAll(gen) { p, x in
      var layer = try Self.batLayer(p)
      let unmerged = try layer.forward(x.extended).exactValues
      let expected = ExactMath.boneForward(x, weight: ExactMath.batMerge(p.weight, blocks: p.blocks), bias: p.bias, blocks: [])
      try requireEqual(unmerged, expected, "BAT-FWD-1")
      try requireEqual(layer.weightValues, p.weight, "forward does not change W")
      try layer.merge()
      try requireEqual(try layer.forward(x.extended).exactValues, unmerged, "merged forward")
    }
  }

  /// BAT-MERGE-2, LAYER-STATE-2: BAT adapters compose in order, generally do
  /// not commute, and unmerging in reverse restores W.
  @Test func batAdaptersComposeInOrderAndUnmergeInReverse() throws {
    let gen = ReferenceGen.batProblem.flatMap { p in
      ReferenceGen.matrix(rows: p.shape.rank, columns: p.shape.rank)
        .array(count: (p.shape.outFeatures / p.shape.rank)...(p.shape.outFeatures / p.shape.rank))
        .map { (p, $0) }
    }
    forAll(gen) { p, second in
      var layer = try Self.batLayer(p)
      try layer.addAdapter("b", variant: .bat, rank: p.shape.rank, block: second.map(\.extended))
      var ab = layer
      try ab.merge(["a", "b"])
      try requireEqual(ab.weightValues, ExactMath.batMerge(ExactMath.batMerge(p.weight, blocks: p.blocks), blocks: second), "a then b")
      let invertible = (p.blocks + second).allSatisfy { ExactMath.identityPlus($0).inverse() != nil }
      if invertible {
        try ab.unmerge()
        try requireEqual(ab.weightValues, p.weight, "unmerge in reverse")
      }
    }
    // A case where the order matters: W = [[1]], B = [[1]] and [[2]].
    var layer = try ExactLayer(dtype: .float64, policy: .exact, weight: try Matrix(rows: 1, columns: 1, elements: [Rational(1)]))
    try layer.addAdapter("a", variant: .bat, rank: 1, block: [Matrix(rows: 1, columns: 1, repeating: .finite(Rational(1)))])
    try layer.addAdapter("b", variant: .bat, rank: 1, block: [Matrix(rows: 1, columns: 1, repeating: .finite(Rational(2)))])
    var ab = layer
    try ab.merge(["a", "b"])
    var ba = layer
    try ba.merge(["b", "a"])
    // (1·2 + 1)·3 + 2 = 11 and (1·3 + 2)·2 + 1 = 11? No: a then b: (1·(1+1)+1) = 3, then 3·(1+2)+2 = 11;
    // b then a: 1·(1+2)+2 = 5, then 5·(1+1)+1 = 11. Scalars commute; 2×2 blocks do not:
    #expect(ab.weightValues == ba.weightValues)
    let w = try Matrix(rows: 2, columns: 2, elements: [Rational(1), Rational(0), Rational(0), Rational(1)])
    let b1 = try Matrix(rows: 2, columns: 2, elements: [Rational(0), Rational(1), Rational(0), Rational(0)])
    let b2 = try Matrix(rows: 2, columns: 2, elements: [Rational(0), Rational(0), Rational(1), Rational(0)])
    #expect(ExactMath.batMerge(ExactMath.batMerge(w, blocks: [b1]), blocks: [b2]) != ExactMath.batMerge(ExactMath.batMerge(w, blocks: [b2]), blocks: [b1]))
  }

  /// LAYER-STATE-4: disable unmerges, forward is then the base forward, and
  /// enable does not merge again.
  @Test func disableUnmergesAndForwardsTheBase() {
    let gen = ReferenceGen.boneProblem.flatMap { p in ReferenceGen.batch(columns: p.shape.inFeatures).map { (p, $0) } }
    forAll(gen) { p, x in
      var layer = try Self.boneLayer(p)
      let base = ExactMath.boneForward(x, weight: p.weight, bias: p.bias, blocks: [])
      try layer.merge()
      try layer.disable()
      try requireEqual(layer.mergedAdapters, [], "disable unmerges")
      try requireEqual(layer.weightValues, p.weight, "W after disable")
      try requireEqual(try layer.forward(x.extended).exactValues, base, "disabled forward is the base forward")
      layer.enable()
      try requireEqual(layer.mergedAdapters, [], "enable does not merge")
      try requireEqual(try layer.forward(x.extended).exactValues, ExactMath.boneForward(x, weight: p.weight, bias: p.bias, blocks: [p.block]), "enabled forward")
    }
  }

  /// LAYER-STATE-3: while any adapter is merged, unmerged active adapters
  /// are not applied: the forward is the base forward with the merged weight.
  @Test func forwardWhileMergedIgnoresUnmergedActiveAdapters() {
    let gen = ReferenceGen.boneProblem.flatMap { p in
      ReferenceGen.matrix(rows: p.shape.rank, columns: p.shape.outFeatures)
        .zip(ReferenceGen.batch(columns: p.shape.inFeatures)).map { (p, $0.0, $0.1) }
    }
    forAll(gen) { p, second, x in
      var layer = try Self.boneLayer(p)
      try layer.addAdapter("b", variant: .bone, rank: p.shape.rank, block: [second.extended])
      try layer.setActive(["a", "b"])
      try layer.merge(["a"])
      let mergedWeight = ExactMath.boneMerge(p.weight, block: p.block)
      try requireEqual(
        try layer.forward(x.extended).exactValues, ExactMath.boneForward(x, weight: mergedWeight, bias: p.bias, blocks: []),
        "forward with a merged and an unmerged active adapter")
    }
  }

  /// LAYER-BIAS-1: merges never touch the bias; it is added once.
  @Test func biasIsNeverMergedAndAddedOnce() {
    forAll(ReferenceGen.boneProblem.filter { $0.bias != nil }) { p in
      var layer = try Self.boneLayer(p)
      let biasBefore = layer.bias
      try layer.merge()
      try requireEqual(layer.bias, biasBefore, "bias after merge")
      let zeroInput = Matrix<Rational>(rows: 1, columns: p.shape.inFeatures, repeating: .zero)
      try requireEqual(try layer.forward(zeroInput.extended).exactValues?.elements, p.bias, "forward of zero is the bias")
    }
  }
}
