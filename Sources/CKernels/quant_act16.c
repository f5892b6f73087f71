// Dot products of GGML legacy weight blocks (Q8_0, Q4_0, Q4_1; layouts in quant.c) with
// activations quantized to 16 bits per block of 32, for decoding: the products of a block are
// exact integers, so two AVX2 `madd_epi16` replace converting every weight code to float.
//
// Activation block (attune_act16, 72 bytes): d = max|a_i| / 32767, q_i = round(a_i / d) ∈
// [−32767, 32767], and the float sum s = Σ a_i (Q4_1's offset term uses it).
//
//   Q8_0 · a ≈ d_w d_a Σ q_w q_a
//   Q4_0 · a ≈ d_w d_a Σ (q_w − 8) q_a
//   Q4_1 · a ≈ d_w d_a Σ q_w q_a + m_w s_a
//
// The only error beyond float rounding is the activation's rounding, |a_i − d q_i| ≤ d/2, about
// 1.5e-5 of the block's largest value: close to float32 arithmetic, unlike llama.cpp's 8-bit
// activations (≈0.4%, enough to change SmolLM2's greedy answers). Each int32 lane sums four
// products, |q_w q_a| ≤ 128 · 32767, so nothing overflows.
//
// Every path computes the same bits (DESIGN.md §5); the portable C runs the AVX2 lanes as arrays,
// and the AVX-512 VNNI path (quant_act16_vnni.c, where the CPU has it) computes the same lanes.
// Quantization: the block sum s is ((x_l + x_{l+8}) + (x_{l+16} + x_{l+24})) per lane l, then the
// hsum8 tree; q_i = round-to-nearest-even(x_i · (32767 / amax)). A block whose sum is not finite
// gets d = NaN and q = 0; a block so small that 32767 / amax overflows (amax < 9.6e-35) is scaled
// by 2^64 first (x_i · 2^64 · (32767 / (amax · 2^64))). Dots: lane l of a block holds the exact
// integer Σ over elements 2l, 2l+1, 16+2l, 17+2l (madd_epi16 and an add), the lane accumulator
// takes fma(d_w · d_a, that sum, acc_l), the lanes meet in the hsum8 tree after the last block, and
// Q4_1's offsets m_w · s_a form their own fma chain in block order, added last.
#if defined(__clang__)
#pragma clang fp contract(off)
#else
#pragma STDC FP_CONTRACT OFF
#endif
#include "quant_act16.h"  // attune_act16, the AVX-512 VNNI path (quant_act16_vnni.c)
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avx2_common.h"  // half.h, hsum8, PORTABLE


/// The sum of eight lanes in the order of hsum8: ((l0+l4) + (l2+l6)) + ((l1+l5) + (l3+l7)).
static inline float hsum8_lanes(const float *l) {
    return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
}

