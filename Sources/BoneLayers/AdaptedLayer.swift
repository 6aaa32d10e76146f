/// A linear layer with BONE or BAT adapters: the state machine of §2–§5 of
/// `Spec/BONE.md`, over the arithmetic of a `LayerBackend`.
///
/// A value type; every mutating operation either succeeds or throws and
/// leaves the layer exactly as it was (`LAYER-ERROR-1`).
public struct AdaptedLayer<Backend: LayerBackend> {
  /// The arithmetic.
  public let backend: Backend
  /// The weight W, `out × in`, merged adapters included.
  public private(set) var weight: Matrix<Backend.WeightElement>
  /// The bias, `out` long, or nil.
  public let bias: [Backend.WeightElement]?
  /// The variant fixed by the first adapter (`LAYER-VARIANT-1`), or nil.
  public private(set) var variant: AdapterVariant?
  /// The adapters, in the order they were added.
  public private(set) var adapters: [Adapter<Backend.BlockElement>] = []
  /// The active adapters, in order (`LAYER-STATE-1`).
  public private(set) var activeAdapters: [String] = []
  /// The merged stack, bottom first (`LAYER-STATE-2`).
  public private(set) var mergedAdapters: [String] = []
  /// True while disabled (`LAYER-STATE-4`).
  public private(set) var isDisabled = false

  /// Output features: the rows of W.
  public var outFeatures: Int { weight.rows }
  /// Input features: the columns of W.
  public var inFeatures: Int { weight.columns }
  /// True while any adapter is merged.
  public var isMerged: Bool { !mergedAdapters.isEmpty }

  /// A layer with no adapters.
  ///
  /// - Throws: `LayerError.weightShapeMismatch` for an empty weight or a bias
  ///   whose length is not `out` (`BONE-SHAPE-1`); `dtypeMismatch` for a value
  ///   the dtype cannot hold.
  public init(backend: Backend, weight: Matrix<Backend.WeightElement>, bias: [Backend.WeightElement]? = nil)
    throws(LayerError)
  {
    guard weight.rows >= 1, weight.columns >= 1 else {
      throw .weightShapeMismatch("the weight must be out×in with out, in ≥ 1, not \(weight.rows)×\(weight.columns)")
    }
    if let bias, bias.count != weight.rows {
      throw .weightShapeMismatch("the bias must have \(weight.rows) entries (out), not \(bias.count)")
    }
    guard backend.everyElementIsHeld || weight.elements.allSatisfy({ backend.holds(weight: $0) }) else { throw .dtypeMismatch(what: "the weight", dtype: backend.dtype) }
    guard (bias ?? []).allSatisfy({ backend.holds(weight: $0) }) else { throw .dtypeMismatch(what: "the bias", dtype: backend.dtype) }
    self.backend = backend
    self.weight = weight
    self.bias = bias
  }

  /// The adapter called `name`, or nil.
  public func adapter(named name: String) -> Adapter<Backend.BlockElement>? {
    adapters.first { $0.name == name }
  }

  // MARK: - Adapters

  /// Adds an adapter; with no block, a zero block of the variant's shape
  /// (`LAYER-INIT-1`). The first adapter becomes active (`LAYER-STATE-1`).
  ///
  /// - Throws: `invalidRank`, `batShapeNotDivisible`, `variantMismatch`,
  ///   `duplicateAdapter`, `blockShapeMismatch`, `dtypeMismatch`.
  public mutating func addAdapter(
    _ name: String, variant: AdapterVariant, rank: Int, block: [Matrix<Backend.BlockElement>]? = nil
  ) throws(LayerError) {
    guard rank >= 1 else { throw .invalidRank(rank) }
    if variant == .bat, inFeatures % rank != 0 || outFeatures % rank != 0 {
      throw .batShapeNotDivisible(inFeatures: inFeatures, outFeatures: outFeatures, rank: rank)
    }
    if let layerVariant = self.variant, layerVariant != variant {
      throw .variantMismatch(layer: layerVariant, adapter: variant)
    }
    guard adapter(named: name) == nil else { throw .duplicateAdapter(name) }
    let shapes = variant.blockShapes(rank: rank, outFeatures: outFeatures)
    let matrices =
      block
      ?? shapes.map { Matrix(rows: $0.rows, columns: $0.columns, repeating: backend.zeroBlockElement) }
    let fits =
      matrices.count == shapes.count
      && zip(matrices, shapes).allSatisfy { $0.rows == $1.rows && $0.columns == $1.columns }
    guard fits else {
      let expected = variant == .bone ? "\(rank)×\(outFeatures)" : "\(shapes.count) blocks \(rank)×\(rank)"
      let got = matrices.map { "\($0.rows)×\($0.columns)" }.joined(separator: ", ")
      throw .blockShapeMismatch(adapter: name, expected: expected, got: "[\(got)]")
    }
    guard backend.everyElementIsHeld || matrices.allSatisfy({ $0.elements.allSatisfy { backend.holds(block: $0) } }) else {
      throw .dtypeMismatch(what: "the block of adapter \"\(name)\"", dtype: backend.dtype)
    }
    adapters.append(Adapter(name: name, variant: variant, rank: rank, block: matrices))
    if self.variant == nil {
      self.variant = variant
      activeAdapters = [name]
    }
  }

