extension BoneConfig {
  /// Reads a config from the JSON object of an `adapter_config.json` or of a
  /// `BoneConfig(...)` call's keyword arguments: a list of module names
  /// becomes a set and a string a regular expression (`CONFIG-TARGET-1`);
  /// keys this spec does not define (PeftConfig's own, such as `task_type`)
  /// are ignored.
  ///
  /// - Throws: `ConfigError` naming the key and what is wrong with it.
  public init(json: JSONValue) throws(ConfigError) {
    guard case .object(let object) = json else { throw .notAnObject("got \(json.typeName)") }
    func value(_ key: String) -> JSONValue? {
      guard let value = object[key], value != .null else { return nil }
      return value
    }
    func integer(_ key: String, _ value: JSONValue) throws(ConfigError) -> Int {
      guard case .number(let number) = value, let integer = Int(exactly: number) else {
        throw .wrongType(key: key, expected: "an integer", got: value.description)
      }
      return integer
    }
    func strings(_ key: String, _ values: [JSONValue]) throws(ConfigError) -> [String] {
      try values.map { (item: JSONValue) throws(ConfigError) -> String in
        guard case .string(let text) = item else { throw .wrongType(key: key, expected: "a list of strings", got: item.description) }
        return text
      }
    }
    func selector(_ key: String) throws(ConfigError) -> ModuleSelector? {
      switch value(key) {
      case nil: return nil
      case .string(let pattern): return .pattern(pattern)
      case .array(let items): return .names(Set(try strings(key, items)))
      case let other?: throw .wrongType(key: key, expected: "a string or a list of strings", got: other.description)
      }
    }

    if let type = value("peft_type") {
      guard type == .string("BONE") else { throw .wrongPeftType(type.description) }
    }
    let r = try value("r").map { (v: JSONValue) throws(ConfigError) in try integer("r", v) } ?? 64

    let initWeights: InitWeights
    switch value("init_weights") {
    case nil, .bool(true)?: initWeights = .bone
    case .bool(false)?: initWeights = .boneRandom
    case .string("bat")?: initWeights = .bat
    case let other?: throw .invalidInitWeights(other.description)
    }

    let layers: LayerIndices?
    switch value("layers_to_transform") {
    case nil: layers = nil
    case .array(let items)?:
      layers = .list(try items.map { (item: JSONValue) throws(ConfigError) in try integer("layers_to_transform", item) })
    case let single?: layers = .one(try integer("layers_to_transform", single))
    }

    let pattern: [String]?
    switch value("layers_pattern") {
    case nil: pattern = nil
    case .string(let text)?: pattern = [text]
    case .array(let items)?: pattern = try strings("layers_pattern", items)
    case let other?: throw .wrongType(key: "layers_pattern", expected: "a string or a list of strings", got: other.description)
    }

    let bias: Bias
    switch value("bias") {
    case nil: bias = .none
    case .string(let text)?:
      guard let known = Bias(rawValue: text) else { throw .invalidBias("\"\(text)\"") }
      bias = known
    case let other?: throw .invalidBias(other.description)
    }

    let modulesToSave: [String]?
    switch value("modules_to_save") {
    case nil: modulesToSave = nil
    case .array(let items)?: modulesToSave = try strings("modules_to_save", items)
    case let other?: throw .wrongType(key: "modules_to_save", expected: "a list of strings", got: other.description)
    }

    try self.init(
      r: r, targetModules: try selector("target_modules"), excludeModules: try selector("exclude_modules"),
      initWeights: initWeights, layersToTransform: layers, layersPattern: pattern, bias: bias,
      modulesToSave: modulesToSave)
  }

  /// The `adapter_config.json` object of this config (`CKPT-CONFIG-1`):
  /// `peft_type` BONE, sets written as sorted lists.
  public var adapterConfigJSON: JSONValue {
    func selector(_ value: ModuleSelector?) -> JSONValue {
      switch value {
      case nil: .null
      case .names(let names)?: .array(names.sorted().map(JSONValue.string))
      case .pattern(let pattern)?: .string(pattern)
      }
    }
    let layers: JSONValue =
      switch layersToTransform {
      case nil: .null
      case .one(let index)?: .number(Double(index))
      case .list(let indices)?: .array(indices.map { .number(Double($0)) })
      }
    let initWeightsValue: JSONValue =
      switch initWeights {
      case .bone: .bool(true)
      case .boneRandom: .bool(false)
      case .bat: .string("bat")
      }
    return .object([
      "peft_type": .string("BONE"),
      "r": .number(Double(r)),
      "target_modules": selector(targetModules),
      "exclude_modules": selector(excludeModules),
      "init_weights": initWeightsValue,
      "layers_to_transform": layers,
      "layers_pattern": layersPattern.map { .array($0.map(JSONValue.string)) } ?? .null,
      "bias": .string(bias.rawValue),
      "modules_to_save": modulesToSave.map { .array($0.map(JSONValue.string)) } ?? .null,
    ])
  }
}
