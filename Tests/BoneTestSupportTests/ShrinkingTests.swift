import BoneNumerics
import BoneTestSupport
import Testing

/// The harness must find failures and shrink them to the simplest case.
@Suite struct ShrinkingTests {
  /// A runner with fixed settings, independent of the environment.
  let runner = PropertyRunner(settings: PropertySettings(seed: 12345))

  @Test func integerAtLeastThousandShrinksToExactlyThousand() throws {
    for range in [0...1_000_000, -1_000_000...1_000_000, 7...Int.max, Int.min...Int.max] {
      let outcome = runner.run(Gen<Int>.integer(in: range), name: "threshold \(range)", cases: 500) { x in
        try require(x < 1000, "\(x) ≥ 1000")
      }
      guard case .failed(let example) = outcome else {
        Issue.record("expected a failure over \(range), got \(outcome)")
        continue
      }
      #expect(example.value == "1000", "range \(range)")
    }
  }

  @Test func matrixWithNegativeEntryShrinksToOneByOneMinusOne() throws {
    let generator = Gen<Matrix<Int>>.matrix(rows: 1...8, columns: 1...8, element: .integer(in: -100...100))
    for seed: UInt64 in [1, 2, 3, 4, 5] {
      let runner = PropertyRunner(settings: PropertySettings(seed: seed))
      let outcome = runner.run(generator, name: "no negatives", cases: 500) { matrix in
        try require(!matrix.elements.contains { $0 < 0 }, "negative entry in \(matrix)")
      }
      guard case .failed(let example) = outcome else {
        Issue.record("expected a failure with seed \(seed), got \(outcome)")
        continue
      }
      #expect(example.value == "[[-1]]", "seed \(seed), first found \(example.originalValue)")
    }
  }

  @Test func shrunkCounterexampleStillFails() {
    // A property with an irregular failure set: the shrinker may only ever
    // report a value on which the property fails.
    let generator = Gen<Int>.integer(in: -50...50).array(count: 0...20)
    let property: ([Int]) throws -> Void = { values in
      try require(values.reduce(0, +) % 7 != 3 || values.count < 2, "sum ≡ 3 mod 7")
    }
    let outcome = runner.run(generator, name: "sum mod 7", cases: 500, property: property)
    guard case .failed(let example) = outcome else {
      Issue.record("expected a failure, got \(outcome)")
      return
    }
    var source = ChoiceSource(replaying: example.choices)
    let values = (try? generator.generate(&source)) ?? []
    #expect(throws: PropertyFailure.self) { try property(values) }
    #expect(example.choices.count <= example.originalChoiceCount)
  }

  @Test func replayTokenReproducesTheShrunkCounterexample() throws {
    let generator = Gen<Int>.integer(in: 0...100_000)
    let property: (Int) throws -> Void = { try require($0 % 1000 != 999, "\($0) ends in 999") }
    let outcome = runner.run(generator, name: "ends in 999", cases: 2000, property: property)
    guard case .failed(let example) = outcome else {
      Issue.record("expected a failure, got \(outcome)")
      return
    }
    #expect(example.value == "999")
    let token = try #require(ReplayToken(example.replay.description))
    #expect(token == example.replay)
    let replaying = PropertyRunner(settings: PropertySettings(seed: 999, replay: token))
    var runs = 0
    let replayed = replaying.run(generator, name: "ends in 999", cases: 2000) { x in
      runs += 1
      try property(x)
    }
    guard case .failed(let again) = replayed else {
      Issue.record("the replay did not fail: \(replayed)")
      return
    }
    #expect(again.value == example.value)
    // One run to reproduce, a few more for the shrinker to confirm nothing simpler fails.
    #expect(runs < 100)
  }

  @Test func replayTokenForAnotherPropertyIsIgnored() {
    let token = ReplayToken(propertyName: "some other property", choices: [5])
    let runner = PropertyRunner(settings: PropertySettings(replay: token))
    let outcome = runner.run(Gen<Int>.integer(in: 0...10), name: "this property", cases: 30) { _ in }
    guard case .passed(let cases) = outcome else {
      Issue.record("expected a pass, got \(outcome)")
      return
    }
    #expect(cases == 30)
  }

  @Test func sameSeedGivesSameCasesAndDifferentSeedsDiffer() {
    func values(seed: UInt64) -> [Int] {
      var seen: [Int] = []
      _ = PropertyRunner(settings: PropertySettings(seed: seed))
        .run(Gen<Int>.integer(in: -1000...1000), name: "record", cases: 50) { seen.append($0) }
      return seen
    }
    #expect(values(seed: 7) == values(seed: 7))
    #expect(values(seed: 7) != values(seed: 8))
    #expect(values(seed: 7).first == 0, "case 0 is the simplest value")
  }

  @Test func casesOverrideSetsTheNumberOfCases() {
    var count = 0
    let outcome = PropertyRunner(settings: PropertySettings(casesOverride: 17))
      .run(Gen<Int>.integer(in: 0...9), name: "count", cases: 500) { _ in count += 1 }
    guard case .passed(let cases) = outcome else {
      Issue.record("expected a pass, got \(outcome)")
      return
    }
    #expect(cases == 17 && count == 17)
  }

  @Test func filterThatRejectsEverythingIsUnhealthyNotAPass() {
    let generator = Gen<Int>.integer(in: 0...10).filter { $0 > 10 }
    let outcome = runner.run(generator, name: "impossible filter", cases: 10) { _ in }
    guard case .unhealthy(let reason) = outcome else {
      Issue.record("expected an unhealthy outcome, got \(outcome)")
      return
    }
    #expect(reason.contains("rejected"))
  }

  @Test func nondeterministicPropertyIsReportedAsSuch() {
    var calls = 0
    let outcome = runner.run(Gen<Int>.integer(in: 0...10), name: "flaky", cases: 10) { _ in
      calls += 1
      try require(calls != 3, "third call fails")
    }
    guard case .unhealthy(let reason) = outcome else {
      Issue.record("expected an unhealthy outcome, got \(outcome)")
      return
    }
    #expect(reason.contains("not deterministic"))
  }
}
