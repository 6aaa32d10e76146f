import CBoneDotBF16

/// The kernels that run in 512-bit registers: this module is
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
  /// length r, where `matrix` points at the panel's first column of the r
  /// rows of M, `matrixStride` apart; written to `out`, row ρ at 32ρ.
  /// Sixteen 16-lane accumulators, two vectors of M per step for eight rows
  /// (`BAT-MERGE-1`, `BAT-UNMERGE-1`).
  public static func tileProduct8x32(
    _ t: UnsafePointer<Float>, _ stride: Int, _ matrix: UnsafePointer<Float>, _ matrixStride: Int, _ r: Int,
    _ out: UnsafeMutablePointer<Float>
  ) {
    tile8x32(t, stride, matrix, matrixStride, r) { rho, half, value in store16(value, out + 32 * rho + 16 * half) }
  }

  /// As `tileProduct8x32`, finished in place for float32 storage: row ρ of
  /// the 32 columns at `destination + ρ · destinationStride` becomes the
  /// product (unmerge) or `(product + B[ρ]) + t_ρ` (merge, `blockRows` holding
  /// the rows B[ρ] of the panel, `stride` apart, and `t` the tile rows at the
  /// panel); rows from `height` on are not written (`BAT-MERGE-1`,
  /// `BAT-UNMERGE-1`).
  public static func tileProductFinished8x32(
    _ t: UnsafePointer<Float>, _ stride: Int, _ matrix: UnsafePointer<Float>, _ matrixStride: Int, _ r: Int,
    panelColumn: Int, blockRows: UnsafePointer<Float>, destination: UnsafeMutablePointer<Float>,
    destinationStride: Int, height: Int, unmerge: Bool
  ) {
    tile8x32(t, stride, matrix, matrixStride, r) { rho, half, value in
      guard rho < height else { return }
      let column = panelColumn + 16 * half
      let result = unmerge
        ? value
        : (value + load16(blockRows + rho * stride + column)) + load16(t + rho * stride + column)
      store16(result, destination + rho * destinationStride + column)
    }
  }

  /// The loop of both: the sixteen accumulators, handed to `finish` as
  /// (row, half, value) in order.
  @inline(__always)
  static func tile8x32(
    _ t: UnsafePointer<Float>, _ stride: Int, _ matrix: UnsafePointer<Float>, _ matrixStride: Int, _ r: Int,
    _ finish: (Int, Int, SIMD16<Float>) -> Void
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
      row += matrixStride
    }
    // One call per accumulator (an array of them would be a heap allocation per call).
    finish(0, 0, a00)
    finish(0, 1, a01)
    finish(1, 0, a10)
    finish(1, 1, a11)
    finish(2, 0, a20)
    finish(2, 1, a21)
    finish(3, 0, a30)
    finish(3, 1, a31)
    finish(4, 0, a40)
    finish(4, 1, a41)
    finish(5, 0, a50)
    finish(5, 1, a51)
    finish(6, 0, a60)
    finish(6, 1, a61)
    finish(7, 0, a70)
    finish(7, 1, a71)
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

// MARK: - BONE merge and unmerge of half-precision rows (BONE-MERGE-1, BONE-MERGE-2, DTYPE-CPU-2)

