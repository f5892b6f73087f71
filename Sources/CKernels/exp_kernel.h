// The exponential every CKernels pass uses (softmax rows in exp.c and attention.c's callers,
// SwiGLU in activation.c): exp(x) = 2^k · p(r), k = round(x·log2 e), r = x − k·ln 2 (ln 2 split into
// a high and a low part so r is exact), p a degree-6 polynomial (Taylor coefficients, error < 1e-7
// on |r| ≤ ln2/2), and 2^k applied by adding k to p's exponent field (exact: for -87.34 ≤ x ≤ 88.72,
// k ∈ [-126, 128] and the result is a normal float). Inputs below -87.34 give exactly 0, inputs
// above 88.72 +inf, NaN stays NaN. Relative error < 2.4e-7.
//
// One definition, three widths with the same bits: `exp_lane` (portable C, fmaf where the vector
// code fuses), `exp8` (AVX2+FMA) and `exp16` (AVX-512F), instruction for instruction.
#ifndef ATTUNE_EXP_KERNEL_H
#define ATTUNE_EXP_KERNEL_H
#if defined(__clang__)
#pragma clang fp contract(off)  // the polynomial fuses exactly where written
#endif
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "avx2_common.h"

#define EXP_UNDERFLOW (-87.33654f)  // just above -126·ln 2: below it the result is not a normal float
#define EXP_OVERFLOW 88.72283f      // just below 128·ln 2: above it the result overflows
#define LOG2E 1.44269504088896341f
#define LN2_HI 0.693359375f
#define LN2_LO (-2.12194440e-4f)

/// One lane of exp8, step by step (the comments name the vector instruction each line mirrors).
static inline float exp_lane(float x) {
    if (x < EXP_UNDERFLOW) return 0.0f;      // andnot_ps(cmp_ps(x, UNDERFLOW, LT), …)
    if (x > EXP_OVERFLOW) return INFINITY;   // blendv_ps(…, inf, cmp_ps(x, OVERFLOW, GT))
    float k = nearbyintf(x * LOG2E);         // round_ps(mul_ps), to nearest even
    float r = fmaf(-k, LN2_HI, x);           // fnmadd
    r = fmaf(-k, LN2_LO, r);
    float p = 1.0f / 720.0f;
    p = fmaf(p, r, 1.0f / 120.0f);
    p = fmaf(p, r, 1.0f / 24.0f);
    p = fmaf(p, r, 1.0f / 6.0f);
    p = fmaf(p, r, 0.5f);
    p = fmaf(p, r, 1.0f);
    p = fmaf(p, r, 1.0f);
    if (k != k) return p;                    // NaN: cvtps_epi32 gives 0x80000000, which shifts out
    uint32_t bits;                           // add_epi32(p, slli_epi32(cvtps_epi32(k), 23))
    memcpy(&bits, &p, 4);
    bits += (uint32_t)(int32_t)k << 23;
    float result;
    memcpy(&result, &bits, 4);
    return result;
}

#if defined(__x86_64__)
AVX2_TARGET static inline __m256 exp8(__m256 x) {
    const __m256 ln2hi = _mm256_set1_ps(LN2_HI), ln2lo = _mm256_set1_ps(LN2_LO);
    __m256 underflow = _mm256_cmp_ps(x, _mm256_set1_ps(EXP_UNDERFLOW), _CMP_LT_OQ);
    __m256 overflow = _mm256_cmp_ps(x, _mm256_set1_ps(EXP_OVERFLOW), _CMP_GT_OQ);
    __m256 k = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(k, ln2hi, x);
    r = _mm256_fnmadd_ps(k, ln2lo, r);
    __m256 p = _mm256_set1_ps(1.0f / 720.0f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    // 2^k: k added to the exponent field of p (lanes outside the range are replaced below).
    __m256i scaled = _mm256_add_epi32(_mm256_castps_si256(p), _mm256_slli_epi32(_mm256_cvtps_epi32(k), 23));
    __m256 result = _mm256_andnot_ps(underflow, _mm256_castsi256_ps(scaled));
    return _mm256_blendv_ps(result, _mm256_set1_ps(INFINITY), overflow);
}
/// exp8 sixteen lanes wide (AVX-512F): the same instructions, masks in mask registers.
__attribute__((target("avx512f"))) static inline __m512 exp16(__m512 x) {
    const __m512 ln2hi = _mm512_set1_ps(LN2_HI), ln2lo = _mm512_set1_ps(LN2_LO);
    __mmask16 underflow = _mm512_cmp_ps_mask(x, _mm512_set1_ps(EXP_UNDERFLOW), _CMP_LT_OQ);
    __mmask16 overflow = _mm512_cmp_ps_mask(x, _mm512_set1_ps(EXP_OVERFLOW), _CMP_GT_OQ);
    __m512 k = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(k, ln2hi, x);
    r = _mm512_fnmadd_ps(k, ln2lo, r);
    __m512 p = _mm512_set1_ps(1.0f / 720.0f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    __m512i scaled = _mm512_add_epi32(_mm512_castps_si512(p), _mm512_slli_epi32(_mm512_cvtps_epi32(k), 23));
    __m512 result = _mm512_maskz_mov_ps(~underflow, _mm512_castsi512_ps(scaled));
    return _mm512_mask_blend_ps(overflow, result, _mm512_set1_ps(INFINITY));
}
#endif
#endif
