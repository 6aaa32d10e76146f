import BoneNumerics

/// The kernels of the fast implementation, generic over the storage type and
/// over the instructions their compiled copy may use, and inlinable, so that
/// each client module specialises them for its concrete types and target.
///
/// Every kernel works in place or into its output, on unsafe buffers in the
/// hot loops only, with rows split over cores (`parallelChunks`).
public enum FastKernels<Instructions: InstructionSet> {
  /// Loads eight arithmetic values.
  @inlinable @inline(__always)
  static func load<C: SIMDScalar>(_ pointer: UnsafePointer<C>) -> SIMD8<C> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<C>.self)
  }

  /// Stores eight arithmetic values.
  @inlinable @inline(__always)
  static func store<C: SIMDScalar>(_ values: SIMD8<C>, _ pointer: UnsafeMutablePointer<C>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: values, as: SIMD8<C>.self)
  }

  /// The first `count` (at most 8) arithmetic values at `pointer`, zeros after.
  @inlinable @inline(__always)
  static func loadFirst<C: SIMDScalar & BinaryFloatingPoint>(_ pointer: UnsafePointer<C>, _ count: Int) -> SIMD8<C> {
    var values = SIMD8<C>()
    for lane in 0..<count { values[lane] = pointer[lane] }
    return values
  }

  /// The first `count` (at most 8) stored values at `pointer`, widened, zeros after.
  @inlinable @inline(__always)
  static func loadFirst<S: FastStorage>(widening pointer: UnsafePointer<S>, _ count: Int) -> SIMD8<S.Compute> {
    var values = SIMD8<S.Compute>()
    for lane in 0..<count { values[lane] = pointer[lane].compute }
    return values
  }

  /// Stores the first `count` (at most 8) lanes of `values`.
  @inlinable @inline(__always)
  static func storeFirst<C: SIMDScalar>(_ values: SIMD8<C>, _ pointer: UnsafeMutablePointer<C>, _ count: Int) {
    for lane in 0..<count { pointer[lane] = values[lane] }
  }

  /// Widens `count` stored values into the arithmetic type, eight at a time.
  @inlinable @inline(__always)
  public static func widen<S: FastStorage>(_ source: UnsafePointer<S>, _ destination: UnsafeMutablePointer<S.Compute>, _ count: Int) {
    var i = 0
    while i + 8 <= count {
      store(Instructions.load8(source + i), destination + i)
      i += 8
    }
    while i < count {
      destination[i] = source[i].compute
      i += 1
    }
  }

  /// Rounds `count` arithmetic values to the storage type, eight at a time.
  @inlinable
  public static func narrow<S: FastStorage>(_ source: UnsafePointer<S.Compute>, _ destination: UnsafeMutablePointer<S>, _ count: Int) {
    var i = 0
    while i + 8 <= count {
      Instructions.store8(load(source + i), destination + i)
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
  public static func boneMerge<S: FastStorage>(_ weight: inout Matrix<S>, block: Matrix<S>, subtract: Bool) {
    let rows = weight.rows
    let columns = weight.columns
    let r = block.rows
    let period = r * max(1, (64 + r - 1) / r)
    // Rows are taken `group` at a time; their addends are first transposed to
    // group × r (so that row o's addends are contiguous: reading b[j, o] for
    // one o at a time would touch r cache lines per row), by every worker for
    // its own rows.
    let group = 64
    block.withUnsafeBufferPointer { b in
      weight.withUnsafeMutableBufferPointer { w in
        guard let base = w.baseAddress, let blockBase = b.baseAddress else { return }
        let shared = UnsafeSendableBox((base, blockBase))
        parallelChunks(rows, costPerItem: columns) { range in
          let (base, blockBase) = shared.value
          let transposed = UnsafeMutablePointer<S.Compute>.allocate(capacity: group * r)
          let addends = UnsafeMutablePointer<S.Compute>.allocate(capacity: period)
          defer {
            transposed.deallocate()
            addends.deallocate()
          }
          var first = range.lowerBound
          while first < range.upperBound {
            let count = min(group, range.upperBound - first)
            for j in 0..<r {
              let source = blockBase + j * rows + first
              for i in 0..<count {
                let value = source[i].compute
                transposed[i * r + j] = subtract ? -value : value
              }
            }
            for i in 0..<count {
              let own = transposed + i * r
              var j = 0
              for t in 0..<period {
                addends[t] = own[j]
                j = j + 1 == r ? 0 : j + 1
              }
              Instructions.addPeriodic(base + (first + i) * columns, columns, addends, period)
            }
            first += count
          }
        }
      }
    }
  }

  /// `row[t] ← row[t] + addends[t mod period]` for `t < count`, each sum
  /// rounded to the storage type, eight values at a time: the inner loop of
  /// `boneMerge`.
  @inlinable @inline(__always)
  public static func addPeriodic8<S: FastStorage>(
    _ row: UnsafeMutablePointer<S>, _ count: Int, _ addends: UnsafePointer<S.Compute>, _ period: Int
  ) {
    var c = 0
    while c < count {
      let length = min(period, count - c)
      let segment = row + c
      var t = 0
      while t + 8 <= length {
        Instructions.store8(Instructions.load8(segment + t) + load(addends + t), segment + t)
        t += 8
      }
      while t < length {
        segment[t] = S(rounding: segment[t].compute + addends[t])
        t += 1
      }
      c += period
    }
  }

  // MARK: - BAT (BAT-MERGE-1, BAT-UNMERGE-1, DTYPE-CPU-2)

  /// Sixteen columns of `t_ρ · M` for four rows `t_ρ` (length r), where
  /// `matrix` points at the first of them in the r rows of M, `matrixStride`
  /// apart; written to `out` (row ρ at 16ρ): a register-blocked
  /// micro-kernel, eight accumulators, one row of M loaded per step for all
  /// four rows.
  @inlinable @inline(__always)
  public static func product4x16<C: SIMDScalar & BinaryFloatingPoint>(
    _ t0: UnsafePointer<C>, _ t1: UnsafePointer<C>, _ t2: UnsafePointer<C>, _ t3: UnsafePointer<C>,
    _ matrix: UnsafePointer<C>, _ matrixStride: Int, _ r: Int, _ out: UnsafeMutablePointer<C>
  ) {
    var (a00, a01, a10, a11) = (SIMD8<C>(), SIMD8<C>(), SIMD8<C>(), SIMD8<C>())
    var (a20, a21, a30, a31) = (SIMD8<C>(), SIMD8<C>(), SIMD8<C>(), SIMD8<C>())
    var row = matrix
    for m in 0..<r {
      let b0 = load(row)
      let b1 = load(row + 8)
      let s0 = SIMD8<C>(repeating: t0[m])
      a00 = Instructions.multiplyAdd(a00, s0, b0)
      a01 = Instructions.multiplyAdd(a01, s0, b1)
      let s1 = SIMD8<C>(repeating: t1[m])
      a10 = Instructions.multiplyAdd(a10, s1, b0)
      a11 = Instructions.multiplyAdd(a11, s1, b1)
      let s2 = SIMD8<C>(repeating: t2[m])
      a20 = Instructions.multiplyAdd(a20, s2, b0)
      a21 = Instructions.multiplyAdd(a21, s2, b1)
      let s3 = SIMD8<C>(repeating: t3[m])
      a30 = Instructions.multiplyAdd(a30, s3, b0)
      a31 = Instructions.multiplyAdd(a31, s3, b1)
      row += matrixStride
    }
    store(a00, out)
    store(a01, out + 8)
    store(a10, out + 16)
    store(a11, out + 24)
    store(a20, out + 32)
    store(a21, out + 40)
    store(a30, out + 48)
    store(a31, out + 56)
  }

  /// Columns `j ..< j + 8` of `t_ρ · M` for four rows.
  @inlinable @inline(__always)
  static func product4x8<C: SIMDScalar & BinaryFloatingPoint>(
    _ t0: UnsafePointer<C>, _ t1: UnsafePointer<C>, _ t2: UnsafePointer<C>, _ t3: UnsafePointer<C>,
    _ matrix: UnsafePointer<C>, _ r: Int
  ) -> (SIMD8<C>, SIMD8<C>, SIMD8<C>, SIMD8<C>) {
    var (a0, a1, a2, a3) = (SIMD8<C>(), SIMD8<C>(), SIMD8<C>(), SIMD8<C>())
    var row = matrix
    for m in 0..<r {
      let b = load(row)
      a0 = Instructions.multiplyAdd(a0, SIMD8<C>(repeating: t0[m]), b)
      a1 = Instructions.multiplyAdd(a1, SIMD8<C>(repeating: t1[m]), b)
      a2 = Instructions.multiplyAdd(a2, SIMD8<C>(repeating: t2[m]), b)
      a3 = Instructions.multiplyAdd(a3, SIMD8<C>(repeating: t3[m]), b)
      row += r
    }
    return (a0, a1, a2, a3)
  }

  /// The shared loop of BAT merge and unmerge: every tile row `t` of W (row i
  /// of out-block a) becomes `t·M_a`, finished as the mode says. Rows go four
  /// at a time (all in one out-block, so they share M_a) through the
  /// micro-kernels; groups of four rows are split over cores. Each tile row
  /// is widened into a scratch row first, so the result may overwrite it.
  ///
  /// - Merge (`BAT-MERGE-1`): M_a = B_a and the row becomes
  ///   `t + (t·B_a + B_a[i])`, the delta rounded to the storage type first
  ///   when the storage is float16 or bfloat16 (`DTYPE-CPU-2`).
  /// - Unmerge (`BAT-UNMERGE-1`): M_a = (I + B_a)⁻¹, the row is first shifted
  ///   to `t − B_a[i]`, and the product is the result.
  @inlinable
  static func transformTileRows<S: FastStorage, Mode: TileMode>(
    _ weight: inout Matrix<S>, r: Int, matrices: UnsafePointer<S.Compute>, blocks: UnsafePointer<S.Compute>,
    _: Mode.Type
  ) {
    let unmerge = Mode.unmerge
    let roundDelta = Mode.roundsDelta(S.self)
    typealias C = S.Compute
    let columns = weight.columns
    let rows = weight.rows
    let panel = Instructions.tilePanel(C.self)
    let tall = Instructions.tileRows(C.self)  // rows per group
    let groupsPerBlock = (r + tall - 1) / tall
    let groups = (rows / r) * groupsPerBlock
    weight.withUnsafeMutableBufferPointer { w in
      guard let base = w.baseAddress else { return }
      let shared = UnsafeSendableBox(base)
      parallelChunks(groups, costPerItem: tall * columns * r) { range in
        let base = shared.value
        let scratch = UnsafeMutablePointer<C>.allocate(capacity: tall * r)
        let products = UnsafeMutablePointer<C>.allocate(capacity: tall * max(panel, 16))
        let stored = UnsafeMutablePointer<S>.allocate(capacity: 8)
        // M_a's full panels, each packed contiguous (r rows of `panel` values):
        // rows of M 2^k values apart would share a few cache sets and evict
        // one another on every step of the micro-kernel.
        let fullPanels = r / panel
        let packed = UnsafeMutablePointer<C>.allocate(capacity: fullPanels * r * panel)
        var packedBlock = -1
        defer {
          scratch.deallocate()
          products.deallocate()
          stored.deallocate()
          packed.deallocate()
        }
        for g in range {
          let a = g / groupsPerBlock
          let i0 = (g % groupsPerBlock) * tall
          let height = min(tall, r - i0)
          let matrix = matrices + a * r * r
          if a != packedBlock {
            for p in 0..<fullPanels {
              for m in 0..<r {
                (packed + (p * r + m) * panel).update(from: matrix + m * r + p * panel, count: panel)
              }
            }
            packedBlock = a
          }
          // Rows past the group's height are zero; their results are dropped.
          (scratch + height * r).update(repeating: 0, count: (tall - height) * r)
          // The first four rows for the narrower kernels (past the height: the first row).
          @inline(__always) func row(_ rho: Int) -> UnsafePointer<C> {
            UnsafePointer(scratch + min(rho, height - 1) * r)
          }
          @inline(__always) func blockRow(_ rho: Int) -> UnsafePointer<C> { blocks + (a * r + i0 + rho) * r }
          for k in 0..<(columns / r) {
            for rho in 0..<height {
              let left = scratch + rho * r
              widen(base + (a * r + i0 + rho) * columns + k * r, left, r)
              if unmerge {
                let shift = blockRow(rho)
                var m = 0
                while m + 8 <= r {
                  store(load(left + m) - load(shift + m), left + m)
                  m += 8
                }
                while m < r {
                  left[m] -= shift[m]
                  m += 1
                }
              }
            }
            @inline(__always) func destination(_ rho: Int, _ j: Int) -> UnsafeMutablePointer<S> {
              base + (a * r + i0 + rho) * columns + k * r + j
            }
            /// Columns j ..< j + 8 of row ρ from their product.
            @inline(__always) func finish(_ rho: Int, _ j: Int, _ product: SIMD8<C>) {
              if unmerge {
                Instructions.store8(product, destination(rho, j))
                return
              }
              var delta = product + load(blockRow(rho) + j)
              if roundDelta {
                // The delta is rounded to the storage type before it is added.
                if S.self == BFloat16.self {
                  delta = unsafeBitCast(BFloat16.roundTrip8(unsafeBitCast(delta, to: SIMD8<Float>.self)), to: SIMD8<C>.self)
                } else {
                  Instructions.store8(delta, stored)
                  delta = Instructions.load8(UnsafePointer(stored))
                }
              }
              Instructions.store8(delta + load(row(rho) + j), destination(rho, j))
            }
            var j = 0
            while j + panel <= r && Instructions.finishesTiles(S.self) {
              Instructions.tileProductFinished(
                UnsafePointer(scratch), r, packed + (j / panel) * r * panel, panel, r, panelColumn: j,
                blockRows: blockRow(0), destination: destination(0, 0), destinationStride: columns, height: height,
                unmerge: unmerge)
              j += panel
            }
            while j + panel <= r {
              Instructions.tileProduct(UnsafePointer(scratch), r, packed + (j / panel) * r * panel, panel, r, products)
              for rho in 0..<height {
                var piece = 0
                while piece < panel {
                  finish(rho, j + piece, load(products + rho * panel + piece))
                  piece += 8
                }
              }
              j += panel
            }
            // Narrower panels, four rows at a time.
            let panelEnd = j
            var quad = 0
            while quad < height {
              let quadHeight = min(4, height - quad)
              @inline(__always) func quadRow(_ rho: Int) -> UnsafePointer<C> { row(quad + min(rho, quadHeight - 1)) }
              var j = panelEnd
              while j + 16 <= r {
                FastKernels.product4x16(quadRow(0), quadRow(1), quadRow(2), quadRow(3), matrix + j, r, r, products)
                for rho in 0..<quadHeight {
                  finish(quad + rho, j, load(products + rho * 16))
                  finish(quad + rho, j + 8, load(products + rho * 16 + 8))
                }
                j += 16
              }
              if j + 8 <= r {
                let p = product4x8(quadRow(0), quadRow(1), quadRow(2), quadRow(3), matrix + j, r)
                finish(quad, j, p.0)
                if quadHeight > 1 { finish(quad + 1, j, p.1) }
                if quadHeight > 2 { finish(quad + 2, j, p.2) }
                if quadHeight > 3 { finish(quad + 3, j, p.3) }
              }
              quad += 4
            }
            j = panelEnd + (r - panelEnd) / 8 * 8
            while j < r {
              for rho in 0..<height {
                let left = row(rho)
                var sum: C = 0
                for m in 0..<r { sum += left[m] * matrix[m * r + j] }
                if unmerge {
                  destination(rho, j).pointee = S(rounding: sum)
                } else {
                  var delta = sum + blockRow(rho)[j]
                  if roundDelta { delta = S(rounding: delta).compute }
                  destination(rho, j).pointee = S(rounding: left[j] + delta)
                }
              }
              j += 1
            }
          }
        }
      }
    }
  }

  /// Every block in the arithmetic type, concatenated ((out/r) × r × r
  /// values), widened in one pass into uninitialised storage.
  @inlinable
  public static func widenedBlocks<S: FastStorage>(_ blocks: [Matrix<S>]) -> [S.Compute] {
    let total = blocks.reduce(0) { $0 + $1.elements.count }
    return [S.Compute](unsafeUninitializedCapacity: total) { destination, initialized in
      guard let base = destination.baseAddress else { return }
      var offset = 0
      for block in blocks {
        block.withUnsafeBufferPointer { source in
          if let from = source.baseAddress { widen(from, base + offset, source.count) }
        }
        offset += block.elements.count
      }
      initialized = total
    }
  }

  /// Every tile `T ← T + (T·B_a + B_a)`, in place, tile rows split over cores.
  /// For float16 and bfloat16 the delta is computed in float32, rounded to
  /// the storage type, and added in storage precision, as PEFT does on CPU.
  @inlinable
  public static func batMerge<S: FastStorage>(_ weight: inout Matrix<S>, blocks: [Matrix<S>]) {
    guard let r = blocks.first?.rows else { return }
    let widened = widenedBlocks(blocks)
    widened.withUnsafeBufferPointer { b in
      guard let blockBase = b.baseAddress else { return }
      transformTileRows(&weight, r: r, matrices: blockBase, blocks: blockBase, MergeTiles.self)
    }
  }

  /// Overwrites `inverse` (r × r, row-major) with `(I + B)⁻¹` in the
  /// arithmetic type, as `torch.linalg.inv` computes it: A = I + B is
  /// factorised as PA = LU by Gaussian elimination with partial pivoting (in
  /// `lu`, r × r scratch), and the inverse is the solution X of A·X = I by
  /// forward substitution with L and back substitution with U, every column
  /// of X solved at once, a row of r values per operation. False when a pivot
  /// is zero (`BAT-UNMERGE-2`). `pivots` holds r row indices.
  ///
  /// Each column of X is then the LU solution of A·x = e_j, whose residual
  /// Higham's Theorem 9.4 bounds; so `|A·X̂ − I| ≤ γ_{3r}·|L̂||Û||X̂|`, the
  /// right residual that a row's product `(T' − B)·X̂` needs
  /// (`TOL-BAT-UNMERGE-1`). Gauss–Jordan elimination, used here before,
  /// bounds the left residual only.
  @inlinable
  static func invertIdentityPlus<C: SIMDScalar & BinaryFloatingPoint>(
    _ block: UnsafePointer<C>, _ r: Int, into x: UnsafeMutablePointer<C>, lu: UnsafeMutablePointer<C>,
    pivots: UnsafeMutablePointer<Int>
  ) -> Bool {
    lu.update(from: block, count: r * r)
    for i in 0..<r { lu[i * r + i] += 1 }
    // PA = LU: the multipliers below the diagonal, U on and above it.
    for k in 0..<r {
      var pivotRow = k
      for row in (k + 1)..<max(r, k + 1) where abs(lu[row * r + k]) > abs(lu[pivotRow * r + k]) {
        pivotRow = row
      }
      let pivot = lu[pivotRow * r + k]
      guard pivot != 0 else { return false }
      pivots[k] = pivotRow
      if pivotRow != k {
        for j in 0..<r { swap(&lu[k * r + j], &lu[pivotRow * r + j]) }
      }
      for row in (k + 1)..<max(r, k + 1) { lu[row * r + k] /= pivot }
      let below = lu + (k + 1) * r
      Instructions.subtractScaledRows(below + k + 1, r, below + k, r, r - k - 1, lu + k * r + k + 1, r - k - 1)
    }
    // L·Z = I, row by row (L has a unit diagonal): row k of Z = L⁻¹ is zero
    // right of column k, so each row operation stops there. Solving with I
    // instead of P·I and permuting the columns at the end does the same
    // arithmetic on every column: X = U⁻¹·L⁻¹·P.
    x.update(repeating: 0, count: r * r)
    for i in 0..<r { x[i * r + i] = 1 }
    for k in 0..<r {
      Instructions.subtractScaledRows(x + (k + 1) * r, r, lu + (k + 1) * r + k, r, r - k - 1, x + k * r, k + 1)
    }
    // U·X = Z, from the last row up: row k is final once the rows below it
    // have been subtracted, and is then divided by its pivot (each quotient
    // correctly rounded).
    for k in (0..<r).reversed() {
      let rowK = x + k * r
      let divisor = SIMD8<C>(repeating: lu[k * r + k])
      var j = 0
      while j + 8 <= r {
        store(load(rowK + j) / divisor, rowK + j)
        j += 8
      }
      while j < r {
        rowK[j] /= lu[k * r + k]
        j += 1
      }
      Instructions.subtractScaledRows(x, r, lu + k, r, k, rowK, r)
    }
    // X·P: row interchange k ↔ p_k of the factorisation is column
    // interchange k ↔ p_k of the inverse, in reverse order.
    for k in (0..<r).reversed() where pivots[k] != k {
      for row in 0..<r { swap(&x[row * r + k], &x[row * r + pivots[k]]) }
    }
    return true
  }

  /// True when the computed inverse X̂ (at `x`) proves A = I + B (B at
  /// `block`, finite) nonsingular: every row sum of
  /// `|I − fl(Â·X̂)| + γ_{r+2}(u)·|Â||X̂|`, computed in the arithmetic type
  /// (u its unit roundoff, Â = fl(I + B)), is at most 1/2. The second term
  /// covers the rounding of the product (γ_r) and of Â's diagonal (u), and
  /// the rounding of the sums themselves cannot lift 1/2 to 1, so
  /// `‖I − A·X̂‖∞ < 1`: A·X̂, and therefore A, is invertible. An exactly
  /// singular A is never certified; a nonsingular one is whenever the
  /// first-order bound of `TOL-BAT-UNMERGE-1` on the right residual is small
  /// (`BAT-UNMERGE-2`, `BAT-UNMERGE-3`). NaN in X̂ fails. `scratch` holds
  /// 2r² + r values; one product `Â·X̂` (r³ multiply-adds, rows of r at a time),
  /// unless A is strictly diagonally dominant, which proves it nonsingular in
  /// r² operations (`isDiagonallyDominant`).
  @inlinable
  static func certifiesInverse<C: SIMDScalar & BinaryFloatingPoint>(
    _ block: UnsafePointer<C>, _ r: Int, _ x: UnsafePointer<C>, scratch: UnsafeMutablePointer<C>
  ) -> Bool {
    if isDiagonallyDominant(block, r) { return true }
    let n = C(r + 2) * (C.ulpOfOne / 2)
    let gamma = n / (1 - n)
    // −Â, then the product Â·X̂ = −(Σ_k (−Â)[:, k] ⊗ X̂[k, :]) accumulated as 0 − Σ.
    let negated = scratch
    let product = scratch + r * r
    let sums = scratch + 2 * r * r
    for e in 0..<(r * r) { negated[e] = -block[e] }
    for i in 0..<r { negated[i * r + i] = -(block[i * r + i] + 1) }
    product.update(repeating: 0, count: r * r)
    for k in 0..<r { Instructions.subtractScaledRows(product, r, negated + k, r, r, x + k * r, r) }
    // s_k = Σ_j |X̂_kj|, so that row i of |Â||X̂| sums to Σ_k |Â_ik|·s_k.
    for k in 0..<r {
      sums[k] = 0
      for j in 0..<r { sums[k] += abs(x[k * r + j]) }
    }
    for i in 0..<r {
      var magnitude: C = 0
      for k in 0..<r { magnitude += abs(negated[i * r + k]) * sums[k] }
      var total = gamma * magnitude
      for j in 0..<r { total += abs((i == j ? 1 : 0) - product[i * r + j]) }
      guard total <= 0.5 else { return false }
    }
    return true
  }

  /// True when A = I + B (B at `block`, finite) is strictly diagonally
  /// dominant, `|A_ii| > Σ_{j≠i} |A_ij|` for every row, and hence
  /// nonsingular (Lévy–Desplanques), shown with the rounding errors of the
  /// test itself: a computed row sum is at most `(1 + γ_{r−1})` times the
  /// true one, `fl(1 + B_ii)` at most `(1 + u)` times `|A_ii|`, and the
  /// margins `1 + 2γ_{r+1}` and `1 − 2u` absorb those and the roundings of
  /// the two products (`BAT-UNMERGE-2`).
  @inlinable
  static func isDiagonallyDominant<C: SIMDScalar & BinaryFloatingPoint>(_ block: UnsafePointer<C>, _ r: Int) -> Bool {
    let u = C.ulpOfOne / 2
    let n = C(r + 1) * u
    let gamma = n / (1 - n)
    for i in 0..<r {
      var offDiagonal: C = 0
      for j in 0..<r where j != i { offDiagonal += abs(block[i * r + j]) }
      let diagonal = abs(block[i * r + i] + 1)
      guard offDiagonal * (1 + 2 * gamma) < diagonal * (1 - 2 * u) else { return false }
    }
    return true
  }

  /// For each of `rows` rows ρ, unless its factor `f = factors[ρ·factorStride]`
  /// is zero: `target[ρ·targetStride + t] −= f · source[t]` for `t < count`,
  /// eight lanes at a time: one step of `invertIdentityPlus`.
  @inlinable @inline(__always)
  public static func subtractScaledRows8<C: SIMDScalar & BinaryFloatingPoint>(
    _ target: UnsafeMutablePointer<C>, _ targetStride: Int, _ factors: UnsafePointer<C>, _ factorStride: Int, _ rows: Int,
    _ source: UnsafePointer<C>, _ count: Int
  ) {
    for row in 0..<rows {
      let factor = factors[row * factorStride]
      if factor == 0 { continue }
      let destination = target + row * targetStride
      let f = SIMD8<C>(repeating: -factor)
      var j = 0
      while j + 8 <= count {
        store(Instructions.multiplyAdd(load(destination + j), f, load(source + j)), destination + j)
        j += 8
      }
      while j < count {
        destination[j] -= factor * source[j]
        j += 1
      }
    }
  }

  /// Every `(I + B_a)⁻¹` (out-blocks split over cores), concatenated, for
  /// the r × r blocks of `widened` (`widenedBlocks`); NaN in place of a
  /// singular block's inverse. The second value is the first singular
  /// out-block, or nil: a block is reported singular when its LU
  /// factorisation meets a zero pivot or its inverse does not prove it
  /// nonsingular (`certifiesInverse`): every exactly singular block, and
  /// only blocks that `BAT-UNMERGE-3` calls numerically singular besides.
  @inlinable
  public static func inversesOfIdentityPlus<C: SIMDScalar & BinaryFloatingPoint>(_ widened: [C], r: Int) -> ([C], Int?) {
    guard r > 0, !widened.isEmpty else { return ([], nil) }
    let count = widened.count / (r * r)
    // Every value is written below: by the inversion, or NaN for a singular block.
    var inverses = [C](unsafeUninitializedCapacity: widened.count) { _, initialized in initialized = widened.count }
    var singular = [Bool](repeating: false, count: count)
    widened.withUnsafeBufferPointer { b in
      inverses.withUnsafeMutableBufferPointer { inv in
        singular.withUnsafeMutableBufferPointer { flags in
          guard let blockBase = b.baseAddress, let inverseBase = inv.baseAddress, let flagBase = flags.baseAddress else { return }
          let shared = UnsafeSendableBox((blockBase, inverseBase, flagBase))
          parallelChunks(count, costPerItem: r * r * r) { range in
            let (blockBase, inverseBase, flagBase) = shared.value
            let pivots = UnsafeMutablePointer<Int>.allocate(capacity: r)
            let lu = UnsafeMutablePointer<C>.allocate(capacity: r * r)
            let scratch = UnsafeMutablePointer<C>.allocate(capacity: 2 * r * r + r)
            defer {
              pivots.deallocate()
              lu.deallocate()
              scratch.deallocate()
            }
            for a in range {
              let block = blockBase + a * r * r
              let inverse = inverseBase + a * r * r
              // A non-finite block is not singular, whatever its elimination
              // meets: its tiles become NaN (the reference's rule for them).
              guard (0..<(r * r)).allSatisfy({ block[$0].isFinite }) else {
                inverse.update(repeating: .nan, count: r * r)
                continue
              }
              if !invertIdentityPlus(block, r, into: inverse, lu: lu, pivots: pivots)
                || !certifiesInverse(block, r, inverse, scratch: scratch)
              {
                flagBase[a] = true
                inverse.update(repeating: .nan, count: r * r)
              }
            }
          }
        }
      }
    }
    return (inverses, singular.firstIndex(of: true))
  }

  /// Every tile `T' ← (T' − B_a)·(I + B_a)⁻¹`, rounded once to the storage
  /// type, with the widened blocks and their inverses from
  /// `inversesOfIdentityPlus` (every `I + B_a` must be invertible).
  @inlinable
  public static func batUnmerge<S: FastStorage>(_ weight: inout Matrix<S>, widened: [S.Compute], r: Int, inverses: [S.Compute]) {
    guard r > 0, !widened.isEmpty else { return }
    inverses.withUnsafeBufferPointer { inv in
      widened.withUnsafeBufferPointer { b in
        guard let inverseBase = inv.baseAddress, let blockBase = b.baseAddress else { return }
        transformTileRows(&weight, r: r, matrices: inverseBase, blocks: blockBase, UnmergeTiles.self)
      }
    }
  }

  // MARK: - Forward (BONE-FWD-1, BAT-FWD-1)

  /// Adds the products of four weight rows with two samples, over `count`
  /// columns (a multiple of 8), to eight accumulators kept in the first eight
  /// values of the slots of `acc` (slots of 16: sample 0's four rows, then
  /// sample 1's).
  @inlinable @inline(__always)
  public static func accumulate4x2<C: SIMDScalar & BinaryFloatingPoint>(
    _ w0: UnsafePointer<C>, _ w1: UnsafePointer<C>, _ w2: UnsafePointer<C>, _ w3: UnsafePointer<C>,
    _ x0: UnsafePointer<C>, _ x1: UnsafePointer<C>, _ count: Int, _ acc: UnsafeMutablePointer<C>
  ) {
    var (a00, a10, a20, a30) = (load(acc), load(acc + 16), load(acc + 32), load(acc + 48))
    var (a01, a11, a21, a31) = (load(acc + 64), load(acc + 80), load(acc + 96), load(acc + 112))
    var c = 0
    while c < count {
      let (v0, v1) = (load(x0 + c), load(x1 + c))
      let u0 = load(w0 + c)
      a00 = Instructions.multiplyAdd(a00, u0, v0)
      a01 = Instructions.multiplyAdd(a01, u0, v1)
      let u1 = load(w1 + c)
      a10 = Instructions.multiplyAdd(a10, u1, v0)
      a11 = Instructions.multiplyAdd(a11, u1, v1)
      let u2 = load(w2 + c)
      a20 = Instructions.multiplyAdd(a20, u2, v0)
      a21 = Instructions.multiplyAdd(a21, u2, v1)
      let u3 = load(w3 + c)
      a30 = Instructions.multiplyAdd(a30, u3, v0)
      a31 = Instructions.multiplyAdd(a31, u3, v1)
      c += 8
    }
    store(a00, acc)
    store(a10, acc + 16)
    store(a20, acc + 32)
    store(a30, acc + 48)
    store(a01, acc + 64)
    store(a11, acc + 80)
    store(a21, acc + 96)
    store(a31, acc + 112)
  }

  /// The dot products of four stored weight rows with one sample over
  /// `count` columns (a multiple of 8), two accumulator chains per row; the
  /// weights are widened as they are loaded, so each is read once.
  @inlinable @inline(__always)
  public static func dots4x1<S: FastStorage>(
    _ w0: UnsafePointer<S>, _ w1: UnsafePointer<S>, _ w2: UnsafePointer<S>, _ w3: UnsafePointer<S>,
    _ x: UnsafePointer<S.Compute>, _ count: Int
  ) -> (S.Compute, S.Compute, S.Compute, S.Compute) {
    typealias C = S.Compute
    var (a0, a1, a2, a3) = (SIMD8<C>(), SIMD8<C>(), SIMD8<C>(), SIMD8<C>())
    var (b0, b1, b2, b3) = (SIMD8<C>(), SIMD8<C>(), SIMD8<C>(), SIMD8<C>())
    var c = 0
    while c + 16 <= count {
      let (v, v8) = (load(x + c), load(x + c + 8))
      a0 = Instructions.multiplyAdd(a0, Instructions.load8(w0 + c), v)
      b0 = Instructions.multiplyAdd(b0, Instructions.load8(w0 + c + 8), v8)
      a1 = Instructions.multiplyAdd(a1, Instructions.load8(w1 + c), v)
      b1 = Instructions.multiplyAdd(b1, Instructions.load8(w1 + c + 8), v8)
      a2 = Instructions.multiplyAdd(a2, Instructions.load8(w2 + c), v)
      b2 = Instructions.multiplyAdd(b2, Instructions.load8(w2 + c + 8), v8)
      a3 = Instructions.multiplyAdd(a3, Instructions.load8(w3 + c), v)
      b3 = Instructions.multiplyAdd(b3, Instructions.load8(w3 + c + 8), v8)
      c += 16
    }
    if c < count {
      let v = load(x + c)
      a0 = Instructions.multiplyAdd(a0, Instructions.load8(w0 + c), v)
      a1 = Instructions.multiplyAdd(a1, Instructions.load8(w1 + c), v)
      a2 = Instructions.multiplyAdd(a2, Instructions.load8(w2 + c), v)
      a3 = Instructions.multiplyAdd(a3, Instructions.load8(w3 + c), v)
    }
    return ((a0 + b0).sum(), (a1 + b1).sum(), (a2 + b2).sum(), (a3 + b3).sum())
  }

  /// The dot product of one stored row with one sample over `count`
  /// columns (a multiple of 8), in four accumulator chains; the weights are
  /// widened as they are loaded.
  @inlinable @inline(__always)
  public static func dot1x4<S: FastStorage>(_ w: UnsafePointer<S>, _ x: UnsafePointer<S.Compute>, _ count: Int) -> S.Compute {
    typealias C = S.Compute
    var (a0, a1, a2, a3) = (SIMD8<C>(), SIMD8<C>(), SIMD8<C>(), SIMD8<C>())
    var c = 0
    while c + 32 <= count {
      a0 = Instructions.multiplyAdd(a0, Instructions.load8(w + c), load(x + c))
      a1 = Instructions.multiplyAdd(a1, Instructions.load8(w + c + 8), load(x + c + 8))
      a2 = Instructions.multiplyAdd(a2, Instructions.load8(w + c + 16), load(x + c + 16))
      a3 = Instructions.multiplyAdd(a3, Instructions.load8(w + c + 24), load(x + c + 24))
      c += 32
    }
    while c < count {
      a0 = Instructions.multiplyAdd(a0, Instructions.load8(w + c), load(x + c))
      c += 8
    }
    return ((a0 + a1) + (a2 + a3)).sum()
  }

  /// The columns up to which the one-sample forward reads half-precision
  /// weight rows one after another (`Instructions.dot`) instead of four side
  /// by side (`Instructions.dots4`): W then streams as one run of memory
  /// rather than four streams a row apart, while the sample, widened to
  /// float32, fills half of a 32 KiB first-level cache and stays there. On a
  /// Zen 4 EPYC, the float16 forward at 11008×4096 took 2.28–2.38 ms against
  /// 2.76–2.78 ms with the `avx512` copy, and 1.99–2.50 against 2.34–3.05
  /// with the `avx2` copy (bfloat16 alike). float32 rows gained nothing
  /// there, and longer rows lose (in a C model at 4096×11008, 3.5 ms
  /// against 2.6: the sample no longer stays in cache), so those are read
  /// side by side, each column of the sample serving four rows.
  @usableFromInline static var rowByRowColumns: Int { 4096 }

  /// `count` uninitialised values on a 64-byte boundary, so that no 64-byte
  /// load of them straddles two cache lines; free with
  /// `UnsafeMutableRawPointer(buffer).deallocate()`.
  @inlinable
  static func alignedBuffer<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
    UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<T>.stride, alignment: 64)
      .bindMemory(to: T.self, capacity: count)
  }

  /// The columns a chunk of the batched forward covers: four weight rows and
  /// a chunk of every sample stay in the level-1 cache while the samples go by.
  @usableFromInline static var forwardChunk: Int { 256 }

  /// `s[n][j] = Σ_k x_pad[n][k·r + j]` for every sample n and j < r, in the
  /// arithmetic type (`BONE-FWD-1`): piece by piece of r columns, so each
  /// s[n][j] adds its columns k·r + j in increasing k.
  @inlinable
  static func blockSums<S: FastStorage>(_ input: Matrix<S>, r: Int) -> [S.Compute] {
    let n = input.rows
    let inFeatures = input.columns
    var sums = [S.Compute](repeating: 0, count: n * r)
    sums.withUnsafeMutableBufferPointer { s in
      input.withUnsafeBufferPointer { xs in
        guard let sumBase = s.baseAddress, let xBase = xs.baseAddress else { return }
        for sample in 0..<n {
          let own = sumBase + sample * r
          let values = xBase + sample * inFeatures
          var start = 0
          while start < inFeatures {
            let length = min(r, inFeatures - start)
            var j = 0
            while j + 8 <= length {
              store(load(own + j) + Instructions.load8(values + start + j), own + j)
              j += 8
            }
            while j < length {
              own[j] += values[start + j].compute
              j += 1
            }
            start += r
          }
        }
      }
    }
    return sums
  }

  /// `x·Wᵀ + bias + Σ_a s_a(x)·b_a`, accumulated in the arithmetic type and
  /// rounded once. The bias and adapter terms (`s_a(x)·b_a`, a small product
  /// over the rows of b_a) are computed first; then groups of four output
  /// features, split over cores, read their weight rows once for the whole
  /// batch, in column chunks that stay in cache. From eight samples, where
  /// the instruction set has a kernel with the samples in the lanes, that
  /// path instead (`forwardWithSamplesInLanes`).
  ///
  /// With `bfloat16Pairs` (the processor has AVX512_BF16), a bfloat16 batch
  /// of eight or more samples takes `forwardBFloat16Pairs` where it applies.
  @inlinable
  public static func forward<S: FastStorage>(
    _ input: Matrix<S>, weight: Matrix<S>, bias: [S]?, boneBlocks: [Matrix<S>], bfloat16Pairs: Bool = false
  ) -> Matrix<S> {
    typealias C = S.Compute
    let n = input.rows
    let inFeatures = weight.columns
    let outFeatures = weight.rows
    guard n > 0, outFeatures > 0 else { return Matrix<S>(rows: n, columns: outFeatures, repeating: S(rounding: 0)) }
    // The adapter terms: s_a[n][j] = Σ_k x_pad[n][k·r + j] and each block;
    // each thread adds Σ_j s_a[n][j]·b_a[j, o] for its own outputs.
    let adapterTerms = boneBlocks.map { block in (r: block.rows, sums: blockSums(input, r: block.rows), block: block) }
    let biasValues = bias?.map(\.compute)
    if bfloat16Pairs,
      let output = forwardBFloat16Pairs(input, weight: weight, biasValues: biasValues, adapterTerms: adapterTerms)
    {
      return output
    }
    var output = Matrix<S>(rows: n, columns: outFeatures, repeating: S(rounding: 0))
    let laneRows = Instructions.laneRows(C.self)
    if n >= 8 && laneRows > 0 {
      forwardWithSamplesInLanes(
        input, weight: weight, biasValues: biasValues, adapterTerms: adapterTerms, laneRows: laneRows, output: &output)
      return output
    }
    // The samples widened, and below packed, on 64-byte boundaries, as the
    // lanes forward's: the kernels load 64 bytes of them at a time, and a load
    // across two cache lines costs two (a Swift array's elements begin 32 bytes
    // into a line). The one-sample float16 forward at 11008×4096 on the Zen 4
    // EPYC, alternating: 2.68–3.41 ms aligned against 3.00–3.60 in a slow phase
    // of the host, medians 2.44 against 2.49 ms over eight pairs in a quiet one.
    let x = alignedBuffer(C.self, count: n * inFeatures)
    defer { UnsafeMutableRawPointer(x).deallocate() }
    input.withUnsafeBufferPointer { source in
      if let from = source.baseAddress { widen(from, x, n * inFeatures) }
    }
    // extra[n][o] = bias_o + Σ_a Σ_j s_a[n][j]·b_a[j, o], filled by each thread for its outputs.
    // (Each element is written by the one thread that owns its output before it is read.)
    var extra = [C](unsafeUninitializedCapacity: n * outFeatures) { _, initialized in initialized = n * outFeatures }
    let chunk = forwardChunk
    let vectorColumns = inFeatures - inFeatures % 8
    // The samples packed chunk by chunk (every sample's chunk contiguous), so
    // that a chunk's rows do not alias in the cache as rows 2^k values apart do.
    // The batch is padded with zero samples to whole groups of the micro-kernel.
    let groupSize = Instructions.forwardSamples(C.self)
    let padded = (n + groupSize - 1) / groupSize * groupSize
    let packedCount = n > 1 ? padded * vectorColumns : 0
    let packed = alignedBuffer(C.self, count: packedCount)
    defer { UnsafeMutableRawPointer(packed).deallocate() }
    packed.initialize(repeating: 0, count: packedCount)
    if n > 1 {
      var start = 0
      while start < vectorColumns {
        let count = min(chunk, vectorColumns - start)
        for sample in 0..<n {
          (packed + start * padded + sample * count).update(from: x + sample * inFeatures + start, count: count)
        }
        start += count
      }
    }
    let packedSamples: UnsafePointer<C>? = n > 1 ? UnsafePointer(packed) : nil
    extra.withUnsafeMutableBufferPointer { es in
      weight.withUnsafeBufferPointer { w in
        output.withUnsafeMutableBufferPointer { out in
          guard let extraBase = es.baseAddress, let wBase = w.baseAddress, let outBase = out.baseAddress
          else { return }
          let shared = UnsafeSendableBox((UnsafePointer(x), extraBase, wBase, outBase, packedSamples))
          parallelChunks((outFeatures + 3) / 4, costPerItem: 4 * inFeatures * n) { range in
            let (xBase, extraBase, wBase, outBase, packedBase) = shared.value
            let outputs = 4 * range.lowerBound..<min(4 * range.upperBound, outFeatures)
            fillExtras(
              extraBase + outputs.lowerBound, outputs, stride: outFeatures, samples: n, biasValues: biasValues,
              terms: adapterTerms, inFeatures: inFeatures, outFeatures: outFeatures)
            /// Row o's stored weights.
            @inline(__always) func stored(_ o: Int) -> UnsafePointer<S> { UnsafePointer(wBase + o * inFeatures) }
            /// The columns past the last multiple of 8, then the extra terms; stored rounded.
            @inline(__always) func finish(_ o: Int, _ sample: Int, _ dot: C) {
              let row = stored(o)
              let xs = xBase + sample * inFeatures
              var total = dot
              for c in vectorColumns..<inFeatures { total += row[c].compute * xs[c] }
              total += extraBase[sample * outFeatures + o]
              outBase[sample * outFeatures + o] = S(rounding: total)
            }
            let storedIsArithmetic = S.self == C.self
            if n == 1 {
              // One sample: the stored rows are read directly, once; half-precision
              // rows of at most `rowByRowColumns` one after another, others four side by side.
              if !storedIsArithmetic && vectorColumns <= rowByRowColumns {
                for o in 4 * range.lowerBound..<min(4 * range.upperBound, outFeatures) {
                  finish(o, 0, Instructions.dot(stored(o), xBase, vectorColumns))
                }
                return
              }
              for g in range {
                let o0 = 4 * g
                let last = min(o0 + 3, outFeatures - 1)
                let d = Instructions.dots4(stored(o0), stored(min(o0 + 1, last)), stored(min(o0 + 2, last)), stored(last), xBase, vectorColumns)
                finish(o0, 0, d.0)
                if o0 + 1 <= last { finish(o0 + 1, 0, d.1) }
                if o0 + 2 <= last { finish(o0 + 2, 0, d.2) }
                if o0 + 3 <= last { finish(o0 + 3, 0, d.3) }
              }
              return
            }
            let sampleGroups = padded / groupSize
            let slots = 64 * groupSize  // values of accumulators per row group and sample group
            let groupsPerPass = 4
            // Per pass: each row group's accumulators and, for weights not stored
            // in the arithmetic type, the chunk of the pass's sixteen rows widened
            // just before it is used (widening whole rows first left the kernels
            // waiting for memory, then the memory idle while they ran). Rows
            // stored in the arithmetic type are read in place.
            let scratch = UnsafeMutablePointer<C>.allocate(capacity: storedIsArithmetic ? 0 : 4 * groupsPerPass * chunk)
            let accumulators = UnsafeMutablePointer<C>.allocate(capacity: slots * sampleGroups * groupsPerPass)
            defer {
              scratch.deallocate()
              accumulators.deallocate()
            }
            // Several samples: passes of up to four row groups. In each column chunk,
            // the samples' chunk stays in cache across the pass's groups and each
            // group's weight chunk across the sample groups.
            var first = range.lowerBound
            while first < range.upperBound {
              let groups = min(groupsPerPass, range.upperBound - first)
              accumulators.initialize(repeating: 0, count: slots * sampleGroups * groups)
              var start = 0
              while start < vectorColumns {
                let count = min(chunk, vectorColumns - start)
                /// Row ρ of the local group; rows past the output repeat the last row (their results are dropped).
                @inline(__always) func row(_ local: Int, _ rho: Int) -> Int { min(4 * (first + local) + rho, outFeatures - 1) }
                if !storedIsArithmetic {
                  for local in 0..<groups {
                    for rho in 0..<4 { widen(stored(row(local, rho)) + start, scratch + (4 * local + rho) * chunk, count) }
                  }
                }
                for local in 0..<groups {
                  @inline(__always) func chunkRow(_ rho: Int) -> UnsafePointer<C> {
                    storedIsArithmetic
                      ? UnsafeRawPointer(stored(row(local, rho)) + start).assumingMemoryBound(to: C.self)
                      : UnsafePointer(scratch + (4 * local + rho) * chunk)
                  }
                  let (w0, w1, w2, w3) = (chunkRow(0), chunkRow(1), chunkRow(2), chunkRow(3))
                  for group in 0..<sampleGroups {
                    guard let packedBase else { continue }
                    let samples = packedBase + start * padded + group * groupSize * count
                    Instructions.accumulateRows(w0, w1, w2, w3, samples, count, count, accumulators + slots * (local * sampleGroups + group))
                  }
                }
                start += count
              }
              for local in 0..<groups {
                let o0 = 4 * (first + local)
                for group in 0..<sampleGroups {
                  let acc = accumulators + slots * (local * sampleGroups + group)
                  @inline(__always) func slot(_ index: Int) -> C {
                    (load(acc + 16 * index) + load(acc + 16 * index + 8)).sum()
                  }
                  for s in 0..<groupSize where group * groupSize + s < n {
                    for rho in 0..<4 where o0 + rho < outFeatures {
                      finish(o0 + rho, group * groupSize + s, slot(4 * s + rho))
                    }
                  }
                }
              }
              first += groups
            }
          }
        }
      }
    }
    return output
  }

  /// The batched forward with sixteen samples in the lanes of each
  /// accumulator (`Instructions.rowsTimesLanes`): blocks of `laneRows`
  /// output features split over cores, each against every group of sixteen
  /// samples (the last one padded with zero samples), column chunk by column
  /// chunk; each dot product is one chain over all columns. Each thread
  /// first computes the extra terms of its outputs (`fillExtras`); then
  /// dot + extra is rounded once.
  @inlinable
  static func forwardWithSamplesInLanes<S: FastStorage>(
    _ input: Matrix<S>, weight: Matrix<S>, biasValues: [S.Compute]?,
    adapterTerms: [(r: Int, sums: [S.Compute], block: Matrix<S>)], laneRows: Int, output: inout Matrix<S>
  ) {
    typealias C = S.Compute
    let n = input.rows
    let inFeatures = weight.columns
    let outFeatures = weight.rows
    let sampleGroups = (n + 15) / 16
    // The transposed batch, on a 64-byte boundary, so that no load of sixteen
    // samples straddles two cache lines (7% of the kernel's speed with W
    // streaming from memory).
    let xT = alignedBuffer(C.self, count: sampleGroups * inFeatures * 16)
    defer { UnsafeMutableRawPointer(xT).deallocate() }
    transposeBatch(input, into: xT, sampleGroups: sampleGroups)
    weight.withUnsafeBufferPointer { w in
      output.withUnsafeMutableBufferPointer { out in
        guard let wBase = w.baseAddress, let outBase = out.baseAddress else { return }
        let shared = UnsafeSendableBox((UnsafePointer(xT), wBase, outBase))
        let blocks = (outFeatures + laneRows - 1) / laneRows
        parallelChunks(blocks, costPerItem: laneRows * inFeatures * n) { range in
          let (xBase, wBase, outBase) = shared.value
          multiplyBlocks(
            range, samples: xBase, weight: wBase, output: outBase, batch: n, inFeatures: inFeatures,
            outFeatures: outFeatures, laneRows: laneRows, biasValues: biasValues, adapterTerms: adapterTerms)
        }
      }
    }
  }

  /// xT[g][k][s] = x[16g + s][k], widened: column k's samples of group g
  /// contiguous, samples past the batch zero (`BONE-FWD-1`), by
  /// `transposeInGroups`.
  @inlinable
  static func transposeBatch<S: FastStorage>(
    _ input: Matrix<S>, into xT: UnsafeMutablePointer<S.Compute>, sampleGroups: Int
  ) {
    input.withUnsafeBufferPointer { source in
      guard let from = source.baseAddress else { return }
      transposeInGroups(from, rows: input.rows, columns: input.columns, into: xT, sampleGroups: sampleGroups) { $0.compute }
    }
  }

  /// to[g][k][s] = value(from[16g + s][k]) for `n` rows of `columns` values:
  /// column k's rows of group g contiguous, rows past the last one zero.
  /// Built by all cores, each for its own columns, 64 at a time: each row's
  /// piece read once, the 64 columns' slots in cache (the transposed batch
  /// of the lanes forward, and the pairs of columns of the bfloat16 pair
  /// forward).
  @inlinable
  static func transposeInGroups<Source, Target: Numeric>(
    _ from: UnsafePointer<Source>, rows n: Int, columns: Int, into to: UnsafeMutablePointer<Target>,
    sampleGroups: Int, _ value: (Source) -> Target
  ) {
    let shared = UnsafeSendableBox((to, from))
    parallelChunks((columns + 63) / 64, costPerItem: 64 * 16 * sampleGroups) { blocks in
      let (to, from) = shared.value
      for block in blocks {
        let first = 64 * block
        let end = min(first + 64, columns)
        for group in 0..<sampleGroups {
          let slots = to + (group * columns + first) * 16
          for s in 0..<16 {
            let sample = 16 * group + s
            if sample < n {
              let row = from + sample * columns
              for k in first..<end { slots[(k - first) * 16 + s] = value(row[k]) }
            } else {
              for k in first..<end { slots[(k - first) * 16 + s] = .zero }
            }
          }
        }
      }
    }
  }

  /// One thread's blocks of `laneRows` output features of the lanes forward:
  /// their extra terms first (`fillExtras`), then each block against every
  /// group of sixteen samples (`samples`, transposed by `transposeBatch`),
  /// column chunk by column chunk, and dot + extra rounded once into
  /// `output` (`BONE-FWD-1`).
  @inlinable @inline(__always)
  static func multiplyBlocks<S: FastStorage>(
    _ range: Range<Int>, samples xBase: UnsafePointer<S.Compute>, weight wBase: UnsafePointer<S>,
    output outBase: UnsafeMutablePointer<S>, batch n: Int, inFeatures: Int, outFeatures: Int, laneRows: Int,
    biasValues: [S.Compute]?, adapterTerms: [(r: Int, sums: [S.Compute], block: Matrix<S>)]
  ) {
    typealias C = S.Compute
    let chunk = forwardChunk
    let sampleGroups = (n + 15) / 16
    // Rows not stored in the arithmetic type, and the rows of a block past the
    // last output (the last row again; results dropped), go through a scratch
    // chunk: the last sample group's kernel call widens the block's next chunk
    // (after its last chunk, the next block's first) into it behind the columns it
    // has multiplied (one chunk, not two, so that the chunk, the samples and the
    // stored rows stay in the first-level cache together).
    let scratch = UnsafeMutablePointer<C>.allocate(capacity: laneRows * chunk)
    let accumulators = UnsafeMutablePointer<C>.allocate(capacity: sampleGroups * laneRows * 16)
    defer {
      scratch.deallocate()
      accumulators.deallocate()
    }
    let extras = BlockExtras(
      range, laneRows: laneRows, samples: n, biasValues: biasValues, terms: adapterTerms, inFeatures: inFeatures,
      outFeatures: outFeatures, instructions: Instructions.self)
    defer { extras.deallocate() }
    // Whether the previous block's last kernel call widened this block's first chunk.
    var firstChunkWidened = false
    for block in range {
      let o0 = block * laneRows
      let full = o0 + laneRows <= outFeatures
      let inPlace = S.self == C.self && full
      /// The output feature of the block's row ρ (past the last output, the last one again).
      @inline(__always) func feature(_ rho: Int) -> Int { min(o0 + rho, outFeatures - 1) }
      /// Widens columns `start ..< start + count` of the block's rows into the scratch chunk.
      @inline(__always) func widenChunk(_ start: Int, _ count: Int) {
        for rho in 0..<laneRows {
          widen(UnsafePointer(wBase + feature(rho) * inFeatures + start), scratch + rho * chunk, count)
        }
      }
      accumulators.initialize(repeating: 0, count: sampleGroups * laneRows * 16)
      if !inPlace && !firstChunkWidened { widenChunk(0, min(chunk, inFeatures)) }
      firstChunkWidened = false
      let nextBlockIsWhole = block + 1 < range.upperBound && o0 + 2 * laneRows <= outFeatures
      var start = 0
      while start < inFeatures {
        let count = min(chunk, inFeatures - start)
        let nextCount = min(chunk, inFeatures - start - count)
        // What the last sample group's call widens behind its columns:
        // this block's next chunk, or after its last chunk the next
        // block's first one (so that no chunk is widened on its own,
        // waiting for memory, but a partial block's).
        let (ahead, aheadCount) =
          nextCount > 0
          ? (UnsafePointer(wBase + o0 * inFeatures + start + count), nextCount)
          : nextBlockIsWhole ? (UnsafePointer(wBase + (o0 + laneRows) * inFeatures), min(chunk, inFeatures)) : (UnsafePointer(wBase), 0)
        let rows = inPlace
          ? UnsafeRawPointer(wBase + o0 * inFeatures + start).assumingMemoryBound(to: C.self)
          : UnsafePointer(scratch)
        let stride = inPlace ? inFeatures : chunk
        for group in 0..<sampleGroups {
          let samples = xBase + (group * inFeatures + start) * 16
          let acc = accumulators + group * laneRows * 16
          if group == sampleGroups - 1 && !inPlace && aheadCount > 0 && full {
            Instructions.rowsTimesLanes(
              rows, stride, samples, count, acc, widening: ahead,
              nextStride: inFeatures, nextCount: aheadCount, into: scratch, intoStride: chunk)
            firstChunkWidened = nextCount == 0
          } else {
            Instructions.rowsTimesLanes(rows, stride, samples, count, acc)
          }
        }
        // A partial block's next chunk (its last row repeated) is widened on its own.
        if !inPlace && nextCount > 0 && !full { widenChunk(start + count, nextCount) }
        start += count
      }
      for rho in 0..<laneRows where o0 + rho < outFeatures {
        for sample in 0..<n {
          let dot = accumulators[((sample / 16) * laneRows + rho) * 16 + sample % 16]
          let extra = extras[sample, o0 + rho]
          outBase[sample * outFeatures + o0 + rho] = S(rounding: dot + extra)
        }
      }
    }
  }

  /// The extra terms of outputs `outputs` for every sample:
  /// `extras[sample·stride + o − first]` = the bias (or zero), then
  /// Σ_j s_a[sample][j]·b_a[j, o] adapter by adapter in increasing j (rows
  /// j < in; the others meet only padding), each term one
  /// `Instructions.multiplyAdd`, so that an element's value does not depend
  /// on which outputs are computed with it (`BONE-FWD-1`). From eight
  /// samples, one pass per adapter with eight outputs in the lanes and eight
  /// samples' terms in registers, so each piece of a row of b is widened once
  /// per eight samples (past the last sample, the last one again, not
  /// stored). Below eight, in tiles of outputs whose terms for the whole
  /// batch fit in the level-1 cache (32 KiB), four rows of b per pass
  /// (`axpyRows`) for every sample (tiles of 256 read b in pieces of 1 KiB,
  /// too short for the prefetcher: about 6% of an 11008×4096 float32
  /// forward of one sample).
  @inlinable @inline(__always)
  static func fillExtras<S: FastStorage>(
    _ extras: UnsafeMutablePointer<S.Compute>, _ outputs: Range<Int>, stride: Int, samples n: Int,
    biasValues: [S.Compute]?, terms: [(r: Int, sums: [S.Compute], block: Matrix<S>)], inFeatures: Int,
    outFeatures: Int
  ) {
    typealias C = S.Compute
    typealias V = SIMD8<C>
    let count = outputs.count
    for sample in 0..<n {
      let own = extras + sample * stride
      if let biasValues {
        for o in outputs { own[o - outputs.lowerBound] = biasValues[o] }
      } else {
        own.update(repeating: 0, count: count)
      }
    }
    guard n >= 8 else {
      let tileWidth = max(256, 8192 / n)
      var tileStart = outputs.lowerBound
      while tileStart < outputs.upperBound {
        let tileEnd = min(tileStart + tileWidth, outputs.upperBound)
        for term in terms {
          term.block.withUnsafeBufferPointer { rows in
            term.sums.withUnsafeBufferPointer { sums in
              guard let rowsBase = rows.baseAddress, let sumBase = sums.baseAddress else { return }
              let used = min(term.r, inFeatures)
              var j = 0
              while j < used {
                let rowCount = min(4, used - j)
                for sample in 0..<n {
                  axpyRows(
                    extras + sample * stride + tileStart - outputs.lowerBound, sumBase + sample * term.r + j,
                    rowsBase + j * outFeatures + tileStart, rowStride: outFeatures, rowCount: rowCount,
                    tileEnd - tileStart)
                }
                j += rowCount
              }
            }
          }
        }
        tileStart = tileEnd
      }
      return
    }
    for term in terms {
      term.block.withUnsafeBufferPointer { b in
        term.sums.withUnsafeBufferPointer { sums in
          guard let bBase = b.baseAddress, let sumBase = sums.baseAddress else { return }
          let used = min(term.r, inFeatures)
          var o = outputs.lowerBound
          while o < outputs.upperBound {
            let width = min(8, outputs.upperBound - o)
            let column = o - outputs.lowerBound
            var s0 = 0
            while s0 < n {
              /// Sample s0 + k's terms so far (past `width`, zeros).
              @inline(__always) func soFar(_ k: Int) -> V {
                let own = extras + min(s0 + k, n - 1) * stride + column
                return width == 8 ? load(own) : loadFirst(own, width)
              }
              var (a0, a1, a2, a3) = (soFar(0), soFar(1), soFar(2), soFar(3))
              var (a4, a5, a6, a7) = (soFar(4), soFar(5), soFar(6), soFar(7))
              @inline(__always) func sums(_ k: Int) -> UnsafePointer<C> { sumBase + min(s0 + k, n - 1) * term.r }
              let (q0, q1, q2, q3, q4, q5, q6, q7) = (sums(0), sums(1), sums(2), sums(3), sums(4), sums(5), sums(6), sums(7))
              /// Every row's term, the piece of row j of b given by `row`.
              @inline(__always) func addTerms(_ row: (UnsafePointer<S>) -> V) {
                for j in 0..<used {
                  let values = row(bBase + j * outFeatures + o)
                  a0 = Instructions.multiplyAdd(a0, V(repeating: q0[j]), values)
                  a1 = Instructions.multiplyAdd(a1, V(repeating: q1[j]), values)
                  a2 = Instructions.multiplyAdd(a2, V(repeating: q2[j]), values)
                  a3 = Instructions.multiplyAdd(a3, V(repeating: q3[j]), values)
                  a4 = Instructions.multiplyAdd(a4, V(repeating: q4[j]), values)
                  a5 = Instructions.multiplyAdd(a5, V(repeating: q5[j]), values)
                  a6 = Instructions.multiplyAdd(a6, V(repeating: q6[j]), values)
                  a7 = Instructions.multiplyAdd(a7, V(repeating: q7[j]), values)
                }
              }
              if width == 8 {
                addTerms { Instructions.load8($0) }
              } else {
                addTerms { loadFirst(widening: $0, width) }
              }
              /// Stores sample s0 + k's terms, if it is a sample.
              @inline(__always) func store(_ k: Int, _ values: V) {
                guard s0 + k < n else { return }
                let own = extras + (s0 + k) * stride + column
                if width == 8 {
                  FastKernels.store(values, own)
                } else {
                  storeFirst(values, own, width)
                }
              }
              store(0, a0)
              store(1, a1)
              store(2, a2)
              store(3, a3)
              store(4, a4)
              store(5, a5)
              store(6, a6)
              store(7, a7)
              s0 += 8
            }
            o += width
          }
        }
      }
    }
  }

  /// `Instructions.rowsTimesLanes` over `count` columns, then the next chunk
  /// of the `laneRows` stored rows widened exactly (the default of the
  /// widening kernel hook) (`BONE-FWD-1`, `DTYPE-CPU-2`).
  @inlinable @inline(__always)
  public static func rowsTimesLanesThenWiden<S: FastStorage>(
    _ w: UnsafePointer<S.Compute>, _ stride: Int, _ xT: UnsafePointer<S.Compute>, _ count: Int,
    _ acc: UnsafeMutablePointer<S.Compute>, widening next: UnsafePointer<S>, nextStride: Int, nextCount: Int,
    into: UnsafeMutablePointer<S.Compute>, intoStride: Int
  ) {
    Instructions.rowsTimesLanes(w, stride, xT, count, acc)
    for rho in 0..<Instructions.laneRows(S.Compute.self) {
      widen(next + rho * nextStride, into + rho * intoStride, nextCount)
    }
  }

  /// `axpy` for `rowCount` (1 to 4) consecutive rows (row k at
  /// `rows + k · rowStride`, scaled by `scales[k]`), in one pass: each element
  /// gets the rows' multiply-adds in order, k = 0 first, as from `rowCount`
  /// calls of `axpy`, while the rows stream together.
  @inlinable @inline(__always)
  static func axpyRows<S: FastStorage>(
    _ acc: UnsafeMutablePointer<S.Compute>, _ scales: UnsafePointer<S.Compute>, _ rows: UnsafePointer<S>,
    rowStride: Int, rowCount: Int, _ count: Int
  ) {
    guard rowCount == 4 else {
      for k in 0..<rowCount { axpy(acc, scales[k], rows + k * rowStride, count) }
      return
    }
    typealias V = SIMD8<S.Compute>
    let (s0, s1, s2, s3) = (V(repeating: scales[0]), V(repeating: scales[1]), V(repeating: scales[2]), V(repeating: scales[3]))
    let (r0, r1, r2, r3) = (rows, rows + rowStride, rows + 2 * rowStride, rows + 3 * rowStride)
    var j = 0
    while j + 8 <= count {
      var a = Instructions.multiplyAdd(load(acc + j), s0, Instructions.load8(r0 + j))
      a = Instructions.multiplyAdd(a, s1, Instructions.load8(r1 + j))
      a = Instructions.multiplyAdd(a, s2, Instructions.load8(r2 + j))
      store(Instructions.multiplyAdd(a, s3, Instructions.load8(r3 + j)), acc + j)
      j += 8
    }
    if j < count {
      for k in 0..<4 { axpy(acc + j, scales[k], rows + k * rowStride + j, count - j) }
    }
  }

  /// `acc[j] += scale · row[j]` for j < count, the stored row widened as it is
  /// read; every element by `Instructions.multiplyAdd` (fused or not as the
  /// instruction set's), wherever it falls in the row.
  @inlinable @inline(__always)
  static func axpy<S: FastStorage>(
    _ acc: UnsafeMutablePointer<S.Compute>, _ scale: S.Compute, _ row: UnsafePointer<S>, _ count: Int
  ) {
    let s = SIMD8<S.Compute>(repeating: scale)
    var j = 0
    while j + 8 <= count {
      store(Instructions.multiplyAdd(load(acc + j), s, Instructions.load8(row + j)), acc + j)
      j += 8
    }
    // The last values through the same multiply-add as the others, so that
    // an element's value does not depend on where a tile ends.
    if j < count {
      let sum = Instructions.multiplyAdd(loadFirst(acc + j, count - j), s, loadFirst(widening: row + j, count - j))
      storeFirst(sum, acc + j, count - j)
    }
  }
}

/// Which finish `FastKernels.transformTileRows` gives each tile row, as a
/// type, so that each specialisation has its branches resolved at compile time
/// (`BAT-MERGE-1`, `BAT-UNMERGE-1`).
public protocol TileMode {
  /// True for unmerge (the row shifted first, the product stored as is).
  static var unmerge: Bool { get }
}

extension TileMode {
  /// Whether a merge rounds the delta to the storage type before adding it
  /// (float16 and bfloat16, `DTYPE-CPU-2`).
  @inlinable @inline(__always)
  static func roundsDelta<S: FastStorage>(_: S.Type) -> Bool {
    !unmerge && (S.self == Float16.self || S.self == BFloat16.self)
  }
}

/// BAT merge: `t + (t·B_a + B_a[i])` (`BAT-MERGE-1`).
public enum MergeTiles: TileMode {
  /// False.
  @inlinable public static var unmerge: Bool { false }
}

/// BAT unmerge: `(t − B_a[i])·(I + B_a)⁻¹` (`BAT-UNMERGE-1`).
public enum UnmergeTiles: TileMode {
  /// True.
  @inlinable public static var unmerge: Bool { true }
}
