import BoneNumerics

/// A counterexample: the shrunk failing value with what it took to find it.
public struct Counterexample: Sendable {
  /// The failing value, as `describe` wrote it.
  public let value: String
  /// What the property said when it failed on that value.
  public let failure: String
  /// The choices that make the value.
  public let choices: [UInt64]
  /// The number of choices of the value first found, before shrinking.
  public let originalChoiceCount: Int
  /// The first failing value found, before shrinking.
  public let originalValue: String
  /// The zero-based index of the case that first failed.
  public let caseIndex: Int
  /// Property calls spent shrinking.
  public let shrinkCalls: Int
  /// The token that replays this counterexample.
  public let replay: ReplayToken
}

/// How a property run ended.
public enum PropertyOutcome: Sendable {
  /// Every case held.
  case passed(cases: Int)
  /// A case failed; the counterexample is shrunk.
  case failed(Counterexample)
  /// The generator could not produce values (a filter rejected everything, or
  /// too many choices): the property was not tested, which is never a pass.
  case unhealthy(String)
}

/// Runs properties: random cases from a seed, then shrinking of a failure.
/// Records nothing itself; `forAll` turns outcomes into test issues.
public struct PropertyRunner: Sendable {
  /// The settings in force.
  public let settings: PropertySettings

  /// A runner with the given settings.
  public init(settings: PropertySettings) {
    self.settings = settings
  }

  /// Checks `property` on values of `generator`.
  ///
  /// Case 0 is the generator's simplest value (all choices zero), skipped when
  /// the generator cannot make it (a filter rejecting it); the others
  /// are random, from a stream seeded by the settings' seed and a stable hash
  /// of `name`. A replay token for `name` runs just its case.
  public func run<Value>(
    _ generator: Gen<Value>, name: String, cases: Int,
    describe: (Value) -> String = { String(describing: $0) },
    property: (Value) throws -> Void
  ) -> PropertyOutcome {
    if let token = settings.replay, token.names(name) {
      return check(generator, name: name, choices: token.choices, caseIndex: 0, describe: describe, property: property)
        ?? .passed(cases: 1)
    }
    let caseCount = settings.casesOverride ?? cases
    var streams = SplitMix64(seed: settings.seed ^ stableHash(name))
    for caseIndex in 0..<caseCount {
      var source =
        caseIndex == 0
        ? ChoiceSource(replaying: [], limit: settings.choiceLimit)
        : ChoiceSource(random: SplitMix64(seed: streams.next()), limit: settings.choiceLimit)
      let value: Value
      do {
        value = try generator.generate(&source)
      } catch {
        // The all-zero case is a bonus; a filter may reject it by design.
        if caseIndex == 0 { continue }
        return .unhealthy("case \(caseIndex) of \(name) could not be generated: \(error)")
      }
      do {
        try property(value)
      } catch {
        return check(generator, name: name, choices: source.choices, caseIndex: caseIndex, describe: describe, property: property)
          ?? .unhealthy("\(name) failed on case \(caseIndex) but passed when replayed: the property is not deterministic")
      }
    }
    return .passed(cases: caseCount)
  }

  /// Shrinks a failing choice sequence; nil when it does not fail.
  private func check<Value>(
    _ generator: Gen<Value>, name: String, choices: [UInt64], caseIndex: Int,
    describe: (Value) -> String, property: (Value) throws -> Void
  ) -> PropertyOutcome? {
    // The shrinker holds the property only while this call runs.
    withoutActuallyEscaping(property) { property in
      shrink(generator, name: name, choices: choices, caseIndex: caseIndex, describe: describe, property: property)
    }
  }

  private func shrink<Value>(
    _ generator: Gen<Value>, name: String, choices: [UInt64], caseIndex: Int,
    describe: (Value) -> String, property: @escaping (Value) throws -> Void
  ) -> PropertyOutcome? {
    // Replays choices; returns the value, the failure (if any) and the choices made.
    func replay(_ choices: [UInt64]) -> (value: Value, failure: Error?, made: [UInt64])? {
      var source = ChoiceSource(replaying: choices, limit: settings.choiceLimit)
      guard let value = try? generator.generate(&source) else { return nil }
      do {
        try property(value)
        return (value, nil, source.choices)
      } catch {
        return (value, error, source.choices)
      }
    }
    guard let first = replay(choices), first.failure != nil else { return nil }
    var shrinker = Shrinker(start: first.made, budget: settings.shrinkBudget) { candidate in
      guard let result = replay(candidate), result.failure != nil else { return nil }
      return result.made
    }
    shrinker.shrink()
    // The shrinker keeps only failing sequences, so the last one fails.
    guard let last = replay(shrinker.best), let failure = last.failure else { return nil }
    return .failed(
      Counterexample(
        value: describe(last.value), failure: String(describing: failure), choices: shrinker.best,
        originalChoiceCount: first.made.count, originalValue: describe(first.value), caseIndex: caseIndex,
        shrinkCalls: shrinker.calls, replay: ReplayToken(propertyName: name, choices: shrinker.best)))
  }
}
