import BoneLayers
import Testing

/// BoneConfig's defaults and validation (`CONFIG-*`).
@Suite struct BoneConfigTests {
  static func config(_ text: String) throws -> BoneConfig {
    try BoneConfig(json: JSONValue(parsing: text))
  }

  /// CONFIG-DEFAULT-1.
  @Test func defaultsAreRank64BoneZeroInitNoBias() throws {
    for config in [try BoneConfig(), try Self.config("{}")] {
      #expect(config.r == 64)
      #expect(config.initWeights == .bone && config.initWeights.variant == .bone)
      #expect(config.bias == .none)
      #expect(config.targetModules == nil && config.excludeModules == nil)
      #expect(config.layersToTransform == nil && config.layersPattern == nil && config.modulesToSave == nil)
    }
  }

  /// CONFIG-TARGET-1: a list becomes a set, a string a regular expression.
  @Test func listsBecomeSetsAndStringsBecomePatterns() throws {
    let config = try Self.config(#"{"target_modules": ["q", "v", "q"], "exclude_modules": ".*lm_head"}"#)
    #expect(config.targetModules == .names(["q", "v"]))
    #expect(config.excludeModules == .pattern(".*lm_head"))
    let listExclude = try Self.config(#"{"exclude_modules": ["a"]}"#)
    #expect(listExclude.excludeModules == .names(["a"]))
  }

  /// CONFIG-INIT-1.
  @Test(arguments: [("true", BoneConfig.InitWeights.bone), ("false", .boneRandom), ("\"bat\"", .bat)])
  func initWeightsSelectsTheVariant(text: String, expected: BoneConfig.InitWeights) throws {
    #expect(try Self.config("{\"init_weights\": \(text)}").initWeights == expected)
  }

  /// CONFIG-INIT-1, CONFIG-BIAS-1, CONFIG-LAYERS-1, CONFIG-RANK-1, and type errors.
  @Test(arguments: [
    (#"{"init_weights": "mini"}"#, "invalidInitWeights"),
    (#"{"init_weights": 1}"#, "invalidInitWeights"),
    (#"{"bias": "lora_only"}"#, "invalidBias"),
    (#"{"bias": "some"}"#, "invalidBias"),
    (#"{"bias": true}"#, "invalidBias"),
    (#"{"target_modules": ".*q", "layers_to_transform": [0]}"#, "layersWithRegexTargets"),
    (#"{"target_modules": ".*q", "layers_pattern": "layers"}"#, "layersWithRegexTargets"),
    (#"{"r": 0}"#, "invalidRank"),
    (#"{"r": -3}"#, "invalidRank"),
    (#"{"r": 2.5}"#, "wrongType"),
    (#"{"r": "8"}"#, "wrongType"),
    (#"{"target_modules": [1, 2]}"#, "wrongType"),
    (#"{"target_modules": 5}"#, "wrongType"),
    (#"{"layers_to_transform": ["a"]}"#, "wrongType"),
    (#"{"peft_type": "LORA"}"#, "wrongPeftType"),
    (#"[1, 2]"#, "notAnObject"),
  ])
  func invalidConfigIsRejectedWithItsKind(text: String, kind: String) {
    do {
      let config = try Self.config(text)
      Issue.record("\(text) was accepted as \(config)")
    } catch let error as ConfigError {
      #expect(error.kind == kind, "\(text): \(error)")
    } catch {
      Issue.record("\(text): unexpected \(error)")
    }
  }

  @Test func layerFiltersWithListTargetsAreAccepted() throws {
    let config = try Self.config(#"{"target_modules": ["q"], "layers_to_transform": 3, "layers_pattern": "layers"}"#)
    #expect(config.layersToTransform == .one(3) && config.layersPattern == ["layers"])
  }

  /// CKPT-CONFIG-1: the saved config reads back as the same config.
  @Test func adapterConfigJSONRoundTrips() throws {
    let original = try BoneConfig(
      r: 8, targetModules: .names(["v", "q"]), excludeModules: .pattern(".*head"), initWeights: .bat,
      layersToTransform: .list([0, 2]), layersPattern: ["layers"], bias: .boneOnly, modulesToSave: ["score"])
    let json = original.adapterConfigJSON
    guard case .object(let object) = json else {
      Issue.record("not an object")
      return
    }
    #expect(object["peft_type"] == .string("BONE"))
    #expect(object["target_modules"] == .array([.string("q"), .string("v")]))
    #expect(try BoneConfig(json: JSONValue(parsing: json.description)) == original)
  }
}
