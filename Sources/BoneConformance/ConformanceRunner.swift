import BoneLayers
import Foundation

/// The outcome of one case against a testee.
public struct CaseVerdict: Sendable, Codable {
  /// `<file>#<tcId>`.
  public var id: String
  /// The requirement IDs the case checks.
  public var requirements: [String]
  /// `passed`, `failed`, `skipped`, `crashed`, `timeout` or `junk`.
  public var status: String
  /// What differed, or what went wrong, one line each.
  public var details: [String]

  /// A verdict.
  public init(id: String, requirements: [String], status: String, details: [String]) {
    self.id = id
    self.requirements = requirements
    self.status = status
    self.details = details
  }
}

/// Drives a testee through the vectors (`bone conformance`, `Spec/TESTEE.md`).
public final class ConformanceRunner {
  /// The testee command.
  public let command: String
  /// Seconds a case may take.
  public let timeout: Double
  /// Progress lines go here (standard error).
  public let progress: (String) -> Void

  private var testee: TesteeProcess?
  private var hello: HelloMessage?

  /// A runner.
  public init(command: String, timeout: Double = 30, progress: @escaping (String) -> Void = { _ in }) {
    self.command = command
    self.timeout = timeout
    self.progress = progress
    signal(SIGPIPE, SIG_IGN)  // a testee that dies must not take the runner with it
  }

  deinit { testee?.stop() }

  /// Starts the testee and shakes hands.
  ///
  /// - Throws: `VectorInputError` when the testee cannot start or answers the
  ///   handshake with something else.
  func start() throws {
    testee?.stop()
    let process = try TesteeProcess(command: command)
    testee = process
    guard process.send(encode(HelloMessage())) else { throw VectorInputError("the testee \"\(command)\" did not accept input") }
    switch process.readLine(timeout: timeout) {
    case .line(let line):
      guard let reply = try? JSONDecoder().decode(HelloMessage.self, from: Data(line.utf8)), reply.type == "hello", reply.protocol == testeeProtocol else {
        throw VectorInputError("the testee answered the handshake with \"\(line.prefix(200))\", not a \(testeeProtocol) hello")
      }
      hello = reply
    case .timeout: throw VectorInputError("the testee did not answer the handshake within \(timeout) s")
    case .closed: throw VectorInputError("the testee \"\(command)\" exited before the handshake")
    }
  }

  /// The testee's handshake, once started.
  public var testeeName: String { hello.map { "\($0.name ?? "?") \($0.version ?? "")" } ?? "?" }

  func encode<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
  }

  /// Runs every scenario of the files whose id contains `filter` (all when
  /// nil); other test kinds are not sent to testees.
  ///
  /// - Throws: `VectorInputError` when the testee cannot be started at all.
  public func run(_ files: [(String, VectorFile)], filter: String? = nil) throws -> [CaseVerdict] {
    try start()
    var verdicts: [CaseVerdict] = []
    let cases = files.flatMap { name, file in
      file.testGroups.filter { $0.type == "LayerScenario" }.flatMap { group in group.tests.map { (name, group, $0) } }
    }.filter { name, _, test in filter.map { "\(name)#\(test.tcId)".contains($0) } ?? true }
    for (index, (name, group, test)) in cases.enumerated() {
      let verdict = try runCase(name: name, group: group, test: test)
      if index % 20 == 0 || !["passed", "skipped"].contains(verdict.status) {
        progress("[\(index + 1)/\(cases.count)] \(verdict.id) \(verdict.status)")
      }
      verdicts.append(verdict)
    }
    testee?.stop()
    return verdicts
  }

  func runCase(name: String, group: TestGroup, test: TestCase) throws -> CaseVerdict {
    let id = "\(name)#\(test.tcId)"
    var verdict = CaseVerdict(id: id, requirements: test.requirements, status: "passed", details: [])
    guard let dtypeName = group.dtype, let dtype = DType(name: dtypeName), let policy = group.policy, let layer = test.layer, let steps = test.steps else {
      verdict.status = "skipped"
      verdict.details = ["the vector lacks dtype, policy, layer or steps"]
      return verdict
    }
    if let hello, !(hello.dtypes ?? []).contains(dtypeName) || !(hello.policies ?? []).contains(policy) {
      verdict.status = "skipped"
      verdict.details = ["the testee does not support \(dtypeName) under the \(policy) policy"]
      return verdict
    }
    let request = CaseRequest(id: id, dtype: dtypeName, policy: policy, layer: layer, steps: steps.map(\.request))
    guard let testee, testee.send(encode(request)) else {
      return try restart(after: verdict, status: "crashed", detail: "the testee stopped reading its input")
    }
    switch testee.readLine(timeout: timeout) {
    case .timeout:
      return try restart(after: verdict, status: "timeout", detail: "no answer within \(timeout) s")
    case .closed:
      return try restart(after: verdict, status: "crashed", detail: "the testee exited")
    case .line(let line):
      guard let response = try? JSONDecoder().decode(CaseResponse.self, from: Data(line.utf8)), response.id == id else {
        return try restart(after: verdict, status: "junk", detail: "not a response to \(id): \(line.prefix(200))")
      }
      if response.type == "skipped" {
        verdict.status = "skipped"
        verdict.details = [response.reason ?? "skipped by the testee"]
        return verdict
      }
      guard response.type == "result", let outcomes = response.outcomes, outcomes.count == steps.count else {
        return try restart(after: verdict, status: "junk", detail: "a result needs one outcome per step (\(steps.count))")
      }
      verdict.details = Judge.check(test, steps: steps, outcomes: outcomes, dtype: dtype).map(\.description)
      if !verdict.details.isEmpty { verdict.status = "failed" }
      return verdict
    }
  }

  func restart(after verdict: CaseVerdict, status: String, detail: String) throws -> CaseVerdict {
    var verdict = verdict
    verdict.status = status
    verdict.details = [detail]
    progress("\(verdict.id): \(status) (\(detail)); restarting the testee")
    try start()
    return verdict
  }
}
