import BoneTestSupport
import Testing

/// `forAll` turns a failure into one Swift Testing issue that carries what a
/// person needs: seed, shrunk counterexample, failure message, replay token.
@Suite struct ForAllReportTests {
  @Test func failureIsRecordedWithSeedCounterexampleAndReplayToken() {
    withKnownIssue {
      forAll(Gen<Int>.integer(in: 0...1_000_000), cases: 300, name: "report example") { x in
        try require(x < 1000, "\(x) is too large")
      }
    } matching: { issue in
      let text = issue.comments.map(\.rawValue).joined(separator: "\n")
      return text.contains("BONE_PROPERTY_SEED=0x") && text.contains("\n  1000\n")
        && text.contains("Failure: 1000 is too large") && text.contains("BONE_PROPERTY_REPLAY='")
        && text.contains("report example")
    }
  }

  @Test func passingPropertyRecordsNothing() {
    // Any issue recorded here fails this test.
    forAll(Gen<Int>.integer(in: 0...10), cases: 50) { x in
      try require(x <= 10, "out of range")
    }
  }

  @Test func unhealthyGeneratorIsRecordedAsAnIssue() {
    withKnownIssue {
      forAll(Gen<Int>.integer(in: 0...3).filter(attempts: 5) { $0 > 3 }, cases: 5) { _ in }
    } matching: { issue in
      issue.comments.map(\.rawValue).joined().contains("was not tested")
    }
  }
}