extension AVX512MicroKernels {
  /// Adds `addends[t mod period]` to the `count` bfloat16 values (encodings)
  /// of `row` in place, each sum computed in float32 and rounded to nearest,
  /// ties to even, NaN kept a quiet NaN (as `BFloat16.init(_:)`).
  ///
  /// Thirty-two values at a time without any 16-bit lane: the row is read as
  /// 32-bit lanes holding an even value in the low half and an odd one in the
  /// high half, which widen by a shift and a mask; the addends are laid out
  /// per 32 values as the 16 even ones, then the 16 odd ones, for a period
  /// of the row extended to a multiple of 32 (or at least to an even length)
  /// (`BONE-MERGE-1`, `BONE-MERGE-2`, `DTYPE-CPU-2`).
  public static func addPeriodicBFloat16(
    _ row: UnsafeMutablePointer<UInt16>, _ count: Int, _ addends: UnsafePointer<Float>, _ period: Int
  ) {
    var extended = period
    while extended % 32 != 0 && extended < 2048 { extended *= 2 }
    extended = min(extended, count)
    guard extended > 0 else { return }
    withUnsafeTemporaryAllocation(of: Float.self, capacity: extended) { buffer in
      guard let split = buffer.baseAddress else { return }
      var source = 0  // index into addends: position mod period
      var t = 0
      while t + 32 <= extended {
        for pair in 0..<16 {
          split[t + pair] = addends[source]
          source = source + 1 == period ? 0 : source + 1
          split[t + 16 + pair] = addends[source]
          source = source + 1 == period ? 0 : source + 1
        }
        t += 32
      }
      while t < extended {
        split[t] = addends[source]
        source = source + 1 == period ? 0 : source + 1
        t += 1
      }
      var c = 0
      while c < count {
        let length = min(extended, count - c)
        let segment = row + c
        var t = 0
        while t + 32 <= length {
          let pairs = UnsafeRawPointer(segment + t).loadUnaligned(as: SIMD16<UInt32>.self)
          let even = unsafeBitCast(pairs &<< 16, to: SIMD16<Float>.self) + load16(split + t)
          let odd = unsafeBitCast(pairs & 0xFFFF_0000, to: SIMD16<Float>.self) + load16(split + t + 16)
          let rounded = (bfloat16InHighHalf(even) &>> 16) | (bfloat16InHighHalf(odd) & 0xFFFF_0000)
          UnsafeMutableRawPointer(segment + t).storeBytes(of: rounded, as: SIMD16<UInt32>.self)
          t += 32
        }
        while t < length {
          // Within the part laid out by 32s, value t's addend is at its pair's slot.
          let slot = t < extended & ~31 ? (t & ~31) + (t & 1) * 16 + (t & 31) >> 1 : t
          let sum = Float(bitPattern: UInt32(segment[t]) << 16) + split[slot]
          let bits = sum.bitPattern
          let isNaN = bits & 0x7FFF_FFFF > 0x7F80_0000
          segment[t] = isNaN ? UInt16(bits >> 16) | 0x0040 : UInt16((bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
          t += 1
        }
        c += extended
      }
    }
  }

  /// Floats rounded to bfloat16, ties to even, the encoding in the upper 16
  /// bits of each lane (the lower bits are garbage); a NaN becomes the quiet
  /// NaN with its sign and upper payload. The NaN mask is built with integer
  /// arithmetic (magnitudes are below 2^31), which stays in vector registers.
  @inline(__always)
  static func bfloat16InHighHalf(_ values: SIMD16<Float>) -> SIMD16<UInt32> {
    let bits = unsafeBitCast(values, to: SIMD16<UInt32>.self)
    let rounded = bits &+ 0x7FFF &+ ((bits &>> 16) & 1)
    let isNaN = 0 &- ((0x7F80_0000 &- (bits & 0x7FFF_FFFF)) &>> 31)
    return ((bits | 0x0040_0000) & isNaN) | (rounded & ~isNaN)
  }

  /// Adds `addends[t mod period]` to the `count` float16 values (encodings) of
  /// `row` in place, each sum computed in float32 and rounded to nearest, ties
  /// to even (`vcvtph2ps`, `vcvtps2ph`), sixteen values at a time
  /// (`BONE-MERGE-1`, `BONE-MERGE-2`, `DTYPE-CPU-2`).
  public static func addPeriodicFloat16(
    _ row: UnsafeMutablePointer<UInt16>, _ count: Int, _ addends: UnsafePointer<Float>, _ period: Int
  ) {
    addPeriodic(row, count, addends, period, Float16Encoding.self)
  }

  /// The loop of both: whole periods of the row, sixteen lanes at a time, the
  /// last lanes of each period through a zero-filled vector.
  @inline(__always)
  static func addPeriodic<Encoding: HalfEncoding>(
    _ row: UnsafeMutablePointer<UInt16>, _ count: Int, _ addends: UnsafePointer<Float>, _ period: Int, _: Encoding.Type
  ) {
    var c = 0
    while c < count {
      let length = min(period, count - c)
      let segment = row + c
      var t = 0
      while t + 16 <= length {
        let stored = UnsafeRawPointer(segment + t).loadUnaligned(as: SIMD16<UInt16>.self)
        let sum = Encoding.narrow(Encoding.widen(stored) + load16(addends + t))
        UnsafeMutableRawPointer(segment + t).storeBytes(of: sum, as: SIMD16<UInt16>.self)
        t += 16
      }
      if t < length {
        var stored = SIMD16<UInt16>()
        var addend = SIMD16<Float>()
        for lane in 0..<(length - t) {
          stored[lane] = segment[t + lane]
          addend[lane] = addends[t + lane]
        }
        let sum = Encoding.narrow(Encoding.widen(stored) + addend)
        for lane in 0..<(length - t) { segment[t + lane] = sum[lane] }
      }
      c += period
    }
  }
}

// MARK: - Inversion (BAT-UNMERGE-1, BAT-UNMERGE-2)

extension AVX512MicroKernels {
  /// For each of `rows` float32 rows ρ, unless its factor
  /// `f = factors[ρ·factorStride]` is zero:
  /// `target[ρ·targetStride + t] −= f · source[t]` for `t < count` (fused),
  /// sixteen lanes at a time: one step of the LU inversion (`BAT-UNMERGE-1`,
  /// `BAT-UNMERGE-2`, `TOL-BAT-UNMERGE-1`).
  public static func subtractScaledRowsFloat(
    _ target: UnsafeMutablePointer<Float>, _ targetStride: Int, _ factors: UnsafePointer<Float>, _ factorStride: Int,
    _ rows: Int, _ source: UnsafePointer<Float>, _ count: Int
  ) {
    for row in 0..<rows {
      let factor = factors[row * factorStride]
      if factor == 0 { continue }
      let destination = target + row * targetStride
      let f = SIMD16<Float>(repeating: -factor)
      var j = 0
      while j + 16 <= count {
        store16(load16(destination + j).addingProduct(f, load16(source + j)), destination + j)
        j += 16
      }
      while j < count {
        destination[j] = destination[j].addingProduct(-factor, source[j])
        j += 1
      }
    }
  }
}

// MARK: - One-sample forward (BONE-FWD-1, BAT-FWD-1)

extension AVX512MicroKernels {
  /// The dot products of four float32 weight rows with one sample `x` over
  /// `count` columns (a multiple of 8), written to `out[0 ..< 4]`: two
  /// 16-lane accumulator chains per row (`BONE-FWD-1`, `BAT-FWD-1`).
  public static func dots4Float(
    _ w0: UnsafePointer<Float>, _ w1: UnsafePointer<Float>, _ w2: UnsafePointer<Float>, _ w3: UnsafePointer<Float>,
    _ x: UnsafePointer<Float>, _ count: Int, _ out: UnsafeMutablePointer<Float>
  ) {
    dots4(w0, w1, w2, w3, x, count, out, Float32Rows.self)
  }

  /// As `dots4Float` for float16 weight rows (encodings), widened exactly as
  /// they are loaded (`vcvtph2ps`) (`BONE-FWD-1`, `DTYPE-CPU-2`).
  public static func dots4Float16(
    _ w0: UnsafePointer<UInt16>, _ w1: UnsafePointer<UInt16>, _ w2: UnsafePointer<UInt16>, _ w3: UnsafePointer<UInt16>,
    _ x: UnsafePointer<Float>, _ count: Int, _ out: UnsafeMutablePointer<Float>
  ) {
    dots4(w0, w1, w2, w3, x, count, out, Float16Encoding.self)
  }

  /// As `dots4Float` for bfloat16 weight rows (encodings) (`BONE-FWD-1`,
  /// `DTYPE-CPU-2`).
  public static func dots4BFloat16(
    _ w0: UnsafePointer<UInt16>, _ w1: UnsafePointer<UInt16>, _ w2: UnsafePointer<UInt16>, _ w3: UnsafePointer<UInt16>,
    _ x: UnsafePointer<Float>, _ count: Int, _ out: UnsafeMutablePointer<Float>
  ) {
    dots4(w0, w1, w2, w3, x, count, out, BFloat16Rows.self)
  }

  /// The dot product of one float16 weight row (encodings) with one sample
  /// `x` over `count` columns (a multiple of 8): four 16-lane chains
  /// (`BONE-FWD-1`, `DTYPE-CPU-2`).
  public static func dotFloat16(_ w: UnsafePointer<UInt16>, _ x: UnsafePointer<Float>, _ count: Int) -> Float {
    dot(w, x, count, Float16Encoding.self)
  }

  /// As `dotFloat16` for a bfloat16 weight row (encodings) (`BONE-FWD-1`,
  /// `DTYPE-CPU-2`).
  public static func dotBFloat16(_ w: UnsafePointer<UInt16>, _ x: UnsafePointer<Float>, _ count: Int) -> Float {
    dot(w, x, count, BFloat16Rows.self)
  }

  /// The dot product of one stored row with `x` over `count` columns (a
  /// multiple of 8): four 16-lane chains, sixty-four columns a step.
  @inline(__always)
  static func dot<Rows: WideningLoad>(
    _ w: UnsafePointer<Rows.Element>, _ x: UnsafePointer<Float>, _ count: Int, _: Rows.Type
  ) -> Float {
    var (a0, a1, a2, a3) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
    var c = 0
    while c + 64 <= count {
      a0 = a0.addingProduct(Rows.load16(w + c), load16(x + c))
      a1 = a1.addingProduct(Rows.load16(w + c + 16), load16(x + c + 16))
      a2 = a2.addingProduct(Rows.load16(w + c + 32), load16(x + c + 32))
      a3 = a3.addingProduct(Rows.load16(w + c + 48), load16(x + c + 48))
      c += 64
    }
    while c + 16 <= count {
      a0 = a0.addingProduct(Rows.load16(w + c), load16(x + c))
      c += 16
    }
    if c < count {
      // The last eight columns, in the lower half.
      let v = SIMD16<Float>(lowHalf: UnsafeRawPointer(x + c).loadUnaligned(as: SIMD8<Float>.self), highHalf: SIMD8<Float>())
      a1 = a1.addingProduct(Rows.load8(w + c), v)
    }
    return ((a0 + a1) + (a2 + a3)).sum()
  }

  @inline(__always)
  static func dots4<Rows: WideningLoad>(
    _ w0: UnsafePointer<Rows.Element>, _ w1: UnsafePointer<Rows.Element>, _ w2: UnsafePointer<Rows.Element>,
    _ w3: UnsafePointer<Rows.Element>, _ x: UnsafePointer<Float>, _ count: Int, _ out: UnsafeMutablePointer<Float>,
    _: Rows.Type
  ) {
    var (a0, a1, a2, a3) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
    var (b0, b1, b2, b3) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
    var c = 0
    while c + 32 <= count {
      let (v, v16) = (load16(x + c), load16(x + c + 16))
      a0 = a0.addingProduct(Rows.load16(w0 + c), v)
      b0 = b0.addingProduct(Rows.load16(w0 + c + 16), v16)
      a1 = a1.addingProduct(Rows.load16(w1 + c), v)
      b1 = b1.addingProduct(Rows.load16(w1 + c + 16), v16)
      a2 = a2.addingProduct(Rows.load16(w2 + c), v)
      b2 = b2.addingProduct(Rows.load16(w2 + c + 16), v16)
      a3 = a3.addingProduct(Rows.load16(w3 + c), v)
      b3 = b3.addingProduct(Rows.load16(w3 + c + 16), v16)
      c += 32
    }
    while c + 16 <= count {
      let v = load16(x + c)
      a0 = a0.addingProduct(Rows.load16(w0 + c), v)
      a1 = a1.addingProduct(Rows.load16(w1 + c), v)
      a2 = a2.addingProduct(Rows.load16(w2 + c), v)
      a3 = a3.addingProduct(Rows.load16(w3 + c), v)
      c += 16
    }
    if c < count {
      // The last eight columns, in the lower half.
      let v = SIMD16<Float>(lowHalf: UnsafeRawPointer(x + c).loadUnaligned(as: SIMD8<Float>.self), highHalf: SIMD8<Float>())
      b0 = b0.addingProduct(Rows.load8(w0 + c), v)
      b1 = b1.addingProduct(Rows.load8(w1 + c), v)
      b2 = b2.addingProduct(Rows.load8(w2 + c), v)
      b3 = b3.addingProduct(Rows.load8(w3 + c), v)
    }
    out[0] = (a0 + b0).sum()
    out[1] = (a1 + b1).sum()
    out[2] = (a2 + b2).sum()
    out[3] = (a3 + b3).sum()
  }
}

// MARK: - Batched forward with the samples in lanes (BONE-FWD-1, BAT-FWD-1)

extension AVX512MicroKernels {
  /// Adds to `acc` (twelve slots of 16 values, slot ρ for row ρ) the
  /// products of twelve float32 weight rows (row ρ at `w + ρ · stride`) with
  /// sixteen samples held in the lanes: `xT` holds column k's sixteen
  /// samples at 16k. One broadcast weight and one fused multiply-add per row
  /// and column; no horizontal sums (`BONE-FWD-1`, `BAT-FWD-1`).
  public static func rows12TimesLanes(
    _ w: UnsafePointer<Float>, _ stride: Int, _ xT: UnsafePointer<Float>, _ count: Int, _ acc: UnsafeMutablePointer<Float>
  ) {
    rows12TimesLanes(w, xT, count, acc, next: w, nextStride: 0, nextCount: 0, into: nil, RowsApart(stride), Float32Rows.self)
  }

  /// The distance between the rows of a scratch chunk, in values: the
  /// widening kernels read and write only such chunks, so that the row
  /// stride is a constant the compiler folds into every address.
  public static var scratchStride: Int { ScratchRows().stride }

  /// As `rows12TimesLanes` over a scratch chunk `w` (rows `scratchStride`
  /// apart), and meanwhile the next column chunk of twelve float16 rows
  /// (encodings, row ρ at `next + ρ · nextStride`, `nextCount` values, at
  /// most `scratchStride`) widened exactly into the scratch chunk `into`:
  /// the conversions run between the multiply-adds, so that the loads of the
  /// stored rows overlap the arithmetic instead of preceding it. Each vector
  /// of sixteen columns is written after those columns of `w` have been
  /// multiplied, so `into` may be `w` (one scratch chunk instead of two)
  /// (`BONE-FWD-1`, `DTYPE-CPU-2`).
  public static func rows12TimesLanesWideningFloat16(
    scratch w: UnsafePointer<Float>, _ xT: UnsafePointer<Float>, _ count: Int, _ acc: UnsafeMutablePointer<Float>,
    next: UnsafePointer<UInt16>, nextStride: Int, nextCount: Int, into: UnsafeMutablePointer<Float>
  ) {
    rows12TimesLanes(
      w, xT, count, acc, next: next, nextStride: nextStride, nextCount: nextCount, into: into, ScratchRows(),
      Float16Encoding.self)
  }

  /// As `rows12TimesLanesWideningFloat16` for bfloat16 rows (encodings),
  /// widened exactly (the encoding in the upper half of a float32)
  /// (`BONE-FWD-1`, `DTYPE-CPU-2`).
  public static func rows12TimesLanesWideningBFloat16(
    scratch w: UnsafePointer<Float>, _ xT: UnsafePointer<Float>, _ count: Int, _ acc: UnsafeMutablePointer<Float>,
    next: UnsafePointer<UInt16>, nextStride: Int, nextCount: Int, into: UnsafeMutablePointer<Float>
  ) {
    rows12TimesLanes(
      w, xT, count, acc, next: next, nextStride: nextStride, nextCount: nextCount, into: into, ScratchRows(),
      BFloat16Rows.self)
  }

  /// The loop of the three: while vectors of the next rows remain to be
  /// widened, sixteen columns, then one vector of sixteen values of each next
  /// row widened behind them (no test between the multiply-adds); then four
  /// columns at a time; the values of the next rows past the last whole
  /// vector one at a time, at the end. The rows' and samples' addresses step
  /// forward with the columns, and a scratch chunk's row stride is a
  /// constant: then every weight's address is one register plus a
  /// displacement (float16 rows in isolation on one core: 126–132 GFLOP/s,
  /// against 100–104 with a register stride and a test every four columns).
  @inline(__always)
  static func rows12TimesLanes<Rows: WideningLoad, Layout: RowLayout>(
    _ w: UnsafePointer<Float>, _ xT: UnsafePointer<Float>, _ count: Int, _ acc: UnsafeMutablePointer<Float>,
    next: UnsafePointer<Rows.Element>, nextStride: Int, nextCount: Int, into: UnsafeMutablePointer<Float>?,
    _ layout: Layout, _: Rows.Type
  ) {
    let stride = layout.stride
    let intoStride = layout.stride
    var (a0, a1, a2, a3) = (load16(acc), load16(acc + 16), load16(acc + 32), load16(acc + 48))
    var (a4, a5, a6, a7) = (load16(acc + 64), load16(acc + 80), load16(acc + 96), load16(acc + 112))
    var (a8, a9, a10, a11) = (load16(acc + 128), load16(acc + 144), load16(acc + 160), load16(acc + 176))
    // Row 0 and the samples at the next column to multiply.
    var wp = w
    var xp = xT
    /// The next `width` columns (at `wp` and `xp`, which step past them): the
    /// twelve row addresses formed once for all of them.
    @inline(__always) func columns(_ width: Int) {
      let (r0, r1, r2, r3) = (wp, wp + stride, wp + 2 &* stride, wp + 3 &* stride)
      let (r4, r5, r6, r7) = (wp + 4 &* stride, wp + 5 &* stride, wp + 6 &* stride, wp + 7 &* stride)
      let (r8, r9, r10, r11) = (wp + 8 &* stride, wp + 9 &* stride, wp + 10 &* stride, wp + 11 &* stride)
      let x = xp
      defer {
        wp += width
        xp += 16 &* width
      }
      for j in 0..<width {
        let v = load16(x + 16 &* j)
        a0 = a0.addingProduct(SIMD16(repeating: r0[j]), v)
        a1 = a1.addingProduct(SIMD16(repeating: r1[j]), v)
        a2 = a2.addingProduct(SIMD16(repeating: r2[j]), v)
        a3 = a3.addingProduct(SIMD16(repeating: r3[j]), v)
        a4 = a4.addingProduct(SIMD16(repeating: r4[j]), v)
        a5 = a5.addingProduct(SIMD16(repeating: r5[j]), v)
        a6 = a6.addingProduct(SIMD16(repeating: r6[j]), v)
        a7 = a7.addingProduct(SIMD16(repeating: r7[j]), v)
        a8 = a8.addingProduct(SIMD16(repeating: r8[j]), v)
        a9 = a9.addingProduct(SIMD16(repeating: r9[j]), v)
        a10 = a10.addingProduct(SIMD16(repeating: r10[j]), v)
        a11 = a11.addingProduct(SIMD16(repeating: r11[j]), v)
      }
    }
    let vectors = into == nil ? 0 : nextCount / 16
    /// Vector `index` (values 16·index ..< 16·index + 16) of the twelve next rows, widened.
    @inline(__always) func widenVector(_ index: Int) {
      guard let into else { return }
      // Addresses stepped row by row, without overflow-checked products.
      var source = next + 16 &* index
      var destination = into + 16 &* index
      for _ in 0..<12 {
        store16(Rows.load16(source), destination)
        source += nextStride
        destination += intoStride
      }
    }
    var k = 0
    var widened = 0
    // Vector v of the next rows is written once columns 16v ..< 16v + 16 of
    // these rows have been multiplied, so `into` may be `w` itself.
    while k &+ 16 <= count && widened < vectors {
      columns(4)
      columns(4)
      columns(4)
      columns(4)
      k &+= 16
      widenVector(widened)
      widened &+= 1
    }
    while k &+ 4 <= count {
      columns(4)
      k &+= 4
    }
    while k < count {
      columns(1)
      k &+= 1
    }
    while widened < vectors {
      widenVector(widened)
      widened += 1
    }
    if let into {
      for rho in 0..<12 {
        for c in 16 * vectors..<max(16 * vectors, nextCount) {
          into[rho * intoStride + c] = Rows.widen(next[rho * nextStride + c])
        }
      }
    }
    store16(a0, acc)
    store16(a1, acc + 16)
    store16(a2, acc + 32)
    store16(a3, acc + 48)
    store16(a4, acc + 64)
    store16(a5, acc + 80)
    store16(a6, acc + 96)
    store16(a7, acc + 112)
    store16(a8, acc + 128)
    store16(a9, acc + 144)
    store16(a10, acc + 160)
    store16(a11, acc + 176)
  }
}

/// Where the rows of a twelve-row kernel lie: `stride` values apart.
protocol RowLayout {
  /// The distance between rows, in values.
  var stride: Int { get }
}

/// Rows a run-time distance apart (the stored weight, in place).
struct RowsApart: RowLayout {
  let stride: Int
  @inline(__always) init(_ stride: Int) { self.stride = stride }
}

/// A scratch chunk: rows 256 values apart, a constant.
struct ScratchRows: RowLayout {
  var stride: Int { 256 }
}

/// Rows of a storage format loaded sixteen (or eight) values at a time,
/// widened exactly to float32.
protocol WideningLoad {
  /// The stored element.
  associatedtype Element
  /// Sixteen values.
  static func load16(_ pointer: UnsafePointer<Element>) -> SIMD16<Float>
  /// Eight values in the lower half, zeros in the upper.
  static func load8(_ pointer: UnsafePointer<Element>) -> SIMD16<Float>
  /// One value.
  static func widen(_ value: Element) -> Float
}

/// float32 rows.
enum Float32Rows: WideningLoad {
  @inline(__always)
  static func load16(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
  }

  @inline(__always)
  static func load8(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
    SIMD16<Float>(lowHalf: UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self), highHalf: SIMD8<Float>())
  }

  @inline(__always)
  static func widen(_ value: Float) -> Float { value }
}

/// bfloat16 rows (encodings): each the upper half of the float32 it widens to.
/// Rows of 16-bit encodings, loaded sixteen (or eight) at a time and
/// widened by `widen`.
protocol EncodedRows: WideningLoad where Element == UInt16 {
  /// Sixteen encodings widened exactly to float32.
  static func widen(_ encodings: SIMD16<UInt16>) -> SIMD16<Float>
}

extension EncodedRows {
  @inline(__always)
  static func load16(_ pointer: UnsafePointer<UInt16>) -> SIMD16<Float> {
    widen(UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<UInt16>.self))
  }

