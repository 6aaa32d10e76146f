import BoneExact
import BoneLayers

extension VectorGenerator {
  /// BONE scenarios for one dtype and policy: shapes with in % r ≠ 0, r > in,
  /// r = 1, r = in; merge, unmerge, forward; ties, subnormals, −0, overflow,
  /// non-finite blocks, several adapters, disable, errors.
  func boneScenarios(_ dtype: DType, _ policy: DevicePolicy) throws -> [(ShapeSpec, TestCase)] {
    var cases: [(ShapeSpec, TestCase)] = []
    var values = Values(generator: SplitMix64(seed: 0xB0E ^ UInt64(dtype.bitWidth) ^ (policy == .native ? 0x100 : 0)), dtype: dtype)
    let shapes: [(Int, Int, Int, [String], String)] = [  // out, in, r, flags, what
      (3, 5, 2, ["RaggedLastBlock"], "in % r ≠ 0"),
      (2, 3, 5, ["RankAboveIn", "PeftDivergence"], "r > in"),
      (4, 4, 1, ["RankOne"], "r = 1"),
      (3, 4, 4, ["RankEqualsIn"], "r = in"),
      (4, 8, 4, [], "in divisible by r"),
    ]
    for (out, inFeatures, r, flags, what) in shapes {
      let shape = ShapeSpec(out: out, in: inFeatures, r: r)
      var s = Scenario(dtype: dtype, policy: policy, weight: values.matrix(out, inFeatures), bias: values.matrix(1, out).elements)
      s.add("a", .bone, rank: r, block: [values.matrix(r, out, scale: -3)])
      s.forwardMergeForwardUnmerge(values.matrix(2, inFeatures))
      cases.append((shape, try s.finish(
        "BONE \(what): forward, merge, merged forward, unmerge" + (r > inFeatures ? " (an implementation may refuse r > in with unsupportedRank)" : ""),
        flags: flags + ["RandomInputs"],
        requirements: ["BONE-FWD-1", "BONE-FWD-2", "BONE-MERGE-1", "BONE-MERGE-2", "BONE-MERGE-3", "LAYER-STATE-2", "LAYER-STATE-3", "LAYER-BIAS-1", "TOL-FWD-1", "TOL-PROPAGATE-1", "TOL-ROUNDTRIP-1", "EXACT-DETERMINED-1", "DTYPE-CPU-1", "DTYPE-CPU-2", "DTYPE-CPU-3", "DTYPE-NATIVE-1", "BONE-PARAM-1", "BONE-SHAPE-1"],
        refusal: r > inFeatures ? "unsupportedRank" : nil)))
    }

    let shape = ShapeSpec(out: 2, in: 4, r: 2)
    // Ties to even: W + b exactly halfway between two encodings.
    let one = bits(.one, dtype)
    let halfUlp = Rational.one.scaled(byPowerOfTwo: -dtype.precision)
    var tie = Scenario(dtype: dtype, policy: policy, weight: Matrix(rows: 2, columns: 4, repeating: one), bias: nil)
    let tieBlock = Matrix<UInt64>(rows: 2, columns: 2) { i, _ in bits(i == 0 ? halfUlp : halfUlp * Rational(3), dtype) }
    tie.add("a", .bone, rank: 2, block: [tieBlock])
    tie.op("merge")
    cases.append((shape, try tie.finish("BONE merge: 1 + u and 1 + 3u are ties; they go to the even neighbour", flags: ["TieToEven"], requirements: ["BONE-MERGE-1", "EXACT-ROUND-1", "EXACT-DETERMINED-1", "DTYPE-CPU-2"])))

    // Subnormals and negative zero.
    let tiny = Rational.one.scaled(byPowerOfTwo: dtype.minExponent - dtype.fractionBits)
    var sub = Scenario(dtype: dtype, policy: policy, weight: Matrix(rows: 2, columns: 4) { i, j in
      [bits(tiny, dtype), dtype.signMask, bits(tiny * Rational(3), dtype), bits(-tiny, dtype)][(i + j) % 4]
    }, bias: nil)
    sub.add("a", .bone, rank: 2, block: [Matrix(rows: 2, columns: 2) { i, j in [bits(tiny, dtype), dtype.signMask, bits(-tiny * Rational(2), dtype), 0][i * 2 + j] }])
    sub.op("merge")
    sub.op("unmerge")
    cases.append((shape, try sub.finish("BONE merge and unmerge of subnormals and −0", flags: ["Subnormal", "NegativeZero"], requirements: ["BONE-MERGE-1", "BONE-MERGE-2", "EXACT-ROUND-1", "EXACT-DETERMINED-1", "EXACT-FLOAT-1"])))

    // Overflow after a merge.
    let largest = dtype.largestFiniteBits
    var overflow = Scenario(dtype: dtype, policy: policy, weight: Matrix(rows: 2, columns: 4, repeating: largest), bias: nil)
    overflow.add("a", .bone, rank: 2, block: [Matrix(rows: 2, columns: 2, repeating: largest)])
    overflow.op("merge", safe: true)
    overflow.op("merge")
    cases.append((shape, try overflow.finish("BONE merge past the largest finite value: safe merge refuses, unsafe writes infinity", flags: ["Overflow", "SafeMerge"], requirements: ["LAYER-SAFE-1", "EXACT-ROUND-1", "LAYER-ERROR-1"])))

    // Non-finite blocks.
    for (name, bad) in [("NaN", dtype.positiveInfinityBits | 1 << UInt64(dtype.fractionBits - 1)), ("+infinity", dtype.positiveInfinityBits), ("−infinity", dtype.positiveInfinityBits | dtype.signMask)] {
      var s = Scenario(dtype: dtype, policy: policy, weight: values.matrix(2, 4), bias: nil)
      var block = values.matrix(2, 2, scale: -3)
      block[1, 0] = bad
      s.add("a", .bone, rank: 2, block: [block])
      s.op("merge", safe: true)
      s.op("readWeight")
      s.op("merge")
      cases.append((shape, try s.finish("BONE block with \(name): safe merge fails and writes nothing; unsafe merge writes it", flags: ["NonFiniteBlock", "SafeMerge"], requirements: ["LAYER-SAFE-1", "LAYER-ERROR-1", "DTYPE-NONFINITE-1"])))
    }

    // Several adapters, commuting; disable while merged; zero blocks.
    var several = Scenario(dtype: dtype, policy: policy, weight: values.matrix(2, 4), bias: values.matrix(1, 2).elements)
    several.add("a", .bone, rank: 2, block: [values.matrix(2, 2, scale: -3)])
    several.add("b", .bone, rank: 3, block: [values.matrix(3, 2, scale: -3)])
    several.add("zero", .bone, rank: 2, block: nil)
    let x = values.matrix(1, 4)
    several.op("setActive", names: ["a", "b", "zero"])
    several.op("forward", input: x)
    several.op("merge", names: ["b", "a"])
    several.op("forward", input: x)
    several.op("disable")
    several.op("forward", input: x)
    several.op("enable")
    several.op("forward", input: x)
    cases.append((shape, try several.finish("Two BONE adapters and a zero one: active ones add up; merged in another order; disable while merged; enable", flags: ["SeveralAdapters", "DisableWhileMerged", "ZeroBlock", "PeftDivergence"], requirements: ["BONE-MERGE-4", "LAYER-STATE-1", "LAYER-STATE-2", "LAYER-STATE-3", "LAYER-STATE-4", "LAYER-INIT-1", "BONE-FWD-1"])))

    // Errors.
    var errors = Scenario(dtype: dtype, policy: policy, weight: values.matrix(2, 4), bias: nil)
    errors.add("a", .bone, rank: 0, block: nil)
    errors.add("a", .bone, rank: -2, block: nil)
    errors.add("a", .bone, rank: 2, block: nil)
    errors.add("a", .bone, rank: 2, block: nil)
    errors.add("b", .bat, rank: 2, block: nil)
    errors.add("c", .bone, rank: 2, block: [values.matrix(2, 3)])
    errors.op("setActive", names: ["missing"])
    errors.op("merge", names: ["a", "missing"])
    errors.op("forward", input: values.matrix(1, 3))
    errors.op("unmerge")
    errors.op("readWeight")
    cases.append((shape, try errors.finish("Errors leave the layer unchanged: bad rank, duplicate name, other variant, bad block, unknown names, bad input; unmerge with nothing merged", flags: ["PeftDivergence"], requirements: ["LAYER-RANK-1", "LAYER-NAME-1", "LAYER-VARIANT-1", "LAYER-BLOCK-1", "LAYER-INPUT-1", "LAYER-ERROR-1", "LAYER-STATE-2", "CONFIG-RANK-1"])))
    return cases
  }