/// One activation block, the portable way; the vector path takes it too for the two rare kinds of
/// block (non-finite, or so small that 32767 / amax overflows).
static void quantize_block_portable(const float *x, attune_act16 *dst) {
    float amax = 0, lanes[8];
    for (int i = 0; i < 32; i++) { float v = fabsf(x[i]); if (v > amax) amax = v; }
    for (int l = 0; l < 8; l++) lanes[l] = (x[l] + x[l + 8]) + (x[l + 16] + x[l + 24]);
    float sum = hsum8_lanes(lanes), id = amax > 0 ? 32767.0f / amax : 0.0f;
    dst->d = amax / 32767.0f;
    dst->sum = sum;
    if (!isfinite(sum)) {  // a NaN or infinite input poisons every dot, as in float
        dst->d = NAN;
        memset(dst->q, 0, sizeof(dst->q));
    } else if (isinf(id)) {  // exact power-of-two scaling brings the block into range
        id = 32767.0f / (amax * 0x1p64f);
        for (int i = 0; i < 32; i++) dst->q[i] = (int16_t)nearbyintf((x[i] * 0x1p64f) * id);
    } else {
        for (int i = 0; i < 32; i++) dst->q[i] = (int16_t)nearbyintf(x[i] * id);
    }
}
PORTABLE static void quantize_act_portable(const float *x, long blocks, attune_act16 *dst) {
    for (long b = 0; b < blocks; b++, x += 32, dst++) quantize_block_portable(x, dst);
}
/// Lane l of a block's integer dot: elements 2l, 2l+1 (first madd) and 16+2l, 17+2l (second).
static inline int32_t lane_dot16(const int *w, const int16_t *q, int l) {
    return (w[2 * l] * q[2 * l] + w[2 * l + 1] * q[2 * l + 1]) + (w[16 + 2 * l] * q[16 + 2 * l] + w[17 + 2 * l] * q[17 + 2 * l]);
}
/// acc_l = fma(scale, lane l, acc_l) for the block's weight codes `w`.
static inline void accumulate(float *acc, float scale, const int *w, const attune_act16 *a) {
    for (int l = 0; l < 8; l++) acc[l] = fmaf(scale, (float)lane_dot16(w, a->q, l), acc[l]);
}
PORTABLE static float dot_q8_0_act_portable(const uint8_t *w, const attune_act16 *a, long blocks) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int codes[32];
    for (long b = 0; b < blocks; b++, w += 34, a++) {
        for (int i = 0; i < 32; i++) codes[i] = ((const int8_t *)(w + 2))[i];
        accumulate(acc, half_to_float(load_u16(w)) * a->d, codes, a);
    }
    return hsum8_lanes(acc);
}
PORTABLE static float dot_q4_0_act_portable(const uint8_t *w, const attune_act16 *a, long blocks) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int codes[32];
    for (long b = 0; b < blocks; b++, w += 18, a++) {
        for (int j = 0; j < 16; j++) { codes[j] = (w[2 + j] & 0xF) - 8; codes[j + 16] = (w[2 + j] >> 4) - 8; }
        accumulate(acc, half_to_float(load_u16(w)) * a->d, codes, a);
    }
    return hsum8_lanes(acc);
}
PORTABLE static float dot_q4_1_act_portable(const uint8_t *w, const attune_act16 *a, long blocks) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0}, offsets = 0;
    int codes[32];
    for (long b = 0; b < blocks; b++, w += 20, a++) {
        for (int j = 0; j < 16; j++) { codes[j] = w[4 + j] & 0xF; codes[j + 16] = w[4 + j] >> 4; }
        accumulate(acc, half_to_float(load_u16(w)) * a->d, codes, a);
        offsets = fmaf(half_to_float(load_u16(w + 2)), a->sum, offsets);
    }
    return hsum8_lanes(acc) + offsets;
}

#if defined(__x86_64__)
#define AVX2A AVX2_TARGET
#define ROUNDING (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)

AVX2A static inline float hmax8a(__m256 v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}
/// Σ w_i q_i over a block as 8 int32 lanes, from the weights as two vectors of 16 int16
/// (elements 0…15 and 16…31) and the block's activation codes.
AVX2A static inline __m256i block_dot16(__m256i w0, __m256i w1, const attune_act16 *a) {
    return _mm256_add_epi32(_mm256_madd_epi16(w0, _mm256_loadu_si256((const __m256i *)a->q)),
                            _mm256_madd_epi16(w1, _mm256_loadu_si256((const __m256i *)(a->q + 16))));
}

