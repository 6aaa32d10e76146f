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

  /// BONE merge and unmerge add in float32 and round each sum once to the
  /// storage type (`BONE-MERGE-1`, `BONE-MERGE-2`, `DTYPE-CPU-2`); the sums
  /// here are exact in float32, so each stored result is the scalar rounding
  /// of the sum. Row o's weights share an exponent and its addends are half
  /// an ulp of it (every sum of a weight with an odd last bit is a tie) or
  /// other values, with infinities and NaNs; 300 columns and ranks 3 and 64
  /// reach both the 32-value lanes and the tails of the half-precision rows.
  @Test(arguments: instructions) func boneMergeRoundsHalfPrecisionSumsLikeTheScalarConversion(_ instructions: FastInstructions) throws {
    try Self.checkBoneMergeRounding(BFloat16.self, significandBits: 7, instructions) { BFloat16($0) }
    try Self.checkBoneMergeRounding(Float16.self, significandBits: 10, instructions) { Float16($0) }
  }

  static func checkBoneMergeRounding<S: FastStorage>(
    _: S.Type, significandBits: Int, _ instructions: FastInstructions, round: (Float) -> S
  ) throws where S.Compute == Float {
    let backend = try FastBackend<S>(instructions: instructions)
    var generator = SplitMix64(seed: 0xB0E)
    let rows = 12
    let columns = 300
    for r in [3, 64] {
      // Row o: weights ±m·2^e with m in [1, 2) of `significandBits` fraction bits.
      let exponents = (0..<rows).map { o in Float(o % 4 == 3 ? -14 : Int(generator.next() % 16) - 8) }
      let weight = Matrix<S>(rows: rows, columns: columns) { o, _ in
        let fraction = Float(generator.next() % (1 << UInt64(significandBits))) / Float(1 << significandBits)
        let sign: Float = generator.next() % 2 == 0 ? 1 : -1
        return round(sign * (1 + fraction) * Float(sign: .plus, exponent: Int(exponents[o]), significand: 1))
      }
      let halfUlp = { (o: Int) in Float(sign: .plus, exponent: Int(exponents[o]) - significandBits - 1, significand: 1) }
      let specials: [Float] = [.infinity, -.infinity, .nan, 0, -0.0]
      let block = Matrix<S>(rows: r, columns: rows) { j, o in
        switch generator.next() % 8 {
        case 0: return round(specials[Int(generator.next() % UInt64(specials.count))])
        case 1, 2: return round(-halfUlp(o))
        case 3: return round(Float(generator.next() % 1000) / 64 - 8)
        default: return round(halfUlp(o))
        }
      }
      for subtract in [false, true] {
        var merged = weight
        backend.boneMerge(&merged, block: block, subtract: subtract)
        var log = MismatchLog()
        for o in 0..<rows {
          for c in 0..<columns {
            let w = weight[o, c].compute
            let b = block[c % r, o].compute
            let expected = round(subtract ? w - b : w + b)
            let got = merged[o, c]
            log.check(
              expected.compute.isNaN ? got.compute.isNaN : got.bits == expected.bits,
              "\(S.dtype) r=\(r) subtract=\(subtract) [\(o), \(c)]: \(w) ± \(b) → 0x\(String(got.bits, radix: 16)), expected 0x\(String(expected.bits, radix: 16))")
          }
        }
        #expect(log.finish() == rows * columns)
      }
    }
  }

  /// A bfloat16 BAT merge rounds the float32 delta `t·B + B[i]` to bfloat16
  /// before adding it (`BAT-MERGE-1`, `DTYPE-CPU-2`). With B = I every
  /// float32 operation below is exact, so the stored values are fixed by the
  /// two roundings: the diagonal delta t_i + 1 lies in [2, 4) with one bit
  /// too many, a tie whenever t_i's last bit is set; ranks 8 and 32 reach the
  /// narrow panels and the full ones.
  @Test(arguments: instructions) func bfloat16BatMergeRoundsTheDeltaTiesToEven(_ instructions: FastInstructions) throws {
    let backend = try FastBackend<BFloat16>(instructions: instructions)
    var generator = SplitMix64(seed: 0xBA7)
    for r in [8, 32] {
      let size = 2 * r
      let weight = Matrix<BFloat16>(rows: size, columns: size) { _, _ in
        BFloat16(1 + Float(generator.next() % 128) / 128)  // [1, 2), every bfloat16 significand
      }
      let identity = Matrix<BFloat16>(rows: r, columns: r) { i, j in BFloat16(i == j ? 1 : 0) }
      var merged = weight
      backend.batMerge(&merged, blocks: [identity, identity])
      var log = MismatchLog()
      for row in 0..<size {
        for column in 0..<size {
          let t = weight[row, column].floatValue
          let delta = BFloat16(t + (row % r == column % r ? 1 : 0))
          let expected = BFloat16(t + delta.floatValue)
          log.check(
            merged[row, column].bitPattern == expected.bitPattern,
            "r=\(r) [\(row), \(column)] t=\(t): 0x\(String(merged[row, column].bitPattern, radix: 16)), expected 0x\(String(expected.bitPattern, radix: 16))")
        }
      }
      #expect(log.finish() == size * size)
    }
  }
}
