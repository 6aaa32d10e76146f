#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// How a property run is seeded, sized and replayed.
///
/// Read from the environment by `fromEnvironment`:
/// - `BONE_PROPERTY_SEED`: the base seed, decimal or `0x` hexadecimal
///   (default `PropertySettings.defaultSeed`, so CI runs are reproducible);
/// - `BONE_PROPERTY_CASES`: the number of random cases for every property,
///   overriding each property's own count;
/// - `BONE_PROPERTY_REPLAY`: a replay token printed by a failure; the
///   property it names runs that one case and nothing else.
public struct PropertySettings: Sendable, Hashable {
  /// The default base seed.
  public static let defaultSeed: UInt64 = 0xB0_4E5E_ED00

  /// The base seed; each property mixes in a hash of its name.
  public var seed: UInt64
  /// Cases for every property, when set; otherwise each property's own count.
  public var casesOverride: Int?
  /// A failure to replay, when set.
  public var replay: ReplayToken?
  /// The most property calls shrinking may make.
  public var shrinkBudget: Int
  /// The most choices one case may make.
  public var choiceLimit: Int

  /// Settings with the given values.
  public init(
    seed: UInt64 = PropertySettings.defaultSeed, casesOverride: Int? = nil, replay: ReplayToken? = nil,
    shrinkBudget: Int = 2_000, choiceLimit: Int = 100_000
  ) {
    self.seed = seed
    self.casesOverride = casesOverride
    self.replay = replay
    self.shrinkBudget = shrinkBudget
    self.choiceLimit = choiceLimit
  }

  /// Settings read from `BONE_PROPERTY_SEED`, `BONE_PROPERTY_CASES` and
  /// `BONE_PROPERTY_REPLAY`.
  ///
  /// - Throws: `PropertySettingsError` naming the variable and its bad value.
  public static func fromEnvironment() throws(PropertySettingsError) -> PropertySettings {
    try fromVariables { name in getenv(name).map { String(cString: $0) } }
  }

  /// Settings read through `lookup`, which returns a variable's value or nil.
  ///
  /// - Throws: `PropertySettingsError` naming the variable and its bad value.
  public static func fromVariables(_ lookup: (String) -> String?) throws(PropertySettingsError) -> PropertySettings {
    var settings = PropertySettings()
    if let text = lookup("BONE_PROPERTY_SEED") {
      let parsed = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
      guard let seed = parsed else {
        throw PropertySettingsError(variable: "BONE_PROPERTY_SEED", value: text, expected: "a decimal or 0x-hexadecimal UInt64")
      }
      settings.seed = seed
    }
    if let text = lookup("BONE_PROPERTY_CASES") {
      guard let cases = Int(text), cases >= 1 else {
        throw PropertySettingsError(variable: "BONE_PROPERTY_CASES", value: text, expected: "a whole number ≥ 1")
      }
      settings.casesOverride = cases
    }
    if let text = lookup("BONE_PROPERTY_REPLAY") {
      guard let token = ReplayToken(text) else {
        throw PropertySettingsError(
          variable: "BONE_PROPERTY_REPLAY", value: text, expected: "a token as a failure prints it, such as 0123456789abcdef:1f.0.3")
      }
      settings.replay = token
    }
    return settings
  }
}

/// An environment variable of the property harness with a value it cannot use.
public struct PropertySettingsError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The variable's name.
  public let variable: String
  /// Its value.
  public let value: String
  /// What it should have been.
  public let expected: String

  /// A sentence naming the variable, its value and what was expected.
  public var description: String { "\(variable)=\"\(value)\" is not \(expected)" }
}

/// Names one failing case: the property (by a stable hash of its name) and the
/// choice sequence that makes its counterexample. Text form:
/// `<16 hex digits>:<choice>.<choice>…`, choices in hexadecimal.
public struct ReplayToken: Sendable, Hashable, CustomStringConvertible, LosslessStringConvertible {
  /// The stable hash of the property's name.
  public let propertyHash: UInt64
  /// The choices to replay.
  public let choices: [UInt64]

  /// A token for a property name and its choices.
  public init(propertyName: String, choices: [UInt64]) {
    self.propertyHash = stableHash(propertyName)
    self.choices = choices
  }

  /// Parses the text form; nil for anything else.
  public init?(_ description: String) {
    let parts = description.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
    guard parts.count == 2, parts[0].count == 16, let hash = UInt64(parts[0], radix: 16) else { return nil }
    var choices: [UInt64] = []
    if !parts[1].isEmpty {
      for piece in parts[1].split(separator: ".", omittingEmptySubsequences: false) {
        guard !piece.isEmpty, piece.count <= 16, let value = UInt64(piece, radix: 16) else { return nil }
        choices.append(value)
      }
    }
    self.propertyHash = hash
    self.choices = choices
  }

  /// The text form.
  public var description: String {
    let hash = String(propertyHash, radix: 16)
    return String(repeating: "0", count: 16 - hash.count) + hash + ":"
      + choices.map { String($0, radix: 16) }.joined(separator: ".")
  }

  /// True when this token names the property called `name`.
  public func names(_ name: String) -> Bool { propertyHash == stableHash(name) }
}