AVX2A static void quantize_act_avx2(const float *x, long blocks, attune_act16 *dst) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (long b = 0; b < blocks; b++, x += 32, dst++) {
        __m256 v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8), v2 = _mm256_loadu_ps(x + 16), v3 = _mm256_loadu_ps(x + 24);
        __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v0), _mm256_andnot_ps(sign, v1)),
                                 _mm256_max_ps(_mm256_andnot_ps(sign, v2), _mm256_andnot_ps(sign, v3)));
        float amax = hmax8a(m);
        float id = amax > 0 ? 32767.0f / amax : 0.0f;
        float sum = hsum8(_mm256_add_ps(_mm256_add_ps(v0, v1), _mm256_add_ps(v2, v3)));
        if (!isfinite(sum) || isinf(id)) { quantize_block_portable(x, dst); continue; }
        dst->d = amax / 32767.0f;
        dst->sum = sum;
        __m256 s = _mm256_set1_ps(id);
        __m256i i0 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v0, s), ROUNDING));
        __m256i i1 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v1, s), ROUNDING));
        __m256i i2 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v2, s), ROUNDING));
        __m256i i3 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v3, s), ROUNDING));
        // packs works per 128-bit lane; the 64-bit permute puts the groups back in element order.
        _mm256_storeu_si256((__m256i *)dst->q, _mm256_permute4x64_epi64(_mm256_packs_epi32(i0, i1), 0xD8));
        _mm256_storeu_si256((__m256i *)(dst->q + 16), _mm256_permute4x64_epi64(_mm256_packs_epi32(i2, i3), 0xD8));
    }
}
AVX2A static float dot_q8_0_act_avx2(const uint8_t *w, const attune_act16 *a, long blocks) {
    __m256 acc = _mm256_setzero_ps();
    for (long b = 0; b < blocks; b++, w += 34, a++) {
        __m256i w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w + 2)));
        __m256i w1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w + 18)));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(half_f16c(w) * a->d), _mm256_cvtepi32_ps(block_dot16(w0, w1, a)), acc);
    }
    return hsum8(acc);
}
AVX2A static float dot_q4_0_act_avx2(const uint8_t *w, const attune_act16 *a, long blocks) {
    __m256 acc = _mm256_setzero_ps();
    const __m128i mask = _mm_set1_epi8(0x0F);
    const __m256i eight = _mm256_set1_epi16(8);
    for (long b = 0; b < blocks; b++, w += 18, a++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(w + 2));
        __m256i w0 = _mm256_sub_epi16(_mm256_cvtepu8_epi16(_mm_and_si128(v, mask)), eight);
        __m256i w1 = _mm256_sub_epi16(_mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(v, 4), mask)), eight);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(half_f16c(w) * a->d), _mm256_cvtepi32_ps(block_dot16(w0, w1, a)), acc);
    }
    return hsum8(acc);
}
AVX2A static float dot_q4_1_act_avx2(const uint8_t *w, const attune_act16 *a, long blocks) {
    __m256 acc = _mm256_setzero_ps();
    const __m128i mask = _mm_set1_epi8(0x0F);
    float offsets = 0;
    for (long b = 0; b < blocks; b++, w += 20, a++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(w + 4));
        __m256i w0 = _mm256_cvtepu8_epi16(_mm_and_si128(v, mask));
        __m256i w1 = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(v, 4), mask));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(half_f16c(w) * a->d), _mm256_cvtepi32_ps(block_dot16(w0, w1, a)), acc);
        offsets = fmaf(half_f16c(w + 2), a->sum, offsets);
    }
    return hsum8(acc) + offsets;
}

/// Rows `r` and `r + 1` at once (two independent accumulator chains, the activation block loaded
/// once), for the matrix-vector entry points below.
#define TWO_ROWS(name, BLOCK_BYTES, WEIGHTS, OFFSET)                                                   \
    AVX2A static void name(const uint8_t *w0, const uint8_t *w1, const attune_act16 *a, long blocks,  \
                           float *y0, float *y1) {                                                     \
        __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();                                 \
        float off0 = 0, off1 = 0;                                                                      \
        (void)off0; (void)off1;                                                                        \
        for (long b = 0; b < blocks; b++, w0 += BLOCK_BYTES, w1 += BLOCK_BYTES, a++) {                 \
            __m256i a0 = _mm256_loadu_si256((const __m256i *)a->q);                                    \
            __m256i a1 = _mm256_loadu_si256((const __m256i *)(a->q + 16));                             \
            __m256i lo, hi;                                                                            \
            WEIGHTS(w0, lo, hi);                                                                       \
            __m256i s0 = _mm256_add_epi32(_mm256_madd_epi16(lo, a0), _mm256_madd_epi16(hi, a1));       \
            WEIGHTS(w1, lo, hi);                                                                       \
            __m256i s1 = _mm256_add_epi32(_mm256_madd_epi16(lo, a0), _mm256_madd_epi16(hi, a1));       \
            acc0 = _mm256_fmadd_ps(_mm256_set1_ps(half_f16c(w0) * a->d), _mm256_cvtepi32_ps(s0), acc0);   \
            acc1 = _mm256_fmadd_ps(_mm256_set1_ps(half_f16c(w1) * a->d), _mm256_cvtepi32_ps(s1), acc1);   \
            OFFSET(off0, w0); OFFSET(off1, w1);                                                        \
        }                                                                                              \
        *y0 = hsum8(acc0) + off0;                                                                     \
        *y1 = hsum8(acc1) + off1;                                                                     \
    }
/// A block's codes (at `q`, past the header) as int16: `lo` elements 0…15, `hi` elements 16…31.
#define Q8_0_CODES(q, lo, hi) do {                                             \
        lo = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(q)));       \
        hi = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)((q) + 16)));  } while (0)
