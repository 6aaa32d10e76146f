/// The arithmetic of a layer: what the exact reference and the fast
/// implementation each provide, under one state machine (`AdaptedLayer`).
///
/// Every function is pure: it returns new matrices and never fails except as
/// documented. Shapes are checked by the state machine before a call.
public protocol LayerBackend: Sendable {
  /// An element of the weight and bias as the backend stores it.
  associatedtype WeightElement: Sendable
  /// An element of an adapter block.
  associatedtype BlockElement: Sendable
  /// An element of a forward input.
  associatedtype InputElement: Sendable
  /// An element of a forward output.
  associatedtype OutputElement: Sendable

  /// The storage dtype of the layer.
  var dtype: DType { get }

  /// True when the layer's dtype holds the weight or bias element exactly.
  func holds(weight element: WeightElement) -> Bool

  /// True when the layer's dtype holds the block element exactly (`LAYER-BLOCK-1`).
  func holds(block element: BlockElement) -> Bool

  /// True when the layer's dtype holds the input element exactly (`LAYER-INPUT-1`).
  func holds(input element: InputElement) -> Bool

  /// +0 in block form, for zero-initialised adapters (`LAYER-INIT-1`).
  var zeroBlockElement: BlockElement { get }

  /// `W' = W ± b` by column groups (`BONE-MERGE-1`, `BONE-MERGE-2`); the block
  /// is `r × out` and any r ≥ 1 is allowed.
  func boneMerge(_ weight: Matrix<WeightElement>, block: Matrix<BlockElement>, subtract: Bool) -> Matrix<WeightElement>

  /// Every tile `T ↦ T·(I + B_a) + B_a` (`BAT-MERGE-1`).
  func batMerge(_ weight: Matrix<WeightElement>, blocks: [Matrix<BlockElement>]) -> Matrix<WeightElement>

  /// Every tile `T' ↦ (T' − B_a)·(I + B_a)⁻¹` (`BAT-UNMERGE-1`).
  ///
  /// - Returns: the weight, or the index a of the first out-block whose
  ///   `I + B_a` is singular (`BAT-UNMERGE-2`).
  func batUnmerge(_ weight: Matrix<WeightElement>, blocks: [Matrix<BlockElement>]) -> Result<Matrix<WeightElement>, SingularBlockIndex>

  /// True when the element is neither NaN nor infinite (`LAYER-SAFE-1`).
  func isFinite(_ element: WeightElement) -> Bool

  /// `y = x·Wᵀ + bias + Σ s(x)·b` over the given BONE blocks (`BONE-FWD-1`);
  /// with no blocks, the base forward.
  func forward(
    _ input: Matrix<InputElement>, weight: Matrix<WeightElement>, bias: [WeightElement]?,
    boneBlocks: [Matrix<BlockElement>]
  ) -> Matrix<OutputElement>
}

/// The out-block whose `I + B_a` is singular.
public struct SingularBlockIndex: Error, Sendable, Hashable {
  /// The out-block index a.
  public let outBlock: Int

  /// Names out-block `outBlock`.
  public init(outBlock: Int) {
    self.outBlock = outBlock
  }
}
