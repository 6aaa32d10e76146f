/// Why a layer operation failed. Every failure leaves the layer unchanged
/// (`LAYER-ERROR-1`).
public enum LayerError: Error, Sendable, Hashable, CustomStringConvertible {
  /// r ≤ 0 (`LAYER-RANK-1`).
  case invalidRank(Int)
  /// BAT needs `in % r == 0` and `out % r == 0` (`BAT-SHAPE-1`).
  case batShapeNotDivisible(inFeatures: Int, outFeatures: Int, rank: Int)
  /// An adapter of the other variant than the layer's (`LAYER-VARIANT-1`).
  case variantMismatch(layer: AdapterVariant, adapter: AdapterVariant)
  /// A name the layer already has (`LAYER-NAME-1`).
  case duplicateAdapter(String)
  /// A name the layer does not have (`LAYER-NAME-1`).
  case unknownAdapter(String)
  /// A block whose shape is not the variant's (`LAYER-BLOCK-1`).
  case blockShapeMismatch(adapter: String, expected: String, got: String)
  /// A weight or bias whose shape does not fit the layer (`BONE-SHAPE-1`).
  case weightShapeMismatch(String)
  /// A safe merge whose result holds NaN or ±infinity (`LAYER-SAFE-1`).
  case nonFiniteMerge(adapter: String)
  /// `I + B_a` is singular, so the adapter cannot be unmerged (`BAT-UNMERGE-2`).
  case singularBlock(adapter: String, outBlock: Int)
  /// A value that the layer's dtype cannot hold, in a weight, bias, block or
  /// input (`LAYER-BLOCK-1`, `LAYER-INPUT-1`).
  case dtypeMismatch(what: String, dtype: DType)
  /// A forward input whose rows do not have `in` entries, or no rows (`LAYER-INPUT-1`).
  case inputShapeMismatch(expectedColumns: Int, rows: Int, columns: Int)

  /// The error's kind, as vectors and the conformance protocol name it.
  public var kind: String {
    switch self {
    case .invalidRank: "invalidRank"
    case .batShapeNotDivisible: "batShapeNotDivisible"
    case .variantMismatch: "variantMismatch"
    case .duplicateAdapter: "duplicateAdapter"
    case .unknownAdapter: "unknownAdapter"
    case .blockShapeMismatch: "blockShapeMismatch"
    case .weightShapeMismatch: "weightShapeMismatch"
    case .nonFiniteMerge: "nonFiniteMerge"
    case .singularBlock: "singularBlock"
    case .inputShapeMismatch: "inputShapeMismatch"
    case .dtypeMismatch: "dtypeMismatch"
    }
  }

  /// A sentence naming what is wrong.
  public var description: String {
    switch self {
    case .invalidRank(let r): "the rank must be a positive integer, not \(r)"
    case .batShapeNotDivisible(let i, let o, let r):
      "BAT needs in and out divisible by r: in=\(i), out=\(o), r=\(r) (the weight must split into r×r tiles)"
    case .variantMismatch(let layer, let adapter): "a \(adapter) adapter cannot join a \(layer) layer"
    case .duplicateAdapter(let name): "the layer already has an adapter named \"\(name)\""
    case .unknownAdapter(let name): "the layer has no adapter named \"\(name)\""
    case .blockShapeMismatch(let name, let expected, let got):
      "adapter \"\(name)\" needs a block of \(expected), not \(got)"
    case .weightShapeMismatch(let what): what
    case .nonFiniteMerge(let name):
      "merging adapter \"\(name)\" gives NaN or infinite weights; the adapter seems to be broken, nothing was merged"
    case .singularBlock(let name, let a): "adapter \"\(name)\" cannot be unmerged: I + B[\(a)] is singular"
    case .dtypeMismatch(let what, let dtype): "\(what) holds a value that is not a \(dtype) value"
    case .inputShapeMismatch(let expected, let rows, let columns):
      "the input must be n×\(expected) with n ≥ 1, not \(rows)×\(columns)"
    }
  }
}
