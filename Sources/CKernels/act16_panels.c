// Generation's prefill: many activation rows (attune_act16 blocks, quant_act16.c) against a
// Q8_0/Q4_0/Q4_1 weight repacked once into panels of 16 output rows, multiplied in integers.
//
// The definition (its own, not the decoding dots' eight-lane one): for activation row i and
// weight row r, over the blocks b of 32 elements in order,
//
//   S_b   = Σ_e c_w[r, b, e] · q_a[i, b, e]           exact int32 (|S_b| ≤ 32 · 128 · 32767 < 2^31)
//   acc   = fma(d_w[r, b] · d_a[i, b], float(S_b), acc)      the product of the scales rounded first
//   off   = fma(m_w[r, b], s_a[i, b], off)                  Q4_1 only: its offsets times the block sum
//   y     = acc + off   (Q4_1),   acc   (Q8_0, Q4_0)
//
// with c_w the weight codes as integers (Q8_0 the int8 values, Q4_0 the nibble − 8, Q4_1 the
// nibble), d_w, m_w the block's half-precision scale and minimum, q_a, d_a, s_a the activation
// block's codes, scale and float sum. The only error beyond float rounding is the activation's
// (|a − d_a q_a| ≤ d_a / 2, 1.5e-5 of the block's largest value), as in decoding. S_b is an exact
// integer, so its products may be added in any order: the vector paths split it into pairs of
// elements (vpmaddwd, vpdpwssd) and every path gives the same bits. float(S_b) rounds to nearest
// even above 2^24 (Q8_0 only), as the C conversion and cvtdq2ps both do.
//
// Panel layout (attune_act16_panel_bytes): panel p holds output rows 16p … 16p + 15 (rows past the
// weight's end are zero), one record per block, blocks in order, ATTUNE_ACT16_PANEL_RECORD_BYTES
// (640) each: float d_w[16], float m_w[16] (zero but for Q4_1), then the codes as int8 in pairs,
// [pair k 0…15][output o 0…15][element 2k, 2k + 1] — widened to int16 (one vpmovsxbw per 16
// outputs), the 32-bit word of (k, o) holds the two codes of output o that multiply the
// activation's 32-bit word k, so one broadcast of that word and one vpdpwssd advance 16 outputs by
// two elements. 1.25 bytes per weight (a Q4_1 block is 0.625): a prefill-only copy, made once per
// weight (Int16WeightPanels). Stored as int16 (2.25 bytes per weight) they ran no faster: SmolLM2
// prefill of 256 tokens 1244-1268 tokens/s against 1244-1275 as bytes (Zen 4, alternating runs),
// peak 402 MiB against 297.
#if defined(__clang__)
#pragma clang fp contract(off)
#else
#pragma STDC FP_CONTRACT OFF
#endif
#include "quant_act16.h"
#include "avx2_common.h"
#include <math.h>
#include <string.h>

enum { RECORD = ATTUNE_ACT16_PANEL_RECORD_BYTES, CODES = 128 };
_Static_assert(CODES + 512 == RECORD, "a record: 32 scales and minimums, 512 codes");

long attune_act16_panel_bytes(long rows, long blocks) { return (rows + 15) / 16 * blocks * RECORD; }

