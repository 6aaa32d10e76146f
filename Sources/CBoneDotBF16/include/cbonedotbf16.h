// The one 512-bit instruction of the fast kernels that Swift cannot emit,
// VDPBF16PS (AVX512_BF16), for the bfloat16 forward of eight or more samples,
// and the test for subnormal bfloat16 values that guards it (16-bit lane
// masks, which Swift's SIMD types compile lane by lane). Only
// BoneKernelsAVX512 imports it; call the first only where the processor has
// AVX512_BF16 (FastInstructions.avx512bf16), the second where it has AVX-512 BW.
#ifndef CBONEDOTBF16_H
#define CBONEDOTBF16_H

#include <stdint.h>

/// Adds to `acc` (eight slots of 16 floats, slot rho for weight row rho) the
/// products of eight bfloat16 weight rows (encodings; row rho at
/// `w + rho * stride`) with sixteen samples held in the lanes, over `pairs`
/// pairs of columns: `xp[16 * k + s]` holds sample s's columns 2k (low half)
/// and 2k + 1 (high half). Per lane and pair, VDPBF16PS adds the odd column's
/// product, then the even one's, each product exact and each sum rounded to
/// nearest float32, but with subnormal inputs read as zero and subnormal sums
/// flushed to zero: the caller must rule out the first and make the second
/// harmless (BONE-FWD-1, TOL-FWD-1). Eight rows, not twelve: rows 4 KiB
/// apart (4096 input features) share the first-level cache's sets, whose
/// eight ways hold eight of them (one Zen 4 core, rows in cache: twelve such
/// rows 150 GFLOP/s, eight 226, twelve rows 8 bytes further apart 222).
void cbone_rows8_times_lane_pairs_bf16(
    const uint16_t *w, long stride, const uint32_t *xp, long pairs, float *acc);

/// 1 when any of the `count` bfloat16 encodings at `values` is subnormal
/// (exponent field zero, fraction nonzero), else 0; 32 at a time
/// (VPTESTNMW, then VPTESTMW under its mask) (TOL-FWD-1).
int cbone_bf16_has_subnormal(const uint16_t *values, long count);

#endif
