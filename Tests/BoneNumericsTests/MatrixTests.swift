import BoneNumerics
import Testing

@Suite struct MatrixTests {
  @Test func elementsAreRowMajor() throws {
    let m = try Matrix(rows: 2, columns: 3, elements: [1, 2, 3, 4, 5, 6])
    #expect(m[0, 2] == 3 && m[1, 0] == 4)
    #expect(m.description == "[[1, 2, 3], [4, 5, 6]]")
    let built: Matrix<Int> = Matrix(rows: 2, columns: 3) { i, j in 3 * i + j + 1 }
    #expect(built == m)
    #expect(m.map { $0 * 2 }[1, 2] == 12)
  }

  @Test func mismatchedElementCountIsATypedError() {
    let error = #expect(throws: MatrixShapeError.self) { _ = try Matrix(rows: 2, columns: 2, elements: [1, 2, 3]) }
    #expect(error?.description == "a 2×2 matrix needs 4 elements, not 3")
    #expect(throws: MatrixShapeError.self) { _ = try Matrix(rows: -1, columns: 0, elements: [Int]()) }
  }
}
