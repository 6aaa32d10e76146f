import BoneExact
import BoneLayers

extension VectorGenerator {
  /// Correct rounding of exact values to every dtype, and text that is not a
  /// number.
  func roundingFile() -> VectorFile {
    var tests: [TestCase] = []
    func rounded(_ value: Rational) -> [String: String] {
      Dictionary(uniqueKeysWithValues: DType.allCases.map { ($0.rawValue, $0.hex(value.roundedBits(to: $0))) })
    }
    var values: [(Rational, String, [String])] = [
      (Rational.one, "one", []),
      ((try? Rational(numerator: 1, denominator: 3)) ?? .one, "1/3", []),
      ((try? Rational(numerator: -2, denominator: 3)) ?? .one, "−2/3", []),
      (Rational(65520), "65520: float16's overflow midpoint, a tie that goes to infinity", ["Overflow", "TieToEven"]),
      (Rational(65519), "65519: just below float16's overflow midpoint", ["Overflow"]),
      (Rational.one + Rational.one.scaled(byPowerOfTwo: -11), "1 + 2^−11: a float16 tie, to even (1)", ["TieToEven"]),
      (Rational.one + Rational.one.scaled(byPowerOfTwo: -8), "1 + 2^−8: a bfloat16 tie, to even (1)", ["TieToEven"]),
      (Rational.one + Rational(3).scaled(byPowerOfTwo: -8), "1 + 3·2^−8: a bfloat16 tie, to even (up)", ["TieToEven"]),
    ]
    for dtype in DType.allCases {
      let p = dtype.precision
      let subnormalQuantum = Rational.one.scaled(byPowerOfTwo: dtype.minExponent - (p - 1))
      values.append((subnormalQuantum.scaled(byPowerOfTwo: -1), "half of \(dtype)'s smallest subnormal: a tie to +0", ["Subnormal", "TieToEven"]))
      values.append((-subnormalQuantum.scaled(byPowerOfTwo: -1), "minus half of \(dtype)'s smallest subnormal: −0", ["Subnormal", "NegativeZero"]))
      values.append((subnormalQuantum * Rational(3).scaled(byPowerOfTwo: -1), "1.5 subnormal quanta of \(dtype): a tie to 2", ["Subnormal", "TieToEven"]))
      let normal = Rational.one.scaled(byPowerOfTwo: dtype.minExponent)
      values.append((normal - subnormalQuantum.scaled(byPowerOfTwo: -1), "midway between \(dtype)'s largest subnormal and smallest normal", ["Subnormal", "TieToEven"]))
      let largest = Rational.one.scaled(byPowerOfTwo: dtype.maxExponent) * (Rational(2) - Rational.one.scaled(byPowerOfTwo: 1 - p))
      values.append((largest, "\(dtype)'s largest finite value", []))
      values.append((-RoundingModel.overflowThreshold(dtype), "minus \(dtype)'s overflow threshold: −infinity", ["Overflow"]))
    }
    for (value, comment, flags) in values {
      tests.append(TestCase(
        tcId: 0, comment: comment, flags: flags.sorted(), requirements: ["EXACT-ROUND-1", "DTYPE-FORMAT-1", "EXACT-RATIONAL-1", "EXACT-RATIONAL-2"],
        result: "valid", value: value.description, rounded: rounded(value)))
    }
    // Text input (EXACT-RATIONAL-3).
    for (text, canonical) in [("-1.25e-3", "-1/800"), ("6/4", "3/2"), ("0.5", "1/2")] {
      let value = (try? Rational(parsing: text)) ?? .zero
      tests.append(TestCase(tcId: 0, comment: "text \(text) is \(canonical)", flags: [], requirements: ["EXACT-RATIONAL-3", "EXACT-RATIONAL-1"], result: "valid", value: text, rounded: rounded(value)))
    }
    for text in ["1/0", "1//2", " 1", "--1", "1e100001", ""] {
      tests.append(TestCase(tcId: 0, comment: "\"\(text)\" is not a rational", flags: ["InvalidInput"], requirements: ["EXACT-RATIONAL-3", "EXACT-RATIONAL-2"], result: "invalid", value: text, error: "notARational"))
    }
    // Exact values of encodings (EXACT-FLOAT-1, DTYPE-BF16-1).
    for dtype in DType.allCases {
      for bits in [dtype.largestSubnormalBits, dtype.smallestNormalBits, dtype.largestFiniteBits | dtype.signMask] {
        let value = (try? Rational(bits: bits, dtype: dtype)) ?? .zero
        tests.append(TestCase(
          tcId: 0, comment: "the exact value of \(dtype) 0x\(dtype.hex(bits))", flags: ["Subnormal"].filter { _ in bits == dtype.largestSubnormalBits },
          requirements: ["EXACT-FLOAT-1", "DTYPE-BF16-1", "EXACT-RATIONAL-4"], result: "valid", value: value.description, rounded: rounded(value)))
      }
    }
    return file("rounding", ["Correct rounding (EXACT-ROUND-1) of exact values to every dtype: value → expected encodings."], [TestGroup(type: "Rounding", tests: tests)])
  }

