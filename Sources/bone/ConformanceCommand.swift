import BoneConformance
import Foundation

/// `bone conformance`: drives a testee through the vectors and reports, per
/// requirement, what it got right (`Spec/TESTEE.md`).
struct ConformanceCommand: Command {
  static let name = "conformance"
  static let abstract = "Run a testee (default: this project's fast implementation) through the golden vectors."
  static let usage = """
    bone conformance [--testee CMD] [--vectors DIR] [--filter TEXT] [--failure-list FILE]
                     [--report-json FILE] [--junit FILE] [--timeout SECONDS]
      --testee        a shell command that speaks bone-testee/1 (default: bone testee --impl fast)
      --vectors       the vector directory (default Vectors)
      --filter        run only cases whose id (file#tcId) contains TEXT
      --failure-list  cases expected to fail; unexpected passes and stale entries fail the run
      --report-json   write every case's verdict as JSON
      --junit         write a JUnit XML report
      --timeout       seconds per case (default 30); a hung testee is restarted
    Exit status 0 only when every case passes or is an expected failure.
    """

  let testee: String
  let vectors: String
  let filter: String?
  let failureListPath: String?
  let reportJSON: String?
  let junit: String?
  let timeout: Double

  init(arguments: [String]) throws(UsageError) {
    let parsed = try ParsedArguments(arguments, options: ["testee", "vectors", "filter", "failure-list", "report-json", "junit", "timeout"])
    guard parsed.positional.isEmpty else { throw UsageError("unexpected argument \(parsed.positional[0])") }
    let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    testee = parsed.options["testee"]?.first ?? "'\(executable)' testee --impl fast"
    vectors = parsed.options["vectors"]?.first ?? "Vectors"
    filter = parsed.options["filter"]?.first
    failureListPath = parsed.options["failure-list"]?.first
    reportJSON = parsed.options["report-json"]?.first
    junit = parsed.options["junit"]?.first
    if let text = parsed.options["timeout"]?.first {
      guard let value = Double(text), value > 0 else { throw UsageError("--timeout needs a positive number of seconds, not \(text)") }
      timeout = value
    } else {
      timeout = 30
    }
  }

  func run() throws -> Int32 {
    let names = try FileManager.default.contentsOfDirectory(atPath: vectors).filter { $0.hasSuffix("_v1.json") }.sorted()
    let files = try names.map { name in
      (name, try VectorSuite.decode(try Data(contentsOf: URL(fileURLWithPath: vectors).appendingPathComponent(name)), name: "\(vectors)/\(name)"))
    }
    let list: FailureList
    if let failureListPath {
      guard let text = try? String(contentsOfFile: failureListPath, encoding: .utf8) else {
        throw BenchError("cannot read the failure list \(failureListPath)")
      }
      list = FailureList(text: text)
    } else {
      list = FailureList()
    }
    let runner = ConformanceRunner(command: testee, timeout: timeout) { line in
      FileHandle.standardError.write(Data((line + "\n").utf8))
    }
    let verdicts = try runner.run(files, filter: filter)
    let judgement = list.judge(verdicts, complete: filter == nil)
    let expected = Set(judgement.expectedFailures)

    print("testee: \(runner.testeeName) (\(testee))")
    for verdict in verdicts where !["passed", "skipped"].contains(verdict.status) && !expected.contains(verdict.id) {
      print("UNEXPECTED \(verdict.status.uppercased()) \(verdict.id) [\(verdict.requirements.joined(separator: " "))]")
      for detail in verdict.details.prefix(8) { print("  \(detail)") }
      if verdict.details.count > 8 { print("  … \(verdict.details.count - 8) more") }
    }
    for id in judgement.unexpectedPasses { print("UNEXPECTED PASS \(id): listed in the failure list but passed") }
    for id in judgement.staleEntries { print("STALE \(id): listed in the failure list but no such case ran") }
    print("")
    print(ConformanceReport.requirementTable(verdicts, expected: expected))
    print("")
    if let reportJSON { try ConformanceReport.json(verdicts, testee: runner.testeeName).write(to: URL(fileURLWithPath: reportJSON)) }
    if let junit { try ConformanceReport.junit(verdicts, expected: expected).write(toFile: junit, atomically: true, encoding: .utf8) }
    if !judgement.succeeded {
      let target = failureListPath ?? "failure_list.txt"
      try list.updated(with: verdicts).write(toFile: target + ".new", atomically: true, encoding: .utf8)
      print("The failure list is out of date. To accept this run's failures: mv \(target).new \(target)")
    }
    for id in judgement.hostDependentPasses { print("passed (host-dependent, marked ? in the failure list): \(id)") }
    print("\(judgement.expectedFailures.count) expected failures, \(judgement.unexpectedPasses.count) unexpected passes, \(judgement.staleEntries.count) stale entries" + (judgement.hostDependentPasses.isEmpty ? "" : ", \(judgement.hostDependentPasses.count) host-dependent passes"))
    let failed = judgement.unexpectedFailures.count + judgement.unexpectedPasses.count + judgement.staleEntries.count
    print("conformance: \(judgement.passed.count + judgement.hostDependentPasses.count) passed, \(failed) failed, \(judgement.skipped.count) skipped")
    return judgement.succeeded ? 0 : 1
  }
}
