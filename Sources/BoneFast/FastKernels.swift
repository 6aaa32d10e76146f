/// The kernels of the fast implementation. Generic over the storage type and
/// inlinable, so that each client specialises them for its concrete types.
@usableFromInline
enum FastKernels {
  /// Loads eight arithmetic values.
  @inlinable
  static func load<C: SIMDScalar>(_ pointer: UnsafePointer<C>) -> SIMD8<C> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<C>.self)
  }

  /// Stores eight arithmetic values.
  @inlinable
  static func store<C: SIMDScalar>(_ values: SIMD8<C>, _ pointer: UnsafeMutablePointer<C>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: values, as: SIMD8<C>.self)
  }

  /// Widens `count` stored values into the arithmetic type, eight at a time.
  @inlinable
  static func widen<S: FastStorage>(_ source: UnsafePointer<S>, _ destination: UnsafeMutablePointer<S.Compute>, _ count: Int) {
    var i = 0
    while i + 8 <= count {
      store(S.load8(source + i), destination + i)
      i += 8
    }
    while i < count {
      destination[i] = source[i].compute
      i += 1
    }
  }

  /// Rounds `count` arithmetic values to the storage type, eight at a time.
  @inlinable
  static func narrow<S: FastStorage>(_ source: UnsafePointer<S.Compute>, _ destination: UnsafeMutablePointer<S>, _ count: Int) {
    var i = 0
    while i + 8 <= count {
      S.store8(load(source + i), destination + i)
      i += 8
    }
    while i < count {
      destination[i] = S(rounding: source[i])
      i += 1
    }
  }

  // MARK: - BONE merge and unmerge (BONE-MERGE-1, BONE-MERGE-2)

  /// `W[o, c] ← W[o, c] ± b[c mod r, o]`, one pass over W, rows split over cores.
  /// Each row adds a period of r·⌈64/r⌉ values built once per row.
  @inlinable
  static func boneMerge<S: FastStorage>(_ weight: inout Matrix<S>, block: Matrix<S>, subtract: Bool) {
    let rows = weight.rows
    let columns = weight.columns
    let r = block.rows
    let period = r * max(1, (64 + r - 1) / r)
    // The block transposed to out × r, so that row o's addends are contiguous
    // (reading b[j, o] for one o at a time would touch r cache lines per row).
    var transposed = [S.Compute](repeating: 0, count: r * rows)
    for j in 0..<r {
      for o in 0..<rows {
        let value = block.elements[j * rows + o].compute
        transposed[o * r + j] = subtract ? -value : value
      }
    }
    transposed.withUnsafeBufferPointer { b in
      weight.withUnsafeMutableBufferPointer { w in
        guard let base = w.baseAddress, let blockBase = b.baseAddress else { return }
        let shared = UnsafeSendableBox((base, blockBase))
        parallelChunks(rows, costPerItem: columns) { range in
          let (base, blockBase) = shared.value
          let addends = UnsafeMutablePointer<S.Compute>.allocate(capacity: period)
          defer { addends.deallocate() }
          for o in range {
            for t in 0..<period { addends[t] = blockBase[o * r + t % r] }
            let row = base + o * columns
            var c = 0
            while c < columns {
              let length = min(period, columns - c)
              let segment = row + c
              var t = 0
              while t + 8 <= length {
                S.store8(S.load8(segment + t) + load(addends + t), segment + t)
                t += 8
              }
              while t < length {
                segment[t] = S(rounding: segment[t].compute + addends[t])
                t += 1
              }
              c += period
            }
          }
        }
      }
    }
  }

  // MARK: - BAT (BAT-MERGE-1, BAT-UNMERGE-1, DTYPE-CPU-2)

  /// `acc[j] += scale · row[j]` for j < r.
  @inlinable
  static func axpy<C: SIMDScalar & BinaryFloatingPoint>(
    _ acc: UnsafeMutablePointer<C>, _ scale: C, _ row: UnsafePointer<C>, _ r: Int
  ) {
    let s = SIMD8<C>(repeating: scale)
    var j = 0
    while j + 8 <= r {
      store(load(acc + j) + s * load(row + j), acc + j)
      j += 8
    }
    while j < r {
      acc[j] += scale * row[j]
      j += 1
    }
  }

  /// Every tile `T ← T + (T·B_a + B_a)`, in place, tile rows split over cores.
  /// For float16 and bfloat16 the delta is computed in float32, rounded to
  /// the storage type, and added in storage precision, as PEFT does on CPU.
  @inlinable
  static func batMerge<S: FastStorage>(_ weight: inout Matrix<S>, blocks: [Matrix<S>]) {
    guard let r = blocks.first?.rows else { return }
    let columns = weight.columns
    let rows = weight.rows
    let roundDelta = S.dtype == .float16 || S.dtype == .bfloat16
    let widened = blocks.flatMap { $0.elements.map(\.compute) }  // (out/r) × r × r
    widened.withUnsafeBufferPointer { b in
      weight.withUnsafeMutableBufferPointer { w in
        guard let base = w.baseAddress, let blockBase = b.baseAddress else { return }
        let shared = UnsafeSendableBox((base, blockBase))
        parallelChunks(rows, costPerItem: columns * r) { range in
          let (base, blockBase) = shared.value
          let original = UnsafeMutablePointer<S.Compute>.allocate(capacity: r)
          let delta = UnsafeMutablePointer<S.Compute>.allocate(capacity: r)
          let stored = UnsafeMutablePointer<S>.allocate(capacity: r)
          defer {
            original.deallocate()
            delta.deallocate()
            stored.deallocate()
          }
          for row in range {
            let block = blockBase + (row / r) * r * r
            let i = row % r
            for k in 0..<(columns / r) {
              let segment = base + row * columns + k * r
              widen(segment, original, r)
              delta.update(from: block + i * r, count: r)
              for m in 0..<r { axpy(delta, original[m], block + m * r, r) }
              if roundDelta {
                // The delta is rounded to the storage type before it is added.
                narrow(delta, stored, r)
                widen(stored, delta, r)
              }
              for j in 0..<r { delta[j] += original[j] }
              narrow(delta, segment, r)
            }
          }
        }
      }
    }
  }

  /// `(I + B)⁻¹` by Gauss–Jordan elimination with partial pivoting in the
  /// arithmetic type, row-major; nil when a pivot is zero.
  @inlinable
  static func inverseOfIdentityPlus<S: FastStorage>(_ block: Matrix<S>) -> [S.Compute]? {
    let r = block.rows
    var a = (0..<(r * r)).map { block.elements[$0].compute + ($0 / r == $0 % r ? 1 : 0) }
    var inverse = (0..<(r * r)).map { $0 / r == $0 % r ? S.Compute(1) : 0 }
    for column in 0..<r {
      var pivotRow = column
      for row in (column + 1)..<max(r, column + 1) where abs(a[row * r + column]) > abs(a[pivotRow * r + column]) {
        pivotRow = row
      }
      let pivot = a[pivotRow * r + column]
      guard pivot != 0 else { return nil }
      if pivotRow != column {
        for j in 0..<r {
          a.swapAt(column * r + j, pivotRow * r + j)
          inverse.swapAt(column * r + j, pivotRow * r + j)
        }
      }
      for j in 0..<r {
        a[column * r + j] /= pivot
        inverse[column * r + j] /= pivot
      }
      for row in 0..<r where row != column {
        let factor = a[row * r + column]
        if factor == 0 { continue }
        for j in 0..<r {
          a[row * r + j] -= factor * a[column * r + j]
          inverse[row * r + j] -= factor * inverse[column * r + j]
        }
      }
    }
    return inverse
  }

  /// Every tile `T' ← (T' − B_a)·(I + B_a)⁻¹`, rounded once to the storage
  /// type; every `I + B_a` must be invertible.
  @inlinable
  static func batUnmerge<S: FastStorage>(_ weight: inout Matrix<S>, blocks: [Matrix<S>]) {
    guard let r = blocks.first?.rows else { return }
    let columns = weight.columns
    let rows = weight.rows
    let inverses = blocks.flatMap { inverseOfIdentityPlus($0) ?? Array(repeating: .nan, count: r * r) }
    let widened = blocks.flatMap { $0.elements.map(\.compute) }
    inverses.withUnsafeBufferPointer { inv in
      widened.withUnsafeBufferPointer { b in
        weight.withUnsafeMutableBufferPointer { w in
          guard let base = w.baseAddress, let inverseBase = inv.baseAddress, let blockBase = b.baseAddress else { return }
          let shared = UnsafeSendableBox((base, inverseBase, blockBase))
          parallelChunks(rows, costPerItem: columns * r) { range in
            let (base, inverseBase, blockBase) = shared.value
            let shifted = UnsafeMutablePointer<S.Compute>.allocate(capacity: r)
            let result = UnsafeMutablePointer<S.Compute>.allocate(capacity: r)
            defer {
              shifted.deallocate()
              result.deallocate()
            }
            for row in range {
              let a = row / r
              let i = row % r
              let inverse = inverseBase + a * r * r
              for k in 0..<(columns / r) {
                let segment = base + row * columns + k * r
                widen(segment, shifted, r)
                for m in 0..<r { shifted[m] -= blockBase[a * r * r + i * r + m] }
                result.initialize(repeating: 0, count: r)
                for m in 0..<r { axpy(result, shifted[m], inverse + m * r, r) }
                narrow(result, segment, r)
              }
            }
          }
        }
      }
    }
  }

  // MARK: - Forward (BONE-FWD-1, BAT-FWD-1)

  /// `x·Wᵀ + bias + Σ_a s_a(x)·b_a`, accumulated in the arithmetic type and
  /// rounded once; output features split over cores, each weight row read once
  /// for the whole batch.
  @inlinable
  static func forward<S: FastStorage>(
    _ input: Matrix<S>, weight: Matrix<S>, bias: [S]?, boneBlocks: [Matrix<S>]
  ) -> Matrix<S> {
    let n = input.rows
    let inFeatures = weight.columns
    let outFeatures = weight.rows
    let x = input.elements.map(\.compute)
    // s_a[n][j] = Σ_k x_pad[n][k·r + j] for every adapter a.
    let sums: [[S.Compute]] = boneBlocks.map { block in
      let r = block.rows
      var s = [S.Compute](repeating: 0, count: n * r)
      for row in 0..<n {
        for c in 0..<inFeatures { s[row * r + c % r] += x[row * inFeatures + c] }
      }
      return s
    }
    // Each block transposed to out × r, so that output o reads its r values contiguously.
    let blocks: [[S.Compute]] = boneBlocks.map { block in
      let r = block.rows
      var transposed = [S.Compute](repeating: 0, count: r * outFeatures)
      for j in 0..<r {
        for o in 0..<outFeatures { transposed[o * r + j] = block.elements[j * outFeatures + o].compute }
      }
      return transposed
    }
    let biasValues = bias?.map(\.compute)
    var output = Matrix<S>(rows: n, columns: outFeatures, repeating: S(rounding: 0))
    x.withUnsafeBufferPointer { xs in
      weight.withUnsafeBufferPointer { w in
        output.withUnsafeMutableBufferPointer { out in
          guard let xBase = xs.baseAddress, let wBase = w.baseAddress, let outBase = out.baseAddress else { return }
          let shared = UnsafeSendableBox((xBase, wBase, outBase))
          parallelChunks(outFeatures, costPerItem: inFeatures * n) { range in
            let (xBase, wBase, outBase) = shared.value
            let row = UnsafeMutablePointer<S.Compute>.allocate(capacity: inFeatures + 8)
            defer { row.deallocate() }
            for o in range {
              // Widen weight row o once.
              widen(wBase + o * inFeatures, row, inFeatures)
              // Adds the bias and the BONE terms to a sample's dot product and stores it.
              func finish(_ sample: Int, _ dot: S.Compute) {
                var total = dot
                if let biasValues { total += biasValues[o] }
                for (a, block) in blocks.enumerated() {
                  let r = block.count / outFeatures
                  for j in 0..<min(r, inFeatures) { total += sums[a][sample * r + j] * block[o * r + j] }
                }
                outBase[sample * outFeatures + o] = S(rounding: total)
              }
              var sample = 0
              // Four samples at a time share each load of the weight row and
              // keep four independent accumulator chains busy.
              while sample + 4 <= n {
                let x0 = xBase + sample * inFeatures
                let (x1, x2, x3) = (x0 + inFeatures, x0 + 2 * inFeatures, x0 + 3 * inFeatures)
                var (a0, a1, a2, a3) = (SIMD8<S.Compute>(), SIMD8<S.Compute>(), SIMD8<S.Compute>(), SIMD8<S.Compute>())
                var c = 0
                while c + 8 <= inFeatures {
                  let w = load(row + c)
                  a0 += load(x0 + c) * w
                  a1 += load(x1 + c) * w
                  a2 += load(x2 + c) * w
                  a3 += load(x3 + c) * w
                  c += 8
                }
                var (t0, t1, t2, t3) = (a0.sum(), a1.sum(), a2.sum(), a3.sum())
                while c < inFeatures {
                  t0 += x0[c] * row[c]
                  t1 += x1[c] * row[c]
                  t2 += x2[c] * row[c]
                  t3 += x3[c] * row[c]
                  c += 1
                }
                finish(sample, t0)
                finish(sample + 1, t1)
                finish(sample + 2, t2)
                finish(sample + 3, t3)
                sample += 4
              }
              // The rest one at a time, with four accumulator chains along the row.
              while sample < n {
                let xs = xBase + sample * inFeatures
                var (a0, a1, a2, a3) = (SIMD8<S.Compute>(), SIMD8<S.Compute>(), SIMD8<S.Compute>(), SIMD8<S.Compute>())
                var c = 0
                while c + 32 <= inFeatures {
                  a0 += load(xs + c) * load(row + c)
                  a1 += load(xs + c + 8) * load(row + c + 8)
                  a2 += load(xs + c + 16) * load(row + c + 16)
                  a3 += load(xs + c + 24) * load(row + c + 24)
                  c += 32
                }
                while c + 8 <= inFeatures {
                  a0 += load(xs + c) * load(row + c)
                  c += 8
                }
                var total = ((a0 + a1) + (a2 + a3)).sum()
                while c < inFeatures {
                  total += xs[c] * row[c]
                  c += 1
                }
                finish(sample, total)
                sample += 1
              }
            }
          }
        }
      }
    }
    return output
  }
}