void attune_act16_pack_panels(int type, const void *weights, long row_bytes, long rows, long blocks, long panel_begin,
                              long panel_end, void *panels) {
    const int block_bytes = type == ACT16_Q8_0 ? 34 : type == ACT16_Q4_0 ? 18 : 20;
    for (long p = panel_begin; p < panel_end; p++) {
        uint8_t *panel = (uint8_t *)panels + p * blocks * RECORD;
        memset(panel, 0, (size_t)(blocks * RECORD));
        for (int o = 0; o < 16 && 16 * p + o < rows; o++) {
            const uint8_t *w = (const uint8_t *)weights + (16 * p + o) * row_bytes;
            for (long b = 0; b < blocks; b++, w += block_bytes) {
                uint8_t *record = panel + b * RECORD;
                float *scale = (float *)record, *minimum = scale + 16;
                int8_t *codes = (int8_t *)(record + CODES);
                int8_t c[32];
                scale[o] = half_to_float(load_u16(w));
                if (type == ACT16_Q8_0) {
                    for (int e = 0; e < 32; e++) c[e] = ((const int8_t *)(w + 2))[e];
                } else if (type == ACT16_Q4_0) {
                    for (int j = 0; j < 16; j++) { c[j] = (int8_t)((w[2 + j] & 0xF) - 8); c[j + 16] = (int8_t)((w[2 + j] >> 4) - 8); }
                } else {
                    minimum[o] = half_to_float(load_u16(w + 2));
                    for (int j = 0; j < 16; j++) { c[j] = (int8_t)(w[4 + j] & 0xF); c[j + 16] = (int8_t)(w[4 + j] >> 4); }
                }
                for (int k = 0; k < 16; k++) {
                    codes[(k * 16 + o) * 2] = c[2 * k];
                    codes[(k * 16 + o) * 2 + 1] = c[2 * k + 1];
                }
            }
        }
    }
}

/// The definition, one output at a time.
PORTABLE static void panel_gemm_portable(const uint8_t *panels, long panel_begin, long panel_end, long rows, long blocks,
                                         int offsets, const attune_act16 *a, long acts, float *y, long ldy) {
    for (long p = panel_begin; p < panel_end; p++) {
        const uint8_t *panel = panels + p * blocks * RECORD;
        for (long i = 0; i < acts; i++) {
            const attune_act16 *ai = a + i * blocks;
            for (int o = 0; o < 16 && 16 * p + o < rows; o++) {
                float acc = 0, off = 0;
                for (long b = 0; b < blocks; b++) {
                    const uint8_t *record = panel + b * RECORD;
                    const float *scale = (const float *)record, *minimum = scale + 16;
                    const int8_t *codes = (const int8_t *)(record + CODES);
                    int32_t s = 0;
                    for (int k = 0; k < 16; k++)
                        s += codes[(k * 16 + o) * 2] * ai[b].q[2 * k] + codes[(k * 16 + o) * 2 + 1] * ai[b].q[2 * k + 1];
                    acc = fmaf(scale[o] * ai[b].d, (float)s, acc);
                    if (offsets) off = fmaf(minimum[o], ai[b].sum, off);
                }
                y[i * ldy + 16 * p + o] = offsets ? acc + off : acc;
            }
        }
    }
}

#if defined(__x86_64__)
/// The activation word k (codes 2k, 2k + 1) of a block, as one int32.
static inline int32_t act_pair(const attune_act16 *a, int k) {
    int32_t v;
    memcpy(&v, a->q + 2 * k, 4);
    return v;
}

