import BoneLayers
import BoneNumerics

/// The exact mathematics of BONE and BAT on rational matrices, with no
/// rounding and no state: the formulas of `Spec/BONE.md` §3–§4.
public enum ExactMath {
  /// `W[o, c] ± b[c mod r, o]` (`BONE-MERGE-1`, `BONE-MERGE-2`).
  public static func boneMerge(_ weight: Matrix<Rational>, block: Matrix<Rational>, subtract: Bool = false) -> Matrix<Rational> {
    let r = block.rows
    return Matrix(rows: weight.rows, columns: weight.columns) { o, c in
      subtract ? weight[o, c] - block[c % r, o] : weight[o, c] + block[c % r, o]
    }
  }

  /// Every tile `T·(I + B_a) + B_a` (`BAT-MERGE-1`). The weight's dimensions
  /// must be multiples of the block size.
  public static func batMerge(_ weight: Matrix<Rational>, blocks: [Matrix<Rational>]) -> Matrix<Rational> {
    guard let r = blocks.first?.rows else { return weight }
    var result = weight
    var sum = ExactAccumulator()
    for (a, block) in blocks.enumerated() {
      for k in 0..<(weight.columns / r) {
        for i in 0..<r {
          let row = a * r + i
          for j in 0..<r {
            sum.reset()
            sum.add(weight[row, k * r + j])
            sum.add(block[i, j])
            for m in 0..<r { sum.addProduct(weight[row, k * r + m], block[m, j]) }
            result[row, k * r + j] = sum.value
          }
        }
      }
    }
    return result
  }

  /// Every tile `(T' − B_a)·(I + B_a)⁻¹` (`BAT-UNMERGE-1`).
  ///
  /// - Returns: the weight, or the first out-block whose `I + B_a` is
  ///   singular (`BAT-UNMERGE-2`).
  public static func batUnmerge(_ weight: Matrix<Rational>, blocks: [Matrix<Rational>]) -> Result<Matrix<Rational>, SingularBlockIndex> {
    guard let r = blocks.first?.rows else { return .success(weight) }
    var result = weight
    for (a, block) in blocks.enumerated() {
      guard let inverse = identityPlus(block).inverse() else { return .failure(SingularBlockIndex(outBlock: a)) }
      for k in 0..<(weight.columns / r) {
        for i in 0..<r {
          let row = a * r + i
          let shifted = (0..<r).map { m in weight[row, k * r + m] - block[i, m] }
          for j in 0..<r {
            result[row, k * r + j] = Rational.dot(count: r, { shifted[$0] }, { inverse.matrix[$0, j] })
          }
        }
      }
    }
    return .success(result)
  }

  /// `x·Wᵀ + bias + Σ s(x)·b` per batch row (`BONE-FWD-1`).
  public static func boneForward(
    _ input: Matrix<Rational>, weight: Matrix<Rational>, bias: [Rational]?, blocks: [Matrix<Rational>]
  ) -> Matrix<Rational> {
    Matrix(rows: input.rows, columns: weight.rows) { n, o in
      var total = bias?[o] ?? .zero
      for c in 0..<weight.columns { total += input[n, c] * weight[o, c] }
      for block in blocks {
        let r = block.rows
        // s_j = Σ_k x_pad[k·r + j]; the padding is zero.
        for j in 0..<Swift.min(r, weight.columns) {
          var s = Rational.zero
          for c in stride(from: j, to: weight.columns, by: r) { s += input[n, c] }
          total += s * block[j, o]
        }
      }
      return total
    }
  }

  /// `I + B`.
  public static func identityPlus(_ block: Matrix<Rational>) -> Matrix<Rational> {
    Matrix(rows: block.rows, columns: block.columns) { i, j in i == j ? block[i, j] + .one : block[i, j] }
  }
}

/// An exact inverse with the growth factor of the elimination that found it.
public struct ExactInverse: Sendable {
  /// A⁻¹.
  public let matrix: Matrix<Rational>
  /// max |entry of any reduced matrix| / max |a_ij|, for Gaussian elimination
  /// with partial pivoting on A (`TOL-BAT-UNMERGE-1`).
  public let growthFactor: Rational
}

