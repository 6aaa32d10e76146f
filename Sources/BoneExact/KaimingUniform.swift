import BoneLayers
import BoneNumerics

/// The random BONE initialisation (`LAYER-INIT-2`): entries uniform on
/// `[−1/√out, 1/√out]`, stored in the layer's dtype.
public enum KaimingUniform {
  /// True when `value` lies in `[−1/√out, 1/√out]`, decided exactly:
  /// `value² · out ≤ 1`.
  public static func isInRange(_ value: Rational, outFeatures: Int) -> Bool {
    value * value * Rational(outFeatures) <= .one
  }

  /// A block `rank × out` of values of `dtype` drawn from `generator`, each in
  /// the range (a value that rounding pushed out is replaced by its neighbour
  /// toward zero).
  public static func block<G: RandomNumberGenerator>(
    rank: Int, outFeatures: Int, dtype: DType, using generator: inout G
  ) -> Matrix<Rational> {
    // s ≥ √out, so |u|/s ≤ 1/√out for |u| ≤ 1.
    var s = Rational(1)
    while s * s < Rational(outFeatures) { s += .one }
    return Matrix(rows: rank, columns: outFeatures) { _, _ in
      // u uniform on [−1, 1) in steps of 2^−52.
      let u = Rational(Int(generator.next() >> 11)).scaled(byPowerOfTwo: -52) - .one
      let scaled = (try? u / s) ?? .zero
      let bits = scaled.roundedBits(to: dtype)
      let value = (try? Rational(bits: bits, dtype: dtype)) ?? .zero
      if isInRange(value, outFeatures: outFeatures) { return value }
      // Rounding moved |u/s| ≤ 1/√out by less than one unit in the last
      // place, so the neighbour toward zero (one less in magnitude, either
      // sign) is in range.
      return (try? Rational(bits: bits - 1, dtype: dtype)) ?? .zero
    }
  }
}
