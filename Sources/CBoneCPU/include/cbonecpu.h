// The C boundary of the fast kernels: which instruction-set extensions the
// running processor and operating system support. Only BoneKernels imports it.
#ifndef CBONECPU_H
#define CBONECPU_H

/// 1 when the processor has AVX2, FMA and F16C and the operating system saves
/// the YMM registers (XCR0 bits 1 and 2); 0 otherwise and on other architectures.
int cbone_cpu_has_avx2_fma_f16c(void);

/// 1 when, in addition, the processor has AVX-512 F, BW, DQ and VL and the
/// operating system saves the ZMM registers (XCR0 bits 5 to 7); 0 otherwise.
int cbone_cpu_has_avx512(void);

/// 1 when, in addition to AVX-512, the processor has AVX512_BF16 (CPUID leaf 7
/// subleaf 1, EAX bit 5: VDPBF16PS and the bfloat16 conversions); 0 otherwise.
int cbone_cpu_has_avx512_bf16(void);

#endif