  /// BONE scenarios added after the first release of the vectors; they come
  /// after every other group, so earlier tcIds stay what they were.
  func laterBoneScenarios(_ dtype: DType, _ policy: DevicePolicy) throws -> [(ShapeSpec, TestCase)] {
    guard dtype == .bfloat16 else { return [] }
    var values = Values(generator: SplitMix64(seed: 0x10A6 ^ (policy == .native ? 0x100 : 0)), dtype: dtype)
    // A forward of 300 products: N·u ≥ 1 in bfloat16, so the model bounds nothing.
    let long = ShapeSpec(out: 2, in: 300, r: 4)
    var s = Scenario(dtype: dtype, policy: policy, weight: values.matrix(2, 300), bias: values.matrix(1, 2).elements)
    s.add("a", .bone, rank: 4, block: [values.matrix(4, 2, scale: -3)])
    s.op("forward", input: values.matrix(2, 300))
    return [(long, try s.finish(
      "BONE forward over 300 inputs in bfloat16: no bound exists in the storage dtype; the exact value is reported",
      flags: ["LongSum", "RandomInputs"], requirements: ["TOL-MODEL-2", "BONE-FWD-1"]))]
  }

  /// A 4 × 4 BAT layer at r = 2 without bias, its weight and first block
  /// drawn from `values` (in that order) and its second block `secondBlock`,
  /// merged, then unmerged: the frame of the special-block scenarios.
  func mergedAndUnmerged(
    _ name: String, secondBlock: Matrix<UInt64>, _ values: inout Values, _ dtype: DType, _ policy: DevicePolicy
  ) -> Scenario {
    var scenario = Scenario(dtype: dtype, policy: policy, weight: values.matrix(4, 4), bias: nil)
    scenario.add(name, .bat, rank: 2, block: [values.batBlock(2, scale: -3, policy: policy), secondBlock])
    scenario.op("merge")
    scenario.op("unmerge")
    return scenario
  }

