/// The two compute-bound micro-kernels in 512-bit registers: this module is
/// compiled for AVX-512 (`-target-cpu skylake-avx512` on x86-64). It holds
/// nothing but these functions on raw pointers, so that no code shared with
/// other modules is compiled for AVX-512. Call them only where
/// `FastInstructions.avx512.isSupported`.
public enum AVX512MicroKernels {
  @inline(__always)
  static func load16(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
  }

  @inline(__always)
  static func store16(_ values: SIMD16<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: values, as: SIMD16<Float>.self)
  }

  /// Columns 0 ..< 32 of `t_ρ · M` for eight rows `t_ρ = t + ρ · stride` of
  /// length r, where `matrix` points at the panel's first column of an r × r
  /// row-major M; written to `out`, row ρ at 32ρ. Sixteen 16-lane
  /// accumulators, two vectors of M per step for eight rows (`BAT-MERGE-1`,
  /// `BAT-UNMERGE-1`).
  public static func tileProduct8x32(
    _ t: UnsafePointer<Float>, _ stride: Int, _ matrix: UnsafePointer<Float>, _ r: Int, _ out: UnsafeMutablePointer<Float>
  ) {
    var (a00, a01, a10, a11) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
    var (a20, a21, a30, a31) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
    var (a40, a41, a50, a51) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
    var (a60, a61, a70, a71) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
    let (t0, t1, t2, t3) = (t, t + stride, t + 2 * stride, t + 3 * stride)
    let (t4, t5, t6, t7) = (t + 4 * stride, t + 5 * stride, t + 6 * stride, t + 7 * stride)
    var row = matrix
    for m in 0..<r {
      let b0 = load16(row)
      let b1 = load16(row + 16)
      var s = SIMD16<Float>(repeating: t0[m])
      a00 = a00.addingProduct(s, b0)
      a01 = a01.addingProduct(s, b1)
      s = SIMD16<Float>(repeating: t1[m])
      a10 = a10.addingProduct(s, b0)
      a11 = a11.addingProduct(s, b1)
      s = SIMD16<Float>(repeating: t2[m])
      a20 = a20.addingProduct(s, b0)
      a21 = a21.addingProduct(s, b1)
      s = SIMD16<Float>(repeating: t3[m])
      a30 = a30.addingProduct(s, b0)
      a31 = a31.addingProduct(s, b1)
      s = SIMD16<Float>(repeating: t4[m])
      a40 = a40.addingProduct(s, b0)
      a41 = a41.addingProduct(s, b1)
      s = SIMD16<Float>(repeating: t5[m])
      a50 = a50.addingProduct(s, b0)
      a51 = a51.addingProduct(s, b1)
      s = SIMD16<Float>(repeating: t6[m])
      a60 = a60.addingProduct(s, b0)
      a61 = a61.addingProduct(s, b1)
      s = SIMD16<Float>(repeating: t7[m])
      a70 = a70.addingProduct(s, b0)
      a71 = a71.addingProduct(s, b1)
      row += r
    }
    for (index, value) in [a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51, a60, a61, a70, a71].enumerated() {
      store16(value, out + 16 * index)
    }
  }

  /// Adds the products of four weight rows with four samples (sample s at
  /// `x + s · xStride`) over `count` columns (a multiple of 8) to `acc`:
  /// sixteen slots of 16 values, slot 4s + ρ for row ρ and sample s; sixteen
  /// 16-lane accumulators (`BONE-FWD-1`, `BAT-FWD-1`).
  public static func accumulate4x4(
    _ w0: UnsafePointer<Float>, _ w1: UnsafePointer<Float>, _ w2: UnsafePointer<Float>, _ w3: UnsafePointer<Float>,
    _ x: UnsafePointer<Float>, _ xStride: Int, _ count: Int, _ acc: UnsafeMutablePointer<Float>
  ) {
    let (x0, x1, x2, x3) = (x, x + xStride, x + 2 * xStride, x + 3 * xStride)
    var (a00, a10, a20, a30) = (load16(acc), load16(acc + 16), load16(acc + 32), load16(acc + 48))
    var (a01, a11, a21, a31) = (load16(acc + 64), load16(acc + 80), load16(acc + 96), load16(acc + 112))
    var (a02, a12, a22, a32) = (load16(acc + 128), load16(acc + 144), load16(acc + 160), load16(acc + 176))
    var (a03, a13, a23, a33) = (load16(acc + 192), load16(acc + 208), load16(acc + 224), load16(acc + 240))
    @inline(__always) func step(_ u0: SIMD16<Float>, _ u1: SIMD16<Float>, _ u2: SIMD16<Float>, _ u3: SIMD16<Float>,
                                _ v0: SIMD16<Float>, _ v1: SIMD16<Float>, _ v2: SIMD16<Float>, _ v3: SIMD16<Float>) {
      a00 = a00.addingProduct(u0, v0)
      a10 = a10.addingProduct(u1, v0)
      a20 = a20.addingProduct(u2, v0)
      a30 = a30.addingProduct(u3, v0)
      a01 = a01.addingProduct(u0, v1)
      a11 = a11.addingProduct(u1, v1)
      a21 = a21.addingProduct(u2, v1)
      a31 = a31.addingProduct(u3, v1)
      a02 = a02.addingProduct(u0, v2)
      a12 = a12.addingProduct(u1, v2)
      a22 = a22.addingProduct(u2, v2)
      a32 = a32.addingProduct(u3, v2)
      a03 = a03.addingProduct(u0, v3)
      a13 = a13.addingProduct(u1, v3)
      a23 = a23.addingProduct(u2, v3)
      a33 = a33.addingProduct(u3, v3)
    }
    var c = 0
    while c + 16 <= count {
      step(load16(w0 + c), load16(w1 + c), load16(w2 + c), load16(w3 + c),
           load16(x0 + c), load16(x1 + c), load16(x2 + c), load16(x3 + c))
      c += 16
    }
    if c < count {
      // The last eight columns, in the lower half of each accumulator.
      @inline(__always) func half(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
        SIMD16<Float>(lowHalf: UnsafeRawPointer(pointer + c).loadUnaligned(as: SIMD8<Float>.self), highHalf: SIMD8<Float>())
      }
      step(half(w0), half(w1), half(w2), half(w3), half(x0), half(x1), half(x2), half(x3))
    }
    store16(a00, acc)
    store16(a10, acc + 16)
    store16(a20, acc + 32)
    store16(a30, acc + 48)
    store16(a01, acc + 64)
    store16(a11, acc + 80)
    store16(a21, acc + 96)
    store16(a31, acc + 112)
    store16(a02, acc + 128)
    store16(a12, acc + 144)
    store16(a22, acc + 160)
    store16(a32, acc + 176)
    store16(a03, acc + 192)
    store16(a13, acc + 208)
    store16(a23, acc + 224)
    store16(a33, acc + 240)
  }
}
