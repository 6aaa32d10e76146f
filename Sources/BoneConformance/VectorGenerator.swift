import BoneExact
import BoneLayers

/// Writes the golden vectors: a fixed catalogue of scenarios and cases, every
/// expectation computed by the exact reference, every random input drawn from
/// fixed seeds, so that two runs give the same bytes (`Spec/VECTORS.md`).
public struct VectorGenerator {
  /// The version written into every file.
  public static let version = "bone vectors generate 1"
  /// The spec version the vectors check.
  public static let specVersion = "1.0-draft"
  /// The schema file.
  public static let schema = "bone_vectors_v1.schema.json"

  /// Every flag, defined.
  public static let notes: [String: Note] = [
    "BitExact": Note(bugType: "ROUNDING", description: "Every value in this test is bit-determined (EXACT-DETERMINED-1): only the canonical encoding conforms (±0 and NaN payloads aside)."),
    "Bounded": Note(bugType: "ACCURACY", description: "Values are judged by the bounds of Spec/BONE.md §7, carried per element."),
    "RaggedLastBlock": Note(bugType: "EDGE_CASE", description: "in % r ≠ 0: the last block of x is partial (BONE-FWD-2)."),
    "RankAboveIn": Note(bugType: "EDGE_CASE", description: "r > in: PEFT 0.18.1 cannot merge this (§10); the spec defines it."),
    "RankOne": Note(bugType: "EDGE_CASE", description: "r = 1."),
    "RankEqualsIn": Note(bugType: "EDGE_CASE", description: "r = in: one block."),
    "NotDivisible": Note(bugType: "INVALID_INPUT", description: "BAT with in or out not divisible by r (BAT-SHAPE-1)."),
    "SingularBlock": Note(bugType: "INVALID_STATE", description: "I + B_a is singular: unmerge must fail and change nothing (BAT-UNMERGE-2)."),
    "RoundedPivot": Note(bugType: "EDGE_CASE", description: "I + B_a is exactly singular, but a floating-point elimination with a fused multiply-add meets a tiny nonzero pivot instead of zero: a zero-pivot test alone misses it (BAT-UNMERGE-2)."),
    "ZeroPivotNotSingular": Note(bugType: "NON_FINITE", description: "I + B_a holds an infinity, and its elimination meets a zero pivot, but a non-finite block is not singular: the unmerge goes on and gives non-finite values (BAT-UNMERGE-2, DTYPE-NONFINITE-1)."),
    "NumericallySingular": Note(bugType: "EDGE_CASE", description: "I + B_a is nonsingular but rounds to a singular matrix in the working precision (BAT-UNMERGE-3): unmerge may fail with singularBlock or give any values; the weight after it is not judged."),
    "NonFiniteBlock": Note(bugType: "NON_FINITE", description: "A block holds NaN or ±infinity (LAYER-SAFE-1, DTYPE-NONFINITE-1)."),
    "SafeMerge": Note(bugType: "INVALID_STATE", description: "A safe merge: a non-finite result must be an error with nothing written."),
    "Overflow": Note(bugType: "ROUNDING", description: "A result overflows the dtype to ±infinity."),
    "Subnormal": Note(bugType: "ROUNDING", description: "Values or results in the subnormal range."),
    "TieToEven": Note(bugType: "ROUNDING", description: "Sums that lie exactly halfway between two encodings: ties go to even."),
    "NegativeZero": Note(bugType: "EDGE_CASE", description: "−0 in the inputs; the sign of a zero result is not judged."),
    "SeveralAdapters": Note(bugType: "STATE", description: "More than one adapter on the layer (LAYER-STATE-*)."),
    "OrderMatters": Note(bugType: "STATE", description: "BAT adapters compose in order (BAT-MERGE-2)."),
    "DisableWhileMerged": Note(bugType: "STATE", description: "disable unmerges first (LAYER-STATE-4); PEFT does it lazily (§10)."),
    "ZeroBlock": Note(bugType: "EDGE_CASE", description: "Zero blocks: the layer is its base layer (LAYER-INIT-1)."),
    "RandomInputs": Note(bugType: "ACCURACY", description: "Full-precision random inputs from a fixed seed."),
    "InvalidInput": Note(bugType: "INVALID_INPUT", description: "The operation must fail with the named error and leave the layer unchanged."),
    "PeftDivergence": Note(bugType: "KNOWN_PEER_BUG", description: "PEFT 0.18.1 behaves otherwise here (Spec/BONE.md §10)."),
    "LongSum": Note(bugType: "ACCURACY", description: "A sum of so many roundings that N·u ≥ 1 (bfloat16, 256 or more): the model bounds nothing, every value is accepted and the exact one is reported (TOL-MODEL-2)."),
    "Policy": Note(bugType: "ROUNDING", description: "The native device policy (DTYPE-NATIVE-1) rather than the CPU one."),
  ]

