/// BoneConfig: an adapter's configuration, validated (`CONFIG-*` of `Spec/BONE.md` §8).
public struct BoneConfig: Sendable, Hashable {
  /// Which modules a target or exclude setting names (`CONFIG-TARGET-1`).
  public enum ModuleSelector: Sendable, Hashable {
    /// A set of names, matched exactly or as a dotted suffix.
    case names(Set<String>)
    /// A regular expression, matched against the whole name.
    case pattern(String)
  }

  /// The layer indices to adapt: one index or a list.
  public enum LayerIndices: Sendable, Hashable {
    /// One layer.
    case one(Int)
    /// These layers (an empty list filters nothing).
    case list([Int])
  }

  /// The variant and initialisation (`CONFIG-INIT-1`).
  public enum InitWeights: String, Sendable, Hashable {
    /// `true`: BONE with zero blocks.
    case bone
    /// `false`: BONE with random blocks (`LAYER-INIT-2`).
    case boneRandom
    /// `"bat"`: BAT with zero blocks.
    case bat

    /// The variant this initialisation selects.
    public var variant: AdapterVariant { self == .bat ? .bat : .bone }
  }

  /// The biases that are trained (`CONFIG-BIAS-1`).
  public enum Bias: String, Sendable, Hashable, CaseIterable {
    /// No bias is trained.
    case none
    /// Every bias is trained.
    case all
    /// The biases of adapted layers are trained.
    case boneOnly = "bone_only"
  }

  /// The rank r (default 64).
  public var r: Int
  /// The modules to adapt, or nil for the model type's defaults.
  public var targetModules: ModuleSelector?
  /// The modules never to adapt.
  public var excludeModules: ModuleSelector?
  /// The initialisation (default `.bone`).
  public var initWeights: InitWeights
  /// The layer indices to adapt, or nil for all.
  public var layersToTransform: LayerIndices?
  /// The names of the layer lists (such as `layers`), or nil for any.
  public var layersPattern: [String]?
  /// The biases that are trained (default `.none`).
  public var bias: Bias
  /// Modules trained and saved whole, never adapted.
  public var modulesToSave: [String]?

  /// A validated configuration; the defaults are `CONFIG-DEFAULT-1`.
  ///
  /// - Throws: `ConfigError.invalidRank` for r ≤ 0 (`CONFIG-RANK-1`);
  ///   `layersWithRegexTargets` when a layer filter comes with a regular
  ///   expression target (`CONFIG-LAYERS-1`).
  public init(
    r: Int = 64, targetModules: ModuleSelector? = nil, excludeModules: ModuleSelector? = nil,
    initWeights: InitWeights = .bone, layersToTransform: LayerIndices? = nil, layersPattern: [String]? = nil,
    bias: Bias = .none, modulesToSave: [String]? = nil
  ) throws(ConfigError) {
    guard r >= 1 else { throw .invalidRank(r) }
    if case .pattern = targetModules {
      if layersToTransform != nil { throw .layersWithRegexTargets("layers_to_transform") }
      if layersPattern != nil { throw .layersWithRegexTargets("layers_pattern") }
    }
    self.r = r
    self.targetModules = targetModules
    self.excludeModules = excludeModules
    self.initWeights = initWeights
    self.layersToTransform = layersToTransform
    self.layersPattern = layersPattern
    self.bias = bias
    self.modulesToSave = modulesToSave
  }
}

/// A configuration that breaks a rule of `Spec/BONE.md` §8.
public enum ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
  /// r ≤ 0 (`CONFIG-RANK-1`).
  case invalidRank(Int)
  /// A layer filter with a regular-expression target (`CONFIG-LAYERS-1`).
  case layersWithRegexTargets(String)
  /// A bias outside none, all, bone_only (`CONFIG-BIAS-1`).
  case invalidBias(String)
  /// An init_weights outside true, false, "bat" (`CONFIG-INIT-1`).
  case invalidInitWeights(String)
  /// A key whose value has the wrong JSON type.
  case wrongType(key: String, expected: String, got: String)
  /// A peft_type other than BONE.
  case wrongPeftType(String)
  /// Text that is not a JSON object.
  case notAnObject(String)

  /// The error's kind, as vectors name it.
  public var kind: String {
    switch self {
    case .invalidRank: "invalidRank"
    case .layersWithRegexTargets: "layersWithRegexTargets"
    case .invalidBias: "invalidBias"
    case .invalidInitWeights: "invalidInitWeights"
    case .wrongType: "wrongType"
    case .wrongPeftType: "wrongPeftType"
    case .notAnObject: "notAnObject"
    }
  }

  /// A sentence naming what is wrong.
  public var description: String {
    switch self {
    case .invalidRank(let r): "r must be a positive integer, not \(r)"
    case .layersWithRegexTargets(let key): "\(key) cannot be used when target_modules is a regular expression (a string)"
    case .invalidBias(let value): "bias must be \"none\", \"all\" or \"bone_only\", not \(value)"
    case .invalidInitWeights(let value): "init_weights must be true, false or \"bat\", not \(value)"
    case .wrongType(let key, let expected, let got): "\(key) must be \(expected), not \(got)"
    case .wrongPeftType(let value): "peft_type must be \"BONE\", not \(value)"
    case .notAnObject(let what): "a config must be a JSON object: \(what)"
    }
  }
}
