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

  /// `row[t] ← row[t] + addends[t mod period]` for `t < count`, each sum
  /// rounded to the storage type: one row of a BONE merge or unmerge
  /// (`BONE-MERGE-1`, `BONE-MERGE-2`, `DTYPE-CPU-2`).
  static func addPeriodic<S: FastStorage>(
    _ row: UnsafeMutablePointer<S>, _ count: Int, _ addends: UnsafePointer<S.Compute>, _ period: Int)

  /// The dot products of four stored weight rows with one sample `x` (in
  /// the arithmetic type) over `count` columns, a multiple of 8: the
  /// one-sample forward (`BONE-FWD-1`, `BAT-FWD-1`).
  static func dots4<S: FastStorage>(
    _ w0: UnsafePointer<S>, _ w1: UnsafePointer<S>, _ w2: UnsafePointer<S>, _ w3: UnsafePointer<S>,
    _ x: UnsafePointer<S.Compute>, _ count: Int
  ) -> (S.Compute, S.Compute, S.Compute, S.Compute)

  /// The dot product of one stored weight row with one sample `x` (in the
  /// arithmetic type) over `count` columns, a multiple of 8: the one-sample
  /// forward of half-precision rows read one after another (`BONE-FWD-1`,
  /// `BAT-FWD-1`, `FastKernels.rowByRowColumns`).
  static func dot<S: FastStorage>(_ w: UnsafePointer<S>, _ x: UnsafePointer<S.Compute>, _ count: Int) -> S.Compute

  /// For each of `rows` rows ρ, unless its factor `f = factors[ρ·factorStride]`
  /// is zero: `target[ρ·targetStride + t] −= f · source[t]` for `t < count`
  /// (one or two roundings each): one step of the LU factorisation, of the
  /// triangular solves and of the certificate of the inversion
  /// (`BAT-UNMERGE-1`, `BAT-UNMERGE-2`, `TOL-BAT-UNMERGE-1`).
  static func subtractScaledRows<C: SIMDScalar & BinaryFloatingPoint>(
    _ target: UnsafeMutablePointer<C>, _ targetStride: Int, _ factors: UnsafePointer<C>, _ factorStride: Int, _ rows: Int,
    _ source: UnsafePointer<C>, _ count: Int)

  /// The weight rows one call of `rowsTimesLanes` takes, or 0 when this
  /// copy has no kernel with the samples in the lanes.
  static func laneRows<C: SIMDScalar & BinaryFloatingPoint>(_: C.Type) -> Int

  /// The batched-forward kernel with sixteen samples in the lanes: adds to
  /// `acc` (`laneRows` slots of 16 values, slot ρ for row ρ) the products of
  /// `laneRows` weight rows (row ρ at `w + ρ · stride`) over `count` columns
  /// with the samples of `xT` (column k's sixteen samples at 16k)
  /// (`BONE-FWD-1`, `BAT-FWD-1`).
  static func rowsTimesLanes<C: SIMDScalar & BinaryFloatingPoint>(
    _ w: UnsafePointer<C>, _ stride: Int, _ xT: UnsafePointer<C>, _ count: Int, _ acc: UnsafeMutablePointer<C>)

  /// `rowsTimesLanes` on rows already in the arithmetic type, and the next
  /// column chunk of `laneRows` stored rows (row ρ at `next + ρ · nextStride`,
  /// `nextCount` ≤ `count` values) widened exactly into `into + ρ · intoStride`,
  /// in whatever order overlaps the two best, provided no column of `into`
  /// is written before that column of `w` has been read: `into` may be `w`
  /// (`BONE-FWD-1`, `DTYPE-CPU-2`).
  static func rowsTimesLanes<S: FastStorage>(
    _ w: UnsafePointer<S.Compute>, _ stride: Int, _ xT: UnsafePointer<S.Compute>, _ count: Int,
    _ acc: UnsafeMutablePointer<S.Compute>, widening next: UnsafePointer<S>, nextStride: Int, nextCount: Int,
    into: UnsafeMutablePointer<S.Compute>, intoStride: Int)

  /// The columns one call of `tileProduct` computes (a multiple of 8).
  static func tilePanel<C: SIMDScalar & BinaryFloatingPoint>(_: C.Type) -> Int

  /// The rows one call of `tileProduct` computes: 4, or 8 with 32 registers.
  static func tileRows<C: SIMDScalar & BinaryFloatingPoint>(_: C.Type) -> Int

  /// The BAT micro-kernel: `tilePanel` columns of `t_ρ · M` for `tileRows`
  /// rows `t_ρ = t + ρ · stride` of length r, where `matrix` points at the
  /// panel's first column of the r rows of M, `matrixStride` apart (the
  /// panel width when the panel is packed); written to `out`, row ρ at
  /// `ρ · tilePanel`.
  static func tileProduct<C: SIMDScalar & BinaryFloatingPoint>(
    _ t: UnsafePointer<C>, _ stride: Int, _ matrix: UnsafePointer<C>, _ matrixStride: Int, _ r: Int,
    _ out: UnsafeMutablePointer<C>)

  /// True when `tileProductFinished` finishes the tile rows of this storage
  /// type in the micro-kernel itself.
  static func finishesTiles<S: FastStorage>(_: S.Type) -> Bool

  /// `tileProduct` with the finish of `FastKernels.transformTileRows` for
  /// storage that is its own arithmetic type (no rounding of the delta):
  /// row ρ < `height` of the panel's columns (from `panelColumn` in the
  /// tile) at `destination + ρ · destinationStride` becomes the product
  /// (unmerge) or `(product + B[ρ]) + t_ρ` (merge; `blockRows` holds B's rows
  /// of the tile rows, `stride` apart). Called only where `finishesTiles`
  /// (`BAT-MERGE-1`, `BAT-UNMERGE-1`).
  static func tileProductFinished<S: FastStorage>(
    _ t: UnsafePointer<S.Compute>, _ stride: Int, _ matrix: UnsafePointer<S.Compute>, _ matrixStride: Int, _ r: Int,
    panelColumn: Int, blockRows: UnsafePointer<S.Compute>, destination: UnsafeMutablePointer<S>,
    destinationStride: Int, height: Int, unmerge: Bool)

  /// The samples one call of `accumulateRows` takes: 2, or 4 with 32 registers.
  static func forwardSamples<C: SIMDScalar & BinaryFloatingPoint>(_: C.Type) -> Int

  /// The batched-forward micro-kernel: adds the products of four weight rows
  /// with `forwardSamples` samples (sample s at `x + s · xStride`) over
  /// `count` columns (a multiple of 8) to `acc`, slots of 16 values; the dot
  /// product of row ρ with sample s is the sum of slot 4s + ρ.
  static func accumulateRows<C: SIMDScalar & BinaryFloatingPoint>(
    _ w0: UnsafePointer<C>, _ w1: UnsafePointer<C>, _ w2: UnsafePointer<C>, _ w3: UnsafePointer<C>,
    _ x: UnsafePointer<C>, _ xStride: Int, _ count: Int, _ acc: UnsafeMutablePointer<C>)

  /// The rows one call of `rowsTimesLanePairs` takes (8 where the copy has
  /// `VDPBF16PS`), or 0 where the copy has no such kernel.
  static var lanePairRows: Int { get }

  /// Adds to `acc` (`lanePairRows` slots of 16 floats) the products of that
  /// many bfloat16 weight rows (encodings, row ρ at `w + ρ · stride`) with
  /// sixteen samples in the lanes, over `pairs` pairs of columns (`xPairs[16k
  /// + s]`: sample s's columns 2k and 2k + 1, low half first), with
  /// `VDPBF16PS`'s flushing of subnormals (`FastKernels.forwardBFloat16Pairs`).
  static func rowsTimesLanePairs(
    _ w: UnsafePointer<UInt16>, _ stride: Int, _ xPairs: UnsafePointer<UInt32>, _ pairs: Int,
    _ acc: UnsafeMutablePointer<Float>)

  /// Whether any of `count` bfloat16 encodings is subnormal.
  static func hasSubnormalBFloat16(_ values: UnsafePointer<UInt16>, _ count: Int) -> Bool
}

