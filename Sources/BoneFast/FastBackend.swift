/// The fast implementation: every operation of a layer in `Float` (or
/// `Double` for float64 storage) with SIMD inner loops and threads, following
/// the CPU policy of `Spec/BONE.md` §6 (`DTYPE-CPU-1`, `DTYPE-CPU-2`).
///
/// Merges work in place on the weight; the only allocations are the outputs
/// of forwards and a few vectors of length r per thread. Each operation is
/// pre-specialised for the four storage types, because the layer state
/// machine calls it through the generic `LayerBackend` protocol.
public struct FastBackend<Storage: FastStorage>: LayerBackend {
  /// Weights are stored values.
  public typealias WeightElement = Storage
  /// Blocks are stored values.
  public typealias BlockElement = Storage
  /// Inputs are stored values.
  public typealias InputElement = Storage
  /// Outputs are stored values.
  public typealias OutputElement = Storage

  /// A backend.
  @inlinable public init() {}

  /// The storage dtype.
  public var dtype: DType { Storage.dtype }

  /// +0.
  public var zeroBlockElement: Storage { Storage(rounding: 0) }

  /// Every value of the storage type is a value of its dtype.
  public func holds(weight element: Storage) -> Bool { true }
  /// Every value of the storage type is a value of its dtype.
  public func holds(block element: Storage) -> Bool { true }
  /// Every value of the storage type is a value of its dtype.
  public func holds(input element: Storage) -> Bool { true }

  /// True for finite values.
  @inlinable public func isFinite(_ element: Storage) -> Bool { element.compute.isFinite }

  /// `W ± b` by column groups, in one pass over W (`BONE-MERGE-1`, `BONE-MERGE-2`).
  @_specialize(where Storage == Float)
  @_specialize(where Storage == Double)
  @_specialize(where Storage == Float16)
  @_specialize(where Storage == BFloat16)
  @inlinable public func boneMerge(_ weight: inout Matrix<Storage>, block: Matrix<Storage>, subtract: Bool) {
    FastKernels.boneMerge(&weight, block: block, subtract: subtract)
  }

  /// Every tile `T·(I + B_a) + B_a`, in place (`BAT-MERGE-1`).
  @_specialize(where Storage == Float)
  @_specialize(where Storage == Double)
  @_specialize(where Storage == Float16)
  @_specialize(where Storage == BFloat16)
  @inlinable public func batMerge(_ weight: inout Matrix<Storage>, blocks: [Matrix<Storage>]) {
    FastKernels.batMerge(&weight, blocks: blocks)
  }

  /// The first out-block whose `I + B_a` has a zero pivot in LU with partial
  /// pivoting (`BAT-UNMERGE-2`).
  @_specialize(where Storage == Float)
  @_specialize(where Storage == Double)
  @_specialize(where Storage == Float16)
  @_specialize(where Storage == BFloat16)
  @inlinable public func firstSingularBlock(_ blocks: [Matrix<Storage>]) -> Int? {
    blocks.firstIndex { FastKernels.inverseOfIdentityPlus($0) == nil }
  }

  /// Every tile `(T' − B_a)·(I + B_a)⁻¹`, in place (`BAT-UNMERGE-1`).
  @_specialize(where Storage == Float)
  @_specialize(where Storage == Double)
  @_specialize(where Storage == Float16)
  @_specialize(where Storage == BFloat16)
  @inlinable public func batUnmerge(_ weight: inout Matrix<Storage>, blocks: [Matrix<Storage>]) {
    FastKernels.batUnmerge(&weight, blocks: blocks)
  }

  /// `x·Wᵀ + bias + Σ s(x)·b` (`BONE-FWD-1`), rounded once to the storage type.
  @_specialize(where Storage == Float)
  @_specialize(where Storage == Double)
  @_specialize(where Storage == Float16)
  @_specialize(where Storage == BFloat16)
  @inlinable public func forward(
    _ input: Matrix<Storage>, weight: Matrix<Storage>, bias: [Storage]?, boneBlocks: [Matrix<Storage>]
  ) -> Matrix<Storage> {
    FastKernels.forward(input, weight: weight, bias: bias, boneBlocks: boneBlocks)
  }
}

/// A layer of the fast implementation.
public typealias FastLayer<Storage: FastStorage> = AdaptedLayer<FastBackend<Storage>>
