/// The shape of an adapted linear layer: the weight is `outFeatures × inFeatures`
/// and the adapter rank is `rank` (`BONE-SHAPE-1`).
///
/// Any positive values are a shape; whether a variant accepts it is the
/// variant's rule (BAT needs `inFeatures` and `outFeatures` divisible by
/// `rank`, BONE accepts every rank, including one above `inFeatures`).
public struct LayerShape: Sendable, Hashable, Codable, CustomStringConvertible {
  /// Rows of the weight: the layer's output features.
  public var outFeatures: Int
  /// Columns of the weight: the layer's input features.
  public var inFeatures: Int
  /// The adapter rank r.
  public var rank: Int

  /// A shape; no validation is done here.
  public init(outFeatures: Int, inFeatures: Int, rank: Int) {
    self.outFeatures = outFeatures
    self.inFeatures = inFeatures
    self.rank = rank
  }

  /// True when BAT can adapt this shape: `rank` divides both dimensions.
  public var isBATCompatible: Bool {
    rank > 0 && inFeatures % rank == 0 && outFeatures % rank == 0
  }

  /// `out=…, in=…, r=…`.
  public var description: String { "out=\(outFeatures), in=\(inFeatures), r=\(rank)" }
}
