import BoneKernels
import BoneKernelsAVX2

/// The fast implementation: every operation of a layer in `Float` (or
/// `Double` for float64 storage) with SIMD inner loops and threads, following
/// the CPU policy of `Spec/BONE.md` §6 (`DTYPE-CPU-1`, `DTYPE-CPU-2`).
///
/// Merges work in place on the weight. Besides the outputs of forwards, calls
/// allocate working buffers sized by the blocks (widened blocks, inverses)
/// and the batch (packed samples), and scratch rows per thread; none sized by
/// the weight: a BAT forward merges its copy of W a band of rows at a time
/// (`batForwardBandBytes`). Each operation picks a compiled copy of the kernels
/// (`instructions`) and is pre-specialised for the four storage types, because
/// the layer state machine calls it through the generic `LayerBackend` protocol.
public struct FastBackend<Storage: FastStorage>: LayerBackend {
  /// Weights are stored values.
  public typealias WeightElement = Storage
  /// Blocks are stored values.
  public typealias BlockElement = Storage
  /// Inputs are stored values.
  public typealias InputElement = Storage
  /// Outputs are stored values.
  public typealias OutputElement = Storage

  /// The compiled copy of the kernels this backend runs.
  public let instructions: FastInstructions

  /// How many bytes of merged weight rows a BAT forward keeps at a time
  /// (`batForward`); at least one band of the adapters' ranks is always
  /// taken. A tuning knob, which the tests set low to reach many bands.
  public var batForwardBandBytes = 4 << 20

  /// A backend running the fastest copy of the kernels the processor supports.
  public init() {
    instructions = .best
  }

  /// A backend running the given copy of the kernels.
  ///
  /// - Throws: `UnsupportedInstructions` when the processor lacks them.
  public init(instructions: FastInstructions) throws(UnsupportedInstructions) {
    guard instructions.isSupported else { throw UnsupportedInstructions(instructions: instructions) }
    self.instructions = instructions
  }

  /// The storage dtype.
  public var dtype: DType { Storage.dtype }

  /// +0.
  public var zeroBlockElement: Storage { Storage(rounding: 0) }

  /// True: the storage type holds the dtype's own encodings.
  public var everyElementIsHeld: Bool { true }

  /// Every value of the storage type is a value of its dtype.
  public func holds(weight element: Storage) -> Bool { true }
  /// Every value of the storage type is a value of its dtype.
  public func holds(block element: Storage) -> Bool { true }
  /// Every value of the storage type is a value of its dtype.
  public func holds(input element: Storage) -> Bool { true }

  /// True for finite values.
  @inlinable public func isFinite(_ element: Storage) -> Bool { element.compute.isFinite }

  /// The stored values widened exactly to the arithmetic type by the kernels'
  /// SIMD conversions (`DTYPE-CPU-2`).
  @_specialize(where Storage == Float)
  @_specialize(where Storage == Double)
  @_specialize(where Storage == Float16)
  @_specialize(where Storage == BFloat16)
  public func widened(_ values: [Storage]) -> [Storage.Compute] {
    var result = [Storage.Compute](repeating: 0, count: values.count)
    values.withUnsafeBufferPointer { source in
      result.withUnsafeMutableBufferPointer { destination in
        guard let from = source.baseAddress, let to = destination.baseAddress else { return }
        switch instructions {
        case .avx2, .avx512, .avx512bf16: AVX2Kernels.widen(from, to, values.count)
        case .portable: FastKernels<PortableInstructions>.widen(from, to, values.count)
        }
      }
    }
    return result
  }

  /// The values rounded to the storage type (nearest, ties to even) by the
  /// kernels' SIMD conversions (`DTYPE-CPU-2`).
  @_specialize(where Storage == Float)
  @_specialize(where Storage == Double)
  @_specialize(where Storage == Float16)
  @_specialize(where Storage == BFloat16)
  public func narrowed(_ values: [Storage.Compute]) -> [Storage] {
    var result = [Storage](repeating: Storage(rounding: 0), count: values.count)
    values.withUnsafeBufferPointer { source in
      result.withUnsafeMutableBufferPointer { destination in
        guard let from = source.baseAddress, let to = destination.baseAddress else { return }
        switch instructions {
        case .avx2, .avx512, .avx512bf16: AVX2Kernels.narrow(from, to, values.count)
        case .portable: FastKernels<PortableInstructions>.narrow(from, to, values.count)
        }
      }
    }
    return result
  }