/// AVX2: one panel (two halves of 8 outputs) against J ≤ 2 activation rows. vpmaddwd gives each
/// int32 lane the two products of a pair; the pairs' sums are added in integers.
#define AVX2_TILE(J)                                                                                                    \
    AVX2_TARGET static inline __attribute__((always_inline)) void tile_avx2_##J(                                       \
        const uint8_t *panel, long blocks, int offsets, const attune_act16 *a, long astride, float *out) {              \
        __m256 acc[2 * J], off[2 * J];                                                                                 \
        for (int t = 0; t < 2 * J; t++) acc[t] = off[t] = _mm256_setzero_ps();                                         \
        for (long b = 0; b < blocks; b++) {                                                                            \
            const uint8_t *record = panel + b * RECORD;                                                                \
            const __m128i *codes = (const __m128i *)(record + CODES);                                                  \
            __m256i s[2 * J];                                                                                          \
            for (int t = 0; t < 2 * J; t++) s[t] = _mm256_setzero_si256();                                             \
            for (int k = 0; k < 16; k++) {                                                                             \
                __m256i w0 = _mm256_cvtepi8_epi16(_mm_load_si128(codes + 2 * k));                                      \
                __m256i w1 = _mm256_cvtepi8_epi16(_mm_load_si128(codes + 2 * k + 1));                                  \
                for (int j = 0; j < J; j++) {                                                                          \
                    __m256i x = _mm256_set1_epi32(act_pair(a + j * astride + b, k));                                   \
                    s[2 * j] = _mm256_add_epi32(s[2 * j], _mm256_madd_epi16(w0, x));                                   \
                    s[2 * j + 1] = _mm256_add_epi32(s[2 * j + 1], _mm256_madd_epi16(w1, x));                           \
                }                                                                                                      \
            }                                                                                                          \
            for (int j = 0; j < J; j++) {                                                                              \
                const attune_act16 *aj = a + j * astride + b;                                                          \
                __m256 da = _mm256_set1_ps(aj->d), sa = _mm256_set1_ps(aj->sum);                                      \
                for (int h = 0; h < 2; h++) {                                                                          \
                    __m256 scale = _mm256_mul_ps(_mm256_load_ps((const float *)record + 8 * h), da);                   \
                    acc[2 * j + h] = _mm256_fmadd_ps(scale, _mm256_cvtepi32_ps(s[2 * j + h]), acc[2 * j + h]);          \
                    if (offsets)                                                                                       \
                        off[2 * j + h] = _mm256_fmadd_ps(_mm256_load_ps((const float *)record + 16 + 8 * h), sa, off[2 * j + h]); \
                }                                                                                                      \
            }                                                                                                          \
        }                                                                                                              \
        for (int j = 0; j < J; j++)                                                                                    \
            for (int h = 0; h < 2; h++)                                                                                \
                _mm256_storeu_ps(out + 16 * j + 8 * h, offsets ? _mm256_add_ps(acc[2 * j + h], off[2 * j + h]) : acc[2 * j + h]); \
    }
AVX2_TILE(1)
AVX2_TILE(2)

AVX2_TARGET static void panel_gemm_avx2(const uint8_t *panels, long panel_begin, long panel_end, long rows, long blocks,
                                        int offsets, const attune_act16 *a, long acts, float *y, long ldy) {
    _Alignas(32) float out[32];
    for (long p = panel_begin; p < panel_end; p++) {
        const uint8_t *panel = panels + p * blocks * RECORD;
        const int valid = rows - 16 * p < 16 ? (int)(rows - 16 * p) : 16;
        for (long i = 0; i < acts; i += 2) {
            const int n = acts - i < 2 ? 1 : 2;
            if (n == 2) tile_avx2_2(panel, blocks, offsets, a + i * blocks, blocks, out);
            else tile_avx2_1(panel, blocks, offsets, a + i * blocks, blocks, out);
            for (int j = 0; j < n; j++) memcpy(y + (i + j) * ldy + 16 * p, out + 16 * j, (size_t)valid * sizeof(float));
        }
    }
}

#define VNNI512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c")))

