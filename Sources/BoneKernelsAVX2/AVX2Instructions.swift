import BoneNumerics
import BoneKernelsAVX512

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
      // Lane by lane, which the compiler turns into one vcvtph2ps (the generic
      // SIMD conversion initialiser stays an out-of-line call here).
      let h = UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float16>.self)
      let widened = SIMD8<Float>(
        Float(h[0]), Float(h[1]), Float(h[2]), Float(h[3]), Float(h[4]), Float(h[5]), Float(h[6]), Float(h[7]))
      return unsafeBitCast(widened, to: SIMD8<S.Compute>.self)
    }
    return S.load8(pointer)
  }

  /// float16 by `vcvtps2ph` (rounding from MXCSR: nearest, ties to even);
  /// other types as the storage type narrows them.
  @inlinable @inline(__always)
  public static func store8<S: FastStorage>(_ values: SIMD8<S.Compute>, _ pointer: UnsafeMutablePointer<S>) {
    if S.self == Float16.self {
      // Lane by lane, which the compiler turns into one vcvtps2ph.
      let v = unsafeBitCast(values, to: SIMD8<Float>.self)
      let halves = SIMD8<Float16>(
        Float16(v[0]), Float16(v[1]), Float16(v[2]), Float16(v[3]),
        Float16(v[4]), Float16(v[5]), Float16(v[6]), Float16(v[7]))
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

/// The AVX2 instructions with the 512-bit micro-kernels of
/// `BoneKernelsAVX512` (tile products, inversion steps, forward dot products,
/// half-precision BONE merge rows); every other kernel is the AVX2 one.
public enum AVX512Instructions: InstructionSet {
  /// As `AVX2Instructions`.
  @inlinable @inline(__always)
  public static func load8<S: FastStorage>(_ pointer: UnsafePointer<S>) -> SIMD8<S.Compute> {
    AVX2Instructions.load8(pointer)
  }

  /// As `AVX2Instructions`.
  @inlinable @inline(__always)
  public static func store8<S: FastStorage>(_ values: SIMD8<S.Compute>, _ pointer: UnsafeMutablePointer<S>) {
    AVX2Instructions.store8(values, pointer)
  }

  /// As `AVX2Instructions`.
  @inlinable @inline(__always)
  public static func multiplyAdd<C: SIMDScalar & BinaryFloatingPoint>(
    _ accumulator: SIMD8<C>, _ a: SIMD8<C>, _ b: SIMD8<C>
  ) -> SIMD8<C> {
    accumulator.addingProduct(a, b)
  }

  /// bfloat16 and float16 rows sixteen values at a time
  /// (`AVX512MicroKernels.addPeriodicBFloat16`, `addPeriodicFloat16`); other
  /// types as the AVX2 copy.
  @inlinable @inline(__always)
  public static func addPeriodic<S: FastStorage>(
    _ row: UnsafeMutablePointer<S>, _ count: Int, _ addends: UnsafePointer<S.Compute>, _ period: Int
  ) {
    guard S.self == BFloat16.self || S.self == Float16.self else {
      FastKernels<Self>.addPeriodic8(row, count, addends, period)
      return
    }
    let encodings = UnsafeMutableRawPointer(row).assumingMemoryBound(to: UInt16.self)
    let floats = UnsafeRawPointer(addends).assumingMemoryBound(to: Float.self)
    if S.self == BFloat16.self {
      AVX512MicroKernels.addPeriodicBFloat16(encodings, count, floats, period)
    } else {
      AVX512MicroKernels.addPeriodicFloat16(encodings, count, floats, period)
    }
  }

  /// float32, float16 and bfloat16 rows in 16-lane chains
  /// (`AVX512MicroKernels.dots4Float`, `dots4Float16`, `dots4BFloat16`);
  /// float64 as the AVX2 copy.
  @inlinable @inline(__always)
  public static func dots4<S: FastStorage>(
    _ w0: UnsafePointer<S>, _ w1: UnsafePointer<S>, _ w2: UnsafePointer<S>, _ w3: UnsafePointer<S>,
    _ x: UnsafePointer<S.Compute>, _ count: Int
  ) -> (S.Compute, S.Compute, S.Compute, S.Compute) {
    guard S.self == Float.self || S.self == Float16.self || S.self == BFloat16.self else {
      return FastKernels<Self>.dots4x1(w0, w1, w2, w3, x, count)
    }
    var out = SIMD4<Float>()
    withUnsafeMutableBytes(of: &out) { bytes in
      guard let base = bytes.baseAddress else { return }
      let result = base.assumingMemoryBound(to: Float.self)
      let samples = UnsafeRawPointer(x).assumingMemoryBound(to: Float.self)
      if S.self == Float.self {
        @inline(__always) func rows(_ p: UnsafePointer<S>) -> UnsafePointer<Float> {
          UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
        }
        AVX512MicroKernels.dots4Float(rows(w0), rows(w1), rows(w2), rows(w3), samples, count, result)
      } else {
        @inline(__always) func rows(_ p: UnsafePointer<S>) -> UnsafePointer<UInt16> {
          UnsafeRawPointer(p).assumingMemoryBound(to: UInt16.self)
        }
        if S.self == Float16.self {
          AVX512MicroKernels.dots4Float16(rows(w0), rows(w1), rows(w2), rows(w3), samples, count, result)
        } else {
          AVX512MicroKernels.dots4BFloat16(rows(w0), rows(w1), rows(w2), rows(w3), samples, count, result)
        }
      }
    }
    let values = unsafeBitCast(out, to: SIMD4<S.Compute>.self)
    return (values[0], values[1], values[2], values[3])
  }

  /// float16 and bfloat16 rows in four 16-lane chains
  /// (`AVX512MicroKernels.dotFloat16`, `dotBFloat16`); other types as the
  /// AVX2 copy.
  @inlinable @inline(__always)
  public static func dot<S: FastStorage>(_ w: UnsafePointer<S>, _ x: UnsafePointer<S.Compute>, _ count: Int) -> S.Compute {
    guard S.self == Float16.self || S.self == BFloat16.self else { return FastKernels<Self>.dot1x4(w, x, count) }
    let encodings = UnsafeRawPointer(w).assumingMemoryBound(to: UInt16.self)
    let samples = UnsafeRawPointer(x).assumingMemoryBound(to: Float.self)
    let result =
      S.self == Float16.self
      ? AVX512MicroKernels.dotFloat16(encodings, samples, count) : AVX512MicroKernels.dotBFloat16(encodings, samples, count)
    return unsafeBitCast(result, to: S.Compute.self)
  }

  /// `AVX512MicroKernels.subtractScaledRowsFloat` for float32, else as the AVX2 copy.
  @inlinable @inline(__always)
  public static func subtractScaledRows<C: SIMDScalar & BinaryFloatingPoint>(
    _ target: UnsafeMutablePointer<C>, _ targetStride: Int, _ factors: UnsafePointer<C>, _ factorStride: Int, _ rows: Int,
    _ source: UnsafePointer<C>, _ count: Int
  ) {
    guard C.self == Float.self else {
      FastKernels<Self>.subtractScaledRows8(target, targetStride, factors, factorStride, rows, source, count)
      return
    }
    AVX512MicroKernels.subtractScaledRowsFloat(
      UnsafeMutableRawPointer(target).assumingMemoryBound(to: Float.self), targetStride,
      UnsafeRawPointer(factors).assumingMemoryBound(to: Float.self), factorStride, rows,
      UnsafeRawPointer(source).assumingMemoryBound(to: Float.self), count)
  }

  /// Twelve rows for float32 (`AVX512MicroKernels.rows12TimesLanes`), else none.
  @inlinable @inline(__always)
  public static func laneRows<C: SIMDScalar & BinaryFloatingPoint>(_: C.Type) -> Int {
    C.self == Float.self ? 12 : 0
  }

  /// `AVX512MicroKernels.rows12TimesLanes` for float32.
  @inlinable @inline(__always)
  public static func rowsTimesLanes<C: SIMDScalar & BinaryFloatingPoint>(
    _ w: UnsafePointer<C>, _ stride: Int, _ xT: UnsafePointer<C>, _ count: Int, _ acc: UnsafeMutablePointer<C>
  ) {
    guard C.self == Float.self else { return }
    @inline(__always) func float(_ p: UnsafePointer<C>) -> UnsafePointer<Float> {
      UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
    }
    AVX512MicroKernels.rows12TimesLanes(
      float(w), stride, float(xT), count, UnsafeMutableRawPointer(acc).assumingMemoryBound(to: Float.self))
  }

  /// float16 and bfloat16 rows widened between the multiply-adds
  /// (`AVX512MicroKernels.rows12TimesLanesWideningFloat16`,
  /// `rows12TimesLanesWideningBFloat16`) when `w` and `into` are scratch
  /// chunks of its layout (rows `AVX512MicroKernels.scratchStride` apart, as
  /// the lanes forward's chunk); otherwise the products, then the widening.
  @inlinable @inline(__always)
  public static func rowsTimesLanes<S: FastStorage>(
    _ w: UnsafePointer<S.Compute>, _ stride: Int, _ xT: UnsafePointer<S.Compute>, _ count: Int,
    _ acc: UnsafeMutablePointer<S.Compute>, widening next: UnsafePointer<S>, nextStride: Int, nextCount: Int,
    into: UnsafeMutablePointer<S.Compute>, intoStride: Int
  ) {
    guard S.Compute.self == Float.self, S.self == Float16.self || S.self == BFloat16.self,
      stride == AVX512MicroKernels.scratchStride, intoStride == AVX512MicroKernels.scratchStride,
      nextCount <= AVX512MicroKernels.scratchStride
    else {
      FastKernels<Self>.rowsTimesLanesThenWiden(
        w, stride, xT, count, acc, widening: next, nextStride: nextStride, nextCount: nextCount, into: into,
        intoStride: intoStride)
      return
    }
    @inline(__always) func float(_ p: UnsafePointer<S.Compute>) -> UnsafePointer<Float> {
      UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
    }
    let encodings = UnsafeRawPointer(next).assumingMemoryBound(to: UInt16.self)
    let floats = UnsafeMutableRawPointer(acc).assumingMemoryBound(to: Float.self)
    let destination = UnsafeMutableRawPointer(into).assumingMemoryBound(to: Float.self)
    if S.self == Float16.self {
      AVX512MicroKernels.rows12TimesLanesWideningFloat16(
        scratch: float(w), float(xT), count, floats, next: encodings, nextStride: nextStride, nextCount: nextCount,
        into: destination)
    } else {
      AVX512MicroKernels.rows12TimesLanesWideningBFloat16(
        scratch: float(w), float(xT), count, floats, next: encodings, nextStride: nextStride, nextCount: nextCount,
        into: destination)
    }
  }

  /// 32 columns for float32, else 16.
  @inlinable @inline(__always)
  public static func tilePanel<C: SIMDScalar & BinaryFloatingPoint>(_: C.Type) -> Int {
    C.self == Float.self ? 32 : 16
  }

  /// Eight rows for float32, else four.
  @inlinable @inline(__always)
  public static func tileRows<C: SIMDScalar & BinaryFloatingPoint>(_: C.Type) -> Int {
    C.self == Float.self ? 8 : 4
  }

  /// `AVX512MicroKernels.tileProduct8x32` for float32.
  @inlinable @inline(__always)
  public static func tileProduct<C: SIMDScalar & BinaryFloatingPoint>(
    _ t: UnsafePointer<C>, _ stride: Int, _ matrix: UnsafePointer<C>, _ matrixStride: Int, _ r: Int,
    _ out: UnsafeMutablePointer<C>
  ) {
    guard C.self == Float.self else {
      FastKernels<Self>.product4x16(t, t + stride, t + 2 * stride, t + 3 * stride, matrix, matrixStride, r, out)
      return
    }
    @inline(__always) func float(_ p: UnsafePointer<C>) -> UnsafePointer<Float> {
      UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
    }
    AVX512MicroKernels.tileProduct8x32(
      float(t), stride, float(matrix), matrixStride, r, UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self))
  }

  /// True for float32 storage (`AVX512MicroKernels.tileProductFinished8x32`).
  @inlinable @inline(__always)
  public static func finishesTiles<S: FastStorage>(_: S.Type) -> Bool { S.self == Float.self }

  /// `AVX512MicroKernels.tileProductFinished8x32` for float32 storage.
  @inlinable @inline(__always)
  public static func tileProductFinished<S: FastStorage>(
    _ t: UnsafePointer<S.Compute>, _ stride: Int, _ matrix: UnsafePointer<S.Compute>, _ matrixStride: Int, _ r: Int,
    panelColumn: Int, blockRows: UnsafePointer<S.Compute>, destination: UnsafeMutablePointer<S>,
    destinationStride: Int, height: Int, unmerge: Bool
  ) {
    @inline(__always) func float(_ p: UnsafePointer<S.Compute>) -> UnsafePointer<Float> {
      UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
    }
    AVX512MicroKernels.tileProductFinished8x32(
      float(t), stride, float(matrix), matrixStride, r, panelColumn: panelColumn, blockRows: float(blockRows),
      destination: UnsafeMutableRawPointer(destination).assumingMemoryBound(to: Float.self),
      destinationStride: destinationStride, height: height, unmerge: unmerge)
  }

  /// Four samples for float32, else two.
  @inlinable @inline(__always)
  public static func forwardSamples<C: SIMDScalar & BinaryFloatingPoint>(_: C.Type) -> Int {
    C.self == Float.self ? 4 : 2
  }

  /// `AVX512MicroKernels.accumulate4x4` for float32.
  @inlinable @inline(__always)
  public static func accumulateRows<C: SIMDScalar & BinaryFloatingPoint>(
    _ w0: UnsafePointer<C>, _ w1: UnsafePointer<C>, _ w2: UnsafePointer<C>, _ w3: UnsafePointer<C>,
    _ x: UnsafePointer<C>, _ xStride: Int, _ count: Int, _ acc: UnsafeMutablePointer<C>
  ) {
    guard C.self == Float.self else {
      FastKernels<Self>.accumulate4x2(w0, w1, w2, w3, x, x + xStride, count, acc)
      return
    }
    @inline(__always) func float(_ p: UnsafePointer<C>) -> UnsafePointer<Float> {
      UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
    }
    AVX512MicroKernels.accumulate4x4(
      float(w0), float(w1), float(w2), float(w3), float(x), xStride, count,
      UnsafeMutableRawPointer(acc).assumingMemoryBound(to: Float.self))
  }

  /// Eight: `AVX512MicroKernels.rows8TimesLanePairsBFloat16`, which the
  /// forward calls only where the processor has AVX512_BF16
  /// (`FastInstructions.avx512bf16`).
  @inlinable @inline(__always)
  public static var lanePairRows: Int { 8 }

  /// `AVX512MicroKernels.rows8TimesLanePairsBFloat16` (`VDPBF16PS`).
  @inlinable @inline(__always)
  public static func rowsTimesLanePairs(
    _ w: UnsafePointer<UInt16>, _ stride: Int, _ xPairs: UnsafePointer<UInt32>, _ pairs: Int,
    _ acc: UnsafeMutablePointer<Float>
  ) {
    AVX512MicroKernels.rows8TimesLanePairsBFloat16(w, stride, xPairs, pairs, acc)
  }

  /// `AVX512MicroKernels.hasSubnormalBFloat16`, 32 encodings at a time.
  @inlinable @inline(__always)
  public static func hasSubnormalBFloat16(_ values: UnsafePointer<UInt16>, _ count: Int) -> Bool {
    AVX512MicroKernels.hasSubnormalBFloat16(values, count)
  }
}