  /// `W ± b` by column groups, in one pass over W (`BONE-MERGE-1`, `BONE-MERGE-2`).
  @_specialize(where Storage == Float)
  @_specialize(where Storage == Double)
  @_specialize(where Storage == Float16)
  @_specialize(where Storage == BFloat16)
  public func boneMerge(_ weight: inout Matrix<Storage>, block: Matrix<Storage>, subtract: Bool) {
    switch instructions {
    case .avx2, .avx512, .avx512bf16: AVX2Kernels.boneMerge(&weight, block: block, subtract: subtract, wide: instructions.isWide)
    case .portable: FastKernels<PortableInstructions>.boneMerge(&weight, block: block, subtract: subtract)
    }
  }

  /// Every tile `T·(I + B_a) + B_a`, in place (`BAT-MERGE-1`).
  @_specialize(where Storage == Float)
  @_specialize(where Storage == Double)
  @_specialize(where Storage == Float16)
  @_specialize(where Storage == BFloat16)
  public func batMerge(_ weight: inout Matrix<Storage>, blocks: [Matrix<Storage>]) {
    switch instructions {
    case .avx2, .avx512, .avx512bf16: AVX2Kernels.batMerge(&weight, blocks: blocks, wide: instructions.isWide)
    case .portable: FastKernels<PortableInstructions>.batMerge(&weight, blocks: blocks)
    }
  }

  /// The blocks and their inverses `(I + B_a)⁻¹` in the arithmetic type.
  public struct BatUnmergePlan {
    /// The rank: every block is r × r.
    public let r: Int
    /// Every block, widened, row-major, concatenated.
    public let widenedBlocks: [Storage.Compute]
    /// Every `(I + B_a)⁻¹`, row-major, concatenated.
    public let inverses: [Storage.Compute]
  }

  /// The blocks widened and every `(I + B_a)⁻¹` by LU factorisation
  /// with partial pivoting, and the first out-block that is not proved
  /// nonsingular (`FastKernels.inversesOfIdentityPlus`).
  @_specialize(where Storage == Float)
  @_specialize(where Storage == Double)
  @_specialize(where Storage == Float16)
  @_specialize(where Storage == BFloat16)
  func inverses(_ blocks: [Matrix<Storage>]) -> (widened: [Storage.Compute], inverses: [Storage.Compute], singular: Int?) {
    let r = blocks.first?.rows ?? 0
    switch instructions {
    case .avx2, .avx512, .avx512bf16:
      let widened = AVX2Kernels.widenedBlocks(blocks)
      let (inverses, singular) = AVX2Kernels.inversesOfIdentityPlus(widened, r: r, wide: instructions.isWide)
      return (widened, inverses, singular)
    case .portable:
      let widened = FastKernels<PortableInstructions>.widenedBlocks(blocks)
      let (inverses, singular) = FastKernels<PortableInstructions>.inversesOfIdentityPlus(widened, r: r)
      return (widened, inverses, singular)
    }
  }

  /// The first out-block whose `I + B_a` is not proved nonsingular: a zero
  /// pivot, or an inverse that does not certify it. Every exactly singular
  /// block is one (`BAT-UNMERGE-2`); any other is, to first order,
  /// numerically singular (`BAT-UNMERGE-3`).
  public func firstSingularBlock(_ blocks: [Matrix<Storage>]) -> Int? {
    inverses(blocks).singular
  }

  /// The widened blocks and their inverses, once, or the first singular
  /// out-block (`BAT-UNMERGE-2`).
  public func prepareBatUnmerge(_ blocks: [Matrix<Storage>]) -> BatUnmergePreparation<BatUnmergePlan> {
    let prepared = inverses(blocks)
    if let singular = prepared.singular { return .singular(outBlock: singular) }
    return .ready(BatUnmergePlan(r: blocks.first?.rows ?? 0, widenedBlocks: prepared.widened, inverses: prepared.inverses))
  }