  /// BAT scenarios added after the first release of the vectors; they come
  /// after every other group, so earlier tcIds stay what they were.
  func laterBatScenarios(_ dtype: DType, _ policy: DevicePolicy) throws -> [(ShapeSpec, TestCase)] {
    guard policy == .cpu else { return [] }
    var values = Values(generator: SplitMix64(seed: 0xBA75 ^ UInt64(dtype.bitWidth)), dtype: dtype)
    let shape = ShapeSpec(out: 4, in: 4, r: 2)
    var cases: [(ShapeSpec, TestCase)] = []
    // I + B_1 = [[3, 3], [1, 1]]: singular, but the second pivot of an
    // elimination with a fused multiply-add is 1 − fl(1/3)·3 ≠ 0 in every dtype.
    let block = Matrix<UInt64>(rows: 2, columns: 2) { i, j in small([2, 3, 1, 0][i * 2 + j], 0, dtype) }
    var inexact = mergedAndUnmerged("s", secondBlock: block, &values, dtype, policy)
    inexact.op("readWeight")
    cases.append((shape, try inexact.finish(
      "I + B_1 = [[3, 3], [1, 1]] is singular though a rounded elimination need not meet a zero pivot: unmerge fails and changes nothing",
      flags: ["SingularBlock", "RoundedPivot"], requirements: ["BAT-UNMERGE-2", "LAYER-ERROR-1"])))
    // I + B_1 = [[1, 1], [1, 1 + 2^-p]] (p the working precision): nonsingular,
    // but 1 + 2^-p is a tie that rounds to 1, so I + B_1 rounds to a singular
    // matrix in the working precision (numerically singular).
    let working = dtype == .float64 ? DType.float64 : .float32
    let tiny = small(1, working.precision, dtype)
    let nearlySingular = Matrix<UInt64>(rows: 2, columns: 2) { i, j in i == 1 && j == 1 ? tiny : small(i == j ? 0 : 1, 0, dtype) }
    let nearly = mergedAndUnmerged("n", secondBlock: nearlySingular, &values, dtype, policy)
    cases.append((shape, try nearly.finish(
      "I + B_1 = [[1, 1], [1, 1 + 2^-\(working.precision)]] is nonsingular but numerically singular: unmerge may fail with singularBlock or give any values",
      flags: ["NumericallySingular"], requirements: ["BAT-UNMERGE-3"], refusal: "singularBlock", unjudgedFrom: 2)))
    return cases
  }

