import Dispatch
import Foundation

/// The memory bandwidths `bone bench` holds the kernels to, each measured
/// within a working set of the size the kernel touches (so that both work
/// in the same level of the memory hierarchy), on all cores, one contiguous
/// share per core as the kernels split their work.
enum MemoryBandwidth {
  /// The copy bandwidth within `bytes`: memcpy of one half of a buffer of
  /// that size onto the other, median of five, counting bytes read plus
  /// written (an in-place merge of a weight of `bytes` touches the same
  /// amount of memory).
  static func copy(bytes count: Int) -> Double {
    let half = count / 2
    let seconds = timed(bytes: count, runs: 5) { buffer, share, _ in
      (buffer + half + share.lowerBound).copyMemory(from: buffer + share.lowerBound, byteCount: share.count)
    } shares: { half }
    return 2 * Double(half) / seconds
  }

  /// The read bandwidth within `bytes`: memcmp of the two equal halves of
  /// a buffer of that size (which reads both to the end, with the C
  /// library's widest loads, as memcpy copies), median of fifteen (a
  /// forward of one sample reads its weight once and nothing else of that
  /// size). A loop of 16-byte loads reads about a third slower on the
  /// machines measured so far, so it would flatter the kernels.
  static func read(bytes count: Int) -> Double {
    let half = count / 2
    let results = UnsafeMutablePointer<Int32>.allocate(capacity: ProcessInfo.processInfo.activeProcessorCount)
    defer { results.deallocate() }
    let sink = UnsafeSendable(results)
    let seconds = timed(bytes: count, runs: 15) { buffer, share, core in
      // Kept, so that the comparison is not optimised away.
      sink.value[core] = memcmp(buffer + share.lowerBound, buffer + half + share.lowerBound, share.count)
    } shares: { half }
    return Double(2 * half) / seconds
  }

  /// The median time of `runs` passes of `body` over a buffer of `bytes`
  /// (filled once first), each pass splitting `0 ..< units()` into one
  /// contiguous share per core (`body` gets the buffer, the share and the core).
  private static func timed(
    bytes count: Int, runs: Int, _ body: (UnsafeMutableRawPointer, Range<Int>, Int) -> Void, shares units: () -> Int
  ) -> Double {
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 64)
    defer { buffer.deallocate() }
    memset(buffer, 1, count)
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let total = units()
    let shared = UnsafeSendable(buffer)
    var seconds: [Double] = []
    withoutActuallyEscaping(body) { body in
      let work = UnsafeSendable(body)
      for _ in 0..<runs {
        let start = ContinuousClock.now
        DispatchQueue.concurrentPerform(iterations: cores) { core in
          work.value(shared.value, total * core / cores ..< total * (core + 1) / cores, core)
        }
        seconds.append((ContinuousClock.now - start).seconds)
      }
    }
    return median(seconds)
  }
}

/// A value handed to the measuring threads, each of which touches its own share.
private struct UnsafeSendable<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}
