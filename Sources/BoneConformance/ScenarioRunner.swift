import BoneExact
import BoneFast
import BoneLayers

/// What a step gave: an error kind, or matrices of cells (encodings in hex
/// for an implementation under test, reference elements for the generator).
public struct StepResult<Cell> {
  /// The error kind, when the step failed.
  public var error: String?
  /// The weight after the step.
  public var weight: [[Cell]]?
  /// The forward's output.
  public var output: [[Cell]]?

  /// A result.
  public init(error: String? = nil, weight: [[Cell]]? = nil, output: [[Cell]]? = nil) {
    self.error = error
    self.weight = weight
    self.output = output
  }
}

extension StepResult: Codable where Cell: Codable {}
extension StepResult: Equatable where Cell: Equatable {}
extension StepResult: Sendable where Cell: Sendable {}

/// What an implementation gave for one step, as encodings (hex) of the group's dtype.
public typealias StepOutcome = StepResult<String>

/// A vector input that cannot be read.
public struct VectorInputError: Error, Sendable, CustomStringConvertible {
  /// What is wrong, naming the place.
  public let description: String
  /// An error.
  public init(_ description: String) { self.description = description }
}

/// Runs scenarios on an in-process layer of any backend.
public struct ScenarioRunner<Backend: LayerBackend, Cell> {
  /// The backend.
  public let backend: Backend
  /// An encoding as a weight or bias element.
  public let weightElement: (UInt64) -> Backend.WeightElement
  /// An encoding as a block element.
  public let blockElement: (UInt64) -> Backend.BlockElement
  /// An encoding as an input element.
  public let inputElement: (UInt64) -> Backend.InputElement
  /// What a weight element reports.
  public let weightCell: (Backend.WeightElement) -> Cell
  /// What an output element reports.
  public let outputCell: (Backend.OutputElement) -> Cell

  /// A runner.
  public init(
    backend: Backend, weightElement: @escaping (UInt64) -> Backend.WeightElement,
    blockElement: @escaping (UInt64) -> Backend.BlockElement, inputElement: @escaping (UInt64) -> Backend.InputElement,
    weightCell: @escaping (Backend.WeightElement) -> Cell, outputCell: @escaping (Backend.OutputElement) -> Cell
  ) {
    self.backend = backend
    self.weightElement = weightElement
    self.blockElement = blockElement
    self.inputElement = inputElement
    self.weightCell = weightCell
    self.outputCell = outputCell
  }

  /// Runs every step; a step that fails gives its error kind and the
  /// scenario goes on with the layer as it was.
  ///
  /// - Throws: `VectorInputError` for unreadable input (bad hex, ragged matrices, unknown op).
  public func run(layer spec: LayerSpec, steps: [Step]) throws -> [StepResult<Cell>] {
    let dtype = backend.dtype
    let weight = try Self.matrix(spec.weight, dtype, "layer.weight").map(weightElement)
    let bias = try spec.bias.map { try Self.row($0, dtype, "layer.bias").map(weightElement) }
    var layer: AdaptedLayer<Backend>
    do {
      layer = try AdaptedLayer(backend: backend, weight: weight, bias: bias)
    } catch {
      return steps.map { _ in StepResult(error: error.kind) }
    }
    var outcomes: [StepResult<Cell>] = []
    for (index, step) in steps.enumerated() {
      let place = "step \(index) (\(step.op))"
      // Read the step's inputs first: unreadable input is the vector's fault.
      var block: [Matrix<Backend.BlockElement>]?
      var input: Matrix<Backend.InputElement>?
      var variant = AdapterVariant.bone
      switch step.op {
      case "addAdapter":
        guard step.name != nil, let name = step.variant, let parsed = AdapterVariant(rawValue: name), step.rank != nil else {
          throw VectorInputError("\(place) needs name, variant (bone or bat) and rank")
        }
        variant = parsed
        block = try Self.blocks(step.block, dtype, place)?.map { $0.map(blockElement) }
      case "forward":
        guard let rows = step.input else { throw VectorInputError("\(place) needs input") }
        input = try Self.matrix(rows, dtype, place).map(inputElement)
      case "setActive", "merge", "unmerge", "disable", "enable", "readWeight":
        break
      default:
        throw VectorInputError("\(place): unknown op \"\(step.op)\"")
      }
      do throws(LayerError) {
        switch step.op {
        case "addAdapter":
          try layer.addAdapter(step.name ?? "", variant: variant, rank: step.rank ?? 0, block: block)
          outcomes.append(StepResult())
        case "setActive":
          try layer.setActive(step.names ?? [])
          outcomes.append(StepResult())
        case "merge":
          try layer.merge(step.names, safe: step.safe ?? false)
          outcomes.append(StepResult(weight: cells(layer.weight, weightCell)))
        case "unmerge":
          try layer.unmerge()
          outcomes.append(StepResult(weight: cells(layer.weight, weightCell)))
        case "disable":
          try layer.disable()
          outcomes.append(StepResult(weight: cells(layer.weight, weightCell)))
        case "enable":
          layer.enable()
          outcomes.append(StepResult())
        case "forward":
          if let input { outcomes.append(StepResult(output: cells(try layer.forward(input), outputCell))) }
        default:
          outcomes.append(StepResult(weight: cells(layer.weight, weightCell)))
        }
      } catch {
        outcomes.append(StepResult(error: error.kind))
      }
    }
    return outcomes
  }