  /// A generator.
  public init() {}

  /// Every vector file, by file name.
  public func files() throws -> [String: VectorFile] {
    [
      "layer_bone_v1.json": try layerFile(variant: .bone),
      "layer_bat_v1.json": try layerFile(variant: .bat),
      "rounding_v1.json": roundingFile(),
      "config_v1.json": configFile(),
      "targeting_v1.json": targetingFile(),
      "checkpoint_v1.json": checkpointFile(),
    ]
  }

  // MARK: - Files

  func file(_ algorithm: String, _ header: [String], _ groups: [TestGroup]) -> VectorFile {
    var counter = 0
    let numbered = groups.map { group in
      var group = group
      group.tests = group.tests.map { test in
        var test = test
        counter += 1
        test.tcId = counter
        return test
      }
      return group
    }
    let used = Set(numbered.flatMap { $0.tests.flatMap(\.flags) })
    return VectorFile(
      schema: Self.schema, generatorVersion: Self.version, specVersion: Self.specVersion, algorithm: algorithm,
      numberOfTests: counter, header: header, notes: Self.notes.filter { used.contains($0.key) }, testGroups: numbered)
  }

  func layerFile(variant: AdapterVariant) throws -> VectorFile {
    var groups: [TestGroup] = []
    let combinations = DType.allCases.flatMap { dtype in
      [DevicePolicy.cpu, .native].filter { $0 == .cpu || dtype == .float16 || dtype == .bfloat16 }.map { (dtype, $0) }
    }
    // The first release's scenarios, then later additions, so that tcIds stay stable.
    let passes: [(DType, DevicePolicy) throws -> [(ShapeSpec, TestCase)]] =
      variant == .bone ? [boneScenarios, laterBoneScenarios] : [batScenarios, laterBatScenarios, batNonFiniteUnmergeScenarios]
    for (scenarioPass, (dtype, policy)) in passes.flatMap({ pass in combinations.map { (pass, $0) } }) {
      let scenarios = try scenarioPass(dtype, policy)
      // One group per shape.
      var byShape: [String: (ShapeSpec, [TestCase])] = [:]
      var order: [String] = []
      for (shape, test) in scenarios {
        let key = "\(shape.out)x\(shape.in)r\(shape.r)"
        if byShape[key] == nil { order.append(key); byShape[key] = (shape, []) }
        byShape[key]?.1.append(test)
      }
      for key in order {
        guard let (shape, tests) = byShape[key] else { continue }
        groups.append(
          TestGroup(type: "LayerScenario", variant: variant.rawValue, dtype: dtype.rawValue, policy: policy.rawValue, shape: shape, tests: tests))
      }
    }
    return file(
      "layer-scenarios",
      [
        "\(variant == .bone ? "BONE" : "BAT") layers: scenarios of adapter creation, merge, unmerge, forward, disable and enable.",
        "Encodings are hex of the group's dtype; exact values are p/q; a null bound means bit-determined.",
      ], groups)
  }

  // MARK: - Scenario building

  /// A scenario under construction; `finish` runs it on the exact reference.
  struct Scenario {
    let dtype: DType
    let policy: DevicePolicy
    var weight: Matrix<UInt64>
    var bias: [UInt64]?
    var steps: [Step] = []

    mutating func add(_ name: String, _ variant: AdapterVariant, rank: Int, block: [Matrix<UInt64>]?) {
      steps.append(Step(op: "addAdapter", name: name, variant: variant.rawValue, rank: rank, block: block.map { $0.map(hex) }, expect: Expectation()))
    }
    mutating func op(_ op: String, names: [String]? = nil, safe: Bool? = nil, input: Matrix<UInt64>? = nil) {
      steps.append(Step(op: op, names: names, safe: safe, input: input.map(hex), expect: Expectation()))
    }
    /// The round trip most scenarios check: forward, merge, the merged forward, unmerge.
    mutating func forwardMergeForwardUnmerge(_ x: Matrix<UInt64>) {
      op("forward", input: x)
      op("merge")
      op("forward", input: x)
      op("unmerge")
    }
    func hex(_ m: Matrix<UInt64>) -> [[String]] { (0..<m.rows).map { i in (0..<m.columns).map { j in dtype.hex(m[i, j]) } } }