  @inline(__always)
  static func load8(_ pointer: UnsafePointer<UInt16>) -> SIMD16<Float> {
    let h = UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<UInt16>.self)
    return widen(SIMD16<UInt16>(lowHalf: h, highHalf: SIMD8<UInt16>()))
  }
}

/// bfloat16 rows (encodings): each the upper half of the float32 it widens to.
enum BFloat16Rows: EncodedRows {
  /// Lane by lane, which the compiler turns into one zero extension and one
  /// shift (the generic SIMD conversion initialiser is an out-of-line call).
  @inline(__always)
  static func widen(_ encodings: SIMD16<UInt16>) -> SIMD16<Float> {
    var bits = SIMD16<UInt32>()
    for lane in 0..<16 { bits[lane] = UInt32(encodings[lane]) &<< 16 }
    return unsafeBitCast(bits, to: SIMD16<Float>.self)
  }

  @inline(__always)
  static func widen(_ value: UInt16) -> Float { Float(bitPattern: UInt32(value) &<< 16) }
}

extension Float16Encoding: EncodedRows {
  @inline(__always)
  static func widen(_ value: UInt16) -> Float { Float(Float16(bitPattern: value)) }
}

/// A 16-bit floating-point format, sixteen lanes at a time.
protocol HalfEncoding {
  /// Encodings widened exactly to float32.
  static func widen(_ encodings: SIMD16<UInt16>) -> SIMD16<Float>
  /// Floats rounded to encodings, nearest, ties to even.
  static func narrow(_ values: SIMD16<Float>) -> SIMD16<UInt16>
}

