import BoneConformance
import Foundation
import Testing

/// The runner end to end through real processes: this project's testee, the
/// example testee, and a deliberately broken one (`Tests/Interop/fixtures`).
@Suite(.serialized) struct ConformanceRunnerTests {
  static let root = VectorTests.root
  static var bone: String { root.appendingPathComponent(".build/debug/bone").path }

  static func files() throws -> [(String, VectorFile)] { try VectorTests.files() }

  func requireBone() throws {
    try #require(FileManager.default.isExecutableFile(atPath: Self.bone), "build the bone tool first (swift build)")
  }

  @Test func fastTesteePassesEveryCPUCaseThroughTheProtocol() throws {
    try requireBone()
    let runner = ConformanceRunner(command: "'\(Self.bone)' testee --impl fast", timeout: 60)
    let files = try Self.files()
    let groups = files.flatMap(\.1.testGroups).filter { $0.policy != nil }
    let cpuCases = groups.filter { $0.policy == "cpu" }.map(\.tests.count).reduce(0, +)
    let nativeCases = groups.filter { $0.policy == "native" }.map(\.tests.count).reduce(0, +)
    let verdicts = try runner.run(files)
    #expect(cpuCases > 0 && nativeCases > 0)
    #expect(verdicts.filter { $0.status == "passed" }.count == cpuCases)
    #expect(verdicts.filter { $0.status == "skipped" }.count == nativeCases, "native-policy cases")
    #expect(verdicts.allSatisfy { ["passed", "skipped"].contains($0.status) }, "\(verdicts.filter { $0.status != "passed" && $0.status != "skipped" }.prefix(3))")
  }

  @Test func brokenTesteeIsCaughtAndTheRunGoesOn() throws {
    try requireBone()
    let environment = "CRASH=1 HANG=2 JUNK=3 WRONG=5 BADHEX=6"
    let command = "\(environment) python3 '\(Self.root.appendingPathComponent("Tests/Interop/fixtures/broken_testee.py").path)' '\(Self.bone)' testee --impl fast"
    var progress: [String] = []
    let runner = ConformanceRunner(command: command, timeout: 3) { progress.append($0) }
    let verdicts = try runner.run(Self.files(), filter: "layer_bone_v1.json#")
    func status(_ tc: Int) -> String? { verdicts.first { $0.id == "layer_bone_v1.json#\(tc)" }?.status }
    #expect(status(1) == "crashed")
    #expect(status(2) == "timeout")
    #expect(status(3) == "junk")
    #expect(status(4) == "passed", "the case after three restarts runs on a fresh testee")
    #expect(status(5) == "failed")
    let wrong = try #require(verdicts.first { $0.id == "layer_bone_v1.json#5" })
    #expect(wrong.details.contains { $0.contains("[0, 0]") && $0.contains("1 ulp") && $0.contains("expected bits") })
    let badHex = try #require(verdicts.first { $0.id == "layer_bone_v1.json#6" })
    #expect(badHex.status == "failed" && badHex.details.contains { $0.contains("step") && $0.contains("\"zz\"") && $0.contains("[0, 0]") })
    let boneCases = try Self.files().first { $0.0 == "layer_bone_v1.json" }?.1.numberOfTests
    #expect(verdicts.count == boneCases, "nothing lost")
    #expect(progress.contains { $0.contains("restarting the testee") })
  }

  @Test func failureListsJudgeUnexpectedPassesStaleAndHostDependentEntries() {
    let verdicts = [
      CaseVerdict(id: "f#1", requirements: ["A-B-1"], status: "passed", details: []),
      CaseVerdict(id: "f#2", requirements: ["A-B-1"], status: "failed", details: ["step 0: differs"]),
      CaseVerdict(id: "f#3", requirements: ["A-B-2"], status: "crashed", details: ["the testee exited"]),
      CaseVerdict(id: "f#4", requirements: ["A-B-2"], status: "skipped", details: []),
    ]
    let list = FailureList(text: "# known\nf#2  # rounds the delta twice\nf#1\nf#9 # gone\n\n")
    let judgement = list.judge(verdicts, complete: true)
    #expect(judgement.expectedFailures == ["f#2"])
    #expect(judgement.unexpectedFailures == ["f#3"])
    #expect(judgement.unexpectedPasses == ["f#1"])
    #expect(judgement.staleEntries == ["f#9"])
    #expect(judgement.skipped == ["f#4"] && !judgement.succeeded)
    #expect(list.judge(verdicts, complete: false).staleEntries.isEmpty, "a filtered run cannot know what is stale")
    #expect(list.updated(with: verdicts) == "f#2  # rounds the delta twice\nf#3  # the testee exited\n")
    let clean = FailureList(text: "f#2\nf#3\n").judge(verdicts, complete: true)
    #expect(clean.succeeded)
    // An entry marked `?` (host-dependent) may pass or fail; it is kept when the list is renewed.
    let hostDependent = FailureList(text: "f#1 ?  # pivot depends on the host\nf#2 ?\nf#3\n")
    let either = hostDependent.judge(verdicts, complete: true)
    #expect(either.succeeded && either.hostDependentPasses == ["f#1"] && either.expectedFailures == ["f#2", "f#3"])
    #expect(hostDependent.updated(with: verdicts) == "f#1 ?  # pivot depends on the host\nf#2 ?  # step 0: differs\nf#3  # the testee exited\n")
    let junit = ConformanceReport.junit(verdicts, expected: ["f#2"])
    #expect(junit.contains("tests=\"4\" failures=\"1\"") && junit.contains("name=\"f#3\""))
    #expect(ConformanceReport.requirementTable(verdicts, expected: ["f#2"]).contains("| A-B-1 | 1 | 0 | 1 |"))
  }

  @Test func testeeThatCannotStartIsAClearError() {
    let runner = ConformanceRunner(command: "exit 7", timeout: 2)
    #expect(throws: VectorInputError.self) { try runner.run([]) }
    let liar = ConformanceRunner(command: "echo not-a-hello; sleep 5", timeout: 2)
    do {
      _ = try liar.run([])
      Issue.record("a testee with a bad handshake was accepted")
    } catch {
      #expect("\(error)".contains("not-a-hello"))
    }
  }

  @Test func exampleTesteePassesWhatItSupports() throws {
    let command = "python3 '\(Self.root.appendingPathComponent("Tests/Interop/example/testee.py").path)'"
    let verdicts = try ConformanceRunner(command: command, timeout: 20).run(Self.files())
    #expect(verdicts.filter { $0.status == "passed" }.count >= 5)
    #expect(verdicts.allSatisfy { ["passed", "skipped"].contains($0.status) })
  }
}
