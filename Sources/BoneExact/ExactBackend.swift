import BoneLayers
import BoneNumerics

/// The exact reference: every operation of a layer computed exactly, with the
/// canonical stored result, the exact result and the bound of `Spec/BONE.md`
/// §7 for every element.
///
/// Under `DevicePolicy.exact` nothing is rounded (the mathematics of §3–§4);
/// under `cpu` and `native` results are rounded to the dtype as §6 says, and
/// the canonical stored value is the correctly rounded one of each rounding
/// step the policy names (`DTYPE-CPU-2`, `DTYPE-NATIVE-1`).
public struct ExactBackend: LayerBackend {
  /// Weights and biases carry their exact value and bound.
  public typealias WeightElement = ReferenceElement
  /// Blocks are stored values.
  public typealias BlockElement = ExtendedRational
  /// Inputs are stored values.
  public typealias InputElement = ExtendedRational
  /// Outputs carry their exact value and bound.
  public typealias OutputElement = ReferenceElement

  /// The storage dtype.
  public let dtype: DType
  /// The device policy.
  public let policy: DevicePolicy

  /// A backend for `dtype` under `policy`.
  public init(dtype: DType, policy: DevicePolicy) {
    self.dtype = dtype
    self.policy = policy
  }

  /// +0.
  public var zeroBlockElement: ExtendedRational { .zero }

  /// True when the value is one the dtype holds (any value under `exact`).
  func holds(_ value: ExtendedRational) -> Bool {
    policy == .exact || value.rounded(to: dtype) == value || value == .nan
  }

  /// True when the dtype holds the element's canonical value.
  public func holds(weight element: ReferenceElement) -> Bool { holds(element.value) }

  /// True when the dtype holds the block value.
  public func holds(block element: ExtendedRational) -> Bool { holds(element) }

  /// True when the dtype holds the input value.
  public func holds(input element: ExtendedRational) -> Bool { holds(element) }

  /// True when merges go through float32 (`DTYPE-CPU-2`).
  var mergesThroughFloat32: Bool { policy == .cpu && (dtype == .float16 || dtype == .bfloat16) }

  /// The working dtype of merges: float32 under `DTYPE-CPU-2`, else the storage dtype.
  var mergeWorkingDType: DType { mergesThroughFloat32 ? .float32 : dtype }

  /// The policy's storage of an exact result: itself under `exact`, else rounded.
  func store(_ exact: ExtendedRational) -> ExtendedRational {
    policy == .exact ? exact : exact.rounded(to: dtype)
  }

  /// An element whose bound comes from `bound` when the result is finite and
  /// the policy rounds; exact and non-finite results are determined.
  func element(exact: ExtendedRational, value: ExtendedRational, determined: Bool, bound: () -> Rational) -> ReferenceElement {
    if policy == .exact || determined || !exact.isFinite {
      return ReferenceElement(value: value, exact: exact, bound: .zero, determined: true)
    }
    return ReferenceElement(value: value, exact: exact, bound: bound(), determined: false)
  }

  // MARK: - BONE (BONE-MERGE-1, BONE-MERGE-2, EXACT-DETERMINED-1)

  /// `W ± b` by column groups; bit-determined when W is.
  public func boneMerge(_ weight: inout Matrix<ReferenceElement>, block: Matrix<ExtendedRational>, subtract: Bool) {
    let r = block.rows
    weight = weight.indexedMap { o, c, w in
      let b = block[c % r, o]
      let exact = subtract ? w.value - b : w.value + b
      let radius = w.radius
      return element(exact: exact, value: store(exact), determined: radius.isZero) {
        // A perturbed W moves the sum by its radius; then one rounding.
        radius + RoundingModel.roundingBound((exact.rational?.magnitude ?? .zero) + radius, dtype: dtype)
      }
    }
  }

  // MARK: - BAT (BAT-MERGE-1, TOL-BAT-MERGE-1)

  /// Every tile `T·(I + B_a) + B_a`, with the bound of `TOL-BAT-MERGE-1`.
  public func batMerge(_ weight: inout Matrix<ReferenceElement>, blocks: [Matrix<ExtendedRational>]) {
    guard let r = blocks.first?.rows else { return }
    var result = weight
    for (a, block) in blocks.enumerated() {
      for k in 0..<(weight.columns / r) {
        for i in 0..<r {
          let row = a * r + i
          let tile = (0..<r).map { m in weight[row, k * r + m] }
          for j in 0..<r {
            var deltaTerms: [ExtendedRational] = [block[i, j]]
            deltaTerms.reserveCapacity(r + 1)
            for m in 0..<r { deltaTerms.append(tile[m].value * block[m, j]) }
            let delta = ExtendedRational.sum(deltaTerms)
            let exact = tile[j].value + delta
            let value =
              mergesThroughFloat32 ? (tile[j].value + delta.rounded(to: dtype)).rounded(to: dtype) : store(exact)
            result[row, k * r + j] = element(exact: exact, value: value, determined: false) {
              batMergeBound(tile: tile, i: i, j: j, block: block, delta: delta, exact: exact)
            }
          }
        }
      }
    }
    weight = result
  }

