// AVX2 helpers shared by the block kernels (quant.c, quant_act16.c). Internal to CKernels.
#ifndef ATTUNE_AVX2_COMMON_H
#define ATTUNE_AVX2_COMMON_H
#if defined(__x86_64__)
#include <immintrin.h>
#include "half.h"

#define AVX2_TARGET __attribute__((target("avx2,fma,f16c")))

/// The sum of the eight lanes.
AVX2_TARGET static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}
/// The little-endian half at `p` as a float (F16C).
AVX2_TARGET static inline float half_f16c(const uint8_t *p) { return _cvtsh_ss(load_u16(p)); }

#endif
#endif
