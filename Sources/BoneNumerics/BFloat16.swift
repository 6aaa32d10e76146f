/// The bfloat16 storage type: the upper half of a float32 encoding.
///
/// Swift has no bfloat16; this type stores the 16-bit pattern and converts to
/// and from `Float` the way PyTorch's CPU kernels do: widening is exact, and
/// narrowing rounds to nearest with ties to even, overflows to ±infinity and
/// keeps a NaN a (quiet) NaN of the same sign (`DTYPE-BF16-1`).
public struct BFloat16: Sendable, Hashable, CustomStringConvertible {
  /// The 16-bit encoding.
  public var bitPattern: UInt16

  /// Wraps an encoding.
  public init(bitPattern: UInt16) {
    self.bitPattern = bitPattern
  }

  /// Rounds a `Float` to the nearest bfloat16, ties to even; NaN stays NaN.
  /// Inlinable, so that the kernels' stores of rounded results need no call.
  @inlinable
  public init(_ value: Float) {
    let bits = value.bitPattern
    if value.isNaN {
      // Keep the sign and the top of the payload, and force the quiet bit so
      // that a payload living only in the low half cannot become infinity.
      self.bitPattern = UInt16(truncatingIfNeeded: bits >> 16) | 0x0040
      return
    }
    // Adding 0x7FFF plus the parity of the kept part rounds to nearest even:
    // a carry out of the low half happens exactly when the discarded half is
    // above 0x8000, or equal to it with an odd kept part. A carry into the
    // exponent field is the correct round-up to the next binade or to infinity.
    let rounding: UInt32 = 0x7FFF + ((bits >> 16) & 1)
    self.bitPattern = UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
  }

  /// The exact `Float` with the same value.
  @inlinable
  public var floatValue: Float { Float(bitPattern: UInt32(bitPattern) << 16) }

  /// True for any NaN encoding.
  public var isNaN: Bool { bitPattern & 0x7F80 == 0x7F80 && bitPattern & 0x007F != 0 }

  /// True for ±infinity.
  public var isInfinite: Bool { bitPattern & 0x7FFF == 0x7F80 }

  /// True for every value that is neither NaN nor infinite.
  public var isFinite: Bool { bitPattern & 0x7F80 != 0x7F80 }

  /// IEEE equality: NaN is unequal to everything, and +0 equals −0.
  public static func == (lhs: BFloat16, rhs: BFloat16) -> Bool {
    lhs.floatValue == rhs.floatValue
  }

  /// Hashes consistently with IEEE equality.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(floatValue)
  }

  /// The value as `Float` prints it.
  public var description: String { floatValue.description }
}

extension Float {
  /// The exact value of a bfloat16 (`DTYPE-BF16-1`).
  public init(_ value: BFloat16) {
    self = value.floatValue
  }
}
