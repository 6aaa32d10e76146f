import BoneNumerics

/// A storage type of the fast implementation: how its values widen to the
/// type arithmetic is done in and narrow back (`DTYPE-CPU-1`, `DTYPE-CPU-2`).
///
/// float16 and bfloat16 compute in float32, float32 in float32 and float64 in
/// float64; narrowing rounds to nearest, ties to even. Eight lanes at a time
/// for the kernels' inner loops.
public protocol FastStorage: Sendable, Equatable {
  /// The arithmetic type: `Float`, or `Double` for float64 storage.
  associatedtype Compute: BinaryFloatingPoint & SIMDScalar & Sendable

  /// The dtype this type stores.
  static var dtype: DType { get }

  /// The exact value in the arithmetic type.
  var compute: Compute { get }

  /// The nearest stored value, ties to even.
  init(rounding value: Compute)

  /// The encoding, zero-extended.
  var bits: UInt64 { get }

  /// The value with this encoding (the low bits of `bits`).
  init(bits: UInt64)

  /// Eight consecutive values, widened.
  static func load8(_ pointer: UnsafePointer<Self>) -> SIMD8<Compute>

  /// Eight values narrowed and stored.
  static func store8(_ values: SIMD8<Compute>, _ pointer: UnsafeMutablePointer<Self>)
}

extension Float: FastStorage {
  /// float32.
  public static var dtype: DType { .float32 }
  /// Itself.
  @inlinable public var compute: Float { self }
  /// Itself.
  @inlinable public init(rounding value: Float) { self = value }
  /// The encoding.
  @inlinable public var bits: UInt64 { UInt64(bitPattern) }
  /// The value of a float32 encoding.
  @inlinable public init(bits: UInt64) { self.init(bitPattern: UInt32(truncatingIfNeeded: bits)) }
  /// Eight floats.
  @inlinable @inline(__always) public static func load8(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
  }
  /// Eight floats.
  @inlinable @inline(__always) public static func store8(_ values: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: values, as: SIMD8<Float>.self)
  }
}

extension Double: FastStorage {
  /// float64.
  public static var dtype: DType { .float64 }
  /// Itself.
  @inlinable public var compute: Double { self }
  /// Itself.
  @inlinable public init(rounding value: Double) { self = value }
  /// The encoding.
  @inlinable public var bits: UInt64 { bitPattern }
  /// The value of a float64 encoding.
  @inlinable public init(bits: UInt64) { self.init(bitPattern: bits) }
  /// Eight doubles.
  @inlinable @inline(__always) public static func load8(_ pointer: UnsafePointer<Double>) -> SIMD8<Double> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Double>.self)
  }
  /// Eight doubles.
  @inlinable @inline(__always) public static func store8(_ values: SIMD8<Double>, _ pointer: UnsafeMutablePointer<Double>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: values, as: SIMD8<Double>.self)
  }
}

extension BFloat16: FastStorage {
  /// bfloat16.
  public static var dtype: DType { .bfloat16 }
  /// The exact value as a float.
  @inlinable public var compute: Float { floatValue }
  /// The nearest bfloat16, ties to even.
  @inlinable public init(rounding value: Float) { self.init(value) }
  /// The encoding.
  @inlinable public var bits: UInt64 { UInt64(bitPattern) }
  /// The value of a bfloat16 encoding.
  @inlinable public init(bits: UInt64) { self.init(bitPattern: UInt16(truncatingIfNeeded: bits)) }
  /// Eight bfloat16 values widened: the encodings shifted into the upper half.
  @inlinable @inline(__always) public static func load8(_ pointer: UnsafePointer<BFloat16>) -> SIMD8<Float> {
    let raw = UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<UInt16>.self)
    return unsafeBitCast(SIMD8<UInt32>(truncatingIfNeeded: raw) &<< 16, to: SIMD8<Float>.self)
  }
  /// Eight floats rounded to bfloat16 as `BFloat16.init(_:)` does, NaN kept
  /// NaN, and widened back: the same values as `store8` then `load8`, in
  /// 32-bit lanes only (no narrowing to 16-bit lanes).
  @inlinable @inline(__always) public static func roundTrip8(_ values: SIMD8<Float>) -> SIMD8<Float> {
    let bits = unsafeBitCast(values, to: SIMD8<UInt32>.self)
    let rounded = (bits &+ 0x7FFF &+ ((bits &>> 16) & 1)) & 0xFFFF_0000
    let isNaN = laneMask(isBelow: SIMD8(repeating: 0x7F80_0000), bits & 0x7FFF_FFFF)
    return unsafeBitCast(select(isNaN, (bits | 0x0040_0000) & 0xFFFF_0000, rounded), to: SIMD8<Float>.self)
  }

  /// Eight floats rounded to bfloat16 as `BFloat16.init(_:)` does, NaN kept
  /// NaN: the upper halves of `roundTrip8`.
  @inlinable @inline(__always) public static func store8(_ values: SIMD8<Float>, _ pointer: UnsafeMutablePointer<BFloat16>) {
    let encodings = unsafeBitCast(roundTrip8(values), to: SIMD8<UInt32>.self) &>> 16
    UnsafeMutableRawPointer(pointer).storeBytes(of: SIMD8<UInt16>(truncatingIfNeeded: encodings), as: SIMD8<UInt16>.self)
  }
}

