import Testing

/// Collects mismatches of an exhaustive check and records the first few as
/// issues plus one summary, as TestFloat caps its error reports: a broken
/// implementation yields a readable report, not tens of thousands of lines.
public struct MismatchLog {
  /// How many mismatches are recorded one by one.
  public let limit: Int
  /// All mismatches seen.
  public private(set) var count = 0
  /// Cases checked.
  public private(set) var checked = 0
  private let sourceLocation: SourceLocation

  /// A log that records at most `limit` mismatches individually.
  public init(limit: Int = 20, sourceLocation: SourceLocation = #_sourceLocation) {
    self.limit = limit
    self.sourceLocation = sourceLocation
  }

  /// Counts one case; records `message` when `passed` is false.
  public mutating func check(_ passed: Bool, _ message: @autoclosure () -> String) {
    checked += 1
    guard !passed else { return }
    count += 1
    if count <= limit { Issue.record(Comment(rawValue: message()), sourceLocation: sourceLocation) }
  }

  /// Records the total when more mismatches were seen than recorded, and
  /// returns the number of cases checked.
  @discardableResult
  public func finish() -> Int {
    if count > limit {
      Issue.record("\(count) mismatches in \(checked) cases (first \(limit) shown)", sourceLocation: sourceLocation)
    }
    return checked
  }
}