  /// The bound of element (i, j) of a BAT merge (`TOL-BAT-MERGE-1`), with
  /// the radii of the tile's elements propagated through `I + B_a`.
  func batMergeBound(
    tile: [ReferenceElement], i: Int, j: Int, block: Matrix<ExtendedRational>, delta: ExtendedRational,
    exact: ExtendedRational
  ) -> Rational {
    let r = block.rows
    func magnitude(_ value: ExtendedRational) -> Rational { value.rational?.magnitude ?? .zero }
    // Σ_m (|T_im| + ρ_im)·|B_mj| + |B_ij|: the delta's terms.
    var deltaTerms = magnitude(block[i, j])
    // Σ_m ρ_im·|δ_mj + B_mj|: how far perturbed inputs move the exact result.
    var propagated = Rational.zero
    for m in 0..<r {
      let radius = tile[m].radius
      deltaTerms += (magnitude(tile[m].value) + radius) * magnitude(block[m, j])
      if !radius.isZero { propagated += radius * magnitude(block[m, j] + (m == j ? .finite(.one) : .zero)) }
    }
    if mergesThroughFloat32 {
      let e1 = RoundingModel.sumBound(absoluteSum: deltaTerms, roundings: r + 1, dtype: .float32)
      let e2 = RoundingModel.roundingBound(magnitude(delta) + propagated + e1, dtype: dtype)
      let e3 = RoundingModel.roundingBound(magnitude(exact) + propagated + e1 + e2, dtype: dtype)
      return propagated + e1 + e2 + e3
    }
    let all = deltaTerms + magnitude(tile[j].value) + tile[j].radius
    return propagated + RoundingModel.sumBound(absoluteSum: all, roundings: r + 2, dtype: dtype)
  }

  /// A result of non-finite inputs that may be NaN or ±infinity.
  static let undeterminedNonFinite = ReferenceElement(value: .nan, exact: .nan, bound: .zero, determined: false)

  /// The first out-block whose `I + B_a` is singular (`BAT-UNMERGE-2`).
  public func firstSingularBlock(_ blocks: [Matrix<ExtendedRational>]) -> Int? {
    blocks.firstIndex { block in
      let finite = block.elements.compactMap(\.rational)
      guard finite.count == block.elements.count else { return false }
      return ExactLU(ExactMath.identityPlus(Matrix(unchecked: block.rows, block.columns, finite))) == nil
    }
  }

  /// The out-blocks whose nonsingular `I + B_a` is numerically singular in
  /// the working precision (`BAT-UNMERGE-3`: θ_a ≥ 1/4, θ_a the larger
  /// of the largest row sums of `M·|A⁻¹|` and `|A⁻¹|·M`, with
  /// `M = γ_{3r}(u_w)·Pᵀ|L||U| + 2·γ_{r+2}(u_w)·|A|`). An unmerge may
  /// refuse them with `singularBlock` or give any values in their rows; the
  /// bounds this backend gives those rows are first-order ones that do not
  /// hold there, so callers must not judge them. Exactly singular and
  /// non-finite blocks are not listed.
  public func numericallySingularBlocks(_ blocks: [Matrix<ExtendedRational>]) -> [Int] {
    let working = mergesThroughFloat32 ? DType.float32 : dtype
    return blocks.indices.filter { a in
      let finite = blocks[a].elements.compactMap(\.rational)
      guard finite.count == blocks[a].elements.count else { return false }
      let r = blocks[a].rows
      let identityPlus = ExactMath.identityPlus(Matrix(unchecked: r, r, finite))
      guard let lu = ExactLU(identityPlus) else { return false }
      // M = γ_{3r}(u_w)·Pᵀ|L||U| + 2·γ_{r+2}(u_w)·|A|; θ_a = max(‖M·|A⁻¹|‖∞, ‖|A⁻¹|·M‖∞).
      // Row i of P·Q sums to (P·q)_i, q the row sums of Q: matrix-vector products only.
      let solve = RoundingModel.gamma(3 * r, working)
      let rounding = Rational(2) * RoundingModel.gamma(r + 2, working)
      let aMagnitude = identityPlus.map(\.magnitude)
      let inverseMagnitude = lu.inverse().map(\.magnitude)
      func times(_ q: Matrix<Rational>, _ v: [Rational]) -> [Rational] {
        (0..<r).map { i in (0..<r).reduce(Rational.zero) { $0 + q[i, $1] * v[$1] } }
      }
      func mTimes(_ v: [Rational]) -> [Rational] {
        zip(lu.magnitudeProduct(v), times(aMagnitude, v)).map { solve * $0 + rounding * $1 }
      }
      let ones = [Rational](repeating: .one, count: r)
      let right = mTimes(times(inverseMagnitude, ones))
      let left = times(inverseMagnitude, mTimes(ones))
      let quarter = Rational(1).scaled(byPowerOfTwo: -2)
      return (0..<r).contains { right[$0] >= quarter || left[$0] >= quarter }
    }
  }

