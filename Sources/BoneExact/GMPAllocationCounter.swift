import CGMP
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Counts GMP's heap allocations, so that a test can prove every GMP object is
/// freed (`EXACT-RATIONAL-4`).
///
/// `install()` replaces GMP's memory functions for the whole process with
/// counting wrappers around `malloc`, `realloc` and `free`. It is meant for a
/// test that runs in a process of its own (a Swift Testing exit test), before
/// it creates any GMP object; the counters are process-wide atomics.
public enum GMPAllocationCounter {
  /// A reading of the counters.
  public struct Snapshot: Sendable, Hashable {
    /// Blocks allocated since `install()`.
    public var allocations: Int
    /// Blocks freed since `install()`.
    public var frees: Int
    /// `allocations − frees`: blocks still alive.
    public var live: Int { allocations - frees }
  }

  /// Routes GMP's allocations through the counters. Idempotent.
  public static func install() {
    cgmp_set_memory_functions(countingAlloc, countingRealloc, countingFree)
  }

  /// The counters now.
  public static var snapshot: Snapshot {
    Snapshot(allocations: allocationCount.load(ordering: .relaxed), frees: freeCount.load(ordering: .relaxed))
  }
}

private let allocationCount = Atomic<Int>(0)
private let freeCount = Atomic<Int>(0)

private func countingAlloc(_ size: Int) -> UnsafeMutableRawPointer? {
  allocationCount.add(1, ordering: .relaxed)
  return malloc(size)
}

private func countingRealloc(_ pointer: UnsafeMutableRawPointer?, _: Int, _ newSize: Int) -> UnsafeMutableRawPointer? {
  realloc(pointer, newSize)
}

private func countingFree(_ pointer: UnsafeMutableRawPointer?, _: Int) {
  freeCount.add(1, ordering: .relaxed)
  free(pointer)
}
