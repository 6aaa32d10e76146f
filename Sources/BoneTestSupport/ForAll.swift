import Testing

/// Checks that `property` holds for values of `generator`, and records a
/// Swift Testing issue when it does not.
///
/// The issue gives the seed, the shrunk counterexample (and the first one
/// found), the property's failure message and a replay command. `name`
/// identifies the property for its seed and its replay token; the default,
/// the calling file and function, is unique per test.
///
/// - Parameters:
///   - generator: the values to try.
///   - cases: random cases, unless `BONE_PROPERTY_CASES` overrides it.
///   - describe: how a counterexample is written in the report.
///   - property: throws (see `require`) when the property does not hold.
public func forAll<Value>(
  _ generator: Gen<Value>,
  cases: Int = 100,
  name: String? = nil,
  function: String = #function,
  describe: (Value) -> String = { String(describing: $0) },
  sourceLocation: SourceLocation = #_sourceLocation,
  _ property: (Value) throws -> Void
) {
  let settings: PropertySettings
  do {
    settings = try PropertySettings.fromEnvironment()
  } catch {
    Issue.record("The property harness cannot start: \(error)", sourceLocation: sourceLocation)
    return
  }
  let propertyName = name ?? "\(sourceLocation.fileID)/\(function)"
  let outcome = PropertyRunner(settings: settings)
    .run(generator, name: propertyName, cases: cases, describe: describe, property: property)
  switch outcome {
  case .passed:
    break
  case .unhealthy(let reason):
    Issue.record("Property \(propertyName) was not tested: \(reason)", sourceLocation: sourceLocation)
  case .failed(let example):
    Issue.record(
      Comment(rawValue: failureReport(example, name: propertyName, settings: settings)),
      sourceLocation: sourceLocation)
  }
}

/// The text of a failure report.
func failureReport(_ example: Counterexample, name: String, settings: PropertySettings) -> String {
  let seed = "0x" + String(settings.seed, radix: 16)
  return """
    Property \(name) failed on case \(example.caseIndex) (BONE_PROPERTY_SEED=\(seed)).
    Shrunk counterexample (\(example.choices.count) choices, from \(example.originalChoiceCount), \(example.shrinkCalls) shrink calls):
      \(example.value)
    Failure: \(example.failure)
    First counterexample found: \(example.originalValue)
    Replay: BONE_PROPERTY_REPLAY='\(example.replay)' swift test
    """
}
