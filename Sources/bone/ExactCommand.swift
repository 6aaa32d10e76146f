import BoneExact
import BoneNumerics

/// `bone exact --dtype D HEX…`: the exact rational values of encodings.
struct ExactCommand: Command {
  static let name = "exact"
  static let abstract = "Print the exact rational value of encodings given in hexadecimal."
  static let usage = """
    bone exact --dtype DTYPE HEX...
      HEX     an encoding of DTYPE, such as 3c00 (float16 one); a 0x prefix is allowed
      --dtype float64 | float32 | float16 | bfloat16
    """

  let dtype: DType
  let encodings: [UInt64]

  init(arguments: [String]) throws(UsageError) {
    let parsed = try ParsedArguments(arguments, options: ["dtype"])
    guard let name = parsed.options["dtype"]?.first else { throw UsageError("exact needs --dtype") }
    guard let dtype = DType(name: name) else { throw UsageError("unknown dtype \(name)") }
    guard !parsed.positional.isEmpty else { throw UsageError("exact needs at least one HEX encoding") }
    self.dtype = dtype
    encodings = try parsed.positional.map { (text: String) throws(UsageError) -> UInt64 in
      let digits = text.hasPrefix("0x") ? String(text.dropFirst(2)) : text
      guard !digits.isEmpty, digits.count <= dtype.hexDigits, let bits = UInt64(digits, radix: 16) else {
        throw UsageError("\(text) is not a \(dtype.bitWidth)-bit hexadecimal encoding")
      }
      return bits
    }
  }

  func run() throws -> Int32 {
    for bits in encodings {
      switch dtype.decode(bits) {
      case .nan: print("0x\(dtype.hex(bits))  NaN")
      case .infinity(let negative): print("0x\(dtype.hex(bits))  \(negative ? "-" : "")infinity")
      case .zero(let negative): print("0x\(dtype.hex(bits))  \(negative ? "-0" : "0")")
      case .finite: print("0x\(dtype.hex(bits))  \(try Rational(bits: bits, dtype: dtype))")
      }
    }
    return 0
  }
}
