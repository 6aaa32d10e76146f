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

  /// γ_n(u) = n·u / (1 − n·u) (Higham §3.1) while n·u < 1. From n·u ≥ 1 on
  /// (bfloat16 sums of 256 terms or more, float16 sums of 2048 or more) the
  /// model bounds nothing; γ is then Ω/η (Ω the overflow threshold, η the
  /// underflow half-quantum), so that every bound built from it reaches Ω
  /// and accepts every value of the dtype and ±infinity (`TOL-MODEL-2`).
  public static func gamma(_ n: Int, _ dtype: DType) -> Rational {
    let nu = Rational(n) * unitRoundoff(dtype)
    guard nu < .one, let gamma = try? nu / (.one - nu) else { return unboundedGamma(dtype) }
    return gamma
  }

  /// Ω/η: the γ of a sum the model cannot bound (`TOL-MODEL-2`).
  public static func unboundedGamma(_ dtype: DType) -> Rational {
    (try? overflowThreshold(dtype) / underflowHalfQuantum(dtype)) ?? overflowThreshold(dtype)
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