extension InstructionSet {
  /// Eight values at a time (`FastKernels.addPeriodic8`).
  @inlinable @inline(__always)
  public static func addPeriodic<S: FastStorage>(
    _ row: UnsafeMutablePointer<S>, _ count: Int, _ addends: UnsafePointer<S.Compute>, _ period: Int
  ) {
    FastKernels<Self>.addPeriodic8(row, count, addends, period)
  }

  /// Eight-lane chains (`FastKernels.dots4x1`).
  @inlinable @inline(__always)
  public static func dots4<S: FastStorage>(
    _ w0: UnsafePointer<S>, _ w1: UnsafePointer<S>, _ w2: UnsafePointer<S>, _ w3: UnsafePointer<S>,
    _ x: UnsafePointer<S.Compute>, _ count: Int
  ) -> (S.Compute, S.Compute, S.Compute, S.Compute) {
    FastKernels<Self>.dots4x1(w0, w1, w2, w3, x, count)
  }

  /// Four eight-lane chains (`FastKernels.dot1x4`).
  @inlinable @inline(__always)
  public static func dot<S: FastStorage>(_ w: UnsafePointer<S>, _ x: UnsafePointer<S.Compute>, _ count: Int) -> S.Compute {
    FastKernels<Self>.dot1x4(w, x, count)
  }

