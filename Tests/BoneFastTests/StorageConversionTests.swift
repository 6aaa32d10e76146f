import BoneFast
import BoneNumerics
import BoneTestSupport
import Testing

/// The SIMD conversions of the fast kernels agree with the scalar ones
/// (Swift's own Float16 conversions, `BFloat16.init`), which are correctly
/// rounded (`DTYPE-CPU-2`, `DTYPE-BF16-1`).
@Suite struct StorageConversionTests {
  /// The copies of the kernels this processor can run.
  static let instructions = FastInstructions.allCases.filter(\.isSupported)

  static func widen<S: FastStorage>(_ values: [S], _ instructions: FastInstructions) throws -> [S.Compute] {
    try FastBackend<S>(instructions: instructions).widened(values)
  }

  static func narrow<S: FastStorage>(_ values: [S.Compute], as: S.Type, _ instructions: FastInstructions) throws -> [S] {
    try FastBackend<S>(instructions: instructions).narrowed(values)
  }

  @Test(arguments: instructions) func float16WideningIsExactForEveryEncoding(_ instructions: FastInstructions) throws {
    let all = (0...0xFFFF).map { Float16(bitPattern: UInt16($0)) }
    let widened = try Self.widen(all, instructions)
    var log = MismatchLog()
    for (value, wide) in zip(all, widened) {
      let expected = Float(value)
      log.check(expected.isNaN ? wide.isNaN : wide.bitPattern == expected.bitPattern, "0x\(String(value.bitPattern, radix: 16)) → \(wide)")
    }
    #expect(log.finish() == 65536)
  }

  /// Narrowing to float16 depends on the bits above bit 13 and on how the low
  /// 13 bits compare with half (for normal results); subnormal results round
  /// at a higher bit, so they also get every float of their exponents with
  /// random low bits.
  @Test(arguments: instructions) func float16NarrowingMatchesTheScalarConversion(_ instructions: FastInstructions) throws {
    var inputs: [Float] = []
    for upper in UInt32(0)..<(1 << 19) {
      for low: UInt32 in [0, 1, 0xFFF, 0x1000, 0x1001, 0x1FFF] { inputs.append(Float(bitPattern: upper << 13 | low)) }
    }
    var generator = SplitMix64(seed: 16)
    for _ in 0..<400_000 {
      let exponent = UInt32(100 + generator.next() % 15)  // results near and below the smallest normal
      let bits = UInt32(generator.next() >> 63) << 31 | exponent << 23 | UInt32(generator.next() & 0x7F_FFFF)
      inputs.append(Float(bitPattern: bits))
    }
    let narrowed = try Self.narrow(inputs, as: Float16.self, instructions)
    var log = MismatchLog()
    for (value, got) in zip(inputs, narrowed) {
      let expected = Float16(value)
      log.check(
        expected.isNaN ? got.isNaN : got.bitPattern == expected.bitPattern,
        "\(value) (0x\(String(value.bitPattern, radix: 16))) → 0x\(String(got.bitPattern, radix: 16)), expected 0x\(String(expected.bitPattern, radix: 16))")
    }
    #expect(log.finish() == inputs.count)
  }

  @Test(arguments: instructions) func bfloat16ConversionsMatchTheScalarOnes(_ instructions: FastInstructions) throws {
    let all = (0...0xFFFF).map { BFloat16(bitPattern: UInt16($0)) }
    let widened = try Self.widen(all, instructions)
    #expect(zip(all, widened).allSatisfy { $0.floatValue.bitPattern == $1.bitPattern })
    var inputs: [Float] = []
    for upper in UInt32(0)...0xFFFF {
      for low: UInt32 in [0, 1, 0x7FFF, 0x8000, 0x8001, 0xFFFF, 0x0040, 0x0007] { inputs.append(Float(bitPattern: upper << 16 | low)) }
    }
    let narrowed = try Self.narrow(inputs, as: BFloat16.self, instructions)
    var log = MismatchLog()
    for (value, got) in zip(inputs, narrowed) {
      let expected = BFloat16(value)
      log.check(expected.isNaN ? got.isNaN : got.bitPattern == expected.bitPattern, "\(value) → 0x\(String(got.bitPattern, radix: 16))")
    }
    #expect(log.finish() == inputs.count)
  }
}
