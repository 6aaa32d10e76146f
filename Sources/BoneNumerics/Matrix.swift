/// A dense row-major matrix of any element type: a weight `W` (out × in), a
/// BONE block `b` (r × out), one BAT tile, or a batch of inputs.
public struct Matrix<Element> {
  /// The number of rows.
  public let rows: Int
  /// The number of columns.
  public let columns: Int
  /// The elements, row after row.
  public private(set) var elements: [Element]

  /// A matrix with every element equal to `value`. Negative dimensions count as 0.
  public init(rows: Int, columns: Int, repeating value: Element) {
    self.rows = max(0, rows)
    self.columns = max(0, columns)
    self.elements = Array(repeating: value, count: self.rows * self.columns)
  }

  /// A matrix over the given elements, row after row.
  ///
  /// - Throws: `MatrixShapeError` when `elements.count != rows × columns`
  ///   or a dimension is negative.
  public init(rows: Int, columns: Int, elements: [Element]) throws(MatrixShapeError) {
    guard rows >= 0, columns >= 0, elements.count == rows * columns else {
      throw MatrixShapeError(rows: rows, columns: columns, elementCount: elements.count)
    }
    self.rows = rows
    self.columns = columns
    self.elements = elements
  }

  /// A matrix whose element (i, j) is `element(i, j)`.
  public init(rows: Int, columns: Int, _ element: (Int, Int) throws -> Element) rethrows {
    self.rows = max(0, rows)
    self.columns = max(0, columns)
    var elements: [Element] = []
    elements.reserveCapacity(self.rows * self.columns)
    for row in 0..<self.rows {
      for column in 0..<self.columns { elements.append(try element(row, column)) }
    }
    self.elements = elements
  }

  /// The element at (`row`, `column`); both must be in range.
  public subscript(row: Int, column: Int) -> Element {
    get {
      precondition(row >= 0 && row < rows && column >= 0 && column < columns, "matrix index out of range")
      return elements[row * columns + column]
    }
    set {
      precondition(row >= 0 && row < rows && column >= 0 && column < columns, "matrix index out of range")
      elements[row * columns + column] = newValue
    }
  }

  /// Calls `body` with the elements, row after row, for reading.
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
    try elements.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with the elements, row after row, for writing in place.
  public mutating func withUnsafeMutableBufferPointer<R>(_ body: (inout UnsafeMutableBufferPointer<Element>) throws -> R) rethrows -> R {
    try elements.withUnsafeMutableBufferPointer(body)
  }

  /// The matrix with `transform` applied to every element.
  public func map<T>(_ transform: (Element) throws -> T) rethrows -> Matrix<T> {
    Matrix<T>(unchecked: rows, columns, try elements.map(transform))
  }

  /// Wraps elements whose count is known to match.
  package init(unchecked rows: Int, _ columns: Int, _ elements: [Element]) {
    self.rows = rows
    self.columns = columns
    self.elements = elements
  }
}

extension Matrix: Equatable where Element: Equatable {}
extension Matrix: Hashable where Element: Hashable {}
extension Matrix: Sendable where Element: Sendable {}

extension Matrix: CustomStringConvertible {
  /// One bracketed row per line, such as `[[1, -2], [3, 4]]` for a 2×2 matrix.
  public var description: String {
    let lines = (0..<rows).map { row in
      "[" + (0..<columns).map { String(describing: self[row, $0]) }.joined(separator: ", ") + "]"
    }
    return "[" + lines.joined(separator: ", ") + "]"
  }
}

/// Matrix dimensions that do not match the number of elements given.
public struct MatrixShapeError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The rows asked for.
  public let rows: Int
  /// The columns asked for.
  public let columns: Int
  /// The number of elements given.
  public let elementCount: Int

  /// A sentence naming the mismatch.
  public var description: String {
    "a \(rows)×\(columns) matrix needs \(max(0, rows) * max(0, columns)) elements, not \(elementCount)"
  }
}
