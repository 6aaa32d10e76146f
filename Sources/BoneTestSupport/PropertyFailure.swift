/// The failure of a property on one value, thrown by `require`.
public struct PropertyFailure: Error, Sendable, CustomStringConvertible {
  /// What did not hold.
  public let message: String

  /// A failure with a message.
  public init(_ message: String) {
    self.message = message
  }

  /// The message.
  public var description: String { message }
}

/// Fails the property with `message` unless `condition` holds.
///
/// Properties report failure by throwing (never through `#expect`), so that
/// the shrinker can replay them without recording an issue for every candidate.
public func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(PropertyFailure) {
  if !condition { throw PropertyFailure(message()) }
}

/// Fails the property unless `actual == expected`, naming both.
public func requireEqual<T: Equatable>(
  _ actual: T, _ expected: T, _ context: @autoclosure () -> String = ""
) throws(PropertyFailure) {
  if actual != expected {
    let prefix = context()
    throw PropertyFailure("\(prefix.isEmpty ? "" : prefix + ": ")expected \(expected), got \(actual)")
  }
}
