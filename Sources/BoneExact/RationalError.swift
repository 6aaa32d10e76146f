import BoneNumerics

/// An arithmetic or conversion error of `Rational`.
public enum RationalError: Error, Sendable, Hashable, CustomStringConvertible {
  /// A division, reciprocal or quotient had a zero divisor.
  case divisionByZero
  /// An encoding that is NaN or ±infinity has no rational value.
  case notFinite(dtype: DType, bits: UInt64)

  /// A sentence naming what went wrong.
  public var description: String {
    switch self {
    case .divisionByZero:
      "division by zero"
    case .notFinite(let dtype, let bits):
      "the \(dtype) encoding 0x\(dtype.hex(bits)) is \(dtype.decode(bits) == .nan ? "NaN" : "infinite") and has no rational value"
    }
  }
}
