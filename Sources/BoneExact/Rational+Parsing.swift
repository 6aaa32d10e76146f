import CGMP

/// Why `Rational(parsing:)` rejected a text, with the text itself.
public struct RationalParseError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The kinds of malformed text.
  public enum Reason: Sendable, Hashable {
    /// The text is empty.
    case empty
    /// A character that is not part of the grammar, at a UTF-8 offset.
    case unexpectedCharacter(Character, offset: Int)
    /// A sign somewhere other than the start of the number or of its exponent.
    case misplacedSign(offset: Int)
    /// A part that needs digits has none (`-`, `1/`, `1.`, `1e`).
    case missingDigits(offset: Int)
    /// The denominator of `p/q` is zero.
    case zeroDenominator
    /// The decimal exponent's magnitude exceeds `Rational.maximumDecimalExponent`.
    case exponentOutOfRange
  }

  /// The text that was rejected.
  public let text: String
  /// What is wrong with it.
  public let reason: Reason

  /// A sentence quoting the text and naming what is wrong.
  public var description: String {
    let quoted = "\"\(text)\""
    switch reason {
    case .empty:
      return "empty text is not a rational number"
    case .unexpectedCharacter(let character, let offset):
      return "\(quoted) is not a rational number: unexpected \(character.debugDescription) at offset \(offset)"
    case .misplacedSign(let offset):
      return "\(quoted) is not a rational number: sign at offset \(offset) is not at the start of the number or its exponent"
    case .missingDigits(let offset):
      return "\(quoted) is not a rational number: digits expected at offset \(offset)"
    case .zeroDenominator:
      return "\(quoted) is not a rational number: its denominator is zero"
    case .exponentOutOfRange:
      return "\(quoted) is not a rational number: its exponent exceeds ±\(Rational.maximumDecimalExponent)"
    }
  }
}

extension Rational {
  /// The largest decimal exponent magnitude `Rational(parsing:)` accepts. It
  /// is far beyond every float format (float64's smallest subnormal needs
  /// 1074 decimal places) and keeps hostile input from exhausting memory.
  public static let maximumDecimalExponent = 100_000

  /// Parses exact text (`EXACT-RATIONAL-3`).
  ///
  /// The grammar, with no spaces anywhere:
  /// - a fraction `[+-]digits/digits` (such as `-3/4`; the denominator must
  ///   not be zero), or
  /// - a decimal `[+-]digits[.digits][(e|E)[+-]digits]` (such as `1.25e-3`),
  ///   read exactly, with an exponent of magnitude at most
  ///   `maximumDecimalExponent`.
  ///
  /// - Throws: `RationalParseError` naming the text and what is wrong with it.
  public init(parsing text: String) throws(RationalParseError) {
    func fail(_ reason: RationalParseError.Reason) -> RationalParseError {
      RationalParseError(text: text, reason: reason)
    }
    let bytes = Array(text.utf8)
    guard !bytes.isEmpty else { throw fail(.empty) }

    var index = 0
    func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    func unexpected() -> RationalParseError {
      if bytes[index] == 0x2B || bytes[index] == 0x2D { return fail(.misplacedSign(offset: index)) }
      let scalarText = String(decoding: bytes[index...], as: UTF8.self)
      return fail(.unexpectedCharacter(scalarText.first ?? "?", offset: index))
    }

    // Reads a run of digits; throws if there is none.
    func digits() throws(RationalParseError) -> String {
      let start = index
      while index < bytes.count, isDigit(bytes[index]) { index += 1 }
      guard index > start else {
        // At the end, or at a separator of the grammar, digits are missing;
        // anything else is the wrong character.
        guard index < bytes.count, !"/.eE".utf8.contains(bytes[index]) else {
          throw fail(.missingDigits(offset: index))
        }
        throw unexpected()
      }
      return String(decoding: bytes[start..<index], as: UTF8.self)
    }
    var negative = false
    if bytes[0] == 0x2D || bytes[0] == 0x2B {
      negative = bytes[0] == 0x2D
      index = 1
    }
    let integerDigits = try digits()

    if index < bytes.count, bytes[index] == 0x2F {  // "/"
      index += 1
      let denominatorDigits = try digits()
      guard index == bytes.count else { throw unexpected() }
      guard denominatorDigits.contains(where: { $0 != "0" }) else { throw fail(.zeroDenominator) }
      self = Rational.make { q in
        _ = cgmp_z_set_str(cgmp_q_numref(q), integerDigits, 10)
        _ = cgmp_z_set_str(cgmp_q_denref(q), denominatorDigits, 10)
        cgmp_q_canonicalize(q)
        if negative { cgmp_q_neg(q, q) }
      }
      return
    }

    var fractionDigits = ""
    if index < bytes.count, bytes[index] == 0x2E {  // "."
      index += 1
      fractionDigits = try digits()
    }
    var exponent = 0
    if index < bytes.count, bytes[index] == 0x65 || bytes[index] == 0x45 {  // "e", "E"
      index += 1
      var exponentNegative = false
      if index < bytes.count, bytes[index] == 0x2D || bytes[index] == 0x2B {
        exponentNegative = bytes[index] == 0x2D
        index += 1
      }
      let exponentDigits = try digits()
      let significant = exponentDigits.drop(while: { $0 == "0" })
      guard significant.count <= 7, let magnitude = Int(significant.isEmpty ? "0" : String(significant)),
        magnitude <= Rational.maximumDecimalExponent
      else { throw fail(.exponentOutOfRange) }
      exponent = exponentNegative ? -magnitude : magnitude
    }
    guard index == bytes.count else { throw unexpected() }

    // value = ±(integerDigits fractionDigits) × 10^(exponent − fractionDigits.count)
    let scale = exponent - fractionDigits.count
    let mantissa = integerDigits + fractionDigits
    self = Rational.make { q in
      let numerator = cgmp_q_numref(q)
      let denominator = cgmp_q_denref(q)
      _ = cgmp_z_set_str(numerator, mantissa, 10)
      let power = IntegerStorage()
      cgmp_z_ui_pow_ui(power.pointer, 10, UInt(scale.magnitude))
      if scale >= 0 {
        cgmp_z_mul(numerator, numerator, power.pointer)
      } else {
        cgmp_z_set(denominator, power.pointer)
      }
      cgmp_q_canonicalize(q)
      if negative { cgmp_q_neg(q, q) }
    }
  }
}
