import BoneExact
import BoneTestSupport
import Testing

/// Canonical text and the strict parser (`EXACT-RATIONAL-3`).
@Suite struct RationalTextTests {
  @Test(arguments: [
    ("6/4", "3/2"), ("-6/4", "-3/2"), ("+6/4", "3/2"), ("0/5", "0"), ("-0", "0"), ("007", "7"), ("10/5", "2"),
    ("0.5", "1/2"), ("-1.25e-3", "-1/800"), ("1e3", "1000"), ("1E+3", "1000"), ("2.50", "5/2"), ("12e-1", "6/5"),
    ("1e-0", "1"), ("0.000", "0"), ("18446744073709551617/3", "18446744073709551617/3"),
  ])
  func validTextParsesToItsCanonicalForm(text: String, canonical: String) throws {
    #expect(try Rational(parsing: text).description == canonical)
  }

  @Test(arguments: [
    ("", RationalParseError.Reason.empty),
    ("-", .missingDigits(offset: 1)),
    ("+", .missingDigits(offset: 1)),
    ("--1", .misplacedSign(offset: 1)),
    ("+-1", .misplacedSign(offset: 1)),
    ("1-2", .misplacedSign(offset: 1)),
    ("1/-2", .misplacedSign(offset: 2)),
    ("1/+2", .misplacedSign(offset: 2)),
    ("1/0", .zeroDenominator),
    ("1/000", .zeroDenominator),
    ("1//2", .missingDigits(offset: 2)),
    ("1/", .missingDigits(offset: 2)),
    ("/2", .missingDigits(offset: 0)),
    (" 1", .unexpectedCharacter(" ", offset: 0)),
    ("1 ", .unexpectedCharacter(" ", offset: 1)),
    ("1 /2", .unexpectedCharacter(" ", offset: 1)),
    ("1/2/3", .unexpectedCharacter("/", offset: 3)),
    ("1.5/2", .unexpectedCharacter("/", offset: 3)),
    ("1/2.5", .unexpectedCharacter(".", offset: 3)),
    ("1.", .missingDigits(offset: 2)),
    (".5", .missingDigits(offset: 0)),
    ("1e", .missingDigits(offset: 2)),
    ("1e-", .missingDigits(offset: 3)),
    ("1e--2", .misplacedSign(offset: 3)),
    ("1e2.5", .unexpectedCharacter(".", offset: 3)),
    ("1e100001", .exponentOutOfRange),
    ("1e-99999999999999999999", .exponentOutOfRange),
    ("0x10", .unexpectedCharacter("x", offset: 1)),
    ("abc", .unexpectedCharacter("a", offset: 0)),
    ("1\u{0663}", .unexpectedCharacter("\u{0663}", offset: 1)),
    ("inf", .unexpectedCharacter("i", offset: 0)),
    ("nan", .unexpectedCharacter("n", offset: 0)),
    ("e5", .missingDigits(offset: 0)),
  ])
  func junkIsRejectedWithAReasonNamingTheText(text: String, reason: RationalParseError.Reason) {
    do {
      let value = try Rational(parsing: text)
      Issue.record("\"\(text)\" parsed as \(value)")
    } catch {
      #expect(error.reason == reason, "\"\(text)\"")
      #expect(error.text == text)
      #expect(text.isEmpty || error.description.contains("\"\(text)\""))
    }
  }

  @Test func exponentAtTheLimitIsAccepted() throws {
    let tiny = try Rational(parsing: "1e-\(Rational.maximumDecimalExponent)")
    #expect(tiny.signum == 1 && tiny.numeratorText == "1")
    #expect(tiny.denominatorText.count == Rational.maximumDecimalExponent + 1)
  }

  /// EXACT-RATIONAL-1: the canonical text form is p/q in lowest terms.
  @Test func canonicalTextRoundTrips() {
    forAll(Gen<Rational>.rational(maxBits: 200)) { a in
      let text = a.description
      try requireEqual(try Rational(parsing: text), a, "parse(\(text))")
      try requireEqual(Rational(text), a, "LosslessStringConvertible")
      try require(!text.contains("+") && !text.contains(" "), "canonical text \(text)")
      try requireEqual(a.isInteger, !text.contains("/"), "integers have no slash")
      let denominator = try Rational(parsing: a.denominatorText)
      try require(denominator.signum == 1, "positive denominator")
    }
  }

  @Test func decimalTextIsReadExactly() {
    // m × 10^e written as a decimal equals m × 10^e computed by multiplication.
    forAll(Gen<Int>.integer(in: -1_000_000...1_000_000).zip(Gen<Int>.integer(in: -40...40))) { m, e in
      var power = Rational.one
      for _ in 0..<e.magnitude { power = power * Rational(10) }
      let expected = e >= 0 ? Rational(m) * power : try Rational(m) / power
      try requireEqual(try Rational(parsing: "\(m)e\(e)"), expected, "\(m)e\(e)")
    }
  }
}
