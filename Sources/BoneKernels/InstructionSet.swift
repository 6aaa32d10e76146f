import CBoneCPU

/// The instructions one compiled copy of the kernels may use.
///
/// `FastKernels` is generic over it, so that each copy is a distinct
/// specialisation: the portable copy in this module, built for the
/// architecture's baseline, and the AVX2 copy in `BoneKernelsAVX2`, built for
/// processors with AVX2, FMA and F16C. The arithmetic is the same in both
/// (`DTYPE-CPU-1`, `DTYPE-CPU-2`); a fused multiply-add rounds once where the
/// portable copy rounds twice, which the bounds of `TOL-MODEL-1` allow (at most N roundings, in any order).
public protocol InstructionSet {
  /// Eight consecutive stored values, widened exactly to the arithmetic type.
  static func load8<S: FastStorage>(_ pointer: UnsafePointer<S>) -> SIMD8<S.Compute>

  /// Eight values rounded to the storage type (nearest, ties to even) and stored.
  static func store8<S: FastStorage>(_ values: SIMD8<S.Compute>, _ pointer: UnsafeMutablePointer<S>)

  /// `accumulator + a·b`, lane by lane, with one or two roundings.
  static func multiplyAdd<C: SIMDScalar & BinaryFloatingPoint>(
    _ accumulator: SIMD8<C>, _ a: SIMD8<C>, _ b: SIMD8<C>
  ) -> SIMD8<C>
}

/// The instructions every processor of the architecture has: conversions by
/// integer SIMD, multiply and add rounded separately.
public enum PortableInstructions: InstructionSet {
  /// The storage type's own widening.
  @inlinable @inline(__always)
  public static func load8<S: FastStorage>(_ pointer: UnsafePointer<S>) -> SIMD8<S.Compute> {
    S.load8(pointer)
  }

  /// The storage type's own narrowing.
  @inlinable @inline(__always)
  public static func store8<S: FastStorage>(_ values: SIMD8<S.Compute>, _ pointer: UnsafeMutablePointer<S>) {
    S.store8(values, pointer)
  }

  /// `accumulator + a·b`, rounded twice (a fused operation would be a library
  /// call per lane without hardware FMA).
  @inlinable @inline(__always)
  public static func multiplyAdd<C: SIMDScalar & BinaryFloatingPoint>(
    _ accumulator: SIMD8<C>, _ a: SIMD8<C>, _ b: SIMD8<C>
  ) -> SIMD8<C> {
    accumulator + a * b
  }
}

/// Which compiled copy of the kernels a fast backend runs.
public enum FastInstructions: String, Sendable, CaseIterable, CustomStringConvertible {
  /// The architecture's baseline (on x86-64: SSE2).
  case portable
  /// AVX2, FMA and F16C (x86-64 processors since 2013–2015).
  case avx2

  /// True when the running processor and operating system support this copy.
  public var isSupported: Bool {
    switch self {
    case .portable: return true
    case .avx2: return Self.processorHasAVX2
    }
  }

  /// The fastest supported copy.
  public static var best: FastInstructions { processorHasAVX2 ? .avx2 : .portable }

  /// The name used on the command line and in reports.
  public var description: String { rawValue }

  /// Read once from CPUID and XGETBV.
  private static let processorHasAVX2: Bool = cbone_cpu_has_avx2_fma_f16c() != 0
}