  func cells<T>(_ matrix: Matrix<T>, _ cell: (T) -> Cell) -> [[Cell]] {
    (0..<matrix.rows).map { i in (0..<matrix.columns).map { j in cell(matrix[i, j]) } }
  }

  /// Parses a matrix of hex encodings.
  static func matrix(_ rows: [[String]], _ dtype: DType, _ place: String) throws(VectorInputError) -> Matrix<UInt64> {
    let columns = rows.first?.count ?? 0
    guard rows.allSatisfy({ $0.count == columns }) else { throw (VectorInputError("\(place): rows of different lengths")) }
    var elements: [UInt64] = []
    for (i, row) in rows.enumerated() {
      for (j, text) in row.enumerated() {
        guard let bits = UInt64(text, radix: 16), text.count == dtype.hexDigits else {
          throw (VectorInputError("\(place)[\(i)][\(j)]: \"\(text)\" is not a \(dtype) encoding of \(dtype.hexDigits) hex digits"))
        }
        elements.append(bits)
      }
    }
    do {
      return try Matrix(rows: rows.count, columns: columns, elements: elements)
    } catch {
      throw (VectorInputError("\(place): \(error)"))
    }
  }

  static func row(_ values: [String], _ dtype: DType, _ place: String) throws(VectorInputError) -> [UInt64] {
    try matrix([values], dtype, place).elements
  }

  static func blocks(_ blocks: [[[String]]]?, _ dtype: DType, _ place: String) throws(VectorInputError) -> [Matrix<UInt64>]? {
    guard let blocks else { return nil }
    var result: [Matrix<UInt64>] = []
    for (index, block) in blocks.enumerated() { result.append(try matrix(block, dtype, "\(place) block \(index)")) }
    return result
  }
}

extension ScenarioRunner where Backend == ExactBackend {
  /// The exact reference, reporting each element through `cell`.
  static func exact(dtype: DType, policy: DevicePolicy, cell: @escaping (ReferenceElement) -> Cell) -> Self {
    ScenarioRunner(
      backend: ExactBackend(dtype: dtype, policy: policy),
      weightElement: { ReferenceElement(input: ExtendedRational(bits: $0, dtype: dtype)) },
      blockElement: { ExtendedRational(bits: $0, dtype: dtype) }, inputElement: { ExtendedRational(bits: $0, dtype: dtype) },
      weightCell: cell, outputCell: cell)
  }
}

extension ScenarioRunner where Backend == ExactBackend, Cell == ReferenceElement {
  /// The exact reference, reporting reference elements.
  public static func exact(dtype: DType, policy: DevicePolicy) -> Self {
    exact(dtype: dtype, policy: policy) { $0 }
  }
}

extension ScenarioRunner where Backend == ExactBackend, Cell == String {
  /// The exact reference as an implementation under test: its canonical encodings.
  public static func exactImplementation(dtype: DType, policy: DevicePolicy) -> Self {
    exact(dtype: dtype, policy: policy) { dtype.hex($0.value.roundedBits(to: dtype)) }
  }
}

extension ScenarioRunner where Cell == String {
  /// The fast implementation for storage type `S` (CPU policy).
  public static func fast<S: FastStorage>(_: S.Type, backend: FastBackend<S> = FastBackend<S>()) -> ScenarioRunner<FastBackend<S>, String> {
    ScenarioRunner<FastBackend<S>, String>(
      backend: backend, weightElement: { S(bits: $0) }, blockElement: { S(bits: $0) }, inputElement: { S(bits: $0) },
      weightCell: { S.dtype.hex($0.bits) }, outputCell: { S.dtype.hex($0.bits) })
  }
}
