import Foundation

/// The cases a testee is known to fail, one `<file>#<tcId>` per line with an
/// optional `# reason` after it, as protobuf's conformance runner keeps them;
/// lines starting with `#` are comments. An id followed by `?` marks a case
/// whose outcome depends on the host (as Wycheproof's "acceptable" results,
/// which may or may not be rejected): it may fail or pass, and neither is
/// unexpected (a peer's library may take another code path on another
/// processor).
public struct FailureList: Sendable, Equatable {
  /// Listed case ids, with their reasons.
  public var entries: [String: String]
  /// The listed ids marked `?`: their cases may also pass.
  public var mayPass: Set<String>

  /// Parses the text of a list; blank lines and lines starting with `#` are ignored.
  public init(text: String) {
    var entries: [String: String] = [:]
    var mayPass: Set<String> = []
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let line = raw.trimmingCharacters(in: .whitespaces)
      guard !line.isEmpty, !line.hasPrefix("#") else { continue }
      // The id is the first word (ids hold '#' themselves); `?` and a comment may follow it.
      let id = String(line.prefix { !$0.isWhitespace })
      var rest = line.dropFirst(id.count).trimmingCharacters(in: .whitespaces)
      if rest.hasPrefix("?") {
        mayPass.insert(id)
        rest = String(rest.dropFirst()).trimmingCharacters(in: .whitespaces)
      }
      if rest.hasPrefix("#") { rest = String(rest.dropFirst()).trimmingCharacters(in: .whitespaces) }
      entries[id] = rest
    }
    self.entries = entries
    self.mayPass = mayPass
  }

  /// An empty list.
  public init() {
    entries = [:]
    mayPass = []
  }

  /// The judgement of a run against this list.
  public struct Judgement: Sendable {
    /// Cases that passed.
    public var passed: [String] = []
    /// Listed cases that failed, as expected.
    public var expectedFailures: [String] = []
    /// Cases that failed and are not listed.
    public var unexpectedFailures: [String] = []
    /// Listed cases that passed.
    public var unexpectedPasses: [String] = []
    /// Cases marked `?` that passed (not unexpected).
    public var hostDependentPasses: [String] = []
    /// Listed cases that were not run at all.
    public var staleEntries: [String] = []
    /// Cases skipped.
    public var skipped: [String] = []

    /// True when nothing unexpected happened.
    public var succeeded: Bool { unexpectedFailures.isEmpty && unexpectedPasses.isEmpty && staleEntries.isEmpty }
  }

  /// Sorts verdicts into the judgement; `complete` says whether every case
  /// was run (no filter), which is when an entry no case matched is stale.
  public func judge(_ verdicts: [CaseVerdict], complete: Bool) -> Judgement {
    var judgement = Judgement()
    let run = Set(verdicts.map(\.id))
    for verdict in verdicts {
      let listed = entries[verdict.id] != nil
      switch verdict.status {
      case "passed":
        if !listed {
          judgement.passed.append(verdict.id)
        } else if mayPass.contains(verdict.id) {
          judgement.hostDependentPasses.append(verdict.id)
        } else {
          judgement.unexpectedPasses.append(verdict.id)
        }
      case "skipped": judgement.skipped.append(verdict.id)
      default: listed ? judgement.expectedFailures.append(verdict.id) : judgement.unexpectedFailures.append(verdict.id)
      }
    }
    if complete { judgement.staleEntries = entries.keys.filter { !run.contains($0) }.sorted() }
    return judgement
  }

  /// The text of a list of the failing cases of `verdicts`, keeping known
  /// reasons, and of the cases marked `?` that ran, whichever way they went.
  public func updated(with verdicts: [CaseVerdict]) -> String {
    let kept = verdicts.filter { !["passed", "skipped"].contains($0.status) || ($0.status == "passed" && mayPass.contains($0.id)) }
    return kept.map { verdict in
      let reason = entries[verdict.id].flatMap { $0.isEmpty ? nil : $0 } ?? verdict.details.first.map { String($0.prefix(120)) } ?? verdict.status
      return "\(verdict.id)\(mayPass.contains(verdict.id) ? " ?" : "")  # \(reason)"
    }.joined(separator: "\n") + (kept.isEmpty ? "" : "\n")
  }
}
