import BoneExact
import BoneNumerics
import BoneTestSupport
import Testing

/// LAYER-INIT-2: random BONE blocks lie in [−1/√out, 1/√out] and fill it.
@Suite struct KaimingUniformTests {
  @Test func rangeTestIsExact() {
    // 1/√4 = 1/2 exactly: 1/2 is in, the next float above is out.
    #expect(KaimingUniform.isInRange(Rational(1).scaled(byPowerOfTwo: -1), outFeatures: 4))
    #expect(!KaimingUniform.isInRange(Rational(1).scaled(byPowerOfTwo: -1) + Rational(1).scaled(byPowerOfTwo: -40), outFeatures: 4))
    #expect(KaimingUniform.isInRange(Rational(-1).scaled(byPowerOfTwo: -1), outFeatures: 4))
  }

  @Test(arguments: DType.allCases)
  func randomBlocksStayInRangeAndCoverIt(dtype: DType) {
    forAll(Gen<Int>.integer(in: 1...300).zip(Gen<Int>.integer(in: 0...1_000_000)), cases: 30) { out, seed in
      var generator = SplitMix64(seed: UInt64(seed))
      let block = KaimingUniform.block(rank: 8, outFeatures: out, dtype: dtype, using: &generator)
      try require(block.elements.allSatisfy { KaimingUniform.isInRange($0, outFeatures: out) }, "out of range")
      for value in block.elements {
        let stored = try Rational(bits: value.roundedBits(to: dtype), dtype: dtype)
        try requireEqual(stored, value, "not a \(dtype) value")
      }
      if out * 8 >= 64 {
        // Both signs, and values beyond half the bound, appear.
        let half = block.elements.contains { !KaimingUniform.isInRange($0 * Rational(2), outFeatures: out) }
        try require(half && block.elements.contains(where: \.isNegative) && block.elements.contains { $0.signum > 0 }, "block does not cover the range")
      }
    }
  }
}
