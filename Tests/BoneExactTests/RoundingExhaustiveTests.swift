import BoneExact
import BoneNumerics
import BoneTestSupport
import Testing

/// Correct rounding to float16 and bfloat16, checked on every encoding and
/// every midpoint between neighbours (`EXACT-ROUND-1`, `EXACT-FLOAT-1`).
@Suite struct RoundingExhaustiveTests {
  static let smallFormats: [DType] = [.float16, .bfloat16]

  /// Every finite encoding, positive and negative, in increasing magnitude.
  static func finiteMagnitudes(_ dtype: DType) -> ClosedRange<UInt64> { 0...dtype.largestFiniteBits }

  @Test(arguments: smallFormats)
  func everyFiniteEncodingRoundTripsThroughItsExactValue(dtype: DType) throws {
    var log = MismatchLog()
    for magnitude in Self.finiteMagnitudes(dtype) {
      for sign in [0, dtype.signMask] {
        let bits = magnitude | sign
        let value = try Rational(bits: bits, dtype: dtype)
        // −0 has the rational value 0, which rounds to +0.
        let expected = magnitude == 0 ? 0 : bits
        let got = value.roundedBits(to: dtype)
        log.check(got == expected, "\(dtype) 0x\(dtype.hex(bits)) → \(value) → 0x\(dtype.hex(got))")
      }
    }
    #expect(log.finish() == 2 * (Int(dtype.largestFiniteBits) + 1))
  }

  @Test(arguments: smallFormats)
  func nonFiniteEncodingsHaveNoRationalValue(dtype: DType) {
    var rejected = 0
    for magnitude in dtype.positiveInfinityBits...(dtype.exponentMask | dtype.fractionMask) {
      for bits in [magnitude, magnitude | dtype.signMask] {
        do {
          let value = try Rational(bits: bits, dtype: dtype)
          Issue.record("\(dtype) 0x\(dtype.hex(bits)) gave \(value)")
        } catch {
          #expect(error == .notFinite(dtype: dtype, bits: bits))
          rejected += 1
        }
      }
    }
    #expect(rejected == 2 * (Int(dtype.fractionMask) + 1))
  }

  @Test(arguments: smallFormats)
  func midpointsTieToEvenAndNeighboursOfTiesGoTheRightWay(dtype: DType) throws {
    var log = MismatchLog()
    for magnitude in Self.finiteMagnitudes(dtype) {
      let low = try Rational(bits: magnitude, dtype: dtype)
      // The upper neighbour of the largest finite value is 2^(emax+1), the
      // value infinity stands for in the overflow rule.
      let high =
        magnitude == dtype.largestFiniteBits
        ? Rational.one.scaled(byPowerOfTwo: dtype.maxExponent + 1)
        : try Rational(bits: magnitude + 1, dtype: dtype)
      let highBits = magnitude == dtype.largestFiniteBits ? dtype.positiveInfinityBits : magnitude + 1
      let midpoint = try (low + high) / Rational(2)
      // A hair: far below half the gap, far above nothing.
      let hair = (high - low).scaled(byPowerOfTwo: -40)
      // Ties go to the encoding with an even significand: an even bit pattern
      // (the largest finite value is odd, so its tie goes to infinity).
      let tie = magnitude & 1 == 0 ? magnitude : highBits
      for negative in [false, true] {
        let sign = negative ? dtype.signMask : 0
        func check(_ value: Rational, _ expected: UInt64, _ what: String) {
          let signed = negative ? -value : value
          let got = signed.roundedBits(to: dtype)
          log.check(
            got == expected | sign,
            "\(dtype): \(what) of 0x\(dtype.hex(magnitude | sign)) (\(signed)) rounded to 0x\(dtype.hex(got)), expected 0x\(dtype.hex(expected | sign))"
          )
        }
        check(midpoint, tie, "the midpoint above")
        check(midpoint - hair, magnitude, "just below the midpoint above")
        check(midpoint + hair, highBits, "just above the midpoint above")
        check(low + hair, magnitude, "just above")
        if magnitude > 0 { check(low - hair, magnitude, "just below") }
      }
    }
    // Five checks per encoding and sign, less "just below" zero.
    #expect(log.finish() == 2 * (5 * (Int(dtype.largestFiniteBits) + 1) - 1))
  }

  @Test(arguments: smallFormats)
  func valuesFarBeyondTheRangeBecomeInfinityOrSignedZero(dtype: DType) {
    let huge = Rational.one.scaled(byPowerOfTwo: dtype.maxExponent + 1)
    for factor in [1, 3, 1000] {
      #expect((huge * Rational(factor)).roundedBits(to: dtype) == dtype.positiveInfinityBits)
      #expect((-huge * Rational(factor)).roundedBits(to: dtype) == dtype.positiveInfinityBits | dtype.signMask)
    }
    let smallestSubnormal = Rational.one.scaled(byPowerOfTwo: dtype.minExponent - dtype.fractionBits)
    for shift in [2, 10, 500] {
      let tiny = smallestSubnormal.scaled(byPowerOfTwo: -shift)
      #expect(tiny.roundedBits(to: dtype) == 0, "positive underflow is +0")
      #expect((-tiny).roundedBits(to: dtype) == dtype.signMask, "negative underflow is −0")
    }
  }

  @Test func float16RoundingAgreesWithTheHardwareConversionFromEveryFloat16Neighbourhood() throws {
    // Float16(Float) is a single correctly rounded conversion (F16C or
    // compiler-rt), an oracle independent of ours. Every float32 whose top
    // bits lie near a float16 encoding, with low bits at the rounding cases.
    var log = MismatchLog()
    for magnitude in Self.finiteMagnitudes(.float16) {
      let center = Float(Float16(bitPattern: UInt16(magnitude)))
      for candidate in [center, center.nextUp, center.nextDown, center.nextUp.nextUp] where candidate.isFinite {
        let exact = try Rational(exactly: candidate)
        let expected = UInt64(Float16(candidate).bitPattern)
        let got = exact.roundedBits(to: .float16)
        log.check(got == expected, "float16(\(candidate)) = 0x\(String(expected, radix: 16)), ours 0x\(String(got, radix: 16))")
      }
    }
    #expect(log.finish() > 4 * 30_000)
  }
}
