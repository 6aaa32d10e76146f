import BoneExact
import BoneTestSupport
import Testing

/// Field laws and agreement with machine integers (`EXACT-RATIONAL-2`).
@Suite struct RationalArithmeticTests {
  let rationals = Gen<Rational>.rational(maxBits: 100)

  @Test func additionAndMultiplicationAreCommutativeAndAssociative() {
    forAll(rationals.zip(rationals).zip(rationals)) { input in
      let ((a, b), c) = input
      try requireEqual(a + b, b + a, "a + b")
      try requireEqual(a * b, b * a, "a × b")
      try requireEqual((a + b) + c, a + (b + c), "(a + b) + c")
      try requireEqual((a * b) * c, a * (b * c), "(a × b) × c")
      try requireEqual(a * (b + c), a * b + a * c, "a × (b + c)")
    }
  }

  @Test func subtractionAndDivisionUndoAdditionAndMultiplication() {
    forAll(rationals.zip(rationals)) { a, b in
      try requireEqual((a + b) - b, a, "(a + b) − b")
      try requireEqual(a - a, .zero, "a − a")
      try requireEqual(-(-a), a, "−(−a)")
      try requireEqual(a + (-a), .zero, "a + (−a)")
      if !b.isZero {
        try requireEqual(try (a * b) / b, a, "(a × b) ÷ b")
        try requireEqual(try b * b.reciprocal(), .one, "b × 1/b")
      }
    }
  }

  @Test func divisionByZeroIsATypedErrorNotACrash() {
    forAll(rationals) { a in
      let quotient = Result { () throws(RationalError) in try a / .zero }
      guard case .failure(let error) = quotient else { throw PropertyFailure("\(a) / 0 did not throw") }
      try requireEqual(error, .divisionByZero)
      try require((try? Rational.zero.reciprocal()) == nil, "1/0 did not throw")
      try require((try? Rational(numerator: 1, denominator: 0)) == nil, "Rational(1, 0) did not throw")
    }
  }

  @Test func smallIntegerArithmeticAgreesWithInt() {
    let small = Gen<Int>.integer(in: -(1 << 31)...(1 << 31))
    forAll(small.zip(small)) { a, b in
      try requireEqual(Rational(a) + Rational(b), Rational(a + b), "\(a) + \(b)")
      try requireEqual(Rational(a) - Rational(b), Rational(a - b), "\(a) − \(b)")
      try requireEqual(Rational(a) * Rational(b), Rational(a * b), "\(a) × \(b)")
      try requireEqual(Rational(a) < Rational(b), a < b, "\(a) < \(b)")
      try requireEqual(Rational(a).description, String(a), "text of \(a)")
      try requireEqual(Rational(a).signum, a.signum(), "sign of \(a)")
      if b != 0 {
        let q = try Rational(numerator: a, denominator: b)
        try requireEqual(q * Rational(b), Rational(a), "(\(a)/\(b)) × \(b)")
      }
    }
  }

  @Test func orderIsTotalAndAgreesWithTheSignOfTheDifference() {
    forAll(rationals.zip(rationals)) { a, b in
      try requireEqual(a < b, (b - a).signum > 0, "a < b")
      try requireEqual(a == b, (a - b).isZero, "a == b")
      try require([a < b, a == b, b < a].filter { $0 }.count == 1, "exactly one of <, ==, >")
      try requireEqual(a.magnitude, a.isNegative ? -a : a, "|a|")
    }
  }

  @Test func equalValuesHashEquallyWhateverTheirConstruction() throws {
    let half = try Rational(numerator: 1, denominator: 2)
    let alsoHalf = try Rational(numerator: -3, denominator: -6)
    let fromText = try Rational(parsing: "0.5")
    #expect(half == alsoHalf && half == fromText)
    #expect(Set([half, alsoHalf, fromText]).count == 1)
    forAll(rationals.zip(Gen<Int>.integer(in: 1...1000))) { a, k in
      // a·k/k is a in another representation before canonicalisation.
      let other = try (a * Rational(k)) / Rational(k)
      try requireEqual(other.hashValue, a.hashValue, "hash of \(a)")
    }
  }

  @Test func powerOfTwoScalingIsMultiplicationByThePower() {
    forAll(rationals.zip(Gen<Int>.integer(in: -300...300))) { a, e in
      var power = Rational.one
      for _ in 0..<e.magnitude { power = power * Rational(2) }
      if e < 0 { power = try power.reciprocal() }
      try requireEqual(a.scaled(byPowerOfTwo: e), a * power, "\(a) × 2^\(e)")
    }
  }

  @Test func integerWordsAreLeastSignificantFirst() {
    let twoTo64 = Rational(integerWords: [0, 1])
    #expect(twoTo64.description == "18446744073709551616")
    #expect(Rational(integerWords: [5, 0, 0], negative: true) == Rational(-5))
    #expect(Rational(integerWords: []) == .zero)
  }
}
