import BoneExact
import BoneNumerics
import BoneTestSupport
import Testing

/// `BFloat16` conversions (`DTYPE-BF16-1`), checked exhaustively.
@Suite struct BFloat16Tests {
  @Test func everyEncodingWidensExactlyAndNarrowsBackToItself() throws {
    var log = MismatchLog()
    for bits in UInt16.min...UInt16.max {
      let value = BFloat16(bitPattern: bits)
      let widened = Float(value)
      // Widening appends sixteen zero bits: the same value in float32.
      log.check(widened.bitPattern == UInt32(bits) << 16, "widen 0x\(String(bits, radix: 16))")
      let back = BFloat16(widened)
      if value.isNaN {
        log.check(back.isNaN && back.bitPattern & 0x8000 == bits & 0x8000, "NaN 0x\(String(bits, radix: 16)) stays a NaN of its sign")
      } else {
        log.check(back.bitPattern == bits, "0x\(String(bits, radix: 16)) → \(widened) → 0x\(String(back.bitPattern, radix: 16))")
      }
    }
    #expect(log.finish() == 2 * 65536, "two checks per encoding")
  }

  /// Narrowing depends only on the upper half (which holds the parity of the
  /// kept part) and on how the lower half compares with 0x8000. Checking every
  /// upper half with lower halves 0, 1, 0x7FFF, 0x8000, 0x8001 and 0xFFFF
  /// covers every case the rounding can meet; the oracle is the exact
  /// value rounded by `Rational` (itself checked exhaustively).
  @Test func narrowingEveryFloatClassRoundsToNearestEven() throws {
    var log = MismatchLog()
    for upper in UInt32(0)...0xFFFF {
      for lower: UInt32 in [0, 1, 0x7FFF, 0x8000, 0x8001, 0xFFFF] {
        let float = Float(bitPattern: upper << 16 | lower)
        let got = BFloat16(float)
        if float.isNaN {
          log.check(got.isNaN, "NaN 0x\(String(float.bitPattern, radix: 16)) → 0x\(String(got.bitPattern, radix: 16)) is not NaN")
        } else if float.isInfinite {
          log.check(got.bitPattern == UInt16(upper), "infinity stays infinity")
        } else {
          let expected = UInt16(try Rational(exactly: float).roundedBits(to: .bfloat16))
          // An exact zero has no sign as a rational; the sign of a float zero is kept.
          let expectedBits = float == 0 ? UInt16(upper) : expected
          log.check(
            got.bitPattern == expectedBits,
            "bfloat16(0x\(String(float.bitPattern, radix: 16))) = 0x\(String(got.bitPattern, radix: 16)), expected 0x\(String(expectedBits, radix: 16))"
          )
        }
      }
    }
    #expect(log.finish() == 6 * 65536)
  }

  @Test func nanWhosePayloadIsOnlyInTheLowHalfStaysNaN() {
    // Truncation alone would turn these into infinity.
    for bits: UInt32 in [0x7F80_0001, 0xFF80_0001, 0x7F80_FFFF, 0x7F80_8000] {
      let narrowed = BFloat16(Float(bitPattern: bits))
      #expect(narrowed.isNaN && !narrowed.isInfinite, "0x\(String(bits, radix: 16))")
    }
  }

  @Test func equalityIsIEEEEquality() {
    #expect(BFloat16(bitPattern: 0x0000) == BFloat16(bitPattern: 0x8000))
    #expect(BFloat16(bitPattern: 0x7FC0) != BFloat16(bitPattern: 0x7FC0))
    #expect(Set([BFloat16(bitPattern: 0x0000), BFloat16(bitPattern: 0x8000)]).count == 1)
    #expect(BFloat16(1.0).bitPattern == 0x3F80)
    #expect(BFloat16(1.0).description == "1.0")
  }

  @Test func classificationMatchesFloat() {
    for bits in UInt16.min...UInt16.max {
      let value = BFloat16(bitPattern: bits)
      let float = Float(value)
      let same = value.isNaN == float.isNaN && value.isInfinite == float.isInfinite && value.isFinite == float.isFinite
      #expect(same, "0x\(String(bits, radix: 16))")
    }
  }
}
