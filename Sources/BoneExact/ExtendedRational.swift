import BoneNumerics

/// A rational number, ±infinity or NaN: the values a stored float can hold,
/// with IEEE 754's rules for the non-finite ones (`EXACT-FLOAT-1`).
///
/// Signed zeros are not distinguished: both are the rational 0.
public enum ExtendedRational: Sendable, Hashable, CustomStringConvertible {
  /// A finite value.
  case finite(Rational)
  /// +infinity or −infinity.
  case infinity(negative: Bool)
  /// Not a number.
  case nan

  /// Zero.
  public static let zero = ExtendedRational.finite(.zero)

  /// The value of any encoding of `dtype`; never fails.
  public init(bits: UInt64, dtype: DType) {
    switch dtype.decode(bits) {
    case .nan: self = .nan
    case .infinity(let negative): self = .infinity(negative: negative)
    case .zero, .finite:
      // The decoded class is finite, so the exact value exists.
      self = (try? Rational(bits: bits, dtype: dtype)).map(ExtendedRational.finite) ?? .nan
    }
  }

  /// The finite value, or nil.
  public var rational: Rational? {
    if case .finite(let value) = self { return value }
    return nil
  }

  /// True for a finite value.
  public var isFinite: Bool { rational != nil }

  /// The encoding of `dtype` this value rounds to (`EXACT-ROUND-1`); NaN
  /// becomes the canonical quiet NaN of the format.
  public func roundedBits(to dtype: DType) -> UInt64 {
    switch self {
    case .finite(let value): value.roundedBits(to: dtype)
    case .infinity(let negative): dtype.positiveInfinityBits | (negative ? dtype.signMask : 0)
    case .nan: dtype.positiveInfinityBits | (1 << UInt64(dtype.fractionBits - 1))
    }
  }

  /// The value of `roundedBits(to:)`: what storing this value in `dtype` keeps.
  public func rounded(to dtype: DType) -> ExtendedRational {
    ExtendedRational(bits: roundedBits(to: dtype), dtype: dtype)
  }

  /// The absolute value.
  public var magnitude: ExtendedRational {
    switch self {
    case .finite(let value): .finite(value.magnitude)
    case .infinity: .infinity(negative: false)
    case .nan: .nan
    }
  }

  /// The IEEE sum: NaN if either is NaN or the sum is ∞ − ∞.
  public static func + (lhs: ExtendedRational, rhs: ExtendedRational) -> ExtendedRational {
    switch (lhs, rhs) {
    case (.nan, _), (_, .nan): .nan
    case (.infinity(let a), .infinity(let b)): a == b ? lhs : .nan
    case (.infinity, _): lhs
    case (_, .infinity): rhs
    case (.finite(let a), .finite(let b)): .finite(a + b)
    }
  }

  /// The IEEE negation.
  public static prefix func - (operand: ExtendedRational) -> ExtendedRational {
    switch operand {
    case .finite(let value): .finite(-value)
    case .infinity(let negative): .infinity(negative: !negative)
    case .nan: .nan
    }
  }

  /// The IEEE difference.
  public static func - (lhs: ExtendedRational, rhs: ExtendedRational) -> ExtendedRational { lhs + (-rhs) }

  /// The IEEE product: NaN for NaN operands and for ∞ × 0.
  public static func * (lhs: ExtendedRational, rhs: ExtendedRational) -> ExtendedRational {
    switch (lhs, rhs) {
    case (.nan, _), (_, .nan): return .nan
    case (.finite(let a), .finite(let b)): return .finite(a * b)
    case (.infinity(let a), .infinity(let b)): return .infinity(negative: a != b)
    case (.infinity(let negative), .finite(let value)), (.finite(let value), .infinity(let negative)):
      return value.isZero ? .nan : .infinity(negative: negative != value.isNegative)
    }
  }

  /// The IEEE class of a sum of terms in any order, with the exact sum when
  /// every term is finite: NaN when a term is NaN or both infinities occur.
  public static func sum(_ terms: [ExtendedRational]) -> ExtendedRational {
    var total = Rational.zero
    var positiveInfinity = false
    var negativeInfinity = false
    for term in terms {
      switch term {
      case .nan: return .nan
      case .infinity(let negative): if negative { negativeInfinity = true } else { positiveInfinity = true }
      case .finite(let value): total += value
      }
    }
    if positiveInfinity && negativeInfinity { return .nan }
    if positiveInfinity || negativeInfinity { return .infinity(negative: negativeInfinity) }
    return .finite(total)
  }

  /// `p/q`, `inf`, `-inf` or `nan`.
  public var description: String {
    switch self {
    case .finite(let value): value.description
    case .infinity(let negative): negative ? "-inf" : "inf"
    case .nan: "nan"
    }
  }
}
