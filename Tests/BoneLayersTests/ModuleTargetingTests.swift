import BoneLayers
import Testing

/// Which modules a config adapts (`TARGET-*`).
@Suite struct ModuleTargetingTests {
  static let llama: [ModuleDescription] = (0..<3).flatMap { layer in
    ["q_proj", "k_proj", "v_proj", "o_proj"].map { ModuleDescription(name: "model.layers.\(layer).self_attn.\($0)", isLinear: true) }
      + [ModuleDescription(name: "model.layers.\(layer).input_layernorm", isLinear: false)]
  } + [ModuleDescription(name: "lm_head", isLinear: true), ModuleDescription(name: "model.embed_tokens", isLinear: false)]

  static func targets(_ config: BoneConfig, modelType: String? = "llama", modules: [ModuleDescription] = llama) throws -> [String] {
    try ModuleTargeting.targetedModules(modules, config: config, modelType: modelType)
  }

  /// TARGET-MATCH-1 (4): list entries match exactly or as a dotted suffix.
  @Test func listEntriesMatchExactlyOrAsDottedSuffix() throws {
    let names = try Self.targets(BoneConfig(targetModules: .names(["q_proj", "lm_head"])))
    #expect(names == ["model.layers.0.self_attn.q_proj", "model.layers.1.self_attn.q_proj", "model.layers.2.self_attn.q_proj", "lm_head"])
    // "proj" is not a dotted suffix of "q_proj".
    #expect(throws: TargetingError.noModuleMatched) { try Self.targets(BoneConfig(targetModules: .names(["proj"]))) }
    #expect(try Self.targets(BoneConfig(targetModules: .names(["self_attn.v_proj"]))).count == 3)
  }

  /// TARGET-MATCH-1 (3): a string must match the whole name.
  @Test func patternMustMatchTheWholeName() throws {
    #expect(try Self.targets(BoneConfig(targetModules: .pattern(".*\\.(q|v)_proj"))).count == 6)
    #expect(throws: TargetingError.noModuleMatched) { try Self.targets(BoneConfig(targetModules: .pattern("q_proj"))) }
    #expect(throws: TargetingError.invalidPattern("(")) { try Self.targets(BoneConfig(targetModules: .pattern("("))) }
  }

  /// TARGET-MATCH-1 (1, 2): exclusions and modules_to_save win.
  @Test func exclusionsWin() throws {
    let excluded = try Self.targets(BoneConfig(targetModules: .names(["q_proj"]), excludeModules: .names(["model.layers.1.self_attn.q_proj"])))
    #expect(excluded == ["model.layers.0.self_attn.q_proj", "model.layers.2.self_attn.q_proj"])
    let byPattern = try Self.targets(BoneConfig(targetModules: .names(["q_proj"]), excludeModules: .pattern(".*layers\\.[01]\\..*")))
    #expect(byPattern == ["model.layers.2.self_attn.q_proj"])
    let saved = try Self.targets(BoneConfig(targetModules: .names(["q_proj", "lm_head"]), modulesToSave: ["lm_head"]))
    #expect(!saved.contains("lm_head") && saved.count == 3)
  }

  /// TARGET-MATCH-1 (5): layer indices filter suffix matches, not exact names.
  @Test func layerIndicesFilterSuffixMatches() throws {
    let one = try Self.targets(BoneConfig(targetModules: .names(["q_proj"]), layersToTransform: .one(1)))
    #expect(one == ["model.layers.1.self_attn.q_proj"])
    let list = try Self.targets(BoneConfig(targetModules: .names(["q_proj"]), layersToTransform: .list([0, 2]), layersPattern: ["layers"]))
    #expect(list == ["model.layers.0.self_attn.q_proj", "model.layers.2.self_attn.q_proj"])
    let wrongPattern = BoneConfig.ModuleSelector.names(["q_proj"])
    #expect(throws: TargetingError.noModuleMatched) {
      try Self.targets(BoneConfig(targetModules: wrongPattern, layersToTransform: .one(1), layersPattern: ["blocks"]))
    }
    let empty = try Self.targets(BoneConfig(targetModules: .names(["q_proj"]), layersToTransform: .list([])))
    #expect(empty.count == 3)
    // An exact name is not filtered (PEFT applies the filter to suffix matches only).
    let exact = try Self.targets(BoneConfig(targetModules: .names(["model.layers.0.self_attn.q_proj"]), layersToTransform: .one(2)))
    #expect(exact == ["model.layers.0.self_attn.q_proj"])
    // The index is the last `.name.<n>.` in the key.
    let nested = [ModuleDescription(name: "enc.blocks.4.layers.1.q_proj", isLinear: true)]
    #expect(try Self.targets(BoneConfig(targetModules: .names(["q_proj"]), layersToTransform: .one(1)), modules: nested).count == 1)
  }

  /// TARGET-MATCH-1 (6), TARGET-DEFAULT-1: defaults by model type.
  @Test func defaultTargetsComeFromTheModelType() throws {
    #expect(try Self.targets(BoneConfig()).count == 6)
    #expect(DefaultTargetModules.table["phi"] == ["q_proj", "v_proj", "fc1", "fc2"])
    #expect(DefaultTargetModules.table.count == 38)
    #expect(throws: TargetingError.noDefaultTargets(modelType: "unknown")) { try Self.targets(BoneConfig(), modelType: "unknown") }
    #expect(throws: TargetingError.noDefaultTargets(modelType: nil)) { try Self.targets(BoneConfig(), modelType: nil) }
  }

  /// TARGET-TYPE-1: a targeted module that is not linear is an error.
  @Test func nonLinearTargetIsAnError() throws {
    #expect(throws: TargetingError.unsupportedModule("model.layers.0.input_layernorm")) {
      try Self.targets(BoneConfig(targetModules: .names(["input_layernorm"])))
    }
  }
}
