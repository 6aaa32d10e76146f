import BoneLayers
import BoneNumerics

/// A layer of the exact reference.
public typealias ExactLayer = AdaptedLayer<ExactBackend>

extension AdaptedLayer where Backend == ExactBackend {
  /// A reference layer over exact values (for the `exact` policy, or values
  /// already representable in `dtype`).
  ///
  /// - Throws: `LayerError.weightShapeMismatch` as `AdaptedLayer.init` does.
  public init(dtype: DType, policy: DevicePolicy, weight: Matrix<Rational>, bias: [Rational]? = nil) throws(LayerError) {
    try self.init(
      backend: ExactBackend(dtype: dtype, policy: policy),
      weight: weight.map { ReferenceElement(input: .finite($0)) },
      bias: bias?.map { ReferenceElement(input: .finite($0)) })
  }

  /// A reference layer over encodings of `dtype`.
  ///
  /// - Throws: `LayerError.weightShapeMismatch` as `AdaptedLayer.init` does.
  public init(dtype: DType, policy: DevicePolicy, weightBits: Matrix<UInt64>, biasBits: [UInt64]? = nil) throws(LayerError) {
    try self.init(
      backend: ExactBackend(dtype: dtype, policy: policy),
      weight: weightBits.map { ReferenceElement(input: ExtendedRational(bits: $0, dtype: dtype)) },
      bias: biasBits?.map { ReferenceElement(input: ExtendedRational(bits: $0, dtype: dtype)) })
  }

  /// The weight's canonical values, when all are finite.
  public var weightValues: Matrix<Rational>? {
    let values = weight.elements.compactMap(\.value.rational)
    guard values.count == weight.elements.count else { return nil }
    return Matrix(unchecked: weight.rows, weight.columns, values)
  }
}
