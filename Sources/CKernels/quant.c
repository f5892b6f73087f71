// GGML "legacy" 32-value blocks (Q8_0, Q4_0, Q4_1): dequantization to float32 and fused
// dequantize-and-dot with a float32 vector, AVX2+FMA+F16C when the CPU has them.
//
//   Q8_0 (34 bytes):  d:fp16 | q[32]:int8              x[i]    = d · q[i]
//   Q4_0 (18 bytes):  d:fp16 | qs[16]:uint8            x[j]    = d · ((qs[j] & 0xF) − 8),  x[j+16] = d · ((qs[j] >> 4) − 8)
//   Q4_1 (20 bytes):  d:fp16 | m:fp16 | qs[16]:uint8   x[j]    = d · (qs[j] & 0xF) + m,    x[j+16] = d · (qs[j] >> 4) + m
//
// Q4_1's d · q + m is one fused multiply-add on every path. The dot of a Q4_1 block with a:
// Σ x_i a_i = d · Σ q_i a_i + m · Σ a_i.
//
// Every path computes the same bits (DESIGN.md §5). The order is the AVX2 one: element i of a block
// lives in lane i mod 8; per block, lane l forms s_l = q_l a_l, then fma(q_{l+8}, a_{l+8}, s_l),
// fma(q_{l+16}, …), fma(q_{l+24}, …); the running lane accumulator takes fma(d, s_l, acc_l) (Q4_1
// then fma(m, (a_l + a_{l+8}) + (a_{l+16} + a_{l+24}), acc_l)); after the last block the eight
// lanes meet in the hsum8 tree. The portable C runs those eight lanes as arrays, with fmaf.
#if defined(__clang__)
#pragma clang fp contract(off)
#else
#pragma STDC FP_CONTRACT OFF
#endif
#include "CKernels.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avx2_common.h"  // half.h, hsum8, PORTABLE

/// The sum of eight lanes in the order of hsum8: ((l0+l4) + (l2+l6)) + ((l1+l5) + (l3+l7)).
static inline float hsum8_lanes(const float *l) {
    return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
}
/// The 32 codes of a 4-bit block as floats, minus `bias`: low nibbles are elements 0…15, high
/// nibbles 16…31.
static inline void nibbles_float(const uint8_t *qs, int bias, float *w) {
    for (int j = 0; j < 16; j++) { w[j] = (float)((qs[j] & 0xF) - bias); w[j + 16] = (float)((qs[j] >> 4) - bias); }
}

// Portable paths.
PORTABLE static void dequant_q8_0_portable(const uint8_t *src, long blocks, float *dst) {
    for (long b = 0; b < blocks; b++, src += 34, dst += 32) {
        float d = half_to_float(load_u16(src));
        const int8_t *q = (const int8_t *)(src + 2);
        for (int i = 0; i < 32; i++) dst[i] = d * (float)q[i];
    }
}
PORTABLE static void dequant_q4_0_portable(const uint8_t *src, long blocks, float *dst) {
    for (long b = 0; b < blocks; b++, src += 18, dst += 32) {
        float d = half_to_float(load_u16(src)), w[32];
        nibbles_float(src + 2, 8, w);
        for (int i = 0; i < 32; i++) dst[i] = d * w[i];
    }
}
PORTABLE static void dequant_q4_1_portable(const uint8_t *src, long blocks, float *dst) {
    for (long b = 0; b < blocks; b++, src += 20, dst += 32) {
        float d = half_to_float(load_u16(src)), m = half_to_float(load_u16(src + 2)), w[32];
        nibbles_float(src + 4, 0, w);
        for (int i = 0; i < 32; i++) dst[i] = fmaf(d, w[i], m);
    }
}
/// The block's codes as floats (`w[i]`), then the lane sums s_l of the header.
static inline void lane_dots(const float *w, const float *a, float *s) {
    for (int l = 0; l < 8; l++) {
        float t = w[l] * a[l];
        t = fmaf(w[l + 8], a[l + 8], t);
        t = fmaf(w[l + 16], a[l + 16], t);
        s[l] = fmaf(w[l + 24], a[l + 24], t);
    }
}
PORTABLE static float dot_q8_0_portable(const uint8_t *src, const float *a, long blocks) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0}, w[32], s[8];
    for (long b = 0; b < blocks; b++, src += 34, a += 32) {
        const int8_t *q = (const int8_t *)(src + 2);
        for (int i = 0; i < 32; i++) w[i] = (float)q[i];
        lane_dots(w, a, s);
        float d = half_to_float(load_u16(src));
        for (int l = 0; l < 8; l++) acc[l] = fmaf(d, s[l], acc[l]);
    }
    return hsum8_lanes(acc);
}
PORTABLE static float dot_q4_0_portable(const uint8_t *src, const float *a, long blocks) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0}, w[32], s[8];
    for (long b = 0; b < blocks; b++, src += 18, a += 32) {
        nibbles_float(src + 2, 8, w);
        lane_dots(w, a, s);
        float d = half_to_float(load_u16(src));
        for (int l = 0; l < 8; l++) acc[l] = fmaf(d, s[l], acc[l]);
    }
    return hsum8_lanes(acc);
}
PORTABLE static float dot_q4_1_portable(const uint8_t *src, const float *a, long blocks) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0}, w[32], s[8];
    for (long b = 0; b < blocks; b++, src += 20, a += 32) {
        nibbles_float(src + 4, 0, w);
        lane_dots(w, a, s);
        float d = half_to_float(load_u16(src)), m = half_to_float(load_u16(src + 2));
        for (int l = 0; l < 8; l++) {
            float sa = (a[l] + a[l + 8]) + (a[l + 16] + a[l + 24]);
            acc[l] = fmaf(d, s[l], acc[l]);
            acc[l] = fmaf(m, sa, acc[l]);
        }
    }
    return hsum8_lanes(acc);
}

