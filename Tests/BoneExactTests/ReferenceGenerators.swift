import BoneExact
import BoneLayers
import BoneNumerics
import BoneTestSupport

/// Small exact inputs for layer properties.
enum ReferenceGen {
  /// Rationals with small numerators and power-of-two denominators, like
  /// stored floats, and some plain fractions.
  static var value: Gen<Rational> {
    Gen.oneOf([
      Gen<Int>.integer(in: -8...8).map { Rational($0) },
      Gen<Int>.integer(in: -1000...1000).zip(Gen<Int>.integer(in: 0...12)).map { Rational($0).scaled(byPowerOfTwo: -$1) },
      Gen<Rational>.rational(maxBits: 12),
    ])
  }

  static func matrix(rows: Int, columns: Int, of element: Gen<Rational> = value) -> Gen<Matrix<Rational>> {
    Gen<Matrix<Rational>>.matrix(rows: rows...rows, columns: columns...columns, element: element)
  }

  /// A BONE problem: shape (any r, in % r ≠ 0 and r > in included), weight, bias, block.
  struct BoneProblem: CustomStringConvertible {
    let shape: LayerShape
    let weight: Matrix<Rational>
    let bias: [Rational]?
    let block: Matrix<Rational>
    var description: String { "\(shape) W=\(weight) bias=\(bias.map(\.description) ?? "none") b=\(block)" }
  }

  static var boneProblem: Gen<BoneProblem> {
    Gen<LayerShape>.layerShape(out: 1...5, in: 1...7, rank: 1...9).flatMap { shape in
      matrix(rows: shape.outFeatures, columns: shape.inFeatures)
        .zip(Gen<Bool>.bool)
        .zip(matrix(rows: 1, columns: shape.outFeatures))
        .zip(matrix(rows: shape.rank, columns: shape.outFeatures))
        .map { input in
          let (((weight, hasBias), biasRow), block) = input
          return BoneProblem(shape: shape, weight: weight, bias: hasBias ? biasRow.elements : nil, block: block)
        }
    }
  }

  /// A BAT problem: a divisible shape, weight, bias and blocks.
  struct BATProblem: CustomStringConvertible {
    let shape: LayerShape
    let weight: Matrix<Rational>
    let bias: [Rational]?
    let blocks: [Matrix<Rational>]
    var description: String { "\(shape) W=\(weight) bias=\(bias.map(\.description) ?? "none") B=\(blocks)" }
  }

  static var batProblem: Gen<BATProblem> {
    Gen<LayerShape>.batShape(rank: 1...3, blocks: 1...3).flatMap { shape in
      let r = shape.rank
      let blockGen = matrix(rows: r, columns: r).array(count: (shape.outFeatures / r)...(shape.outFeatures / r))
      return matrix(rows: shape.outFeatures, columns: shape.inFeatures)
        .zip(Gen<Bool>.bool)
        .zip(matrix(rows: 1, columns: shape.outFeatures))
        .zip(blockGen)
        .map { input in
          let (((weight, hasBias), biasRow), blocks) = input
          return BATProblem(shape: shape, weight: weight, bias: hasBias ? biasRow.elements : nil, blocks: blocks)
        }
    }
  }

  static func batch(rows: ClosedRange<Int> = 1...3, columns: Int) -> Gen<Matrix<Rational>> {
    Gen<Matrix<Rational>>.matrix(rows: rows, columns: columns...columns, element: value)
  }
}

extension Matrix where Element == Rational {
  /// As extended values, for layer inputs and blocks.
  var extended: Matrix<ExtendedRational> { map { .finite($0) } }
}

extension Matrix where Element == ReferenceElement {
  /// The exact values, when all are finite.
  var exactValues: Matrix<Rational>? {
    let values = elements.compactMap(\.exact.rational)
    guard values.count == elements.count else { return nil }
    return Matrix<Rational>(rows: rows, columns: columns) { i, j in values[i * columns + j] }
  }
}