extension Matrix where Element == Rational {
  /// The exact inverse, from the factorisation of `ExactLU` (A·X = I solved
  /// with L and U), with that elimination's growth factor; nil when singular
  /// or not square.
  public func inverse() -> ExactInverse? {
    ExactLU(self).map { ExactInverse(matrix: $0.inverse(), growthFactor: $0.growthFactor) }
  }
}

/// The exact factorisation PA = LU by Gaussian elimination with partial
/// pivoting (the largest magnitude in the column is the pivot), as LAPACK
/// keeps it: U on and above the diagonal of `factors`, L's multipliers below
/// it (L has a unit diagonal), and row i of PA is row `order[i]` of A
/// (`BAT-UNMERGE-3`).
public struct ExactLU: Sendable {
  /// L's multipliers and U, in one matrix.
  public let factors: Matrix<Rational>
  /// The row of A that each row of PA is.
  public let order: [Int]
  /// max |entry of A or of any reduced matrix| / max |a_ij| (1 for the
  /// zero matrix): the growth factor of the elimination (`TOL-BAT-UNMERGE-1`).
  public let growthFactor: Rational

  /// The factorisation of a square matrix, or nil when it is singular or not square.
  public init?(_ a: Matrix<Rational>) {
    guard a.rows == a.columns else { return nil }
    let n = a.rows
    var f = a
    var order = Array(0..<n)
    let largestInput = a.elements.map(\.magnitude).max() ?? .zero
    var largest = largestInput
    for k in 0..<n {
      var pivotRow = k
      for row in (k + 1)..<Swift.max(n, k + 1) where f[row, k].magnitude > f[pivotRow, k].magnitude { pivotRow = row }
      guard !f[pivotRow, k].isZero, let reciprocal = try? f[pivotRow, k].reciprocal() else { return nil }
      if pivotRow != k {
        order.swapAt(k, pivotRow)
        for j in 0..<n {
          let t = f[k, j]
          f[k, j] = f[pivotRow, j]
          f[pivotRow, j] = t
        }
      }
      for row in (k + 1)..<Swift.max(n, k + 1) {
        let multiplier = f[row, k] * reciprocal
        f[row, k] = multiplier
        if multiplier.isZero { continue }
        for j in (k + 1)..<n {
          f[row, j] -= multiplier * f[k, j]
          largest = Swift.max(largest, f[row, j].magnitude)
        }
      }
    }
    factors = f
    self.order = order
    growthFactor = largestInput.isZero ? .one : ((try? largest / largestInput) ?? .one)
  }

  /// A⁻¹: the solution of A·X = I, by forward substitution with L and back
  /// substitution with U on P·I.
  public func inverse() -> Matrix<Rational> {
    let n = factors.rows
    var x = Matrix<Rational>(rows: n, columns: n) { i, j in order[i] == j ? Rational.one : .zero }
    for j in 0..<n {
      for i in 0..<n {
        var total = x[i, j]
        for m in 0..<i { total -= factors[i, m] * x[m, j] }
        x[i, j] = total
      }
      for i in (0..<n).reversed() {
        var total = x[i, j]
        for m in (i + 1)..<Swift.max(n, i + 1) { total -= factors[i, m] * x[m, j] }
        // Every pivot is nonzero: the factorisation exists.
        x[i, j] = (try? total / factors[i, i]) ?? .zero
      }
    }
    return x
  }

  /// `Pᵀ·|L|·|U|·v`: the product with |L||U|, its rows in A's order (the
  /// matrix that bounds |A| elementwise), in r² operations.
  public func magnitudeProduct(_ v: [Rational]) -> [Rational] {
    let n = factors.rows
    let uv = (0..<n).map { m in (m..<n).reduce(Rational.zero) { $0 + factors[m, $1].magnitude * v[$1] } }
    var result = [Rational](repeating: .zero, count: n)
    for i in 0..<n {
      var total = uv[i]  // L's unit diagonal
      for m in 0..<i { total += factors[i, m].magnitude * uv[m] }
      result[order[i]] = total
    }
    return result
  }
}

/// The out-block whose `I + B_a` is singular (`BAT-UNMERGE-2`).
public struct SingularBlockIndex: Error, Sendable, Hashable {
  /// The out-block index a.
  public let outBlock: Int

  /// Names out-block `outBlock`.
  public init(outBlock: Int) {
    self.outBlock = outBlock
  }
}
