import BoneNumerics

/// The bias and adapter terms of the outputs that one thread's blocks of a
/// batched forward cover (`FastKernels.fillExtras`), for every sample: blocks
/// `range` of `laneRows` output features, the last one cut at the output.
/// The owner deallocates it (`BONE-FWD-1`).
@usableFromInline
struct BlockExtras<S: FastStorage> {
  /// The outputs covered.
  @usableFromInline let outputs: Range<Int>
  /// The term of output o and sample s at `s · outputs.count + o − outputs.lowerBound`.
  @usableFromInline let values: UnsafeMutablePointer<S.Compute>

  /// Computes the terms with the given instructions' kernels.
  @inlinable
  init<I: InstructionSet>(
    _ range: Range<Int>, laneRows: Int, samples n: Int, biasValues: [S.Compute]?,
    terms: [(r: Int, sums: [S.Compute], block: Matrix<S>)], inFeatures: Int, outFeatures: Int, instructions: I.Type
  ) {
    outputs = range.lowerBound * laneRows..<min(range.upperBound * laneRows, outFeatures)
    values = UnsafeMutablePointer<S.Compute>.allocate(capacity: outputs.count * n)
    FastKernels<I>.fillExtras(
      values, outputs, stride: outputs.count, samples: n, biasValues: biasValues, terms: terms,
      inFeatures: inFeatures, outFeatures: outFeatures)
  }

  /// The term of output `output` for sample `sample`.
  @inlinable
  subscript(sample: Int, output: Int) -> S.Compute {
    values[sample * outputs.count + output - outputs.lowerBound]
  }

  /// Frees the terms.
  @inlinable
  func deallocate() { values.deallocate() }
}
