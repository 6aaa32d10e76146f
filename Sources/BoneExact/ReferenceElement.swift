import BoneNumerics

/// One element of a result of the exact reference: what a conforming
/// implementation must produce there, and the value the reference keeps.
///
/// - `exact` is the exact result of the operation on the reference's inputs.
/// - `value` is the canonical stored result (the policy's rounding of the
///   exact result); the layer keeps it as its state.
/// - When `determined`, every conforming implementation stores `value`'s
///   encoding bit for bit (`EXACT-DETERMINED-1`); otherwise any result within
///   `bound` of `exact` conforms (§7).
public struct ReferenceElement: Sendable, Hashable, CustomStringConvertible {
  /// The canonical stored value.
  public let value: ExtendedRational
  /// The exact result.
  public let exact: ExtendedRational
  /// The largest allowed |result − exact| when not determined.
  public let bound: Rational
  /// True when the result is bit-determined.
  public let determined: Bool

  /// An element.
  public init(value: ExtendedRational, exact: ExtendedRational, bound: Rational, determined: Bool) {
    self.value = value
    self.exact = exact
    self.bound = bound
    self.determined = determined
  }

  /// An input value, known exactly.
  public init(input: ExtendedRational) {
    self.init(value: input, exact: input, bound: .zero, determined: true)
  }

  /// How far a conforming implementation's stored value may be from `value`:
  /// 0 when determined, else `bound + |value − exact|`.
  public var radius: Rational {
    guard !determined, let value = value.rational, let exact = exact.rational else { return .zero }
    return bound + (value - exact).magnitude
  }

  /// True when an implementation's result, as an encoding of `dtype`,
  /// conforms: the same class for non-finite exact results (any NaN for
  /// NaN; any NaN or infinity for an undetermined NaN), the same bits when
  /// determined, else within `bound` of the exact
  /// value, or the infinity of the right sign where the bound reaches the
  /// overflow threshold.
  public func accepts(bits: UInt64, dtype: DType) -> Bool {
    let got = ExtendedRational(bits: bits, dtype: dtype)
    switch exact {
    case .nan:
      // A NaN from non-finite inputs whose class the order of evaluation
      // decides (not determined) admits any non-finite result.
      return got == .nan || (!determined && !got.isFinite)
    case .infinity:
      return got == exact
    case .finite(let exactValue):
      if determined {
        // The sign of a zero is not judged (DTYPE-NONFINITE-1).
        if value == .zero { return got == .zero }
        return bits & dtype.encodingMask == value.roundedBits(to: dtype) & dtype.encodingMask
      }
      switch got {
      case .nan: return false
      case .infinity(let negative):
        return negative == exactValue.isNegative
          && exactValue.magnitude + bound >= RoundingModel.overflowThreshold(dtype)
      case .finite(let gotValue):
        return (gotValue - exactValue).magnitude <= bound
      }
    }
  }

  /// `value` with, when not determined, the exact value and bound.
  public var description: String {
    determined ? value.description : "\(value) (exact \(exact), bound \(bound))"
  }
}
