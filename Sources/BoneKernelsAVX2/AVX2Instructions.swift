import BoneNumerics

import BoneKernels

/// AVX2, FMA and F16C: this module is compiled for them (`-target-cpu haswell`
/// on x86-64), so eight float32 lanes fill one register, multiply-adds are
/// fused, and float16 converts in hardware (exactly when widening; nearest,
/// ties to even, when narrowing, as `DTYPE-CPU-2` requires).
public enum AVX2Instructions: InstructionSet {
  /// float16 by `vcvtph2ps`; other types as the storage type widens them.
  @inlinable @inline(__always)
  public static func load8<S: FastStorage>(_ pointer: UnsafePointer<S>) -> SIMD8<S.Compute> {
    if S.self == Float16.self {
      let halves = UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float16>.self)
      return unsafeBitCast(SIMD8<Float>(halves), to: SIMD8<S.Compute>.self)
    }
    return S.load8(pointer)
  }

  /// float16 by `vcvtps2ph` (rounding from MXCSR: nearest, ties to even);
  /// other types as the storage type narrows them.
  @inlinable @inline(__always)
  public static func store8<S: FastStorage>(_ values: SIMD8<S.Compute>, _ pointer: UnsafeMutablePointer<S>) {
    if S.self == Float16.self {
      let halves = SIMD8<Float16>(unsafeBitCast(values, to: SIMD8<Float>.self))
      UnsafeMutableRawPointer(pointer).storeBytes(of: halves, as: SIMD8<Float16>.self)
      return
    }
    S.store8(values, pointer)
  }

  /// `accumulator + a·b` with one rounding (`vfmadd`).
  @inlinable @inline(__always)
  public static func multiplyAdd<C: SIMDScalar & BinaryFloatingPoint>(
    _ accumulator: SIMD8<C>, _ a: SIMD8<C>, _ b: SIMD8<C>
  ) -> SIMD8<C> {
    accumulator.addingProduct(a, b)
  }
}
