import BoneNumerics

/// The quantities of the rounding model of `Spec/BONE.md` §7, exactly.
public enum RoundingModel {
  /// The unit roundoff u = 2^−p of `dtype` (`TOL-MODEL-1`).
  public static func unitRoundoff(_ dtype: DType) -> Rational {
    Rational.one.scaled(byPowerOfTwo: -dtype.precision)
  }

  /// η = 2^(emin − p): half the smallest subnormal of `dtype` (`TOL-MODEL-1`).
  public static func underflowHalfQuantum(_ dtype: DType) -> Rational {
    Rational.one.scaled(byPowerOfTwo: dtype.minExponent - dtype.precision)
  }

  /// γ_n(u) = n·u / (1 − n·u); requires n·u < 1 (Higham §3.1).
  public static func gamma(_ n: Int, _ dtype: DType) -> Rational {
    let nu = Rational(n) * unitRoundoff(dtype)
    // n·u < 1 for every n a layer produces (n < 2^p), so the divisor is nonzero.
    return (try? nu / (.one - nu)) ?? nu
  }

  /// The bound of `TOL-MODEL-1` for a sum of terms, each passing through at
  /// most `roundings` roundings in `dtype`: `γ_N·Σ|t| + N·η·(1 + γ_N)`.
  public static func sumBound(absoluteSum: Rational, roundings: Int, dtype: DType) -> Rational {
    let gamma = gamma(roundings, dtype)
    return gamma * absoluteSum + Rational(roundings) * underflowHalfQuantum(dtype) * (.one + gamma)
  }

  /// The bound of one rounding of `value` to `dtype`: `u·|value| + η`.
  public static func roundingBound(_ magnitude: Rational, dtype: DType) -> Rational {
    unitRoundoff(dtype) * magnitude + underflowHalfQuantum(dtype)
  }

  /// The smallest magnitude that rounds to infinity in `dtype`:
  /// `2^emax × (2 − 2^−p)` (`EXACT-ROUND-1`).
  public static func overflowThreshold(_ dtype: DType) -> Rational {
    Rational.one.scaled(byPowerOfTwo: dtype.maxExponent) * (Rational(2) - Rational.one.scaled(byPowerOfTwo: -dtype.precision))
  }
}
