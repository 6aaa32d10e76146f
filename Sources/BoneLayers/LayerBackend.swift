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

  /// True when every element the backend's types can hold is a value of its
  /// dtype, so that the `holds` checks need not look at each element (a
  /// backend that stores the dtype's own encodings).
  var everyElementIsHeld: Bool { get }

  /// +0 in block form, for zero-initialised adapters (`LAYER-INIT-1`).
  var zeroBlockElement: BlockElement { get }

  /// `W ← W ± b` by column groups, in place (`BONE-MERGE-1`, `BONE-MERGE-2`);
  /// the block is `r × out` and any r ≥ 1 is allowed.
  func boneMerge(_ weight: inout Matrix<WeightElement>, block: Matrix<BlockElement>, subtract: Bool)

  /// Every tile `T ← T·(I + B_a) + B_a`, in place (`BAT-MERGE-1`).
  func batMerge(_ weight: inout Matrix<WeightElement>, blocks: [Matrix<BlockElement>])

  /// What a BAT unmerge computes once per adapter before it touches the
  /// weight (for example the inverses `(I + B_a)⁻¹`).
  associatedtype BatUnmergePlan

  /// Prepares the unmerge of one adapter's blocks, or names the first
  /// out-block a whose `I + B_a` is singular (`BAT-UNMERGE-2`).
  func prepareBatUnmerge(_ blocks: [Matrix<BlockElement>]) -> BatUnmergePreparation<BatUnmergePlan>

  /// Every tile `T' ← (T' − B_a)·(I + B_a)⁻¹`, in place, with a prepared
  /// plan (`BAT-UNMERGE-1`).
  func batUnmerge(_ weight: inout Matrix<WeightElement>, plan: BatUnmergePlan)

  /// True when the element is neither NaN nor infinite (`LAYER-SAFE-1`).
  func isFinite(_ element: WeightElement) -> Bool

  /// `y = x·Wᵀ + bias + Σ s(x)·b` over the given BONE blocks (`BONE-FWD-1`);
  /// with no blocks, the base forward.
  func forward(
    _ input: Matrix<InputElement>, weight: Matrix<WeightElement>, bias: [WeightElement]?,
    boneBlocks: [Matrix<BlockElement>]
  ) -> Matrix<OutputElement>

  /// The forward with active BAT adapters (`BAT-FWD-1`): the base forward
  /// with the weight obtained by merging each adapter's blocks, in order,
  /// into a copy of W (`batBlocks[k]` holds adapter k's blocks, one per
  /// out-block). Because a BAT merge of out-block a touches only its rows, a
  /// backend may merge and use the copy a band of rows at a time.
  func batForward(
    _ input: Matrix<InputElement>, weight: Matrix<WeightElement>, bias: [WeightElement]?,
    batBlocks: [[Matrix<BlockElement>]]
  ) -> Matrix<OutputElement>
}

extension LayerBackend {
  /// False: the state machine checks each element.
  public var everyElementIsHeld: Bool { false }

  /// The whole merged copy at once, then the base forward (`BAT-FWD-1`).
  public func batForward(
    _ input: Matrix<InputElement>, weight: Matrix<WeightElement>, bias: [WeightElement]?,
    batBlocks: [[Matrix<BlockElement>]]
  ) -> Matrix<OutputElement> {
    batForwardOnAWholeCopy(input, weight: weight, bias: bias, batBlocks: batBlocks)
  }

  /// `BAT-FWD-1` as it reads: every adapter merged, in order, into one copy
  /// of all of W, then the base forward (the default of `batForward`, and
  /// what a backend that bands the copy falls back on when one band is all).
  public func batForwardOnAWholeCopy(
    _ input: Matrix<InputElement>, weight: Matrix<WeightElement>, bias: [WeightElement]?,
    batBlocks: [[Matrix<BlockElement>]]
  ) -> Matrix<OutputElement> {
    var merged = weight
    for blocks in batBlocks { batMerge(&merged, blocks: blocks) }
    return forward(input, weight: merged, bias: bias, boneBlocks: [])
  }
}

/// A prepared BAT unmerge, or the reason there is none (`BAT-UNMERGE-2`).
public enum BatUnmergePreparation<Plan> {
  /// Every `I + B_a` is invertible; the plan unmerges.
  case ready(Plan)
  /// `I + B_a` is singular for this out-block (the first such).
  case singular(outBlock: Int)
}
