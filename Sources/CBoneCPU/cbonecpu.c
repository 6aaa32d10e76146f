#include "cbonecpu.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

int cbone_cpu_has_avx2_fma_f16c(void) {
  unsigned int eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
  const unsigned int fma = 1u << 12, osxsave = 1u << 27, avx = 1u << 28, f16c = 1u << 29;
  if ((ecx & (fma | osxsave | avx | f16c)) != (fma | osxsave | avx | f16c)) return 0;
  unsigned int xcr0_low, xcr0_high;
  __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
  if ((xcr0_low & 6u) != 6u) return 0;
  if (__get_cpuid_max(0, 0) < 7) return 0;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  const unsigned int avx2 = 1u << 5;
  return (ebx & avx2) != 0;
}

int cbone_cpu_has_avx512(void) {
  if (!cbone_cpu_has_avx2_fma_f16c()) return 0;
  unsigned int xcr0_low, xcr0_high;
  __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
  if ((xcr0_low & 0xE0u) != 0xE0u) return 0;
  unsigned int eax, ebx, ecx, edx;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  const unsigned int f = 1u << 16, dq = 1u << 17, bw = 1u << 30, vl = 1u << 31;
  return (ebx & (f | dq | bw | vl)) == (f | dq | bw | vl);
}

int cbone_cpu_has_avx512_bf16(void) {
  if (!cbone_cpu_has_avx512()) return 0;
  unsigned int eax, ebx, ecx, edx;
  if (__get_cpuid_max(0, 0) < 7) return 0;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  if (eax < 1) return 0;  // no subleaf 1
  __cpuid_count(7, 1, eax, ebx, ecx, edx);
  const unsigned int bf16 = 1u << 5;
  return (eax & bf16) != 0;
}
#else
int cbone_cpu_has_avx2_fma_f16c(void) { return 0; }
int cbone_cpu_has_avx512(void) { return 0; }
int cbone_cpu_has_avx512_bf16(void) { return 0; }
#endif
