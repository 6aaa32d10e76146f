import BoneNumerics

extension Gen {
  /// Matrices with dimensions in the given ranges and elements from `element`.
  /// Shrinks toward the fewest rows and columns and the simplest elements.
  public static func matrix<T>(
    rows: ClosedRange<Int>, columns: ClosedRange<Int>, element: Gen<T>
  ) -> Gen<Matrix<T>> where Value == Matrix<T> {
    let rowCount = Gen<Int>.integer(in: rows)
    let columnCount = Gen<Int>.integer(in: columns)
    return Gen { source throws(GenerationError) in
      let r = try rowCount.generate(&source)
      let c = try columnCount.generate(&source)
      var elements: [T] = []
      elements.reserveCapacity(r * c)
      for _ in 0..<(r * c) { elements.append(try element.generate(&source)) }
      // The count matches r × c by construction.
      return Matrix(rows: r, columns: c) { i, j in elements[i * c + j] }
    }
  }
}

extension Gen where Value == LayerShape {
  /// Layer shapes with independent dimensions and rank, so that `in % r ≠ 0`
  /// and `r > in` are common (the defaults make rank exceed `in` often).
  /// Shrinks toward out = in = r = 1.
  public static func layerShape(
    out: ClosedRange<Int> = 1...12, in inFeatures: ClosedRange<Int> = 1...12, rank: ClosedRange<Int> = 1...16
  ) -> Gen<LayerShape> {
    let outGen = Gen<Int>.integer(in: out)
    let inGen = Gen<Int>.integer(in: inFeatures)
    let rankGen = Gen<Int>.integer(in: rank)
    return Gen { source throws(GenerationError) in
      LayerShape(
        outFeatures: try outGen.generate(&source),
        inFeatures: try inGen.generate(&source),
        rank: try rankGen.generate(&source))
    }
  }

  /// Shapes BAT accepts: rank r, and dimensions that are multiples of it.
  public static func batShape(rank: ClosedRange<Int> = 1...6, blocks: ClosedRange<Int> = 1...4) -> Gen<LayerShape> {
    let rankGen = Gen<Int>.integer(in: rank)
    let blockGen = Gen<Int>.integer(in: blocks)
    return Gen { source throws(GenerationError) in
      let r = try rankGen.generate(&source)
      return LayerShape(
        outFeatures: r * (try blockGen.generate(&source)),
        inFeatures: r * (try blockGen.generate(&source)),
        rank: r)
    }
  }
}
