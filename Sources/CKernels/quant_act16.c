// Dot products of GGML legacy weight blocks (Q8_0, Q4_0, Q4_1; layouts in quant.c) with
// activations quantized to 16 bits per block of 32, for decoding: the products of a block are
// exact integers, so two AVX2 `madd_epi16` replace converting every weight code to float.
//
// Activation block (attune_act16, 72 bytes): d = max|a_i| / 32767, q_i = round(a_i / d) ∈
// [−32767, 32767], and the exact float sum s = Σ a_i (Q4_1's offset term uses it).
//
//   Q8_0 · a ≈ d_w d_a Σ q_w q_a
//   Q4_0 · a ≈ d_w d_a Σ (q_w − 8) q_a
//   Q4_1 · a ≈ d_w d_a Σ q_w q_a + m_w s_a
//
// The only error beyond float rounding is the activation's rounding, |a_i − d q_i| ≤ d/2, about
// 1.5e-5 of the block's largest value: close to float32 arithmetic, unlike llama.cpp's 8-bit
// activations (≈0.4%, enough to change SmolLM2's greedy answers). Each int32 lane sums four
// products, |q_w q_a| ≤ 128 · 32767, so nothing overflows.
#include "CKernels.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "half.h"

typedef struct { float d; float sum; int16_t q[32]; } attune_act16;
_Static_assert(sizeof(attune_act16) == ATTUNE_ACT16_BLOCK_BYTES, "activation block layout");

static void quantize_act_portable(const float *x, long blocks, attune_act16 *dst) {
    for (long b = 0; b < blocks; b++, x += 32, dst++) {
        float amax = 0, sum = 0;
        for (int i = 0; i < 32; i++) { float v = fabsf(x[i]); if (v > amax) amax = v; sum += x[i]; }
        float id = amax > 0 ? 32767.0f / amax : 0.0f;
        dst->d = amax / 32767.0f;
        dst->sum = sum;
        if (!isfinite(sum)) dst->d = NAN;  // a NaN or infinite input poisons every dot, as in float
        for (int i = 0; i < 32; i++) dst->q[i] = isfinite(sum) ? (int16_t)nearbyintf(x[i] * id) : 0;
    }
}
static float dot_q8_0_act_portable(const uint8_t *w, const attune_act16 *a, long blocks) {
    float total = 0;
    for (long b = 0; b < blocks; b++, w += 34, a++) {
        const int8_t *q = (const int8_t *)(w + 2);
        int32_t s = 0;
        for (int i = 0; i < 32; i++) s += q[i] * a->q[i];
        total += half_to_float(load_u16(w)) * a->d * (float)s;
    }
    return total;
}
static float dot_q4_0_act_portable(const uint8_t *w, const attune_act16 *a, long blocks) {
    float total = 0;
    for (long b = 0; b < blocks; b++, w += 18, a++) {
        int32_t s = 0;
        for (int j = 0; j < 16; j++) s += ((w[2 + j] & 0xF) - 8) * a->q[j] + ((w[2 + j] >> 4) - 8) * a->q[j + 16];
        total += half_to_float(load_u16(w)) * a->d * (float)s;
    }
    return total;
}
static float dot_q4_1_act_portable(const uint8_t *w, const attune_act16 *a, long blocks) {
    float total = 0, offsets = 0;
    for (long b = 0; b < blocks; b++, w += 20, a++) {
        int32_t s = 0;
        for (int j = 0; j < 16; j++) s += (w[4 + j] & 0xF) * a->q[j] + (w[4 + j] >> 4) * a->q[j + 16];
        total += half_to_float(load_u16(w)) * a->d * (float)s;
        offsets += half_to_float(load_u16(w + 2)) * a->sum;
    }
    return total + offsets;
}

#if defined(__x86_64__)
#include "avx2_common.h"
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
        dst->d = amax / 32767.0f;
        dst->sum = hsum8(_mm256_add_ps(_mm256_add_ps(v0, v1), _mm256_add_ps(v2, v3)));
        if (!isfinite(dst->sum)) { dst->d = NAN; id = 0; }
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
        offsets += half_f16c(w + 2) * a->sum;
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
#define Q8_0_WEIGHTS(w, lo, hi) do {                                             \
        lo = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)((w) + 2)));  \
        hi = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)((w) + 18))); } while (0)
#define Q4_0_WEIGHTS(w, lo, hi) do {                                                                        \
        __m128i v_ = _mm_loadu_si128((const __m128i *)((w) + 2)), m_ = _mm_set1_epi8(0x0F);                 \
        lo = _mm256_sub_epi16(_mm256_cvtepu8_epi16(_mm_and_si128(v_, m_)), _mm256_set1_epi16(8));           \
        hi = _mm256_sub_epi16(_mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(v_, 4), m_)), _mm256_set1_epi16(8)); } while (0)
#define Q4_1_WEIGHTS(w, lo, hi) do {                                                        \
        __m128i v_ = _mm_loadu_si128((const __m128i *)((w) + 4)), m_ = _mm_set1_epi8(0x0F); \
        lo = _mm256_cvtepu8_epi16(_mm_and_si128(v_, m_));                                   \
        hi = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(v_, 4), m_)); } while (0)
#define NO_OFFSET(total, w) ((void)0)
#define Q4_1_OFFSET(total, w) (total += half_f16c((w) + 2) * a->sum)
TWO_ROWS(two_rows_q8_0, 34, Q8_0_WEIGHTS, NO_OFFSET)
TWO_ROWS(two_rows_q4_0, 18, Q4_0_WEIGHTS, NO_OFFSET)
TWO_ROWS(two_rows_q4_1, 20, Q4_1_WEIGHTS, Q4_1_OFFSET)
#else
#define quantize_act_avx2 quantize_act_portable
#define dot_q8_0_act_avx2 dot_q8_0_act_portable
#define dot_q4_0_act_avx2 dot_q4_0_act_portable
#define dot_q4_1_act_avx2 dot_q4_1_act_portable
#endif

#define DISPATCH_ACT(name, ...) (attune_quant_is_vectorized() ? name##_avx2(__VA_ARGS__) : name##_portable(__VA_ARGS__))
void attune_quantize_act16(const float *x, long blocks, void *dst) { DISPATCH_ACT(quantize_act, x, blocks, (attune_act16 *)dst); }
float attune_dot_q8_0_act16(const void *w, const void *a, long blocks) { return DISPATCH_ACT(dot_q8_0_act, w, (const attune_act16 *)a, blocks); }
float attune_dot_q4_0_act16(const void *w, const void *a, long blocks) { return DISPATCH_ACT(dot_q4_0_act, w, (const attune_act16 *)a, blocks); }
float attune_dot_q4_1_act16(const void *w, const void *a, long blocks) { return DISPATCH_ACT(dot_q4_1_act, w, (const attune_act16 *)a, blocks); }

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
