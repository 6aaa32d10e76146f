/// A module of a model, as targeting sees it: its dotted name and whether it
/// is a linear layer.
public struct ModuleDescription: Sendable, Hashable {
  /// The dotted name, such as `model.layers.0.self_attn.q_proj`.
  public let name: String
  /// True for a linear layer, the only kind BONE adapts (`TARGET-TYPE-1`).
  public let isLinear: Bool

  /// A module.
  public init(name: String, isLinear: Bool) {
    self.name = name
    self.isLinear = isLinear
  }
}

/// Why targeting failed (`TARGET-*` of `Spec/BONE.md` §8).
public enum TargetingError: Error, Sendable, Hashable, CustomStringConvertible {
  /// No target_modules and no default for the model type (`TARGET-MATCH-1`).
  case noDefaultTargets(modelType: String?)
  /// A targeted module that is not linear (`TARGET-TYPE-1`).
  case unsupportedModule(String)
  /// No module matched the targets (`TARGET-MATCH-1`).
  case noModuleMatched
  /// A regular expression that does not compile.
  case invalidPattern(String)

  /// The error's kind, as vectors name it.
  public var kind: String {
    switch self {
    case .noDefaultTargets: "noDefaultTargets"
    case .unsupportedModule: "unsupportedModule"
    case .noModuleMatched: "noModuleMatched"
    case .invalidPattern: "invalidPattern"
    }
  }

  /// A sentence naming what is wrong.
  public var description: String {
    switch self {
    case .noDefaultTargets(let type):
      "target_modules is not set and model type \(type.map { "\"\($0)\"" } ?? "(none)") has no default targets"
    case .unsupportedModule(let name): "module \(name) is targeted but is not a linear layer; BONE adapts linear layers only"
    case .noModuleMatched: "no module of the model matches target_modules"
    case .invalidPattern(let pattern): "\(pattern) is not a valid regular expression"
    }
  }
}

/// Which modules a config adapts (`TARGET-MATCH-1`).
public enum ModuleTargeting {
  /// Whether one module name is targeted, before the module-type check.
  ///
  /// - Throws: `invalidPattern` for a regular expression that does not compile.
  public static func isTargeted(_ key: String, config: BoneConfig, defaultTargets: [String]? = nil) throws(TargetingError) -> Bool {
    // 1. Exclusions win.
    switch config.excludeModules {
    case .pattern(let pattern)?: if try wholeMatch(pattern, key) { return false }
    case .names(let names)?: if names.contains(where: { key == $0 || key.hasSuffix(".\($0)") }) { return false }
    case nil: break
    }
    // 2. modules_to_save are never adapted.
    // PEFT: re.match(rf"(^|.*\.){m}($|\..*)", key), m inserted as a pattern.
    for saved in config.modulesToSave ?? [] where try prefixMatch("(?:^|.*\\.)\(saved)(?:$|\\..*)", key) {
      return false
    }
    let targets: BoneConfig.ModuleSelector
    if let configured = config.targetModules {
      targets = configured
    } else if let defaultTargets {
      targets = .names(Set(defaultTargets))
    } else {
      return false
    }
    switch targets {
    case .pattern(let pattern):
      // 3. A string must match the whole name.
      return try wholeMatch(pattern, key)
    case .names(let names):
      // 4. Equality, which the layer filter does not apply to.
      if names.contains(key) { return true }
      guard names.contains(where: { key.hasSuffix(".\($0)") }) else { return false }
      // 5. The layer filter on suffix matches.
      guard let indices = config.layersToTransform else { return true }
      if case .list(let list) = indices, list.isEmpty { return true }
      guard let index = try layerIndex(of: key, patterns: config.layersPattern ?? []) else { return false }
      switch indices {
      case .one(let wanted): return index == wanted
      case .list(let list): return list.contains(index)
      }
    }
  }

  /// The names of the modules `config` adapts, in model order
  /// (`TARGET-MATCH-1`, `TARGET-TYPE-1`, `TARGET-DEFAULT-1`).
  ///
  /// - Throws: `noDefaultTargets`, `unsupportedModule`, `noModuleMatched`, `invalidPattern`.
  public static func targetedModules(
    _ modules: [ModuleDescription], config: BoneConfig, modelType: String?
  ) throws(TargetingError) -> [String] {
    var defaults: [String]?
    if config.targetModules == nil {
      guard let type = modelType, let table = DefaultTargetModules.table[type] else {
        throw .noDefaultTargets(modelType: modelType)
      }
      defaults = table
    }
    var targeted: [String] = []
    for module in modules where try isTargeted(module.name, config: config, defaultTargets: defaults) {
      guard module.isLinear else { throw .unsupportedModule(module.name) }
      targeted.append(module.name)
    }
    guard !targeted.isEmpty else { throw .noModuleMatched }
    return targeted
  }

  /// The layer index of a key: the number n of the last `.<pattern>.<n>.` in
  /// it, with any single name as the pattern when `patterns` is empty.
  static func layerIndex(of key: String, patterns: [String]) throws(TargetingError) -> Int? {
    let candidates = patterns.isEmpty ? ["[^.]*"] : patterns
    for pattern in candidates {
      let regex: Regex<AnyRegexOutput>
      do {
        regex = try Regex(".*\\.\(pattern)\\.(\\d+)\\.")
      } catch {
        throw .invalidPattern(pattern)
      }
      if let match = key.prefixMatch(of: regex), match.output.count > 1,
        let digits = match.output[1].substring, let index = Int(digits)
      {
        return index
      }
    }
    return nil
  }

  static func prefixMatch(_ pattern: String, _ key: String) throws(TargetingError) -> Bool {
    do {
      return try Regex(pattern).prefixMatch(in: key) != nil
    } catch {
      throw .invalidPattern(pattern)
    }
  }

  static func wholeMatch(_ pattern: String, _ key: String) throws(TargetingError) -> Bool {
    do {
      return try Regex(pattern).wholeMatch(in: key) != nil
    } catch {
      throw .invalidPattern(pattern)
    }
  }
}