  /// Replaces the active list, in the given order (`LAYER-STATE-1`).
  ///
  /// - Throws: `unknownAdapter` for a name the layer does not have.
  public mutating func setActive(_ names: [String]) throws(LayerError) {
    for name in names where adapter(named: name) == nil { throw .unknownAdapter(name) }
    activeAdapters = names
  }

  // MARK: - Merge and unmerge

  /// Merges the named adapters (default: the active ones) that are not merged
  /// yet, in order, pushing each on the merged stack (`LAYER-STATE-2`); with
  /// `safe`, a non-finite result is an error and nothing is written
  /// (`LAYER-SAFE-1`). Without `safe` the weight is updated in place.
  ///
  /// - Throws: `unknownAdapter`, `nonFiniteMerge`.
  public mutating func merge(_ names: [String]? = nil, safe: Bool = false) throws(LayerError) {
    var pending: [Adapter<Backend.BlockElement>] = []
    for name in names ?? activeAdapters where !mergedAdapters.contains(name) && !pending.contains(where: { $0.name == name }) {
      guard let adapter = adapter(named: name) else { throw .unknownAdapter(name) }
      pending.append(adapter)
    }
    guard !pending.isEmpty else { return }
    if safe {
      var trial = weight
      for adapter in pending {
        Self.merge(adapter, backend: backend, into: &trial)
        if !trial.elements.allSatisfy(backend.isFinite) { throw .nonFiniteMerge(adapter: adapter.name) }
      }
      weight = trial
    } else {
      // In place: nothing but `weight` may hold its storage here, or the
      // first write would copy it.
      let backend = self.backend
      for adapter in pending { Self.merge(adapter, backend: backend, into: &weight) }
    }
    mergedAdapters += pending.map(\.name)
  }

  private static func merge(_ adapter: Adapter<Backend.BlockElement>, backend: Backend, into weight: inout Matrix<Backend.WeightElement>) {
    switch adapter.variant {
    case .bone: backend.boneMerge(&weight, block: adapter.block[0], subtract: false)
    case .bat: backend.batMerge(&weight, blocks: adapter.block)
    }
  }

  /// Pops every merged adapter in reverse order and unmerges it, in place
  /// (`LAYER-STATE-2`, `BONE-MERGE-2`, `BAT-UNMERGE-1`); a no-op when nothing
  /// is merged. Every BAT block is checked before anything changes.
  ///
  /// - Throws: `singularBlock` (`BAT-UNMERGE-2`).
  public mutating func unmerge() throws(LayerError) {
    let stack = mergedAdapters.reversed().compactMap { adapter(named: $0) }
    // Every BAT adapter is prepared (its blocks inverted) before anything changes.
    var plans: [Backend.BatUnmergePlan?] = []
    for adapter in stack {
      guard adapter.variant == .bat else {
        plans.append(nil)
        continue
      }
      switch backend.prepareBatUnmerge(adapter.block) {
      case .singular(let a): throw .singularBlock(adapter: adapter.name, outBlock: a)
      case .ready(let plan): plans.append(plan)
      }
    }
    for (adapter, plan) in zip(stack, plans) {
      switch adapter.variant {
      case .bone: backend.boneMerge(&weight, block: adapter.block[0], subtract: true)
      case .bat: if let plan { backend.batUnmerge(&weight, plan: plan) }
      }
    }
    mergedAdapters = []
  }

  /// Unmerges everything, then disables the adapters (`LAYER-STATE-4`).
  ///
  /// - Throws: what `unmerge` throws.
  public mutating func disable() throws(LayerError) {
    var next = self
    try next.unmerge()
    next.isDisabled = true
    self = next
  }

  /// Enables the adapters again (`LAYER-STATE-4`).
  public mutating func enable() {
    isDisabled = false
  }

  // MARK: - Forward

  /// The layer's output for a batch `n × in` (`BONE-FWD-1`, `BAT-FWD-1`,
  /// `LAYER-STATE-3`, `LAYER-STATE-4`).
  ///
  /// - Throws: `inputShapeMismatch`, `dtypeMismatch` (`LAYER-INPUT-1`).
  public func forward(_ input: Matrix<Backend.InputElement>) throws(LayerError) -> Matrix<Backend.OutputElement> {
    guard input.rows >= 1, input.columns == inFeatures else {
      throw .inputShapeMismatch(expectedColumns: inFeatures, rows: input.rows, columns: input.columns)
    }
    guard backend.everyElementIsHeld || input.elements.allSatisfy({ backend.holds(input: $0) }) else { throw .dtypeMismatch(what: "the input", dtype: backend.dtype) }
    let active = activeAdapters.compactMap { adapter(named: $0) }
    if isDisabled || isMerged || active.isEmpty {
      return backend.forward(input, weight: weight, bias: bias, boneBlocks: [])
    }
    switch variant {
    case .bat:
      return backend.batForward(input, weight: weight, bias: bias, batBlocks: active.map(\.block))
    case .bone, nil:
      return backend.forward(input, weight: weight, bias: bias, boneBlocks: active.map { $0.block[0] })
    }
  }
}

extension AdaptedLayer: Sendable where Backend.WeightElement: Sendable {}
