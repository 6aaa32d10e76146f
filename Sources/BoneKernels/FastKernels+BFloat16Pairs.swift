import BoneNumerics

// MARK: - The bfloat16 forward with pairs of weights (BONE-FWD-1, BAT-FWD-1, TOL-FWD-1)

extension FastKernels {
  /// Below this magnitude a pair-kernel dot product is computed again
  /// without flushing (`forwardBFloat16Pairs`): 2^−90.
  @inlinable static var pairDotFloor: Float { 0x1p-90 }

  /// The batched bfloat16 forward with `Instructions.rowsTimesLanePairs`
  /// (`VDPBF16PS`, AVX512_BF16): each instruction multiplies a pair of
  /// stored weights, read in place with no widening, with sixteen samples'
  /// pairs of columns, twice the products per instruction of the float32
  /// multiply-add. Returns nil, having computed nothing, unless the batch
  /// has at least eight samples, the input features are even and no input
  /// value is subnormal.
  ///
  /// The instruction reads subnormal inputs as zero and flushes subnormal
  /// sums to zero; elsewhere each product is exact and each sum rounded to
  /// nearest, as a float32 multiply-add. So that every result stays within
  /// TOL-FWD-1 as the float32 path's do:
  /// - no input is subnormal (checked here) and every row with a subnormal
  ///   weight is computed again in float32 with gradual underflow, all its
  ///   samples (checked chunk by chunk as the kernel reads the row);
  /// - a flushed sum errs by less than 2^−126, so a dot product over `in`
  ///   columns errs by less than about `in`·2^−126 more than in float32. When
  ///   its magnitude is at least 2^−90, A = Σ|x_c·W[o,c]| > 2^−91 (for
  ///   in < 2^22, where γ_in(u₃₂) < 1). TOL-FWD-1 has N ≥ in + 2 ≥ 3; while
  ///   N·u_bf16 < 1 (so in < 254) its bound exceeds the error of the same sum
  ///   in float32, rounded once to bfloat16, by more than 2^−8·Σ|t| ≥ 2^−8·A
  ///   > 2^−99, far above `in`·2^−126; from N·u_bf16 ≥ 1 on it accepts every
  ///   finite value (TOL-MODEL-2), and flushing never makes a NaN or an
  ///   infinity. A dot product below 2^−90 (or any, from in = 2^22) is
  ///   computed again.
  /// Each output's path depends on its own row and sample only, so an
  /// output's bits do not depend on which other outputs are computed with it.
  @inlinable
  static func forwardBFloat16Pairs<S: FastStorage>(
    _ input: Matrix<S>, weight: Matrix<S>, biasValues: [S.Compute]?,
    adapterTerms: [(r: Int, sums: [S.Compute], block: Matrix<S>)]
  ) -> Matrix<S>? {
    let laneRows = Instructions.lanePairRows
    let n = input.rows
    let inFeatures = weight.columns
    let outFeatures = weight.rows
    guard S.self == BFloat16.self, S.Compute.self == Float.self, laneRows > 0, n >= 8, inFeatures % 2 == 0,
      inFeatures > 0, outFeatures > 0
    else { return nil }
    let subnormalInput = input.withUnsafeBufferPointer { xs in
      xs.withMemoryRebound(to: UInt16.self) { bits in
        bits.baseAddress.map { Instructions.hasSubnormalBFloat16($0, bits.count) } ?? false
      }
    }
    guard !subnormalInput else { return nil }
    let pairs = inFeatures / 2
    let sampleGroups = (n + 15) / 16
    // xPairs[g][k][s]: sample 16g + s's columns 2k and 2k + 1 (zero past the batch), on a 64-byte boundary.
    let pairCount = sampleGroups * pairs * 16
    let xPairs = alignedBuffer(UInt32.self, count: pairCount)
    defer { UnsafeMutableRawPointer(xPairs).deallocate() }
    input.withUnsafeBufferPointer { xs in
      xs.withMemoryRebound(to: UInt32.self) { rows in
        guard let from = rows.baseAddress else { return }
        transposeInGroups(from, rows: n, columns: pairs, into: xPairs, sampleGroups: sampleGroups) { $0 }
      }
    }
    var output = Matrix<S>(rows: n, columns: outFeatures, repeating: S(rounding: 0))
    input.withUnsafeBufferPointer { xs in
      weight.withUnsafeBufferPointer { w in
        output.withUnsafeMutableBufferPointer { out in
          guard let xBase = xs.baseAddress, let wBase = w.baseAddress, let outBase = out.baseAddress else { return }
          let shared = UnsafeSendableBox((UnsafePointer(xPairs), xBase, wBase, outBase))
          let blocks = (outFeatures + laneRows - 1) / laneRows
          parallelChunks(blocks, costPerItem: laneRows * inFeatures * n) { range in
            let (xPairs, xBase, wBase, outBase) = shared.value
            pairBlocks(
              range, pairs: xPairs, input: xBase, weight: wBase, output: outBase, batch: n, inFeatures: inFeatures,
              outFeatures: outFeatures, laneRows: laneRows, biasValues: biasValues, adapterTerms: adapterTerms)
          }
        }
      }
    }
    return output
  }