/// AVX-512 VNNI: P ≤ 2 panels (16 outputs a register) against J ≤ 4 activation rows, the block's
/// 16 pairs as one vpmaddwd and fifteen vpdpwssd per (panel, row), each weight register used J
/// times and each broadcast activation word P times.
#define VNNI_TILE(P, J)                                                                                                 \
    VNNI512 static inline __attribute__((always_inline)) void tile_vnni_##P##_##J(                                     \
        const uint8_t *panel, long panel_stride, long blocks, int offsets, const attune_act16 *a, long astride,        \
        float *y, long ldy, const __mmask16 *valid) {                                                                 \
        __m512 acc[P * J], off[P * J];                                                                                 \
        for (int t = 0; t < P * J; t++) acc[t] = off[t] = _mm512_setzero_ps();                                         \
        for (long b = 0; b < blocks; b++) {                                                                            \
            const uint8_t *record = panel + b * RECORD;                                                                \
            __m512i s[P * J];                                                                                          \
            for (int k = 0; k < 16; k++) {                                                                             \
                __m512i w[P];                                                                                          \
                for (int q = 0; q < P; q++)                                                                            \
                    w[q] = _mm512_cvtepi8_epi16(_mm256_load_si256((const __m256i *)(record + q * panel_stride + CODES + 32 * k))); \
                for (int j = 0; j < J; j++) {                                                                          \
                    __m512i x = _mm512_set1_epi32(act_pair(a + j * astride + b, k));                                   \
                    for (int q = 0; q < P; q++)                                                                        \
                        s[q * J + j] = k == 0 ? _mm512_madd_epi16(w[q], x) : _mm512_dpwssd_epi32(s[q * J + j], w[q], x); \
                }                                                                                                      \
            }                                                                                                          \
            for (int j = 0; j < J; j++) {                                                                              \
                const attune_act16 *aj = a + j * astride + b;                                                          \
                __m512 da = _mm512_set1_ps(aj->d), sa = _mm512_set1_ps(aj->sum);                                      \
                for (int q = 0; q < P; q++) {                                                                          \
                    const float *header = (const float *)(record + q * panel_stride);                                 \
                    __m512 scale = _mm512_mul_ps(_mm512_load_ps(header), da);                                          \
                    acc[q * J + j] = _mm512_fmadd_ps(scale, _mm512_cvtepi32_ps(s[q * J + j]), acc[q * J + j]);          \
                    if (offsets) off[q * J + j] = _mm512_fmadd_ps(_mm512_load_ps(header + 16), sa, off[q * J + j]);   \
                }                                                                                                      \
            }                                                                                                          \
        }                                                                                                              \
        for (int j = 0; j < J; j++)                                                                                    \
            for (int q = 0; q < P; q++)                                                                                \
                _mm512_mask_storeu_ps(y + j * ldy + 16 * q, valid[q],                                                  \
                                      offsets ? _mm512_add_ps(acc[q * J + j], off[q * J + j]) : acc[q * J + j]);      \
    }
VNNI_TILE(2, 4)
VNNI_TILE(2, 1)
VNNI_TILE(1, 4)
VNNI_TILE(1, 1)

VNNI512 static void panel_gemm_vnni(const uint8_t *panels, long panel_begin, long panel_end, long rows, long blocks,
                                    int offsets, const attune_act16 *a, long acts, float *y, long ldy) {
    const long stride = blocks * RECORD;
    for (long p = panel_begin; p < panel_end;) {
        const int P = panel_end - p >= 2 ? 2 : 1;
        const uint8_t *panel = panels + p * stride;
        __mmask16 valid[2];
        for (int q = 0; q < P; q++) {
            const long left = rows - 16 * (p + q);
            valid[q] = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
        }
        float *yp = y + 16 * p;
        for (long i = 0; i < acts;) {
            const int J = acts - i >= 4 ? 4 : 1;
            const attune_act16 *ai = a + i * blocks;
            float *yi = yp + i * ldy;
            if (P == 2 && J == 4) tile_vnni_2_4(panel, stride, blocks, offsets, ai, blocks, yi, ldy, valid);
            else if (P == 2) tile_vnni_2_1(panel, stride, blocks, offsets, ai, blocks, yi, ldy, valid);
            else if (J == 4) tile_vnni_1_4(panel, stride, blocks, offsets, ai, blocks, yi, ldy, valid);
            else tile_vnni_1_1(panel, stride, blocks, offsets, ai, blocks, yi, ldy, valid);
            i += J;
        }
        p += P;
    }
}
#endif

void attune_act16_panel_gemm(const void *panels, long panel_begin, long panel_end, long rows, long blocks, int offsets,
                             const void *activations, long acts, float *y, long ldy) {
    const uint8_t *w = (const uint8_t *)panels;
    const attune_act16 *a = (const attune_act16 *)activations;
#if defined(__x86_64__)
    if (attune_act16_vnni_enabled()) { panel_gemm_vnni(w, panel_begin, panel_end, rows, blocks, offsets, a, acts, y, ldy); return; }
    if (attune_quant_is_vectorized()) { panel_gemm_avx2(w, panel_begin, panel_end, rows, blocks, offsets, a, acts, y, ldy); return; }
#endif
    panel_gemm_portable(w, panel_begin, panel_end, rows, blocks, offsets, a, acts, y, ldy);
}
