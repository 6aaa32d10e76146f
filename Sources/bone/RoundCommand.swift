import BoneExact
import BoneNumerics

/// `bone round VALUE [--dtype D]…`: the correctly rounded encodings of an exact value.
struct RoundCommand: Command {
  static let name = "round"
  static let abstract = "Round an exact value to float64, float32, float16 and bfloat16 (nearest, ties to even)."
  static let usage = """
    bone round VALUE [--dtype DTYPE]...
      VALUE   exact text: an integer, a fraction p/q, or a decimal such as -1.25e-3
      --dtype float64 | float32 | float16 | bfloat16 (default: all four)
    """

  let value: Rational
  let dtypes: [DType]

  init(arguments: [String]) throws(UsageError) {
    let parsed = try ParsedArguments(arguments, options: ["dtype"], repeatable: ["dtype"])
    guard parsed.positional.count == 1 else { throw UsageError("round takes exactly one VALUE") }
    do {
      value = try Rational(parsing: parsed.positional[0])
    } catch {
      throw UsageError(error.description)
    }
    dtypes = try (parsed.options["dtype"] ?? DType.allCases.map(\.rawValue)).map { (name: String) throws(UsageError) -> DType in
      guard let dtype = DType(name: name) else { throw UsageError("unknown dtype \(name)") }
      return dtype
    }
  }

  func run() throws -> Int32 {
    print("value \(value)")
    for dtype in dtypes {
      let bits = value.roundedBits(to: dtype)
      let rounded: String
      do {
        let exact = try Rational(bits: bits, dtype: dtype)
        rounded = "\(exact) (error \(exact - value))"
      } catch {
        rounded = dtype.decode(bits) == .infinity(negative: true) ? "-infinity" : "infinity"
      }
      print("\(dtype.rawValue.padding(8)) 0x\(dtype.hex(bits))  \(rounded)")
    }
    return 0
  }
}

extension String {
  /// The string padded with spaces to at least `width` characters.
  func padding(_ width: Int) -> String {
    self + String(repeating: " ", count: max(0, width - count))
  }
}
