import BoneExact
import BoneNumerics
import BoneTestSupport
import Testing

/// Draws `count` values of `generator` from a fixed seed.
func sample<T>(_ generator: Gen<T>, count: Int, seed: UInt64 = 42) throws -> [T] {
  var streams = SplitMix64(seed: seed)
  return try (0..<count).map { _ in
    var source = ChoiceSource(random: SplitMix64(seed: streams.next()))
    return try generator.generate(&source)
  }
}

@Suite struct GeneratorTests {
  @Test func integersStayInRangeAndReachBothEnds() throws {
    for range in [0...10, -5...5, -20 ... -3, 100...100, Int.min...Int.max] {
      let values = try sample(Gen<Int>.integer(in: range), count: 2000)
      #expect(values.allSatisfy(range.contains), "range \(range)")
      if range.lowerBound > -100, range.upperBound < 100 {
        #expect(Set(values) == Set(range), "every value of \(range) is drawn")
      }
    }
  }

  @Test func simplestIntegerIsZeroOrTheBoundNearestZero() throws {
    for (range, simplest) in [(0...10, 0), (-5...5, 0), (-20 ... -3, -3), (4...9, 4)] {
      var source = ChoiceSource(replaying: [])
      let value = try Gen<Int>.integer(in: range).generate(&source)
      #expect(value == simplest)
    }
  }

  @Test(arguments: DType.allCases)
  func floatBitsReachEveryHardClass(dtype: DType) throws {
    let values = try sample(Gen<UInt64>.floatBits(dtype), count: 4000)
    let magnitudes = Set(values.map { $0 & ~dtype.signMask })
    for hard in dtype.hardPositiveEncodings {
      #expect(magnitudes.contains(hard), "\(dtype) never drew 0x\(dtype.hex(hard))")
    }
    #expect(values.contains { $0 == dtype.signMask }, "\(dtype) never drew −0")
    #expect(values.allSatisfy { $0 & dtype.exponentMask != dtype.exponentMask }, "finite only by default")
    let withSpecials = try sample(Gen<UInt64>.floatBits(dtype, includeNonFinite: true), count: 4000)
    #expect(withSpecials.contains { dtype.decode($0) == .nan })
    #expect(withSpecials.contains { dtype.decode($0) == .infinity(negative: true) })
    // Values next to a tie: low fraction bits 1000…, 0111… at some width.
    #expect(values.contains { v in
      guard dtype.decode(v) != .zero(negative: false) else { return false }
      let fraction = v & dtype.fractionMask
      return fraction != 0 && fraction.trailingZeroBitCount >= 3 && fraction.nonzeroBitCount == 1
    })
  }

  @Test func rationalsHaveBoundedSizeAndBothSigns() throws {
    let values = try sample(Gen<Rational>.rational(maxBits: 40), count: 1000)
    let limit = Rational(integerWords: [1 << 40])
    #expect(values.allSatisfy { $0.magnitude < limit })
    #expect(values.contains { $0.isNegative } && values.contains { !$0.isInteger })
  }

  @Test func layerShapesIncludeRankAboveInAndRaggedLastBlock() throws {
    let shapes = try sample(Gen<LayerShape>.layerShape(), count: 500)
    #expect(shapes.contains { $0.rank > $0.inFeatures })
    #expect(shapes.contains { $0.rank <= $0.inFeatures && $0.inFeatures % $0.rank != 0 })
    #expect(shapes.contains { $0.rank == 1 })
    #expect(shapes.allSatisfy { $0.rank >= 1 && $0.inFeatures >= 1 && $0.outFeatures >= 1 })
  }

  @Test func batShapesAreDivisible() throws {
    let shapes = try sample(Gen<LayerShape>.batShape(), count: 500)
    #expect(shapes.allSatisfy { $0.isBATCompatible })
  }

  @Test func matricesHaveTheirDrawnShape() throws {
    let matrices = try sample(Gen<Matrix<Int>>.matrix(rows: 1...4, columns: 2...3, element: .integer(in: 0...9)), count: 200)
    #expect(matrices.allSatisfy { (1...4).contains($0.rows) && (2...3).contains($0.columns) && $0.elements.count == $0.rows * $0.columns })
  }

  @Test func choiceLimitStopsRunawayGenerators() {
    var source = ChoiceSource(random: SplitMix64(seed: 1), limit: 10)
    #expect(throws: GenerationError.tooManyChoices(limit: 10)) {
      _ = try Gen<Int>.integer(in: 0...9).array(count: 20...20).generate(&source)
    }
  }
}