    /// The test, with every step's expectation from the exact reference.
    /// `refusal` names an error an implementation may give instead (the
    /// test is then `acceptable`). From step `unjudgedFrom` on, weights and
    /// outputs are not judged: a BAT adapter with a numerically singular
    /// block (`BAT-UNMERGE-3`) may be unmerged to any values. Without it, no
    /// BAT block may be numerically singular, because the reference's bounds
    /// do not hold there.
    func finish(
      _ comment: String, flags: [String], requirements: [String], refusal: String? = nil, unjudgedFrom: Int? = nil
    ) throws -> TestCase {
      let layer = LayerSpec(weight: hex(weight), bias: bias.map { row in row.map { dtype.hex($0) } })
      if unjudgedFrom == nil {
        let backend = ExactBackend(dtype: dtype, policy: policy)
        for step in self.steps where step.variant == AdapterVariant.bat.rawValue {
          let blocks = try (step.block ?? []).map { hexBlock in
            try ScenarioRunner<ExactBackend, ReferenceElement>.matrix(hexBlock, dtype, "block").map { ExtendedRational(bits: $0, dtype: dtype) }
          }
          guard backend.numericallySingularBlocks(blocks).isEmpty else {
            throw VectorInputError("\(comment) (\(dtype), \(policy)): adapter \(step.name ?? "?") has a numerically singular block (BAT-UNMERGE-3)")
          }
        }
      }
      let results = try ScenarioRunner.exact(dtype: dtype, policy: policy).run(layer: layer, steps: steps)
      var steps = self.steps
      var bitExact = true
      var invalid = false
      for (index, result) in results.enumerated() {
        let judged = index < (unjudgedFrom ?? .max)
        steps[index].expect = Expectation(
          error: result.error, weight: judged ? result.weight.map(tensor) : nil, output: judged ? result.output.map(tensor) : nil)
        if result.error != nil { invalid = true }
        for cells in [result.weight, result.output].compactMap({ $0 }) where judged && cells.joined().contains(where: { !$0.determined }) {
          bitExact = false
        }
      }
      var allFlags = flags + [bitExact ? "BitExact" : "Bounded"]
      if invalid { allFlags.append("InvalidInput") }
      if policy == .native { allFlags.append("Policy") }
      return TestCase(
        tcId: 0, comment: comment, flags: Array(Set(allFlags)).sorted(), requirements: Array(Set(requirements)).sorted(),
        result: refusal != nil ? "acceptable" : invalid ? "invalid" : "valid", layer: layer, steps: steps, error: refusal)
    }

    func tensor(_ cells: [[ReferenceElement]]) -> TensorExpectation {
      TensorExpectation(
        bits: cells.map { $0.map { dtype.hex($0.value.roundedBits(to: dtype)) } },
        exact: cells.map { $0.map { $0.exact.description } },
        bound: cells.map {
          $0.map { element in
            if element.determined { return nil }
            if element.exact == .nan { return "nonfinite" }
            return element.bound.description
          }
        })
    }
  }

  /// Values of `dtype` drawn from a seed: moderate magnitudes with full
  /// significands, so that sums and products round.
  struct Values {
    var generator: SplitMix64
    let dtype: DType

    mutating func next(scale: Int = 0) -> UInt64 {
      let significand = Int(generator.next() >> 40) - (1 << 23)
      let exponent = Int(generator.next() % 9) - 4 + scale
      return Rational(significand).scaled(byPowerOfTwo: exponent - 23).roundedBits(to: dtype)
    }

    mutating func matrix(_ rows: Int, _ columns: Int, scale: Int = 0) -> Matrix<UInt64> {
      var elements: [UInt64] = []
      for _ in 0..<(rows * columns) { elements.append(next(scale: scale)) }
      return Matrix<UInt64>(rows: rows, columns: columns) { i, j in elements[i * columns + j] }
    }

    /// An r × r BAT block whose I + B is not numerically singular under the
    /// policy (`BAT-UNMERGE-3`): blocks that are are drawn again, so that the
    /// reference's bounds hold for the unmerge.
    mutating func batBlock(_ r: Int, scale: Int, policy: DevicePolicy) -> Matrix<UInt64> {
      let backend = ExactBackend(dtype: dtype, policy: policy)
      while true {
        let block = matrix(r, r, scale: scale)
        if backend.numericallySingularBlocks([block.map { ExtendedRational(bits: $0, dtype: dtype) }]).isEmpty { return block }
      }
    }
  }

  func bits(_ value: Rational, _ dtype: DType) -> UInt64 { value.roundedBits(to: dtype) }

  /// The encoding of a small value p/2^k.
  func small(_ numerator: Int, _ shift: Int = 0, _ dtype: DType) -> UInt64 {
    Rational(numerator).scaled(byPowerOfTwo: -shift).roundedBits(to: dtype)
  }
}
