import BoneNumerics

import BoneKernels

/// The kernels compiled for AVX2, FMA and F16C, pre-specialised for the four
/// storage types. Call them only where `FastInstructions.avx2.isSupported`.
public enum AVX2Kernels {
  /// `FastKernels.widen` (`DTYPE-CPU-2`).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  @_specialize(where S == Float16)
  @_specialize(where S == BFloat16)
  public static func widen<S: FastStorage>(_ source: UnsafePointer<S>, _ destination: UnsafeMutablePointer<S.Compute>, _ count: Int) {
    FastKernels<AVX2Instructions>.widen(source, destination, count)
  }

  /// `FastKernels.narrow` (`DTYPE-CPU-2`).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  @_specialize(where S == Float16)
  @_specialize(where S == BFloat16)
  public static func narrow<S: FastStorage>(_ source: UnsafePointer<S.Compute>, _ destination: UnsafeMutablePointer<S>, _ count: Int) {
    FastKernels<AVX2Instructions>.narrow(source, destination, count)
  }

  /// `FastKernels.boneMerge` (`BONE-MERGE-1`, `BONE-MERGE-2`); `wide`
  /// selects the 512-bit half-precision rows (`AVX512Instructions`).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  @_specialize(where S == Float16)
  @_specialize(where S == BFloat16)
  public static func boneMerge<S: FastStorage>(_ weight: inout Matrix<S>, block: Matrix<S>, subtract: Bool, wide: Bool) {
    if wide {
      FastKernels<AVX512Instructions>.boneMerge(&weight, block: block, subtract: subtract)
    } else {
      FastKernels<AVX2Instructions>.boneMerge(&weight, block: block, subtract: subtract)
    }
  }

  /// `FastKernels.batMerge` (`BAT-MERGE-1`); `wide` selects the 512-bit
  /// micro-kernels (`AVX512Instructions`).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  @_specialize(where S == Float16)
  @_specialize(where S == BFloat16)
  public static func batMerge<S: FastStorage>(_ weight: inout Matrix<S>, blocks: [Matrix<S>], wide: Bool) {
    if wide {
      FastKernels<AVX512Instructions>.batMerge(&weight, blocks: blocks)
    } else {
      FastKernels<AVX2Instructions>.batMerge(&weight, blocks: blocks)
    }
  }

  /// `FastKernels.widenedBlocks`.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  @_specialize(where S == Float16)
  @_specialize(where S == BFloat16)
  public static func widenedBlocks<S: FastStorage>(_ blocks: [Matrix<S>]) -> [S.Compute] {
    FastKernels<AVX2Instructions>.widenedBlocks(blocks)
  }

  /// `FastKernels.inversesOfIdentityPlus` (`BAT-UNMERGE-2`); `wide` as for `batMerge`.
  @_specialize(where C == Float)
  @_specialize(where C == Double)
  public static func inversesOfIdentityPlus<C: SIMDScalar & BinaryFloatingPoint>(_ widened: [C], r: Int, wide: Bool) -> ([C], Int?) {
    wide
      ? FastKernels<AVX512Instructions>.inversesOfIdentityPlus(widened, r: r)
      : FastKernels<AVX2Instructions>.inversesOfIdentityPlus(widened, r: r)
  }

  /// `FastKernels.batUnmerge` (`BAT-UNMERGE-1`); `wide` as for `batMerge`.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  @_specialize(where S == Float16)
  @_specialize(where S == BFloat16)
  public static func batUnmerge<S: FastStorage>(
    _ weight: inout Matrix<S>, widened: [S.Compute], r: Int, inverses: [S.Compute], wide: Bool
  ) {
    if wide {
      FastKernels<AVX512Instructions>.batUnmerge(&weight, widened: widened, r: r, inverses: inverses)
    } else {
      FastKernels<AVX2Instructions>.batUnmerge(&weight, widened: widened, r: r, inverses: inverses)
    }
  }

  /// `FastKernels.forward` (`BONE-FWD-1`); `wide` as for `batMerge`;
  /// `bfloat16Pairs` (with `wide`) where the processor has AVX512_BF16.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  @_specialize(where S == Float16)
  @_specialize(where S == BFloat16)
  public static func forward<S: FastStorage>(
    _ input: Matrix<S>, weight: Matrix<S>, bias: [S]?, boneBlocks: [Matrix<S>], wide: Bool, bfloat16Pairs: Bool = false
  ) -> Matrix<S> {
    wide
      ? FastKernels<AVX512Instructions>.forward(
        input, weight: weight, bias: bias, boneBlocks: boneBlocks, bfloat16Pairs: bfloat16Pairs)
      : FastKernels<AVX2Instructions>.forward(input, weight: weight, bias: bias, boneBlocks: boneBlocks)
  }
}