#define Q4_0_CODES(q, lo, hi) do {                                                                          \
        __m128i v_ = _mm_loadu_si128((const __m128i *)(q)), m_ = _mm_set1_epi8(0x0F);                       \
        lo = _mm256_sub_epi16(_mm256_cvtepu8_epi16(_mm_and_si128(v_, m_)), _mm256_set1_epi16(8));           \
        hi = _mm256_sub_epi16(_mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(v_, 4), m_)), _mm256_set1_epi16(8)); } while (0)
#define Q4_1_CODES(q, lo, hi) do {                                                          \
        __m128i v_ = _mm_loadu_si128((const __m128i *)(q)), m_ = _mm_set1_epi8(0x0F);       \
        lo = _mm256_cvtepu8_epi16(_mm_and_si128(v_, m_));                                   \
        hi = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(v_, 4), m_)); } while (0)
/// The same from a whole block `w` (its header first).
#define Q8_0_WEIGHTS(w, lo, hi) Q8_0_CODES((w) + 2, lo, hi)
#define Q4_0_WEIGHTS(w, lo, hi) Q4_0_CODES((w) + 2, lo, hi)
#define Q4_1_WEIGHTS(w, lo, hi) Q4_1_CODES((w) + 4, lo, hi)
#define NO_OFFSET(total, w) ((void)0)
#define Q4_1_OFFSET(total, w) (total = fmaf(half_f16c((w) + 2), a->sum, total))
TWO_ROWS(two_rows_q8_0, 34, Q8_0_WEIGHTS, NO_OFFSET)
TWO_ROWS(two_rows_q4_0, 18, Q4_0_WEIGHTS, NO_OFFSET)
TWO_ROWS(two_rows_q4_1, 20, Q4_1_WEIGHTS, Q4_1_OFFSET)

/// Four weight rows in decoding's layout (`attune_act16_rows4_pack`; quant_act16_vnni.c has the
/// VNNI twin) against one or two activation rows at a time (`acts` in all, `y[j · ldy + r]`): a
/// chunk's scales converted eight at a time, the four rows' minimums side by side, the codes of a
/// block's four rows consecutive; each output's float operations are the one-row dot's.
#define ROWS4_AVX2(name, CODE_BYTES, CODES, OFFSETS)                                                             \
    AVX2A static inline __attribute__((always_inline)) void name##_j(                                                \
        const uint8_t *g, const attune_act16 *const *a, const float *const *da, const float *const *sa, long blocks,   \
        long ahead, float *y, long ldy, const int J) {                                                                 \
        __m256 acc[2][4];                                                                                              \
        __m128 off[2] = {_mm_setzero_ps(), _mm_setzero_ps()};                                                          \
        for (int j = 0; j < J; j++)                                                                                    \
            for (int r = 0; r < 4; r++) acc[j][r] = _mm256_setzero_ps();                                               \
        (void)off; (void)sa;                                                                                           \
        for (long c = 0; c < blocks; c += 8) {                                                                         \
            const long n = blocks - c < 8 ? blocks - c : 8;                                                            \
            const long chunk = n * (4 * CODE_BYTES + (OFFSETS ? 16 : 8));                                              \
            for (long line = 0; line < chunk; line += 64) _mm_prefetch((const char *)(g + ahead + line), _MM_HINT_T1);  \
            const uint8_t *minimums = g + 8 * n, *codes = g + (OFFSETS ? 16 : 8) * n;                                  \
            (void)minimums;                                                                                            \
            _Alignas(32) float scale[2][4][8];                                                                         \
            for (int r = 0; r < 4; r++) {                                                                              \
                /* 16 bytes from a row's n scales: past them the chunk goes on (minimums, codes); */                   \
                /* lanes past n are never used, nor are da's spare lanes. */                                           \
                const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(g + 2 * n * r)));                  \
                for (int j = 0; j < J; j++) _mm256_store_ps(scale[j][r], _mm256_mul_ps(dw, _mm256_loadu_ps(da[j] + c))); \
            }                                                                                                          \
            for (long i = 0; i < n; i++) {                                                                             \
                const long b = c + i;                                                                                  \
                __m256i a0[2], a1[2];                                                                                  \
                for (int j = 0; j < J; j++) {                                                                          \
                    a0[j] = _mm256_loadu_si256((const __m256i *)a[j][b].q);                                            \
                    a1[j] = _mm256_loadu_si256((const __m256i *)(a[j][b].q + 16));                                     \
                }                                                                                                      \
                const uint8_t *q = codes + i * 4 * CODE_BYTES;                                                         \
                for (int r = 0; r < 4; r++) {                                                                          \
                    __m256i lo, hi;                                                                                    \
                    CODES(q + r * CODE_BYTES, lo, hi);                                                                 \
                    for (int j = 0; j < J; j++) {                                                                      \
                        __m256i s = _mm256_add_epi32(_mm256_madd_epi16(lo, a0[j]), _mm256_madd_epi16(hi, a1[j]));      \
                        acc[j][r] = _mm256_fmadd_ps(_mm256_set1_ps(scale[j][r][i]), _mm256_cvtepi32_ps(s), acc[j][r]); \
                    }                                                                                                  \
                }                                                                                                      \
                if (OFFSETS) {                                                                                         \
                    const __m128 m = _mm_cvtph_ps(_mm_loadl_epi64((const __m128i *)(minimums + 8 * i)));               \
                    for (int j = 0; j < J; j++) off[j] = _mm_fmadd_ps(m, _mm_set1_ps(sa[j][b]), off[j]);               \
                }                                                                                                      \
            }                                                                                                          \
            g += chunk;                                                                                                \
        }                                                                                                              \
        for (int j = 0; j < J; j++) {                                                                                  \
            float o[4] = {0, 0, 0, 0};                                                                                 \
            if (OFFSETS) _mm_storeu_ps(o, off[j]);                                                                     \
            for (int r = 0; r < 4; r++) y[j * ldy + r] = OFFSETS ? hsum8(acc[j][r]) + o[r] : hsum8(acc[j][r]);         \
        }                                                                                                              \
    }                                                                                                                  \
    AVX2A static void name(const uint8_t *g, const attune_act16 *const *a, const float *const *da, const float *const *sa, \
                           long blocks, long ahead, float *y, long ldy, long acts) {                                   \
        for (long j = 0; j < acts; j += 2) {                                                                           \
            if (acts - j >= 2) name##_j(g, a + j, da + j, sa + j, blocks, ahead, y + j * ldy, ldy, 2);                 \
            else name##_j(g, a + j, da + j, sa + j, blocks, ahead, y + j * ldy, ldy, 1);                               \
        }                                                                                                              \
    }