  /// BoneConfig validation.
  func configFile() -> VectorFile {
    let cases: [(String, String?, String, [String])] = [
      ("{}", nil, "defaults", ["CONFIG-DEFAULT-1"]),
      (#"{"target_modules": ["q_proj", "v_proj", "q_proj"], "exclude_modules": ".*head"}"#, nil, "a list is a set, a string a pattern", ["CONFIG-TARGET-1"]),
      (#"{"init_weights": "bat", "r": 16}"#, nil, "init_weights bat", ["CONFIG-INIT-1"]),
      (#"{"init_weights": false}"#, nil, "init_weights false: random BONE blocks", ["CONFIG-INIT-1", "LAYER-INIT-2"]),
      (#"{"init_weights": "mini"}"#, "invalidInitWeights", "init_weights mini is MiSS's, not BONE's", ["CONFIG-INIT-1"]),
      (#"{"bias": "bone_only"}"#, nil, "bias bone_only", ["CONFIG-BIAS-1"]),
      (#"{"bias": "lora_only"}"#, "invalidBias", "bias lora_only (PEFT accepts any *_only)", ["CONFIG-BIAS-1"]),
      (#"{"target_modules": ".*q", "layers_to_transform": [0]}"#, "layersWithRegexTargets", "layer filter with a regex target", ["CONFIG-LAYERS-1"]),
      (#"{"target_modules": ".*q", "layers_pattern": "layers"}"#, "layersWithRegexTargets", "layers_pattern with a regex target", ["CONFIG-LAYERS-1"]),
      (#"{"r": 0}"#, "invalidRank", "r = 0", ["CONFIG-RANK-1"]),
      (#"{"peft_type": "BONE", "r": 8, "target_modules": ["q"], "task_type": "CAUSAL_LM"}"#, nil, "an adapter_config.json with PeftConfig's own keys", ["CKPT-CONFIG-1"]),
    ]
    let tests = cases.map { text, error, comment, requirements -> TestCase in
      let json = (try? JSONValue(parsing: text)) ?? .null
      let expected = error == nil ? (try? BoneConfig(json: json))?.adapterConfigJSON : nil
      let flags = (error != nil ? ["InvalidInput"] : []) + (comment.contains("PEFT") ? ["PeftDivergence"] : [])
      return TestCase(
        tcId: 0, comment: comment, flags: flags, requirements: requirements, result: error == nil ? "valid" : "invalid",
        config: json, error: error, expectedConfig: expected)
    }
    return file("config", ["BoneConfig: the config as JSON → the normalised adapter_config.json, or the error kind."], [TestGroup(type: "Config", tests: tests)])
  }

  /// Which modules a config adapts.
  func targetingFile() -> VectorFile {
    let modules = (0..<3).flatMap { layer in
      ["q_proj", "k_proj", "v_proj"].map { ModuleSpec(name: "model.layers.\(layer).self_attn.\($0)", linear: true) }
        + [ModuleSpec(name: "model.layers.\(layer).input_layernorm", linear: false)]
    } + [ModuleSpec(name: "lm_head", linear: true)]
    let cases: [(String, String?, String, [String])] = [
      (#"{"target_modules": ["q_proj"]}"#, "llama", "a list entry matches as a dotted suffix", ["TARGET-MATCH-1"]),
      (#"{"target_modules": ["lm_head", "proj"]}"#, "llama", "a list entry matches exactly; proj is not a dotted suffix", ["TARGET-MATCH-1"]),
      (#"{"target_modules": ".*\\.(q|v)_proj"}"#, "llama", "a string must match the whole name", ["TARGET-MATCH-1"]),
      (#"{"target_modules": "q_proj"}"#, "llama", "a string that matches only part of every name", ["TARGET-MATCH-1"]),
      (#"{"target_modules": ["q_proj"], "exclude_modules": ["model.layers.1.self_attn.q_proj"]}"#, "llama", "exclusions win", ["TARGET-MATCH-1"]),
      (#"{"target_modules": ["q_proj", "lm_head"], "modules_to_save": ["lm_head"]}"#, "llama", "modules_to_save are never adapted", ["TARGET-MATCH-1"]),
      (#"{"target_modules": ["q_proj"], "layers_to_transform": 1}"#, "llama", "one layer index", ["TARGET-MATCH-1"]),
      (#"{"target_modules": ["q_proj"], "layers_to_transform": [0, 2], "layers_pattern": "layers"}"#, "llama", "layer indices with a pattern", ["TARGET-MATCH-1"]),
      (#"{"target_modules": ["model.layers.0.self_attn.q_proj"], "layers_to_transform": 2}"#, "llama", "an exact name is not filtered by layer index", ["TARGET-MATCH-1"]),
      ("{}", "llama", "no target_modules: llama's defaults", ["TARGET-MATCH-1", "TARGET-DEFAULT-1"]),
      ("{}", "unknown-model", "no target_modules and no default", ["TARGET-MATCH-1", "TARGET-DEFAULT-1"]),
      (#"{"target_modules": ["input_layernorm"]}"#, "llama", "a targeted module that is not linear", ["TARGET-TYPE-1"]),
    ]
    let tests = cases.map { text, modelType, comment, requirements -> TestCase in
      let json = (try? JSONValue(parsing: text)) ?? .null
      var names: [String]?
      var failure: String?
      do {
        let config = try BoneConfig(json: json)
        names = try ModuleTargeting.targetedModules(modules.map { ModuleDescription(name: $0.name, isLinear: $0.linear) }, config: config, modelType: modelType)
      } catch let targeting as TargetingError {
        failure = targeting.kind
      } catch let config as ConfigError {
        failure = config.kind
      } catch {
        failure = "unexpected"
      }
      return TestCase(
        tcId: 0, comment: comment, flags: failure != nil ? ["InvalidInput"] : [], requirements: requirements,
        result: failure == nil ? "valid" : "invalid", config: json, modules: modules, modelType: modelType, expectedNames: names, error: failure)
    }
    return file("targeting", ["BoneModel targeting: config, modules and model type → the adapted module names, or the error kind."], [TestGroup(type: "Targeting", tests: tests)])
  }

  /// Saved tensor names and the MiSS conversion.
  func checkpointFile() -> VectorFile {
    let keys = [
      "base_model.model.model.layers.0.self_attn.q_proj.bone_block.default",
      "base_model.model.model.layers.0.self_attn.q_proj.base_layer.weight",
      "base_model.model.default.q_proj.bone_block.default",
    ]
    let saved = keys.compactMap { Checkpoint.savedName(stateDictKey: $0, adapterName: "default") }
    let config = (try? BoneConfig(r: 8, targetModules: .names(["q_proj", "v_proj"])))?.adapterConfigJSON ?? .null
    let tests = [
      TestCase(tcId: 0, comment: "saved names drop the adapter name; non-BONE keys are not saved", flags: [], requirements: ["CKPT-NAME-1"], result: "valid", expectedNames: saved, names: keys, adapterName: "default"),
      TestCase(tcId: 0, comment: "conversion to MiSS renames .bone_ to .miss_ and sets peft_type MISS", flags: [], requirements: ["CKPT-MISS-1", "CKPT-CONFIG-1"], result: "valid", config: config, expectedNames: saved.map(Checkpoint.missTensorName), names: saved, expectedConfig: Checkpoint.missConfig(config)),
    ]
    return file("checkpoint", ["Checkpoint tensor names (CKPT-NAME-1) and the conversion to MiSS (CKPT-MISS-1)."], [TestGroup(type: "Checkpoint", tests: tests)])
  }
}