  /// Eight lanes at a time (`FastKernels.subtractScaledRows8`).
  @inlinable @inline(__always)
  public static func subtractScaledRows<C: SIMDScalar & BinaryFloatingPoint>(
    _ target: UnsafeMutablePointer<C>, _ targetStride: Int, _ factors: UnsafePointer<C>, _ factorStride: Int, _ rows: Int,
    _ source: UnsafePointer<C>, _ count: Int
  ) {
    FastKernels<Self>.subtractScaledRows8(target, targetStride, factors, factorStride, rows, source, count)
  }

  /// None: the batched forward takes the samples four or two at a time.
  @inlinable @inline(__always)
  public static func laneRows<C: SIMDScalar & BinaryFloatingPoint>(_: C.Type) -> Int { 0 }

  /// The products one at a time (not used while `laneRows` is 0).
  @inlinable
  public static func rowsTimesLanes<C: SIMDScalar & BinaryFloatingPoint>(
    _ w: UnsafePointer<C>, _ stride: Int, _ xT: UnsafePointer<C>, _ count: Int, _ acc: UnsafeMutablePointer<C>
  ) {
    for rho in 0..<laneRows(C.self) {
      for lane in 0..<16 {
        for k in 0..<count { acc[16 * rho + lane] += w[rho * stride + k] * xT[16 * k + lane] }
      }
    }
  }

  /// The products, then the widening (`FastKernels.rowsTimesLanesThenWiden`).
  @inlinable @inline(__always)
  public static func rowsTimesLanes<S: FastStorage>(
    _ w: UnsafePointer<S.Compute>, _ stride: Int, _ xT: UnsafePointer<S.Compute>, _ count: Int,
    _ acc: UnsafeMutablePointer<S.Compute>, widening next: UnsafePointer<S>, nextStride: Int, nextCount: Int,
    into: UnsafeMutablePointer<S.Compute>, intoStride: Int
  ) {
    FastKernels<Self>.rowsTimesLanesThenWiden(
      w, stride, xT, count, acc, widening: next, nextStride: nextStride, nextCount: nextCount, into: into,
      intoStride: intoStride)
  }

  /// Sixteen columns: eight accumulators of eight lanes.
  @inlinable @inline(__always)
  public static func tilePanel<C: SIMDScalar & BinaryFloatingPoint>(_: C.Type) -> Int { 16 }

  /// Four rows.
  @inlinable @inline(__always)
  public static func tileRows<C: SIMDScalar & BinaryFloatingPoint>(_: C.Type) -> Int { 4 }

  /// Four rows by sixteen columns in eight-lane vectors.
  @inlinable @inline(__always)
  public static func tileProduct<C: SIMDScalar & BinaryFloatingPoint>(
    _ t: UnsafePointer<C>, _ stride: Int, _ matrix: UnsafePointer<C>, _ matrixStride: Int, _ r: Int,
    _ out: UnsafeMutablePointer<C>
  ) {
    FastKernels<Self>.product4x16(t, t + stride, t + 2 * stride, t + 3 * stride, matrix, matrixStride, r, out)
  }

  /// None: tiles are finished eight values at a time after the product.
  @inlinable @inline(__always)
  public static func finishesTiles<S: FastStorage>(_: S.Type) -> Bool { false }

