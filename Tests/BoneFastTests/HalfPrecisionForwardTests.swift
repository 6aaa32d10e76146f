import BoneFast
import BoneLayers
import BoneNumerics
import BoneTestSupport
import Testing

/// DTYPE-CPU-2 in the batched forward of the `avx512` copy (the samples in
/// the lanes, from eight samples on): a float16 or bfloat16 layer computes
/// in float32 exactly what a float32 layer computes on the same values
/// (widened exactly), in the same order, and rounds once to the storage
/// type. TOL-FWD-1 bounds the forward with the storage type's unit roundoff,
/// which accepts nearly any float16 value and, from 255 input features on,
/// any bfloat16 value (TOL-MODEL-2); this property is what catches a weight
/// row widened into the wrong place or a column chunk left out.
@Suite struct HalfPrecisionForwardTests {
  static let lanesCopy = FastInstructions.avx512

  /// A BONE layer of storage type S and its float32 twin with the same
  /// values, both with the problem's bias and adapter, and the two forwards.
  static func forwards<S: FastStorage>(
    _ p: FastAgainstExactTests.Problem, _: S.Type
  ) throws -> (Matrix<S>, Matrix<Float>) where S.Compute == Float {
    /// The problem's encodings as values of S, and the same values in float32.
    func stored(_ bits: Matrix<UInt64>) -> Matrix<S> { bits.map { S(bits: $0) } }
    func widened(_ bits: Matrix<UInt64>) -> Matrix<Float> { bits.map { S(bits: $0).compute } }
    var half = try FastLayer<S>(
      backend: FastBackend<S>(instructions: lanesCopy), weight: stored(p.weight), bias: p.bias.map { S(bits: $0) })
    try half.addAdapter("a", variant: p.variant, rank: p.shape.rank, block: p.blocks.map(stored))
    var single = try FastLayer<Float>(
      backend: FastBackend<Float>(instructions: lanesCopy), weight: widened(p.weight),
      bias: p.bias.map { S(bits: $0).compute })
    try single.addAdapter("a", variant: p.variant, rank: p.shape.rank, block: p.blocks.map(widened))
    return (try half.forward(stored(p.input)), try single.forward(widened(p.input)))
  }

  func check<S: FastStorage>(_ type: S.Type) where S.Compute == Float {
    let name = "\(S.dtype) forward is the float32 forward rounded once (avx512, wide chunks)"
    forAll(FastAgainstExactTests.problem(S.dtype, size: .wideChunks), cases: 80, name: name) { p in
      let (half, single) = try Self.forwards(p, type)
      try requireEqual(half.rows, single.rows, "rows")
      for (index, (got, reference)) in zip(half.elements, single.elements).enumerated() {
        let expected = S(rounding: reference)
        try require(
          got.bits == expected.bits,
          "y[\(index / half.columns), \(index % half.columns)]: 0x\(S.dtype.hex(got.bits)), float32 forward \(reference) rounds to 0x\(S.dtype.hex(expected.bits))")
      }
    }
  }

  @Test(.enabled(if: lanesCopy.isSupported)) func float16ForwardIsTheFloat32ForwardRoundedOnce() { check(Float16.self) }
  @Test(.enabled(if: lanesCopy.isSupported)) func bfloat16ForwardIsTheFloat32ForwardRoundedOnce() { check(BFloat16.self) }
}