/// All ones in the lanes where `a < b`, else zero, for values below 2^31.
/// (Comparisons that produce a `SIMDMask` compile to per-lane code here; this
/// stays in vector registers.)
@inlinable @inline(__always)
func laneMask(_ a: SIMD8<UInt32>, isBelow b: SIMD8<UInt32>) -> SIMD8<UInt32> {
  0 &- ((a &- b) &>> 31)
}

/// All ones in the lanes where `a > b`, for values below 2^31.
@inlinable @inline(__always)
func laneMask(isBelow b: SIMD8<UInt32>, _ a: SIMD8<UInt32>) -> SIMD8<UInt32> {
  laneMask(b, isBelow: a)
}

/// `a` where `mask` is all ones, else `b`.
@inlinable @inline(__always)
func select(_ mask: SIMD8<UInt32>, _ a: SIMD8<UInt32>, _ b: SIMD8<UInt32>) -> SIMD8<UInt32> {
  (a & mask) | (b & ~mask)
}

extension Float16: FastStorage {
  /// float16.
  public static var dtype: DType { .float16 }
  /// The exact value as a float.
  @inlinable public var compute: Float { Float(self) }
  /// The nearest float16, ties to even.
  @inlinable public init(rounding value: Float) { self.init(value) }
  /// The encoding.
  @inlinable public var bits: UInt64 { UInt64(bitPattern) }
  /// The value of a float16 encoding.
  @inlinable public init(bits: UInt64) { self.init(bitPattern: UInt16(truncatingIfNeeded: bits)) }

  /// Eight float16 values widened exactly, with integer operations (the
  /// machine baseline has no F16C): exponent rebias, subnormals renormalised
  /// by a float subtraction, infinities and NaNs kept.
  @inlinable @inline(__always) public static func load8(_ pointer: UnsafePointer<Float16>) -> SIMD8<Float> {
    let h = SIMD8<UInt32>(truncatingIfNeeded: UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<UInt16>.self))
    let shifted = (h & 0x7FFF) &<< 13
    let exponent = shifted &>> 23  // the biased float16 exponent, 0...31
    let infinityOrNaN = 0 &- (((exponent &+ 1) &>> 5) & 1)
    let subnormal = 0 &- (((exponent &- 1) &>> 31) & 1)
    let magnitude = shifted &+ (112 &<< 23) &+ (infinityOrNaN & (112 &<< 23))  // rebias 15 → 127 (→ 255)
    let renormalised = unsafeBitCast(
      unsafeBitCast(magnitude &+ (1 &<< 23), to: SIMD8<Float>.self) - Float(bitPattern: 113 << 23), to: SIMD8<UInt32>.self)
    return unsafeBitCast(select(subnormal, renormalised, magnitude) | ((h & 0x8000) &<< 16), to: SIMD8<Float>.self)
  }

  /// Eight floats rounded to float16, ties to even, overflow to infinity, NaN
  /// kept a quiet NaN of its sign (after F. Giesen's float_to_half_fast3_rtne).
  @inlinable @inline(__always) public static func store8(_ values: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float16>) {
    let f = unsafeBitCast(values, to: SIMD8<UInt32>.self)
    let sign = f & 0x8000_0000
    let magnitude = f ^ sign
    // Normal results: rebias, add the rounding increment (half minus one plus the parity), shift.
    let odd = (magnitude &>> 13) & 1
    let normal = (magnitude &+ ((15 &- 127) &<< 23) &+ 0xFFF &+ odd) &>> 13
    // Subnormal and zero results: let float addition align and round the bits.
    let magic = Float(bitPattern: 126 << 23)  // ((127 − 15) + (23 − 10) + 1) << 23
    let small = unsafeBitCast(unsafeBitCast(magnitude, to: SIMD8<Float>.self) + magic, to: SIMD8<UInt32>.self) &- magic.bitPattern
    var result = select(laneMask(magnitude, isBelow: SIMD8(repeating: 113 << 23)), small, normal)
    result = select(~laneMask(magnitude, isBelow: SIMD8(repeating: 143 << 23)), SIMD8(repeating: 0x7C00), result)  // overflow
    result = select(laneMask(isBelow: SIMD8(repeating: 0x7F80_0000), magnitude), SIMD8(repeating: 0x7E00), result)  // NaN
    let encoded = result | (sign &>> 16)
    UnsafeMutableRawPointer(pointer).storeBytes(of: SIMD8<UInt16>(truncatingIfNeeded: encoded), as: SIMD8<UInt16>.self)
  }
}
