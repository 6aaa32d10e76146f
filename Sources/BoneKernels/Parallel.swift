import Dispatch
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Runs `body` over `0..<count` split into contiguous ranges, on all cores
/// when the work (`count × costPerItem`) is large enough to pay for threads.
/// Returns when every item has run; `body` sees each item exactly once, in
/// nonempty ranges, and never runs after this returns. The ranges depend on
/// timing: callers must give results that do not depend on where ranges
/// begin and end.
@inlinable
func parallelChunks(_ count: Int, costPerItem: Int, _ body: (Range<Int>) -> Void) {
  let cost = max(1, costPerItem)
  guard count > 0 else { return }
  guard count > 1, count * cost >= 1 << 16, activeProcessorCount > 1 else {
    body(0..<count)
    return
  }
  withoutActuallyEscaping(body) { body in
    ChunkedJob(count: count, smallest: max(1, (1 << 16) / cost), body: body).run()
  }
}

/// One call of `parallelChunks`: the caller and `activeProcessorCount − 1`
/// Dispatch workers claim ranges from a shared counter until none is left,
/// each claim a share of what is left (as OpenMP's guided schedule: large
/// ranges first, small ones at the end, so that the threads finish close
/// together); then the caller waits, spinning, for ranges others still run.
///
/// The caller spins rather than sleeps (as `DispatchQueue.concurrentPerform`
/// does) because waking a sleeping thread costs tens of microseconds on a
/// virtual machine, a few percent of a forward of one sample at the read
/// bandwidth; the spin lasts at most one range's time, and yields the core
/// now and then in case the thread it waits for needs it.
@usableFromInline
final class ChunkedJob: @unchecked Sendable {
  /// The items, `0..<count`.
  let count: Int
  /// The fewest items a claim takes (unless fewer are left).
  let smallest: Int
  /// The threads that claim ranges: the caller and `threads − 1` workers.
  let threads: Int
  /// The work; dropped before `run` returns (a worker only reads it after
  /// claiming a range, and `run` returns only after every claimed range ran).
  var body: ((Range<Int>) -> Void)?
  /// The first item not yet claimed.
  let next = Atomic<Int>(0)
  /// How many items have run.
  let finished = Atomic<Int>(0)

  @usableFromInline
  init(count: Int, smallest: Int, body: @escaping (Range<Int>) -> Void) {
    self.count = count
    self.smallest = smallest
    self.threads = min(activeProcessorCount, count)
    self.body = body
  }

  /// Runs every item: starts the workers, claims ranges on the calling
  /// thread, then waits for the ranges the workers claimed.
  @usableFromInline
  func run() {
    for _ in 1..<threads {
      DispatchQueue.global().async { self.claimRanges() }
    }
    claimRanges()
    var spins = 0
    while finished.load(ordering: .acquiring) < count {
      spins += 1
      if spins & 1023 == 0 { yieldCore() }
    }
    body = nil
  }

  /// Runs ranges until none is left to claim.
  func claimRanges() {
    var start = next.load(ordering: .relaxed)
    while start < count {
      let end = min(count, start + max(smallest, (count - start) / (2 * threads)))
      let (exchanged, original) = next.compareExchange(expected: start, desired: end, ordering: .relaxed)
      guard exchanged else {
        start = original
        continue
      }
      runRange(start..<end)
      finished.wrappingAdd(end - start, ordering: .releasing)
      start = next.load(ordering: .relaxed)
    }
  }

  /// Runs one claimed range. Not inlined, so that this thread's reference
  /// to `body` is gone before the range is counted as finished (after which
  /// `run` may drop `body` and return).
  @inline(never)
  func runRange(_ range: Range<Int>) {
    body?(range)
  }

  /// Lets another thread have this core.
  func yieldCore() {
    #if canImport(Glibc)
      sched_yield()
    #endif
  }
}

/// The number of cores Dispatch may use.
@usableFromInline
let activeProcessorCount: Int = {
  #if canImport(Glibc)
    return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
  #else
    return 2
  #endif
}()

/// Hands a closure to Dispatch's workers. The kernels give every worker a
/// disjoint range of rows to write, which is what makes this sound.
@usableFromInline
struct UnsafeSendableBox<T>: @unchecked Sendable {
  @usableFromInline let value: T
  @inlinable init(_ value: T) { self.value = value }
}
