/// A binary floating-point storage type that BONE and BAT layers are judged in.
///
/// Each case is an IEEE 754 binary interchange format (bfloat16 is the
/// truncated float32 format: same exponent range, 8 significand bits). The
/// format parameters are what correct rounding needs; see `Spec/BONE.md`,
/// requirement `DTYPE-FORMAT-1`.
public enum DType: String, CaseIterable, Sendable, Hashable, Codable, CustomStringConvertible {
  /// IEEE 754 binary64: precision 53, 11 exponent bits.
  case float64
  /// IEEE 754 binary32: precision 24, 8 exponent bits.
  case float32
  /// IEEE 754 binary16: precision 11, 5 exponent bits.
  case float16
  /// bfloat16: precision 8, 8 exponent bits.
  case bfloat16

  /// Parses a dtype name: the case name, or a common alias (`f64`, `double`,
  /// `f32`, `float`, `f16`, `half`, `bf16`). Returns nil for anything else.
  public init?(name: String) {
    switch name.lowercased() {
    case "float64", "f64", "double", "torch.float64": self = .float64
    case "float32", "f32", "float", "torch.float32": self = .float32
    case "float16", "f16", "half", "torch.float16": self = .float16
    case "bfloat16", "bf16", "torch.bfloat16": self = .bfloat16
    default: return nil
    }
  }

  /// The case name, as used in vectors and reports.
  public var description: String { rawValue }

  /// The precision p: significand bits including the implicit leading bit.
  public var precision: Int {
    switch self {
    case .float64: 53
    case .float32: 24
    case .float16: 11
    case .bfloat16: 8
    }
  }

  /// The width of the biased exponent field in bits.
  public var exponentBits: Int {
    switch self {
    case .float64: 11
    case .float32, .bfloat16: 8
    case .float16: 5
    }
  }

  /// The width of the stored fraction field: `precision - 1`.
  public var fractionBits: Int { precision - 1 }

  /// The total width of an encoding: sign, exponent and fraction.
  public var bitWidth: Int { 1 + exponentBits + fractionBits }

  /// The exponent bias: `2^(exponentBits-1) - 1`.
  public var exponentBias: Int { (1 << (exponentBits - 1)) - 1 }

  /// emin, the exponent of the smallest normal number (`1 - bias`).
  public var minExponent: Int { 1 - exponentBias }

  /// emax, the exponent of the largest finite number (`bias`).
  public var maxExponent: Int { exponentBias }

  /// The mask of the sign bit within an encoding.
  public var signMask: UInt64 { 1 << UInt64(bitWidth - 1) }

  /// The mask of the biased exponent field within an encoding.
  public var exponentMask: UInt64 { ((1 << UInt64(exponentBits)) - 1) << UInt64(fractionBits) }

  /// The mask of the fraction field within an encoding.
  public var fractionMask: UInt64 { (1 << UInt64(fractionBits)) - 1 }

  /// The mask of all bits an encoding uses.
  public var encodingMask: UInt64 { bitWidth == 64 ? .max : (1 << UInt64(bitWidth)) - 1 }

  /// The encoding of +infinity.
  public var positiveInfinityBits: UInt64 { exponentMask }

  /// The encoding of the largest finite positive value.
  public var largestFiniteBits: UInt64 { exponentMask - 1 }

  /// The encoding of the smallest positive normal value (2^emin).
  public var smallestNormalBits: UInt64 { 1 << UInt64(fractionBits) }

  /// The encoding of the largest positive subnormal value.
  public var largestSubnormalBits: UInt64 { fractionMask }

  /// The number of hexadecimal digits an encoding is written with.
  public var hexDigits: Int { bitWidth / 4 }

  /// Splits an encoding into its sign and value class. Bits outside
  /// `encodingMask` are ignored.
  public func decode(_ bits: UInt64) -> DecodedFloat {
    let bits = bits & encodingMask
    let negative = bits & signMask != 0
    let biased = Int((bits & exponentMask) >> UInt64(fractionBits))
    let fraction = bits & fractionMask
    if biased == (1 << exponentBits) - 1 {
      return fraction == 0 ? .infinity(negative: negative) : .nan
    }
    if biased == 0 {
      if fraction == 0 { return .zero(negative: negative) }
      return .finite(negative: negative, significand: fraction, exponent: minExponent - fractionBits)
    }
    return .finite(
      negative: negative,
      significand: fraction | (1 << UInt64(fractionBits)),
      exponent: biased - exponentBias - fractionBits)
  }

  /// Writes an encoding as a fixed-width lower-case hexadecimal string
  /// (`3c00` for float16 one), the form vectors use.
  public func hex(_ bits: UInt64) -> String {
    let digits = String(bits & encodingMask, radix: 16)
    return String(repeating: "0", count: max(0, hexDigits - digits.count)) + digits
  }
}

/// The value class of a floating-point encoding, with the exact value of a
/// finite nonzero one as `±significand × 2^exponent`.
public enum DecodedFloat: Sendable, Hashable {
  /// +0 or −0.
  case zero(negative: Bool)
  /// A finite nonzero value: `(negative ? -1 : 1) × significand × 2^exponent`.
  case finite(negative: Bool, significand: UInt64, exponent: Int)
  /// +infinity or −infinity.
  case infinity(negative: Bool)
  /// Any NaN.
  case nan
}