  /// Every tile `(T' − B_a)·(I + B_a)⁻¹`, in place (`BAT-UNMERGE-1`).
  @_specialize(where Storage == Float)
  @_specialize(where Storage == Double)
  @_specialize(where Storage == Float16)
  @_specialize(where Storage == BFloat16)
  public func batUnmerge(_ weight: inout Matrix<Storage>, plan: BatUnmergePlan) {
    switch instructions {
    case .avx2, .avx512, .avx512bf16:
      AVX2Kernels.batUnmerge(
        &weight, widened: plan.widenedBlocks, r: plan.r, inverses: plan.inverses, wide: instructions.isWide)
    case .portable:
      FastKernels<PortableInstructions>.batUnmerge(&weight, widened: plan.widenedBlocks, r: plan.r, inverses: plan.inverses)
    }
  }

  /// `x·Wᵀ + bias + Σ s(x)·b` (`BONE-FWD-1`), rounded once to the storage type.
  @_specialize(where Storage == Float)
  @_specialize(where Storage == Double)
  @_specialize(where Storage == Float16)
  @_specialize(where Storage == BFloat16)
  public func forward(
    _ input: Matrix<Storage>, weight: Matrix<Storage>, bias: [Storage]?, boneBlocks: [Matrix<Storage>]
  ) -> Matrix<Storage> {
    switch instructions {
    case .avx2, .avx512, .avx512bf16: AVX2Kernels.forward(
        input, weight: weight, bias: bias, boneBlocks: boneBlocks, wide: instructions.isWide,
        bfloat16Pairs: instructions == .avx512bf16)
    case .portable: FastKernels<PortableInstructions>.forward(input, weight: weight, bias: bias, boneBlocks: boneBlocks)
    }
  }
}

extension FastBackend {
  /// `BAT-FWD-1` a band of rows at a time: each band of W's rows (a multiple
  /// of every adapter's rank) is copied, merged with its out-blocks' blocks
  /// in adapter order by the same kernels as a merge, and multiplied, so the
  /// results are those of merging a whole copy, bit for bit, while the copy
  /// never holds more than `batForwardBandBytes` (or one band).
  @_specialize(where Storage == Float)
  @_specialize(where Storage == Double)
  @_specialize(where Storage == Float16)
  @_specialize(where Storage == BFloat16)
  public func batForward(
    _ input: Matrix<Storage>, weight: Matrix<Storage>, bias: [Storage]?, batBlocks: [[Matrix<Storage>]]
  ) -> Matrix<Storage> {
    let outFeatures = weight.rows
    let inFeatures = weight.columns
    // Every adapter has out/r blocks; a band is a whole number of each one's out-blocks.
    var unit = 1
    for blocks in batBlocks where !blocks.isEmpty {
      let r = outFeatures / blocks.count
      unit = unit / greatestCommonDivisor(unit, r) * r
    }
    let rowBytes = max(1, inFeatures * MemoryLayout<Storage>.stride)
    let bandRows = max(unit, batForwardBandBytes / rowBytes / unit * unit)
    guard bandRows < outFeatures, outFeatures % unit == 0 else {
      return batForwardOnAWholeCopy(input, weight: weight, bias: bias, batBlocks: batBlocks)
    }
    let n = input.rows
    var output = Matrix<Storage>(rows: n, columns: outFeatures, repeating: Storage(rounding: 0))
    var start = 0
    while start < outFeatures {
      let height = min(bandRows, outFeatures - start)
      var band = Matrix<Storage>(
        unchecked: height, inFeatures, Array(weight.elements[start * inFeatures..<(start + height) * inFeatures]))
      for blocks in batBlocks {
        let r = outFeatures / blocks.count
        batMerge(&band, blocks: Array(blocks[start / r..<(start + height) / r]))
      }
      let part = forward(input, weight: band, bias: bias.map { Array($0[start..<start + height]) }, boneBlocks: [])
      for sample in 0..<n {
        for column in 0..<height { output[sample, start + column] = part[sample, column] }
      }
      start += height
    }
    return output
  }
}

/// The greatest common divisor of two positive whole numbers.
private func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
  var (a, b) = (a, b)
  while b != 0 { (a, b) = (b, a % b) }
  return a
}

/// A request for kernels the running processor does not support.
public struct UnsupportedInstructions: Error, CustomStringConvertible {
  /// The requested copy of the kernels.
  public let instructions: FastInstructions
  /// Names the instructions.
  public var description: String { "this processor does not support the \(instructions) kernels" }
}

/// A layer of the fast implementation.
public typealias FastLayer<Storage: FastStorage> = AdaptedLayer<FastBackend<Storage>>