ROWS4_AVX2(rows4_q8_0_avx2, 32, Q8_0_CODES, 0)
ROWS4_AVX2(rows4_q4_0_avx2, 16, Q4_0_CODES, 0)
ROWS4_AVX2(rows4_q4_1_avx2, 16, Q4_1_CODES, 1)

/// One weight row against `n` (1…4) activation rows `a_stride` blocks apart: the weight block is
/// loaded and widened once per block and dotted with each activation row, each row keeping the
/// accumulator chain of the one-row kernel (same operations, same order: the same bits).
#define MULTI_ACTS(name, BLOCK_BYTES, WEIGHTS, OFFSET)                                               \
    AVX2A static inline __attribute__((always_inline)) void name##_n(                                \
        const uint8_t *w, const attune_act16 *a, long a_stride, long blocks, float *y, long ldy,      \
        const int n) {                                                                               \
        __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()}; \
        float off[4] = {0, 0, 0, 0};                                                                 \
        (void)off;                                                                                   \
        for (long b = 0; b < blocks; b++, w += BLOCK_BYTES) {                                        \
            __m256i lo, hi;                                                                          \
            WEIGHTS(w, lo, hi);                                                                      \
            const float dw = half_f16c(w);                                                           \
            for (int j = 0; j < n; j++) {                                                            \
                const attune_act16 *aj = a + j * a_stride + b;                                       \
                __m256i s = _mm256_add_epi32(_mm256_madd_epi16(lo, _mm256_loadu_si256((const __m256i *)aj->q)), \
                                             _mm256_madd_epi16(hi, _mm256_loadu_si256((const __m256i *)(aj->q + 16)))); \
                acc[j] = _mm256_fmadd_ps(_mm256_set1_ps(dw * aj->d), _mm256_cvtepi32_ps(s), acc[j]);    \
                OFFSET(off[j], w, aj);                                                               \
            }                                                                                        \
        }                                                                                            \
        for (int j = 0; j < n; j++) y[j * ldy] = hsum8(acc[j]) + off[j];                             \
    }                                                                                                \
    AVX2A static void name(const uint8_t *w, const attune_act16 *a, long a_stride, long blocks, float *y, long ldy, long n) { \
        switch (n) {                                                                                 \
        case 4: name##_n(w, a, a_stride, blocks, y, ldy, 4); break;                                  \
        case 3: name##_n(w, a, a_stride, blocks, y, ldy, 3); break;                                  \
        case 2: name##_n(w, a, a_stride, blocks, y, ldy, 2); break;                                  \
        default: name##_n(w, a, a_stride, blocks, y, ldy, 1); break;                                 \
        }                                                                                            \
    }