  /// The exact reference's plan is the blocks themselves: `batUnmerge`
  /// builds each block's exact model (inverse, growth factor) as it goes.
  public typealias BatUnmergePlan = [Matrix<ExtendedRational>]

  /// The blocks, after checking them (`BAT-UNMERGE-2`).
  public func prepareBatUnmerge(_ blocks: [Matrix<ExtendedRational>]) -> BatUnmergePreparation<BatUnmergePlan> {
    if let a = firstSingularBlock(blocks) { return .singular(outBlock: a) }
    return .ready(blocks)
  }

  /// `batUnmerge(_:blocks:)` with the prepared blocks.
  public func batUnmerge(_ weight: inout Matrix<ReferenceElement>, plan: BatUnmergePlan) {
    batUnmerge(&weight, blocks: plan)
  }

  /// Every tile `(T' − B_a)·(I + B_a)⁻¹`; each element's bound is the
  /// forward-error bound of `TOL-BAT-UNMERGE-1`, `Σ_m E_m·|A⁻¹|_mj`, with
  /// the merged tile's radius in `E_m`. A non-finite block makes its tiles NaN.
  public func batUnmerge(_ weight: inout Matrix<ReferenceElement>, blocks: [Matrix<ExtendedRational>]) {
    guard case .success(let result) = unmerged(weight, blocks: blocks) else { return }
    weight = result
  }

  func unmerged(_ weight: Matrix<ReferenceElement>, blocks: [Matrix<ExtendedRational>]) -> Result<Matrix<ReferenceElement>, SingularBlockIndex> {
    guard let r = blocks.first?.rows else { return .success(weight) }
    var result = weight
    let working = mergesThroughFloat32 ? DType.float32 : dtype
    for (a, block) in blocks.enumerated() {
      let finiteBlock = block.elements.compactMap(\.rational)
      guard finiteBlock.count == block.elements.count else {
        // A non-finite block makes its tiles non-finite; which of NaN and
        // ±infinity depends on the inverse an implementation computes.
        for row in (a * r)..<(a * r + r) {
          for column in 0..<weight.columns { result[row, column] = Self.undeterminedNonFinite }
        }
        continue
      }
      let b = Matrix(unchecked: r, r, finiteBlock)
      guard let model = UnmergeBlockModel(block: b, working: working) else { return .failure(SingularBlockIndex(outBlock: a)) }
      let (inverse, aMagnitude) = (model.inverse, model.identityPlusMagnitude)
      let inverseMagnitude = inverse.matrix.map(\.magnitude)
      let u = RoundingModel.unitRoundoff(dtype)
      let eta = RoundingModel.underflowHalfQuantum(dtype)
      for k in 0..<(weight.columns / r) {
        for i in 0..<r {
          let row = a * r + i
          let tile = (0..<r).map { m in weight[row, k * r + m] }
          guard tile.allSatisfy(\.value.isFinite) else {
            for j in 0..<r { result[row, k * r + j] = Self.undeterminedNonFinite }
            continue
          }
          let shifted = (0..<r).map { m in (tile[m].value.rational ?? .zero) - b[i, m] }
          let exactRow = (0..<r).map { j in
            var total = Rational.zero
            for m in 0..<r { total += shifted[m] * inverse.matrix[m, j] }
            return total
          }
          // E_m of TOL-BAT-UNMERGE-1 for this row, at the exact solution,
          // with the input radii it must absorb.
          let rowMagnitude = exactRow.reduce(Rational.zero) { $0 + $1.magnitude }
          let termBound = (0..<r).map { j in
            var rounding = Rational.zero
            var product = Rational.zero
            for m in 0..<r {
              rounding += (u * exactRow[m].magnitude + eta) * aMagnitude[m, j]
              product += exactRow[m].magnitude * aMagnitude[m, j]
            }
            return rounding * (.one + u) + model.productFactor * product + model.solveFactor * rowMagnitude + tile[j].radius
          }
          for j in 0..<r {
            let exact = ExtendedRational.finite(exactRow[j])
            result[row, k * r + j] = element(exact: exact, value: store(exact), determined: false) {
              var bound = Rational.zero
              for m in 0..<r { bound += termBound[m] * inverseMagnitude[m, j] }
              return bound
            }
          }
        }
      }
    }
    return .success(result)
  }