  /// One thread's blocks of `laneRows` output features of the pair forward:
  /// their extra terms first (`fillExtras`), then each block against every
  /// group of sixteen samples, column chunk by column chunk (a partial
  /// block's rows, the last one repeated, copied into a scratch chunk), the
  /// block's rows then checked for subnormals, while they are in the caches; then each
  /// dot product, or its float32 recomputation (`forwardBFloat16Pairs`), plus
  /// its extra term, rounded once into `output` (`BONE-FWD-1`).
  @inlinable
  static func pairBlocks<S: FastStorage>(
    _ range: Range<Int>, pairs xPairs: UnsafePointer<UInt32>, input xBase: UnsafePointer<S>,
    weight wBase: UnsafePointer<S>, output outBase: UnsafeMutablePointer<S>, batch n: Int, inFeatures: Int,
    outFeatures: Int, laneRows: Int, biasValues: [S.Compute]?, adapterTerms: [(r: Int, sums: [S.Compute], block: Matrix<S>)]
  ) {
    typealias C = S.Compute
    let chunk = forwardChunk
    let pairs = inFeatures / 2
    let sampleGroups = (n + 15) / 16
    let weights = UnsafeRawPointer(wBase).assumingMemoryBound(to: UInt16.self)
    let scratch = UnsafeMutablePointer<UInt16>.allocate(capacity: laneRows * chunk)
    let accumulators = UnsafeMutablePointer<Float>.allocate(capacity: sampleGroups * laneRows * 16)
    defer {
      scratch.deallocate()
      accumulators.deallocate()
    }
    let extras = BlockExtras(
      range, laneRows: laneRows, samples: n, biasValues: biasValues, terms: adapterTerms, inFeatures: inFeatures,
      outFeatures: outFeatures, instructions: Instructions.self)
    defer { extras.deallocate() }
    for block in range {
      let o0 = block * laneRows
      let full = o0 + laneRows <= outFeatures
      /// Row ρ's encodings (past the last output, the last row again).
      @inline(__always) func row(_ rho: Int) -> UnsafePointer<UInt16> { weights + min(o0 + rho, outFeatures - 1) * inFeatures }
      accumulators.initialize(repeating: 0, count: sampleGroups * laneRows * 16)
      var start = 0
      while start < inFeatures {
        let count = min(chunk, inFeatures - start)
        if !full {
          for rho in 0..<laneRows { (scratch + rho * chunk).update(from: row(rho) + start, count: count) }
        }
        let (rows, stride) = full ? (row(0) + start, inFeatures) : (UnsafePointer(scratch), chunk)
        for group in 0..<sampleGroups {
          Instructions.rowsTimesLanePairs(
            rows, stride, xPairs + (group * pairs + start / 2) * 16, count / 2, accumulators + group * laneRows * 16)
        }
        start += count
      }
      for rho in 0..<laneRows where o0 + rho < outFeatures {
        let o = o0 + rho
        // Checked once the kernel has brought the row into the caches.
        let subnormalRow = Instructions.hasSubnormalBFloat16(row(rho), inFeatures)
        for sample in 0..<n {
          var dot = unsafeBitCast(accumulators[((sample / 16) * laneRows + rho) * 16 + sample % 16], to: C.self)
          // (NaN and infinities are kept: with no subnormal input they arise as in float32.)
          if subnormalRow || abs(dot) < C(pairDotFloor) || inFeatures >= 1 << 22 {
            dot = float32Dot(UnsafePointer(wBase + o * inFeatures), xBase + sample * inFeatures, inFeatures)
          }
          outBase[sample * outFeatures + o] = S(rounding: dot + extras[sample, o])
        }
      }
    }
  }

  /// Σ_c w[c]·x[c] in the arithmetic type, one fused multiply-add per
  /// column in increasing c, with gradual underflow: the pair forward's
  /// recomputation (`forwardBFloat16Pairs`).
  @inlinable
  static func float32Dot<S: FastStorage>(_ w: UnsafePointer<S>, _ x: UnsafePointer<S>, _ count: Int) -> S.Compute {
    var total = S.Compute(0)
    for c in 0..<count { total = total.addingProduct(w[c].compute, x[c].compute) }
    return total
  }
}