  /// Never called (`finishesTiles` is false).
  @inlinable
  public static func tileProductFinished<S: FastStorage>(
    _ t: UnsafePointer<S.Compute>, _ stride: Int, _ matrix: UnsafePointer<S.Compute>, _ matrixStride: Int, _ r: Int,
    panelColumn: Int, blockRows: UnsafePointer<S.Compute>, destination: UnsafeMutablePointer<S>,
    destinationStride: Int, height: Int, unmerge: Bool
  ) {
    preconditionFailure("tileProductFinished is called only where finishesTiles is true")
  }

  /// Two samples.
  @inlinable @inline(__always)
  public static func forwardSamples<C: SIMDScalar & BinaryFloatingPoint>(_: C.Type) -> Int { 2 }

  /// Two samples, eight-lane accumulators in the first half of each slot.
  @inlinable @inline(__always)
  public static func accumulateRows<C: SIMDScalar & BinaryFloatingPoint>(
    _ w0: UnsafePointer<C>, _ w1: UnsafePointer<C>, _ w2: UnsafePointer<C>, _ w3: UnsafePointer<C>,
    _ x: UnsafePointer<C>, _ xStride: Int, _ count: Int, _ acc: UnsafeMutablePointer<C>
  ) {
    FastKernels<Self>.accumulate4x2(w0, w1, w2, w3, x, x + xStride, count, acc)
  }

  /// None.
  @inlinable @inline(__always)
  public static var lanePairRows: Int { 0 }

  /// Never called where `lanePairRows` is 0.
  @inlinable
  public static func rowsTimesLanePairs(
    _ w: UnsafePointer<UInt16>, _ stride: Int, _ xPairs: UnsafePointer<UInt32>, _ pairs: Int,
    _ acc: UnsafeMutablePointer<Float>
  ) {
    preconditionFailure("rowsTimesLanePairs is called only where lanePairRows is not 0")
  }

  /// Value by value: the exponent field is zero and the fraction is not.
  @inlinable
  public static func hasSubnormalBFloat16(_ values: UnsafePointer<UInt16>, _ count: Int) -> Bool {
    for c in 0..<count where values[c] & 0x7F80 == 0 && values[c] & 0x7F != 0 { return true }
    return false
  }
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
  /// The AVX2 copy with 512-bit kernels for the BAT tile products and
  /// inversion, the forward's dot products, the half-precision BONE merge and
  /// the batched forward (AVX-512 F, BW, DQ, VL).
  case avx512
  /// The avx512 copy, whose bfloat16 forward of eight or more samples
  /// multiplies pairs of stored weights with `VDPBF16PS` (AVX512_BF16)
  /// instead of widening them, guarded against the instruction's flushing of
  /// subnormals (`FastKernels.forwardBFloat16Pairs`).
  case avx512bf16

  /// True when this build has the copy and the running processor and
  /// operating system support it.
  public var isSupported: Bool {
    switch self {
    case .portable: return true
    case .avx2: return Self.processorHasAVX2
    case .avx512: return Self.processorHasAVX512
    case .avx512bf16: return Self.processorHasAVX512BF16
    }
  }

  /// The fastest supported copy.
  public static var best: FastInstructions {
    processorHasAVX512BF16 ? .avx512bf16 : processorHasAVX512 ? .avx512 : processorHasAVX2 ? .avx2 : .portable
  }

  /// True for the copies with the 512-bit kernels.
  public var isWide: Bool { self == .avx512 || self == .avx512bf16 }

  /// The name used on the command line and in reports.
  public var description: String { rawValue }

  #if BONE_PORTABLE_BUILD
    /// A portable build (`BONE_PORTABLE_BUILD=1`, or not x86-64) compiled no
    /// AVX copy.
    private static let processorHasAVX2 = false
    private static let processorHasAVX512 = false
    private static let processorHasAVX512BF16 = false
  #else
    /// Read once from CPUID and XGETBV.
    private static let processorHasAVX2: Bool = cbone_cpu_has_avx2_fma_f16c() != 0
    /// Read once from CPUID and XGETBV.
    private static let processorHasAVX512: Bool = cbone_cpu_has_avx512() != 0
    /// Read once from CPUID and XGETBV.
    private static let processorHasAVX512BF16: Bool = cbone_cpu_has_avx512_bf16() != 0
  #endif
}