  /// True for finite values.
  public func isFinite(_ element: ReferenceElement) -> Bool { element.value.isFinite }

  // MARK: - Forward (BONE-FWD-1, BAT-FWD-1, TOL-FWD-1)

  /// `x·Wᵀ + bias + Σ s(x)·b` per batch row, with the bound of `TOL-FWD-1`.
  public func forward(
    _ input: Matrix<ExtendedRational>, weight: Matrix<ReferenceElement>, bias: [ReferenceElement]?,
    boneBlocks: [Matrix<ExtendedRational>]
  ) -> Matrix<ReferenceElement> {
    let inFeatures = weight.columns
    let depth = boneBlocks.reduce(inFeatures + 1) { deepest, block in
      let r = block.rows
      return Swift.max(deepest, (inFeatures + r - 1) / r + r)
    }
    let roundings = depth + boneBlocks.count + 1
    func magnitude(_ value: ExtendedRational) -> Rational { value.rational?.magnitude ?? .zero }
    return Matrix(rows: input.rows, columns: weight.rows) { n, o in
      var terms: [ExtendedRational] = []
      terms.reserveCapacity(inFeatures * (1 + boneBlocks.count) + 1)
      var absoluteSum = Rational.zero
      var propagated = Rational.zero
      for c in 0..<inFeatures {
        let x = input[n, c]
        let w = weight[o, c]
        terms.append(x * w.value)
        let radius = w.radius
        absoluteSum += magnitude(x) * (magnitude(w.value) + radius)
        if !radius.isZero { propagated += magnitude(x) * radius }
      }
      if let bias {
        terms.append(bias[o].value)
        absoluteSum += magnitude(bias[o].value) + bias[o].radius
        propagated += bias[o].radius
      }
      for block in boneBlocks {
        let r = block.rows
        for c in 0..<inFeatures {
          let product = input[n, c] * block[c % r, o]
          terms.append(product)
          absoluteSum += magnitude(product)
        }
      }
      let exact = ExtendedRational.sum(terms)
      return element(exact: exact, value: store(exact), determined: false) {
        propagated + RoundingModel.sumBound(absoluteSum: absoluteSum, roundings: roundings, dtype: dtype)
      }
    }
  }
}

/// What the unmerge bound of one out-block needs (`TOL-BAT-UNMERGE-1`):
/// the exact inverse of A = I + B_a, |A|, the rounding factor of the
/// differences, A's diagonal and the products, `γ_{r+2}(u_w)`, and the solve
/// term's factor `γ_{3r}(u_w)·g·r·max|A|`.
struct UnmergeBlockModel {
  let inverse: ExactInverse
  let identityPlusMagnitude: Matrix<Rational>
  let productFactor: Rational
  let solveFactor: Rational

  /// The model of block B_a with working dtype `working`; nil when A is singular.
  init?(block: Matrix<Rational>, working: DType) {
    let identityPlus = ExactMath.identityPlus(block)
    guard let inverse = identityPlus.inverse() else { return nil }
    self.inverse = inverse
    identityPlusMagnitude = identityPlus.map(\.magnitude)
    let largest = identityPlusMagnitude.elements.max() ?? .zero
    productFactor = RoundingModel.gamma(block.rows + 2, working)
    solveFactor = RoundingModel.gamma(3 * block.rows, working) * inverse.growthFactor * Rational(block.rows) * largest
  }
}

extension Matrix {
  /// The matrix with `transform(row, column, element)` applied to every element.
  public func indexedMap<T>(_ transform: (Int, Int, Element) throws -> T) rethrows -> Matrix<T> {
    try Matrix<T>(rows: rows, columns: columns) { i, j in try transform(i, j, self[i, j]) }
  }
}
