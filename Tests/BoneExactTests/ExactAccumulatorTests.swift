import BoneExact
import BoneTestSupport
import Testing

/// The accumulator behind every matrix product equals the plain sum, on
/// power-of-two denominators (its integer path) and on any others.
@Suite struct ExactAccumulatorTests {
  static var dyadic: Gen<Rational> {
    Gen<Int>.integer(in: -(1 << 40)...(1 << 40)).zip(Gen<Int>.integer(in: -80...80)).map { Rational($0).scaled(byPowerOfTwo: $1) }
  }

  @Test func sumOfProductsEqualsThePlainSum() {
    let term = Gen.oneOf([Self.dyadic, Self.dyadic, Gen<Rational>.rational(maxBits: 40)])
    let gen = term.zip(term).array(count: 0...12).zip(term.array(count: 0...3))
    forAll(gen) { products, addends in
      var accumulator = ExactAccumulator()
      var plain = Rational.zero
      for (x, y) in products {
        accumulator.addProduct(x, y)
        plain += x * y
      }
      for addend in addends {
        accumulator.add(addend)
        plain += addend
      }
      try requireEqual(accumulator.value, plain, "accumulated sum")
      try requireEqual(
        Rational.dot(count: products.count, { products[$0].0 }, { products[$0].1 }, adding: addends), plain, "dot")
      accumulator.reset()
      try requireEqual(accumulator.value, .zero, "after reset")
    }
  }
}