#if defined(__x86_64__)
#define AVX2Q AVX2_TARGET

/// Eight unsigned bytes (or nibbles already unpacked to bytes) as floats.
AVX2Q static inline __m256 bytes_to_ps(__m128i bytes8) { return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes8)); }
AVX2Q static inline __m256 sbytes_to_ps(__m128i bytes8) { return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes8)); }

/// The 32 4-bit codes of a block as two vectors of 16 bytes: low nibbles (elements 0…15) and
/// high nibbles (16…31).
AVX2Q static inline void nibbles(const uint8_t *qs, __m128i *lo, __m128i *hi) {
    __m128i v = _mm_loadu_si128((const __m128i *)qs), mask = _mm_set1_epi8(0x0F);
    *lo = _mm_and_si128(v, mask);
    *hi = _mm_and_si128(_mm_srli_epi16(v, 4), mask);
}

AVX2Q static void dequant_q8_0_avx2(const uint8_t *src, long blocks, float *dst) {
    for (long b = 0; b < blocks; b++, src += 34, dst += 32) {
        __m256 d = _mm256_set1_ps(half_f16c(src));
        const uint8_t *q = src + 2;
        for (int i = 0; i < 32; i += 8) _mm256_storeu_ps(dst + i, _mm256_mul_ps(d, sbytes_to_ps(_mm_loadl_epi64((const __m128i *)(q + i)))));
    }
}
AVX2Q static void dequant_q4_0_avx2(const uint8_t *src, long blocks, float *dst) {
    const __m256 eight = _mm256_set1_ps(8);
    for (long b = 0; b < blocks; b++, src += 18, dst += 32) {
        __m256 d = _mm256_set1_ps(half_f16c(src));
        __m128i lo, hi;
        nibbles(src + 2, &lo, &hi);
        _mm256_storeu_ps(dst, _mm256_mul_ps(d, _mm256_sub_ps(bytes_to_ps(lo), eight)));
        _mm256_storeu_ps(dst + 8, _mm256_mul_ps(d, _mm256_sub_ps(bytes_to_ps(_mm_srli_si128(lo, 8)), eight)));
        _mm256_storeu_ps(dst + 16, _mm256_mul_ps(d, _mm256_sub_ps(bytes_to_ps(hi), eight)));
        _mm256_storeu_ps(dst + 24, _mm256_mul_ps(d, _mm256_sub_ps(bytes_to_ps(_mm_srli_si128(hi, 8)), eight)));
    }
}
AVX2Q static void dequant_q4_1_avx2(const uint8_t *src, long blocks, float *dst) {
    for (long b = 0; b < blocks; b++, src += 20, dst += 32) {
        __m256 d = _mm256_set1_ps(half_f16c(src)), m = _mm256_set1_ps(half_f16c(src + 2));
        __m128i lo, hi;
        nibbles(src + 4, &lo, &hi);
        _mm256_storeu_ps(dst, _mm256_fmadd_ps(d, bytes_to_ps(lo), m));
        _mm256_storeu_ps(dst + 8, _mm256_fmadd_ps(d, bytes_to_ps(_mm_srli_si128(lo, 8)), m));
        _mm256_storeu_ps(dst + 16, _mm256_fmadd_ps(d, bytes_to_ps(hi), m));
        _mm256_storeu_ps(dst + 24, _mm256_fmadd_ps(d, bytes_to_ps(_mm_srli_si128(hi, 8)), m));
    }
}
AVX2Q static float dot_q8_0_avx2(const uint8_t *src, const float *a, long blocks) {
    __m256 acc = _mm256_setzero_ps();
    for (long b = 0; b < blocks; b++, src += 34, a += 32) {
        const uint8_t *q = src + 2;
        __m256 s = _mm256_mul_ps(sbytes_to_ps(_mm_loadl_epi64((const __m128i *)q)), _mm256_loadu_ps(a));
        s = _mm256_fmadd_ps(sbytes_to_ps(_mm_loadl_epi64((const __m128i *)(q + 8))), _mm256_loadu_ps(a + 8), s);
        s = _mm256_fmadd_ps(sbytes_to_ps(_mm_loadl_epi64((const __m128i *)(q + 16))), _mm256_loadu_ps(a + 16), s);
        s = _mm256_fmadd_ps(sbytes_to_ps(_mm_loadl_epi64((const __m128i *)(q + 24))), _mm256_loadu_ps(a + 24), s);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(half_f16c(src)), s, acc);
    }
    return hsum8(acc);
}
AVX2Q static float dot_q4_0_avx2(const uint8_t *src, const float *a, long blocks) {
    __m256 acc = _mm256_setzero_ps();
    const __m256 eight = _mm256_set1_ps(8);
    for (long b = 0; b < blocks; b++, src += 18, a += 32) {
        __m128i lo, hi;
        nibbles(src + 2, &lo, &hi);
        __m256 s = _mm256_mul_ps(_mm256_sub_ps(bytes_to_ps(lo), eight), _mm256_loadu_ps(a));
        s = _mm256_fmadd_ps(_mm256_sub_ps(bytes_to_ps(_mm_srli_si128(lo, 8)), eight), _mm256_loadu_ps(a + 8), s);
        s = _mm256_fmadd_ps(_mm256_sub_ps(bytes_to_ps(hi), eight), _mm256_loadu_ps(a + 16), s);
        s = _mm256_fmadd_ps(_mm256_sub_ps(bytes_to_ps(_mm_srli_si128(hi, 8)), eight), _mm256_loadu_ps(a + 24), s);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(half_f16c(src)), s, acc);
    }
    return hsum8(acc);
}
AVX2Q static float dot_q4_1_avx2(const uint8_t *src, const float *a, long blocks) {
    __m256 acc = _mm256_setzero_ps();
    for (long b = 0; b < blocks; b++, src += 20, a += 32) {
        __m128i lo, hi;
        nibbles(src + 4, &lo, &hi);
        __m256 a0 = _mm256_loadu_ps(a), a1 = _mm256_loadu_ps(a + 8), a2 = _mm256_loadu_ps(a + 16), a3 = _mm256_loadu_ps(a + 24);
        __m256 s = _mm256_mul_ps(bytes_to_ps(lo), a0);
        s = _mm256_fmadd_ps(bytes_to_ps(_mm_srli_si128(lo, 8)), a1, s);
        s = _mm256_fmadd_ps(bytes_to_ps(hi), a2, s);
        s = _mm256_fmadd_ps(bytes_to_ps(_mm_srli_si128(hi, 8)), a3, s);
        __m256 sa = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(half_f16c(src)), s, acc);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(half_f16c(src + 2)), sa, acc);
    }
    return hsum8(acc);
}