#define NO_OFFSET_A(total, w, a) ((void)0)
#define Q4_1_OFFSET_A(total, w, a) (total = fmaf(half_f16c((w) + 2), (a)->sum, total))
MULTI_ACTS(multi_q8_0, 34, Q8_0_WEIGHTS, NO_OFFSET_A)
MULTI_ACTS(multi_q4_0, 18, Q4_0_WEIGHTS, NO_OFFSET_A)
MULTI_ACTS(multi_q4_1, 20, Q4_1_WEIGHTS, Q4_1_OFFSET_A)
#else
#define quantize_act_avx2 quantize_act_portable
#define dot_q8_0_act_avx2 dot_q8_0_act_portable
#define dot_q4_0_act_avx2 dot_q4_0_act_portable
#define dot_q4_1_act_avx2 dot_q4_1_act_portable
#endif

#define DISPATCH_ACT(name, ...) (attune_quant_is_vectorized() ? name##_avx2(__VA_ARGS__) : name##_portable(__VA_ARGS__))
#if defined(__x86_64__)
#define DISPATCH_DOT(name, type, w, a, blocks) \
    (attune_act16_vnni_enabled() ? attune_act16_vnni_dot(type, w, a, blocks) : DISPATCH_ACT(name, w, a, blocks))
#else
#define DISPATCH_DOT(name, type, w, a, blocks) DISPATCH_ACT(name, w, a, blocks)
#endif
void attune_quantize_act16(const float *x, long blocks, void *dst) { DISPATCH_ACT(quantize_act, x, blocks, (attune_act16 *)dst); }
float attune_dot_q8_0_act16(const void *w, const void *a, long blocks) { return DISPATCH_DOT(dot_q8_0_act, ACT16_Q8_0, w, (const attune_act16 *)a, blocks); }
float attune_dot_q4_0_act16(const void *w, const void *a, long blocks) { return DISPATCH_DOT(dot_q4_0_act, ACT16_Q4_0, w, (const attune_act16 *)a, blocks); }
float attune_dot_q4_1_act16(const void *w, const void *a, long blocks) { return DISPATCH_DOT(dot_q4_1_act, ACT16_Q4_1, w, (const attune_act16 *)a, blocks); }

/// y[r] = Σ deq(w_r) · a over `rows` weight rows `row_bytes` apart: pairs of rows through the
/// two-row kernels, a last odd row through the one-row kernel.
typedef float (*one_row_fn)(const void *, const void *, long);
#if defined(__x86_64__)
typedef void (*two_rows_fn)(const uint8_t *, const uint8_t *, const attune_act16 *, long, float *, float *);
#endif
static void matvec(const uint8_t *w, long row_bytes, long rows, const void *a, long blocks, float *y,
                   one_row_fn one, int type) {
    long r = 0;
#if defined(__x86_64__)
    if (attune_act16_vnni_enabled()) {
        attune_act16_vnni_matvec(type, w, row_bytes, rows, (const attune_act16 *)a, blocks, y);
        return;
    }
    if (attune_quant_is_vectorized()) {
        two_rows_fn two = type == 0 ? two_rows_q8_0 : type == 1 ? two_rows_q4_0 : two_rows_q4_1;
        for (; r + 1 < rows; r += 2) two(w + r * row_bytes, w + (r + 1) * row_bytes, (const attune_act16 *)a, blocks, y + r, y + r + 1);
    }
#else
    (void)type;
#endif
    for (; r < rows; r++) y[r] = one(w + r * row_bytes, a, blocks);
}
void attune_matvec_q8_0_act16(const void *w, long row_bytes, long rows, const void *a, long blocks, float *y) {
    matvec(w, row_bytes, rows, a, blocks, y, attune_dot_q8_0_act16, 0);
}
void attune_matvec_q4_0_act16(const void *w, long row_bytes, long rows, const void *a, long blocks, float *y) {
    matvec(w, row_bytes, rows, a, blocks, y, attune_dot_q4_0_act16, 1);
}
void attune_matvec_q4_1_act16(const void *w, long row_bytes, long rows, const void *a, long blocks, float *y) {
    matvec(w, row_bytes, rows, a, blocks, y, attune_dot_q4_1_act16, 2);
}

