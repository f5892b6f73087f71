// Helpers shared by the kernels (exp.c, quant.c, quant_act16.c, attention.c). Internal to CKernels.
#ifndef ATTUNE_AVX2_COMMON_H
#define ATTUNE_AVX2_COMMON_H
#include <stdint.h>
#include "half.h"

/// Marks the portable C entry points. On x86-64 Linux with glibc they are compiled twice, for CPUs
/// with FMA and for the rest, and the loader picks one (an ifunc): the same C, so the same bits
/// (fmaf is exact either way), but fmaf is one instruction instead of a libm call, which makes the
/// portable path (`ATTUNE_PORTABLE_KERNELS=1`) several times faster on such CPUs.
/// (Building with -DPORTABLE= compiles them once, for any x86-64.)
#ifndef PORTABLE
#if defined(__x86_64__) && defined(__linux__) && defined(__GLIBC__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define PORTABLE __attribute__((target_clones("fma", "default")))
#endif
#endif
#endif
#ifndef PORTABLE
#define PORTABLE
#endif

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2_TARGET __attribute__((target("avx2,fma,f16c")))

/// The sum of the eight lanes: ((l0+l4) + (l2+l6)) + ((l1+l5) + (l3+l7)).
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