#else
#define dequant_q8_0_avx2 dequant_q8_0_portable
#define dequant_q4_0_avx2 dequant_q4_0_portable
#define dequant_q4_1_avx2 dequant_q4_1_portable
#define dot_q8_0_avx2 dot_q8_0_portable
#define dot_q4_0_avx2 dot_q4_0_portable
#define dot_q4_1_avx2 dot_q4_1_portable
#endif

// The path comes from the dispatch table (dispatch.c).
#define DISPATCH(name, ...) (attune_quant_is_vectorized() ? name##_avx2(__VA_ARGS__) : name##_portable(__VA_ARGS__))
void attune_dequant_q8_0(const void *src, long blocks, float *dst) { DISPATCH(dequant_q8_0, src, blocks, dst); }
void attune_dequant_q4_0(const void *src, long blocks, float *dst) { DISPATCH(dequant_q4_0, src, blocks, dst); }
void attune_dequant_q4_1(const void *src, long blocks, float *dst) { DISPATCH(dequant_q4_1, src, blocks, dst); }
float attune_dot_q8_0(const void *src, const float *a, long blocks) { return DISPATCH(dot_q8_0, src, a, blocks); }
float attune_dot_q4_0(const void *src, const float *a, long blocks) { return DISPATCH(dot_q4_0, src, a, blocks); }
float attune_dot_q4_1(const void *src, const float *a, long blocks) { return DISPATCH(dot_q4_1, src, a, blocks); }