/// y[i·ldy + r] = Σ deq(w_r) · a_i for `rows` weight rows and `acts` activation rows (`blocks`
/// blocks each, consecutive from `a`): each weight row is read once per four activation rows and
/// each result has the bits `matvec` gives that activation row alone.
static void matmul(const uint8_t *w, long row_bytes, long rows, const void *a, long acts, long blocks, float *y, long ldy,
                   one_row_fn one, int type) {
    const attune_act16 *act = (const attune_act16 *)a;
#if defined(__x86_64__)
    if (attune_act16_vnni_enabled()) {
        for (long r = 0; r < rows; r++)
            for (long i = 0; i < acts; i += 4)
                attune_act16_vnni_multi(type, w + r * row_bytes, act + i * blocks, blocks, blocks, y + i * ldy + r, ldy,
                                        acts - i < 4 ? acts - i : 4, 4 * row_bytes);
        return;
    }
    if (attune_quant_is_vectorized()) {
        typedef void (*multi_fn)(const uint8_t *, const attune_act16 *, long, long, float *, long, long);
        multi_fn multi = type == 0 ? multi_q8_0 : type == 1 ? multi_q4_0 : multi_q4_1;
        for (long r = 0; r < rows; r++) {
            for (long i = 0; i < acts; i += 4) {
                long n = acts - i < 4 ? acts - i : 4;
                multi(w + r * row_bytes, act + i * blocks, blocks, blocks, y + i * ldy + r, ldy, n);
            }
        }
        return;
    }
#else
    (void)type;
#endif
    for (long r = 0; r < rows; r++)
        for (long i = 0; i < acts; i++) y[i * ldy + r] = one(w + r * row_bytes, act + i * blocks, blocks);
}
void attune_matmul_q8_0_act16(const void *w, long row_bytes, long rows, const void *a, long acts, long blocks, float *y, long ldy) {
    matmul(w, row_bytes, rows, a, acts, blocks, y, ldy, attune_dot_q8_0_act16, 0);
}
void attune_matmul_q4_0_act16(const void *w, long row_bytes, long rows, const void *a, long acts, long blocks, float *y, long ldy) {
    matmul(w, row_bytes, rows, a, acts, blocks, y, ldy, attune_dot_q4_0_act16, 1);
}
void attune_matmul_q4_1_act16(const void *w, long row_bytes, long rows, const void *a, long acts, long blocks, float *y, long ldy) {
    matmul(w, row_bytes, rows, a, acts, blocks, y, ldy, attune_dot_q4_1_act16, 2);
}

// Decoding's layout (attune_act16_rows4_pack): groups of four weight rows, each group 4 · row_bytes
// bytes; per chunk of n ≤ 8 blocks the rows' scale halves [row][block], Q4_1's minimum halves
// [block][row], then the codes [block][row]. The blocks' own bytes, moved so that one load gives a
// row's eight scales and a block's four rows are consecutive.

/// Block bytes and header bytes of the three types (Q8_0, Q4_0, Q4_1).
static const long block_bytes[3] = {34, 18, 20}, header_bytes[3] = {2, 2, 4};

void attune_act16_rows4_pack(int type, const void *weights, long row_bytes, long blocks, long group_begin, long group_end,
                             void *out) {
    const uint8_t *w = weights;
    const long bb = block_bytes[type], hb = header_bytes[type], cb = bb - hb;
    for (long g = group_begin; g < group_end; g++) {
        uint8_t *o = (uint8_t *)out + g * 4 * row_bytes;
        for (long c = 0; c < blocks; c += 8) {
            const long n = blocks - c < 8 ? blocks - c : 8;
            uint8_t *scales = o, *minimums = o + 8 * n, *codes = o + (type == ACT16_Q4_1 ? 16 : 8) * n;
            for (int r = 0; r < 4; r++)
                for (long i = 0; i < n; i++) {
                    const uint8_t *block = w + (4 * g + r) * row_bytes + (c + i) * bb;
                    memcpy(scales + 2 * (n * r + i), block, 2);
                    if (type == ACT16_Q4_1) memcpy(minimums + 2 * (4 * i + r), block + 2, 2);
                    memcpy(codes + cb * (4 * i + r), block + hb, cb);
                }
            o += 4 * n * bb;
        }
    }
}