/// IEEE binary16.
enum Float16Encoding: HalfEncoding {
  /// float16 encodings widened exactly, lane by lane (one `vcvtph2ps`).
  @inline(__always)
  static func widen(_ encodings: SIMD16<UInt16>) -> SIMD16<Float> {
    let h = unsafeBitCast(encodings, to: SIMD16<Float16>.self)
    var result = SIMD16<Float>()
    for lane in 0..<16 { result[lane] = Float(h[lane]) }
    return result
  }

  /// Floats rounded to float16 encodings, ties to even, lane by lane (one
  /// `vcvtps2ph`).
  @inline(__always)
  static func narrow(_ values: SIMD16<Float>) -> SIMD16<UInt16> {
    var result = SIMD16<Float16>()
    for lane in 0..<16 { result[lane] = Float16(values[lane]) }
    return unsafeBitCast(result, to: SIMD16<UInt16>.self)
  }
}

// MARK: - Batched bfloat16 forward with pairs of weights (BONE-FWD-1, BAT-FWD-1, TOL-FWD-1)

extension AVX512MicroKernels {
  /// Adds to `acc` (eight slots of 16 floats, slot ρ for row ρ) the products
  /// of eight bfloat16 weight rows (encodings, row ρ at `w + ρ · stride`)
  /// with sixteen samples in the lanes, over `pairs` pairs of columns:
  /// `xPairs[16k + s]` holds sample s's columns 2k (low half) and 2k + 1.
  /// One `VDPBF16PS` per row and pair: both products exact, each sum rounded
  /// to nearest float32, subnormal inputs read as zero and subnormal sums
  /// flushed to zero, which the caller guards against
  /// (`FastKernels.forwardBFloat16Pairs`). Eight rows, as many as the
  /// first-level cache's ways, which rows 4 KiB apart share
  /// (`cbone_rows8_times_lane_pairs_bf16`). Only where the processor has
  /// AVX512_BF16 (`BONE-FWD-1`, `TOL-FWD-1`).
  public static func rows8TimesLanePairsBFloat16(
    _ w: UnsafePointer<UInt16>, _ stride: Int, _ xPairs: UnsafePointer<UInt32>, _ pairs: Int,
    _ acc: UnsafeMutablePointer<Float>
  ) {
    cbone_rows8_times_lane_pairs_bf16(w, stride, xPairs, pairs, acc)
  }

  /// Whether any of the `count` bfloat16 encodings at `values` is subnormal
  /// (exponent field zero, fraction nonzero), 32 at a time
  /// (`cbone_bf16_has_subnormal`: 16-bit lane masks, which Swift's SIMD
  /// types compile lane by lane) (`TOL-FWD-1`).
  public static func hasSubnormalBFloat16(_ values: UnsafePointer<UInt16>, _ count: Int) -> Bool {
    cbone_bf16_has_subnormal(values, count) != 0
  }
}
