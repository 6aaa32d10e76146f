import BoneExact
import BoneNumerics

extension Gen where Value == Matrix<UInt64> {
  /// r × r BAT blocks B (encodings of `dtype`) whose A = I + B is close to
  /// singular, so that an unmerge inverts an ill-conditioned matrix
  /// (`BAT-UNMERGE-1`, `TOL-BAT-UNMERGE-1`). All rows of A but one (at a
  /// random position) are multiples of 1/8 in [−1, 1]; that row is a
  /// combination of the others, with coefficients that are multiples of 1/4
  /// in [−1, 1], plus 3·2⁻ᵏ on its diagonal, k from 2 to the dtype's
  /// precision + 4, so that the condition number of A grows like 2ᵏ; half
  /// the time A is transposed (a nearly dependent column). B = A − I is
  /// rounded to the dtype, which loses the 3·2⁻ᵏ for the largest k (an
  /// exactly singular A), and the other rows may be dependent too: the
  /// blocks are exactly singular, numerically singular (`BAT-UNMERGE-3`) or
  /// merely ill-conditioned. Shrinks toward k = 2, small entries and the
  /// last row.
  public static func nearlySingularBlock(_ dtype: DType, rank r: Int) -> Gen<Matrix<UInt64>> {
    let entry = Gen<Int>.integer(in: -8...8)
    let coefficient = Gen<Int>.integer(in: -4...4)
    let closeness = Gen<Int>.integer(in: 2...(dtype.precision + 4))
    let position = Gen<Int>.integer(in: 0...(r - 1))
    let transposed = Gen<Int>.integer(in: 0...1)
    return Gen { source throws(GenerationError) in
      var a = try (0..<r).map { (_) throws(GenerationError) in
        try (0..<r).map { (_) throws(GenerationError) in Rational(try entry.generate(&source)).scaled(byPowerOfTwo: -3) }
      }
      let dependent = r - 1 - (try position.generate(&source))
      let weights = try (0..<r).map { (_) throws(GenerationError) in Rational(try coefficient.generate(&source)).scaled(byPowerOfTwo: -2) }
      let k = try closeness.generate(&source)
      for j in 0..<r {
        var combination = Rational.zero
        for i in 0..<r where i != dependent { combination += weights[i] * a[i][j] }
        a[dependent][j] = combination + (j == dependent ? Rational(3).scaled(byPowerOfTwo: -k) : .zero)
      }
      let transpose = try transposed.generate(&source) == 1
      return Matrix(rows: r, columns: r) { i, j in
        let value = transpose ? a[j][i] : a[i][j]
        return (i == j ? value - .one : value).roundedBits(to: dtype)
      }
    }
  }
}
