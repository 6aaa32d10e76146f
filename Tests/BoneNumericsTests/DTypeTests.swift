import BoneNumerics
import Testing

/// Format parameters (`DTYPE-FORMAT-1`) against Swift's own float types.
@Suite struct DTypeTests {
  @Test func parametersMatchSwiftsFloatTypes() {
    #expect(DType.float64.precision == Double.significandBitCount + 1)
    #expect(DType.float32.precision == Float.significandBitCount + 1)
    #expect(DType.float16.precision == Float16.significandBitCount + 1)
    #expect(DType.float64.exponentBits == Double.exponentBitCount)
    #expect(DType.float32.exponentBits == Float.exponentBitCount)
    #expect(DType.float16.exponentBits == Float16.exponentBitCount)
    #expect(DType.float64.minExponent == Double.leastNormalMagnitude.exponent)
    #expect(DType.float32.maxExponent == Float.greatestFiniteMagnitude.exponent)
    #expect(DType.float16.minExponent == Float16.leastNormalMagnitude.exponent)
    #expect(DType.bfloat16.bitWidth == 16 && DType.bfloat16.exponentBias == 127)
  }

  @Test func decodeSplitsEveryFloat16EncodingLikeSwiftDoes() {
    for bits in UInt16.min...UInt16.max {
      let value = Float16(bitPattern: bits)
      switch DType.float16.decode(UInt64(bits)) {
      case .nan: #expect(value.isNaN)
      case .infinity(let negative): #expect(value.isInfinite && negative == (value.sign == .minus))
      case .zero(let negative): #expect(value.isZero && negative == (value.sign == .minus))
      case .finite(let negative, let significand, let exponent):
        let rebuilt = Double(significand) * Double(sign: .plus, exponent: exponent, significand: 1)
        #expect(Double(value) == (negative ? -rebuilt : rebuilt), "0x\(String(bits, radix: 16))")
      }
    }
  }

  @Test func namesAndAliasesParse() {
    #expect(DType(name: "bf16") == .bfloat16)
    #expect(DType(name: "torch.float16") == .float16)
    #expect(DType(name: "Float32") == .float32)
    #expect(DType(name: "f8") == nil)
    #expect(DType.allCases.allSatisfy { DType(name: $0.description) == $0 })
  }

  @Test func hexIsFixedWidth() {
    #expect(DType.float16.hex(0x3C00) == "3c00")
    #expect(DType.bfloat16.hex(1) == "0001")
    #expect(DType.float64.hex(0) == String(repeating: "0", count: 16))
  }
}
