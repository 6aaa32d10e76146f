import Dispatch

/// Runs `body` over `0..<count` split into contiguous chunks, on all cores
/// when the work (`count × costPerItem`) is large enough to pay for threads.
@inlinable
func parallelChunks(_ count: Int, costPerItem: Int, _ body: (Range<Int>) -> Void) {
  let work = count * max(1, costPerItem)
  let chunks = work < 1 << 16 ? 1 : min(count, 4 * activeProcessorCount)
  guard chunks > 1 else {
    body(0..<count)
    return
  }
  withoutActuallyEscaping(body) { body in
    let shared = UnsafeSendableBox(body)
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
      let start = count * chunk / chunks
      let end = count * (chunk + 1) / chunks
      if start < end { shared.value(start..<end) }
    }
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

#if canImport(Glibc)
  import Glibc
#endif