  /// The BAT unmerge of a non-finite block whose elimination meets a zero
  /// pivot, added after `laterBatScenarios` (so that earlier tcIds stay).
  func batNonFiniteUnmergeScenarios(_ dtype: DType, _ policy: DevicePolicy) throws -> [(ShapeSpec, TestCase)] {
    guard policy == .cpu else { return [] }
    var values = Values(generator: SplitMix64(seed: 0xBA7F ^ UInt64(dtype.bitWidth)), dtype: dtype)
    let shape = ShapeSpec(out: 4, in: 4, r: 2)
    var cases: [(ShapeSpec, TestCase)] = []
    // I + B_1 = [[1, 0], [∞, 1]]: not singular (a non-finite block never is),
    // though its elimination meets a zero pivot; the unmerge gives non-finite rows.
    let withInfinity = Matrix<UInt64>(rows: 2, columns: 2) { i, j in i == 1 && j == 0 ? dtype.positiveInfinityBits : small(0, 0, dtype) }
    let infinite = mergedAndUnmerged("i", secondBlock: withInfinity, &values, dtype, policy)
    cases.append((shape, try infinite.finish(
      "I + B_1 = [[1, 0], [inf, 1]] is not singular though its elimination meets a zero pivot: unmerge gives non-finite rows",
      flags: ["NonFiniteBlock", "ZeroPivotNotSingular"], requirements: ["BAT-UNMERGE-2", "DTYPE-NONFINITE-1"])))
    return cases
  }