int attune_act16_rows4_is_vectorized(void) {
#if defined(__x86_64__)
    return attune_act16_vnni_enabled() || attune_quant_is_vectorized();
#else
    return 0;
#endif
}

void attune_act16_rows4_matmul(int type, const void *packed, long row_bytes, long group_begin, long group_end,
                               const void *a, long acts, long blocks, float *y, long ldy) {
#if defined(__x86_64__)
    if (attune_act16_rows4_is_vectorized()) {
        // Per activation row: its blocks, and their scales and sums as arrays, 8 spare lanes past the end.
        enum { MAX = 4 };
        for (long first = 0; first < acts; first += MAX) {
            const long count = acts - first < MAX ? acts - first : MAX;
            const attune_act16 *rows[MAX];
            float *da[MAX], *sa[MAX];
            float stack[2 * MAX * (256 + 8)];
            float *lanes = blocks <= 256 ? stack : malloc(2 * MAX * (blocks + 8) * sizeof(float));
            if (!lanes) abort();
            for (long j = 0; j < count; j++) {
                rows[j] = (const attune_act16 *)a + (first + j) * blocks;
                da[j] = lanes + 2 * j * (blocks + 8);
                sa[j] = da[j] + blocks + 8;
                for (long b = 0; b < blocks + 8; b++) {
                    da[j][b] = b < blocks ? rows[j][b].d : 0;
                    sa[j][b] = b < blocks ? rows[j][b].sum : 0;
                }
            }
            float *out = y + first * ldy;
            if (attune_act16_vnni_enabled()) {
                attune_act16_vnni_rows4(type, packed, row_bytes, group_begin, group_end, rows, (const float *const *)da,
                                        (const float *const *)sa, count, blocks, out, ldy);
            } else {
                const long group_bytes = 4 * row_bytes, ahead = ATTUNE_ACT16_ROWS4_PREFETCH_GROUPS * group_bytes;
                for (long g = group_begin; g < group_end; g++) {
                    const uint8_t *group = (const uint8_t *)packed + g * group_bytes;
                    float *o = out + 4 * (g - group_begin);
                    const float *const *dj = (const float *const *)da, *const *sj = (const float *const *)sa;
                    switch (type) {
                    case ACT16_Q8_0: rows4_q8_0_avx2(group, rows, dj, sj, blocks, ahead, o, ldy, count); break;
                    case ACT16_Q4_0: rows4_q4_0_avx2(group, rows, dj, sj, blocks, ahead, o, ldy, count); break;
                    default: rows4_q4_1_avx2(group, rows, dj, sj, blocks, ahead, o, ldy, count); break;
                    }
                }
            }
            if (lanes != stack) free(lanes);
        }
        return;
    }
#endif
    // Elsewhere: each row's blocks put back together, then the one-row dot (the same bits).
    const long bb = block_bytes[type], hb = header_bytes[type], cb = bb - hb;
    uint8_t *row = malloc(blocks * bb);
    if (!row) abort();
    for (long g = group_begin; g < group_end; g++) {
        const uint8_t *o = (const uint8_t *)packed + g * 4 * row_bytes;
        for (int r = 0; r < 4; r++) {
            const uint8_t *chunk = o;
            for (long c = 0; c < blocks; c += 8) {
                const long n = blocks - c < 8 ? blocks - c : 8;
                const uint8_t *minimums = chunk + 8 * n, *codes = chunk + (type == ACT16_Q4_1 ? 16 : 8) * n;
                for (long i = 0; i < n; i++) {
                    uint8_t *block = row + (c + i) * bb;
                    memcpy(block, chunk + 2 * (n * r + i), 2);
                    if (type == ACT16_Q4_1) memcpy(block + 2, minimums + 2 * (4 * i + r), 2);
                    memcpy(block + hb, codes + cb * (4 * i + r), cb);
                }
                chunk += 4 * n * bb;
            }
            for (long j = 0; j < acts; j++) {
                const attune_act16 *aj = (const attune_act16 *)a + j * blocks;
                y[j * ldy + 4 * (g - group_begin) + r] = type == ACT16_Q8_0 ? attune_dot_q8_0_act16(row, aj, blocks)
                                                       : type == ACT16_Q4_0 ? attune_dot_q4_0_act16(row, aj, blocks)
                                                                            : attune_dot_q4_1_act16(row, aj, blocks);
            }
        }
    }
    free(row);
}
