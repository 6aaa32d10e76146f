#include "cbonedotbf16.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#include <string.h>

__attribute__((target("avx512f,avx512bw,avx512bf16")))
void cbone_rows8_times_lane_pairs_bf16(
    const uint16_t *w, long stride, const uint32_t *xp, long pairs, float *acc) {
  // Two row pointers that step with the columns, the rows between them one
  // or three strides (in bytes) on: every broadcast is one addressing mode.
  const long s1 = 2 * stride, s3 = 6 * stride;
  const char *w0 = (const char *)w, *w4 = w0 + 4 * s1;
  __m512 a0 = _mm512_loadu_ps(acc), a1 = _mm512_loadu_ps(acc + 16), a2 = _mm512_loadu_ps(acc + 32),
         a3 = _mm512_loadu_ps(acc + 48), a4 = _mm512_loadu_ps(acc + 64), a5 = _mm512_loadu_ps(acc + 80),
         a6 = _mm512_loadu_ps(acc + 96), a7 = _mm512_loadu_ps(acc + 112);
  for (long k = 0; k < pairs; k++, w0 += 4, w4 += 4) {
    __m512bh x = (__m512bh)_mm512_loadu_si512(xp + 16 * k);
    // Each row's pair as the instruction's broadcast memory operand ({1to16}),
    // which the compiler does not fold from a broadcast of a loaded value.
#define DP(a, address) __asm__("vdpbf16ps %1%{1to16%}, %2, %0" : "+v"(a) : "m"(*(const uint32_t *)(address)), "v"(x))
    DP(a0, w0); DP(a1, w0 + s1); DP(a2, w0 + 2 * s1); DP(a3, w0 + s3);
    DP(a4, w4); DP(a5, w4 + s1); DP(a6, w4 + 2 * s1); DP(a7, w4 + s3);
#undef DP
  }
  _mm512_storeu_ps(acc, a0); _mm512_storeu_ps(acc + 16, a1); _mm512_storeu_ps(acc + 32, a2);
  _mm512_storeu_ps(acc + 48, a3); _mm512_storeu_ps(acc + 64, a4); _mm512_storeu_ps(acc + 80, a5);
  _mm512_storeu_ps(acc + 96, a6); _mm512_storeu_ps(acc + 112, a7);
}

__attribute__((target("avx512f,avx512bw")))
int cbone_bf16_has_subnormal(const uint16_t *values, long count) {
  const __m512i exponent = _mm512_set1_epi16(0x7F80), fraction = _mm512_set1_epi16(0x007F);
  __mmask32 any = 0;
  long c = 0;
  for (; c + 32 <= count; c += 32) {
    __m512i v = _mm512_loadu_si512(values + c);
    any |= _mm512_mask_test_epi16_mask(_mm512_testn_epi16_mask(v, exponent), v, fraction);
  }
  if (c < count) {
    __m512i v = _mm512_maskz_loadu_epi16((__mmask32)((1u << (count - c)) - 1u), values + c);
    any |= _mm512_mask_test_epi16_mask(_mm512_testn_epi16_mask(v, exponent), v, fraction);
  }
  return any != 0;
}
#else
#include <stdlib.h>
void cbone_rows8_times_lane_pairs_bf16(
    const uint16_t *w, long stride, const uint32_t *xp, long pairs, float *acc) {
  (void)w; (void)stride; (void)xp; (void)pairs; (void)acc;
  abort();  // never called: FastInstructions.avx512bf16 is unsupported here
}
int cbone_bf16_has_subnormal(const uint16_t *values, long count) {
  (void)values; (void)count;
  abort();  // never called: FastInstructions.avx512 is unsupported here
}
#endif
