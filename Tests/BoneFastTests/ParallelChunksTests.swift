import BoneTestSupport
import Synchronization
import Testing

@testable import BoneKernels

/// `parallelChunks`, which splits every threaded kernel over cores: whatever
/// the timing, each item runs exactly once, in ranges that tile `0..<count`
/// without overlap, all before the call returns — also when several calls
/// run at once from different threads, more than there are cores (as the
/// tests themselves run), and when a range calls it again.
@Suite struct ParallelChunksTests {
  /// Runs `parallelChunks` and checks the ranges it handed out, as they
  /// stand when the call returns: a range run later would be missing.
  static func checkOneCall(count: Int, cost: Int) throws(PropertyFailure) {
    let ranges = Mutex<[Range<Int>]>([])
    parallelChunks(count, costPerItem: cost) { range in
      // Some work first (a fraction of a microsecond per item), so that the threads
      // overlap and a range that ran late would miss the list.
      var work = UInt64(range.lowerBound)
      for step in 0..<UInt64(range.count * 100) { work = work &* 6_364_136_223_846_793_005 &+ step }
      ranges.withLock { $0.append(range.lowerBound + Int(work & 0)..<range.upperBound) }
    }
    let sorted = ranges.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
    var end = 0
    for range in sorted {
      try require(
        !range.isEmpty && range.lowerBound == end,
        "count \(count), cost \(cost): the ranges run by the time the call returned, \(sorted), do not tile 0..<\(count)")
      end = range.upperBound
    }
    try require(
      end == count, "count \(count), cost \(cost): the ranges run by the time the call returned, \(sorted), do not tile 0..<\(count)")
  }

  /// Counts from 0 to large, costs from too small to split to large.
  static func calls() -> Gen<(Int, Int)> {
    Gen.integer(in: 0...3000).zip(Gen.element(of: [1, 13, 1 << 10, 1 << 16, 1 << 20]))
  }

  @Test func everyItemRunsExactlyOnceBeforeTheCallReturns() {
    forAll(Self.calls(), cases: 300, name: "parallelChunks runs every item once") { (count, cost) throws(PropertyFailure) in
      try Self.checkOneCall(count: count, cost: cost)
    }
  }

  @Test func concurrentCallsEachRunEveryItemOnce() async {
    await withTaskGroup(of: Void.self) { group in
      for task in 0..<6 {
        group.addTask {
          forAll(Self.calls(), cases: 40, name: "parallelChunks from task \(task) of 6 at once") { (count, cost) throws(PropertyFailure) in
            try Self.checkOneCall(count: count, cost: cost)
          }
        }
      }
    }
  }

  @Test func nestedCallsRunEveryItemOnce() {
    let visits = Mutex<[Int]>([Int](repeating: 0, count: 64 * 300))
    parallelChunks(64, costPerItem: 1 << 20) { outer in
      for row in outer {
        parallelChunks(300, costPerItem: 1 << 12) { inner in
          visits.withLock { counts in for column in inner { counts[row * 300 + column] += 1 } }
        }
      }
    }
    let counts = visits.withLock { $0 }
    let wrong = counts.indices.filter { counts[$0] != 1 }
    #expect(wrong.isEmpty, "items run other than once: \(wrong.prefix(10).map { "\($0): \(counts[$0]) times" })")
  }
}
