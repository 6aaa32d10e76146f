import BoneLayers

/// A vector file (`Spec/VECTORS.md`, schema `Spec/bone_vectors_v1.schema.json`):
/// Wycheproof's layout (header, notes, test groups, tests with tcId, comment,
/// flags and result) with the requirement IDs each test checks.
public struct VectorFile: Codable, Equatable, Sendable {
  /// The schema file name; its version is part of the name.
  public var schema: String
  /// The generator and its version.
  public var generatorVersion: String
  /// The version of `Spec/BONE.md` the vectors check.
  public var specVersion: String
  /// What the file tests: `layer-scenarios`, `rounding`, `config`, `targeting` or `checkpoint`.
  public var algorithm: String
  /// The number of tests in the file.
  public var numberOfTests: Int
  /// Free text about the file.
  public var header: [String]
  /// Every flag used in the file, defined.
  public var notes: [String: Note]
  /// The tests, grouped by shared parameters.
  public var testGroups: [TestGroup]
}

/// The meaning of a flag.
public struct Note: Codable, Equatable, Sendable {
  /// The kind of bug the flagged tests look for.
  public var bugType: String
  /// What the flag means.
  public var description: String
}

/// Tests that share a variant, dtype, policy and shape.
public struct TestGroup: Codable, Equatable, Sendable {
  /// `LayerScenario`, `Rounding`, `Config`, `Targeting` or `Checkpoint`.
  public var type: String
  /// `bone` or `bat` (scenarios).
  public var variant: String?
  /// The storage dtype (scenarios, rounding).
  public var dtype: String?
  /// The device policy: `cpu` or `native` (scenarios).
  public var policy: String?
  /// The layer shape (scenarios).
  public var shape: ShapeSpec?
  /// The tests.
  public var tests: [TestCase]
}

/// A layer shape in a group.
public struct ShapeSpec: Codable, Equatable, Sendable {
  /// Output features.
  public var out: Int
  /// Input features.
  public var `in`: Int
  /// The rank of the group's first adapter.
  public var r: Int
}

/// One test. Which fields are present depends on the group's type.
public struct TestCase: Codable, Equatable, Sendable {
  /// The test's number, unique in its file.
  public var tcId: Int
  /// What the test is about.
  public var comment: String
  /// Keys into the file's notes.
  public var flags: [String]
  /// The requirement IDs of `Spec/BONE.md` the test checks.
  public var requirements: [String]
  /// `valid`, `invalid` (an error is expected) or `acceptable` (either the
  /// expected outcome or the named error conforms).
  public var result: String

  // LayerScenario
  /// The initial layer.
  public var layer: LayerSpec?
  /// The steps, in order.
  public var steps: [Step]?

  // Rounding
  /// An exact value in canonical text, or text to parse.
  public var value: String?
  /// dtype → expected encoding (hex).
  public var rounded: [String: String]?

  // Config, Targeting, Checkpoint
  /// A BoneConfig as JSON.
  public var config: JSONValue?
  /// Modules of a model (targeting).
  public var modules: [ModuleSpec]?
  /// The model type (targeting).
  public var modelType: String?
  /// Expected module names (targeting) or saved names (checkpoint).
  public var expectedNames: [String]?
  /// State-dict keys or tensor names (checkpoint).
  public var names: [String]?
  /// The adapter name (checkpoint).
  public var adapterName: String?
  /// The expected error kind, for `invalid` and `acceptable` results.
  public var error: String?
  /// The expected config after conversion or parsing.
  public var expectedConfig: JSONValue?
}

/// A module for targeting.
public struct ModuleSpec: Codable, Equatable, Sendable {
  /// The dotted name.
  public var name: String
  /// True for a linear layer.
  public var linear: Bool
}

/// The initial layer of a scenario, as encodings of the group's dtype.
public struct LayerSpec: Codable, Equatable, Sendable {
  /// W, out × in.
  public var weight: [[String]]
  /// The bias, or nil.
  public var bias: [String]?

  /// A layer.
  public init(weight: [[String]], bias: [String]?) {
    self.weight = weight
    self.bias = bias
  }
}

/// One step of a scenario and what it must give.
public struct Step: Codable, Equatable, Sendable {
  /// `addAdapter`, `setActive`, `merge`, `unmerge`, `disable`, `enable`,
  /// `forward` or `readWeight`.
  public var op: String
  /// The adapter name (addAdapter).
  public var name: String?
  /// Adapter names (setActive, merge); nil for merge means the active ones.
  public var names: [String]?
  /// `bone` or `bat` (addAdapter).
  public var variant: String?
  /// The rank (addAdapter).
  public var rank: Int?
  /// The block's matrices (addAdapter): one r × out for BONE, out/r of r × r for BAT.
  public var block: [[[String]]]?
  /// Safe merge (merge).
  public var safe: Bool?
  /// The batch, n × in (forward).
  public var input: [[String]]?
  /// What the step must give.
  public var expect: Expectation

  /// A step.
  public init(
    op: String, name: String? = nil, names: [String]? = nil, variant: String? = nil, rank: Int? = nil,
    block: [[[String]]]? = nil, safe: Bool? = nil, input: [[String]]? = nil, expect: Expectation
  ) {
    self.op = op
    self.name = name
    self.names = names
    self.variant = variant
    self.rank = rank
    self.block = block
    self.safe = safe
    self.input = input
    self.expect = expect
  }
}

/// The expected outcome of a step: an error, or values.
public struct Expectation: Codable, Equatable, Sendable {
  /// The error kind, when the step must fail (the layer stays as it was).
  public var error: String?
  /// The weight after the step (merge, unmerge, disable, readWeight).
  public var weight: TensorExpectation?
  /// The forward's output.
  public var output: TensorExpectation?

  /// An expectation.
  public init(error: String? = nil, weight: TensorExpectation? = nil, output: TensorExpectation? = nil) {
    self.error = error
    self.weight = weight
    self.output = output
  }
}

/// Expected values of a matrix, element by element.
public struct TensorExpectation: Codable, Equatable, Sendable {
  /// The canonical encodings (hex), which a bit-determined element must equal.
  public var bits: [[String]]
  /// The exact values: `p/q`, `inf`, `-inf` or `nan`.
  public var exact: [[String]]
  /// Per element: null when bit-determined, else the largest allowed
  /// |result − exact| as `p/q` (§7 of the spec). `nan*` marks a NaN that
  /// may also be ±infinity (DTYPE-NONFINITE-1).
  public var bound: [[String?]]
}