  /// BAT scenarios for one dtype and policy.
  func batScenarios(_ dtype: DType, _ policy: DevicePolicy) throws -> [(ShapeSpec, TestCase)] {
    var cases: [(ShapeSpec, TestCase)] = []
    var values = Values(generator: SplitMix64(seed: 0xBA7 ^ UInt64(dtype.bitWidth) ^ (policy == .native ? 0x100 : 0)), dtype: dtype)
    for (out, inFeatures, r, flags) in [(4, 4, 2, [String]()), (2, 6, 1, ["RankOne"]), (6, 3, 3, ["RankEqualsIn"])] {
      let shape = ShapeSpec(out: out, in: inFeatures, r: r)
      var s = Scenario(dtype: dtype, policy: policy, weight: values.matrix(out, inFeatures), bias: values.matrix(1, out).elements)
      s.add("a", .bat, rank: r, block: (0..<(out / r)).map { _ in values.batBlock(r, scale: -3, policy: policy) })
      s.forwardMergeForwardUnmerge(values.matrix(2, inFeatures))
      cases.append((shape, try s.finish(
        "BAT: forward, merge, merged forward, unmerge", flags: flags + ["RandomInputs"],
        requirements: ["BAT-PARAM-1", "BAT-MERGE-1", "BAT-UNMERGE-1", "BAT-FWD-1", "LAYER-STATE-3", "LAYER-BIAS-1", "TOL-BAT-MERGE-1", "TOL-BAT-UNMERGE-1", "TOL-FWD-1", "TOL-MODEL-1", "TOL-PROPAGATE-1", "TOL-ROUNDTRIP-1", "DTYPE-CPU-2", "DTYPE-NATIVE-1"])))
    }
    let shape = ShapeSpec(out: 4, in: 4, r: 2)
    // Order matters.
    var ordered = Scenario(dtype: dtype, policy: policy, weight: values.matrix(4, 4), bias: nil)
    ordered.add("a", .bat, rank: 2, block: (0..<2).map { _ in values.batBlock(2, scale: -2, policy: policy) })
    ordered.add("b", .bat, rank: 2, block: (0..<2).map { _ in values.batBlock(2, scale: -2, policy: policy) })
    let x = values.matrix(1, 4)
    ordered.op("setActive", names: ["b", "a"])
    ordered.op("forward", input: x)
    ordered.op("merge", names: ["a", "b"])
    ordered.op("unmerge")
    ordered.op("merge", names: ["b", "a"])
    ordered.op("disable")
    cases.append((shape, try ordered.finish("Two BAT adapters compose in order; unmerge pops in reverse; disable while merged", flags: ["SeveralAdapters", "OrderMatters", "DisableWhileMerged"], requirements: ["BAT-MERGE-2", "LAYER-STATE-2", "LAYER-STATE-4", "BAT-FWD-1"])))
    // Singular block.
    var singular = Scenario(dtype: dtype, policy: policy, weight: values.matrix(4, 4), bias: nil)
    let minusOne = bits(Rational(-1), dtype)
    singular.add("s", .bat, rank: 2, block: [values.batBlock(2, scale: -3, policy: policy), Matrix(rows: 2, columns: 2) { i, j in i == j ? minusOne : 0 }])
    singular.op("merge")
    singular.op("unmerge")
    singular.op("disable")
    singular.op("readWeight")
    cases.append((shape, try singular.finish("I + B_1 = 0 is singular: unmerge and disable fail and change nothing", flags: ["SingularBlock", "PeftDivergence"], requirements: ["BAT-UNMERGE-2", "LAYER-ERROR-1"])))
    // Not divisible; variant mismatch.
    var divisible = Scenario(dtype: dtype, policy: policy, weight: values.matrix(4, 6), bias: nil)
    divisible.add("a", .bat, rank: 4, block: nil)
    divisible.add("a", .bat, rank: 3, block: nil)
    divisible.add("a", .bat, rank: 2, block: nil)
    divisible.add("b", .bone, rank: 2, block: nil)
    divisible.op("merge")
    cases.append((ShapeSpec(out: 4, in: 6, r: 2), try divisible.finish("BAT with in or out not divisible by r fails; a BONE adapter cannot join; a zero BAT block merges to W", flags: ["NotDivisible", "ZeroBlock"], requirements: ["BAT-SHAPE-1", "LAYER-VARIANT-1", "LAYER-INIT-1", "LAYER-ERROR-1"])))
    // Non-finite block under safe and unsafe merge.
    var nonFinite = Scenario(dtype: dtype, policy: policy, weight: values.matrix(2, 2), bias: nil)
    var block = values.matrix(2, 2, scale: -3)
    block[0, 1] = dtype.positiveInfinityBits
    nonFinite.add("a", .bat, rank: 2, block: [block])
    nonFinite.op("merge", safe: true)
    nonFinite.op("merge")
    cases.append((ShapeSpec(out: 2, in: 2, r: 2), try nonFinite.finish("BAT block with +infinity: safe merge refuses; unsafe merge writes non-finite values", flags: ["NonFiniteBlock", "SafeMerge"], requirements: ["LAYER-SAFE-1", "DTYPE-NONFINITE-1"])))
    return cases
  }
}
