import BoneExact
import BoneNumerics
import Dispatch
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// No leaks and no races (`EXACT-RATIONAL-4`).
@Suite struct RationalResourceTests {
  /// Exercises every path that allocates GMP memory, including the error
  /// paths, and returns a checksum so that nothing is optimised away.
  static func workload() -> Int {
    var checksum = 0
    var accumulator = Rational.zero
    for i in 1...300 {
      let a = Rational(integerWords: [UInt64(i) &* 0x9E37_79B9_7F4A_7C15, UInt64(i)], negative: i % 2 == 0)
      let b = (try? Rational(numerator: i, denominator: 7)) ?? .one
      accumulator = accumulator + a * b - (try! (a / b)).scaled(byPowerOfTwo: -i)
      checksum &+= accumulator.hashValue & 1
      checksum &+= accumulator.description.count
      checksum &+= Int(accumulator.roundedBits(to: .float64) & 1)
      checksum &+= Int(accumulator.roundedBits(to: .bfloat16) & 1)
      checksum &+= (try? Rational(parsing: "\(i).25e-\(i)"))?.signum ?? 0
      checksum &+= (try? Rational(parsing: "\(i)/0")) == nil ? 1 : 0
      checksum &+= (try? Rational(parsing: "\(i)e--1")) == nil ? 1 : 0
      checksum &+= (try? a / .zero) == nil ? 1 : 0
      checksum &+= (try? Rational(bits: 0x7F80, dtype: .bfloat16)) == nil ? 1 : 0
      checksum &+= (try? Rational(exactly: Double(i) / 3))?.signum ?? 0
      var sum = ExactAccumulator()
      sum.addProduct(a, b)
      sum.add(accumulator.scaled(byPowerOfTwo: i))
      sum.addProduct(a, a.scaled(byPowerOfTwo: -i))
      checksum &+= sum.value.signum
    }
    return checksum
  }

  @Test func everyGMPAllocationIsFreed() async throws {
    // In a process of its own, so that no other test allocates meanwhile.
    let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
      GMPAllocationCounter.install()
      // The shared constants live for the whole process; create them first.
      _ = (Rational.zero, Rational.one)
      let before = GMPAllocationCounter.snapshot
      let checksum = RationalResourceTests.workload()
      let after = GMPAllocationCounter.snapshot
      print("allocated \(after.allocations - before.allocations) leaked \(after.live - before.live) checksum \(checksum)")
    }
    let output = String(decoding: try #require(result).standardOutputContent, as: UTF8.self)
    let words = output.split(whereSeparator: \.isWhitespace)
    let allocated = try #require(words.count >= 4 ? Int(words[1]) : nil, "unreadable report: \(output)")
    let leaked = try #require(Int(words[3]), "unreadable report: \(output)")
    #expect(leaked == 0, "GMP blocks not freed: \(output)")
    #expect(allocated > 1000, "the hook saw too few allocations to mean anything: \(output)")
  }

  @Test func counterSeesALeakedRational() async {
    // The negative control: a Rational kept alive on purpose must show up.
    await #expect(processExitsWith: .success) {
      final class Box {
        let value: Rational
        init(_ value: Rational) { self.value = value }
      }
      GMPAllocationCounter.install()
      let before = GMPAllocationCounter.snapshot
      _ = Unmanaged.passRetained(Box(Rational(integerWords: [1, 2, 3])))
      let after = GMPAllocationCounter.snapshot
      exit(after.live - before.live >= 1 ? 0 : 1)
    }
  }

  @Test func sharedRationalsGiveTheSameResultsOnManyThreadsAtOnce() {
    let shared = Self.sharedValues()
    @Sendable func work(_ thread: Int) -> [String] {
      var results: [String] = []
      for step in 0..<200 {
        let a = shared[(thread + step) % shared.count]
        let b = shared[(thread * 7 + step * 3) % shared.count]
        var copy = a
        copy += b
        copy *= b
        results.append("\(copy) \(a < b) \(a.roundedBits(to: .float32)) \(a.hashValue == b.hashValue)")
      }
      return results
    }
    let threads = 8
    let expected = (0..<threads).map(work)
    let results = ThreadResults(count: threads)
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
      results.set(thread, work(thread))
    }
    for thread in 0..<threads {
      #expect(results.get(thread) == expected[thread], "thread \(thread)")
    }
    // The shared values themselves were never changed.
    let fresh = Self.sharedValues()
    #expect(shared == fresh)
  }

  static func sharedValues() -> [Rational] {
    (1...64).map { Rational(integerWords: [UInt64($0) * 1_000_003, UInt64($0)], negative: $0 % 3 == 0) }
  }
}

/// Per-thread result slots behind a lock.
final class ThreadResults: @unchecked Sendable {
  private var slots: [[String]]
  private let lock = NSLockLike()

  init(count: Int) { slots = Array(repeating: [], count: count) }

  func set(_ index: Int, _ value: [String]) { lock.withLock { slots[index] = value } }

  func get(_ index: Int) -> [String] { lock.withLock { slots[index] } }
}

/// A pthread mutex, to keep Foundation out of the test target.
final class NSLockLike: @unchecked Sendable {
  private var mutex = pthread_mutex_t()
  init() { pthread_mutex_init(&mutex, nil) }
  deinit { pthread_mutex_destroy(&mutex) }
  func withLock<T>(_ body: () -> T) -> T {
    pthread_mutex_lock(&mutex)
    defer { pthread_mutex_unlock(&mutex) }
    return body()
  }
}
