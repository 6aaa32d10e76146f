/// The two variants of the method (`BONE-PARAM-1`, `BAT-PARAM-1`).
public enum AdapterVariant: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
  /// BONE: a block `r × out`, added by column groups.
  case bone
  /// BAT: one `r × r` block per out-block, multiplied into the weight's tiles.
  case bat

  /// The variant's name as the spec and vectors write it.
  public var description: String { rawValue }

  /// The matrices a block of this variant holds for a layer with `outFeatures`
  /// outputs: one `r × out` matrix for BONE, `out/r` matrices `r × r` for BAT.
  public func blockShapes(rank: Int, outFeatures: Int) -> [(rows: Int, columns: Int)] {
    switch self {
    case .bone: [(rank, outFeatures)]
    case .bat: Array(repeating: (rank, rank), count: rank > 0 ? outFeatures / rank : 0)
    }
  }
}

/// How a device computes merges (`DTYPE-CPU-1`, `DTYPE-CPU-2`, `DTYPE-NATIVE-1`).
public enum DevicePolicy: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
  /// No rounding at all: the mathematics of the spec, for proving identities.
  case exact
  /// PEFT on CPU: float16 and bfloat16 merges go through float32.
  case cpu
  /// An accelerator computing in the storage dtype.
  case native

  /// The policy's name as the spec and vectors write it.
  public var description: String { rawValue }
}

/// One named adapter of a layer: its variant, rank and block.
public struct Adapter<Element> {
  /// The adapter's name, unique within its layer.
  public let name: String
  /// BONE or BAT.
  public let variant: AdapterVariant
  /// The rank r ≥ 1.
  public let rank: Int
  /// The block: one `r × out` matrix (BONE) or `out/r` matrices `r × r` (BAT).
  public let block: [Matrix<Element>]
}

extension Adapter: Sendable where Element: Sendable {}
