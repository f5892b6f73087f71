// Causal attention of one head over a block of query rows, straight from q, k, v (no GEMM, no
// T×T buffer): for query row t at absolute position offset + t,
//   s_j = scale · q_t·k_j  (j ≤ offset + t),   p = softmax(s),   o_t = Σ_j p_j v_j.
// The softmax is attune_softmax (attune_max / attune_exp_sum / attune_exp_scale), as SoftmaxKernel.rowSoftmax.
// AVX2+FMA: four keys' dot products at a time, the output row in registers 64 columns at a time.
//
// Every path computes the same bits (DESIGN.md §5). A score q·k_j: lane l (0…7) runs the fma chain
// over columns l, l+8, … below d rounded down to 8, the lanes meet in the hsum8 tree, the last
// d mod 8 columns follow as an fma chain in order, and the result is multiplied by `scale`. An
// output column e: the fma chain o_e = fma(p_j, v_je, o_e) over keys j = 0, 1, … from o_e = 0, the
// same whichever block of columns e falls in. The portable C runs the score lanes as an array.
#if defined(__clang__)
#pragma clang fp contract(off)
#else
#pragma STDC FP_CONTRACT OFF
#endif
#include "CKernels.h"
#include "avx2_common.h"  // hsum8, PORTABLE
#include <math.h>
#include <stdlib.h>

static float dot_portable(const float *a, const float *b, long n) {
    float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    long vec = n & ~7L, e = 0;
    for (; e < vec; e += 8)
        for (int l = 0; l < 8; l++) lanes[l] = fmaf(a[e + l], b[e + l], lanes[l]);
    float s = ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]));  // hsum8
    for (; e < n; e++) s = fmaf(a[e], b[e], s);
    return s;
}

PORTABLE static void scores_portable(const float *q, const float *k, long kv_stride, long visible, long d, float scale, float *s) {
    for (long j = 0; j < visible; j++) s[j] = dot_portable(q, k + j * kv_stride, d) * scale;
}

PORTABLE static void weighted_sum_portable(const float *p, const float *v, long kv_stride, long visible, long d, float *o) {
    for (long e = 0; e < d; e++) o[e] = 0;
    for (long j = 0; j < visible; j++) {
        const float *vj = v + j * kv_stride;
        for (long e = 0; e < d; e++) o[e] = fmaf(p[j], vj[e], o[e]);
    }
}

/// Scores of `group` heads sharing a kv head (q_g at q + g·d, s_g at s + g·s_stride) for `count`
/// keys from `k`: each key's row is read once for all the heads.
PORTABLE static void group_scores_portable(const float *q, long group, const float *k, long kv_stride, long count, long d,
                                           float scale, float *s, long s_stride) {
    for (long j = 0; j < count; j++)
        for (long g = 0; g < group; g++) s[g * s_stride + j] = dot_portable(q + g * d, k + j * kv_stride, d) * scale;
}

/// Output columns 0 ..< cols of `group` heads (p_g at p + g·p_stride, o_g at o + g·o_stride) over
/// `keys` value rows from `v` (the caller offsets v and o to the first column).
PORTABLE static void group_values_portable(const float *p, long p_stride, long group, const float *v, long kv_stride, long keys,
                                           long cols, float *o, long o_stride, int accumulate) {
    if (!accumulate)
        for (long g = 0; g < group; g++)
            for (long e = 0; e < cols; e++) o[g * o_stride + e] = 0;
    for (long j = 0; j < keys; j++) {
        const float *vj = v + j * kv_stride;
        for (long g = 0; g < group; g++)
            for (long e = 0; e < cols; e++) o[g * o_stride + e] = fmaf(p[g * p_stride + j], vj[e], o[g * o_stride + e]);
    }
}

#if defined(__x86_64__)

AVX2_TARGET static void scores_avx2(const float *q, const float *k, long kv_stride, long visible, long d, float scale, float *s) {
    long vec = d & ~7L, j = 0;
    for (; j + 4 <= visible; j += 4) {
        const float *k0 = k + j * kv_stride, *k1 = k0 + kv_stride, *k2 = k1 + kv_stride, *k3 = k2 + kv_stride;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        for (long e = 0; e < vec; e += 8) {
            __m256 qv = _mm256_loadu_ps(q + e);
            a0 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k0 + e), a0);
            a1 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k1 + e), a1);
            a2 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k2 + e), a2);
            a3 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k3 + e), a3);
        }
        float t0 = hsum8(a0), t1 = hsum8(a1), t2 = hsum8(a2), t3 = hsum8(a3);
        for (long e = vec; e < d; e++) { t0 = fmaf(q[e], k0[e], t0); t1 = fmaf(q[e], k1[e], t1); t2 = fmaf(q[e], k2[e], t2); t3 = fmaf(q[e], k3[e], t3); }
        s[j] = t0 * scale; s[j + 1] = t1 * scale; s[j + 2] = t2 * scale; s[j + 3] = t3 * scale;
    }
    for (; j < visible; j++) {
        const float *kj = k + j * kv_stride;
        __m256 a = _mm256_setzero_ps();
        for (long e = 0; e < vec; e += 8) a = _mm256_fmadd_ps(_mm256_loadu_ps(q + e), _mm256_loadu_ps(kj + e), a);
        float t = hsum8(a);
        for (long e = vec; e < d; e++) t = fmaf(q[e], kj[e], t);
        s[j] = t * scale;
    }
}

AVX2_TARGET static void weighted_sum_avx2(const float *p, const float *v, long kv_stride, long visible, long d, float *o) {
    long e0 = 0;
    for (; e0 + 64 <= d; e0 += 64) {  // 64 output columns in eight registers across all keys
        __m256 o0 = _mm256_setzero_ps(), o1 = o0, o2 = o0, o3 = o0, o4 = o0, o5 = o0, o6 = o0, o7 = o0;
        for (long j = 0; j < visible; j++) {
            const float *vj = v + j * kv_stride + e0;
            __m256 pj = _mm256_set1_ps(p[j]);
            o0 = _mm256_fmadd_ps(pj, _mm256_loadu_ps(vj), o0);
            o1 = _mm256_fmadd_ps(pj, _mm256_loadu_ps(vj + 8), o1);
            o2 = _mm256_fmadd_ps(pj, _mm256_loadu_ps(vj + 16), o2);
            o3 = _mm256_fmadd_ps(pj, _mm256_loadu_ps(vj + 24), o3);
            o4 = _mm256_fmadd_ps(pj, _mm256_loadu_ps(vj + 32), o4);
            o5 = _mm256_fmadd_ps(pj, _mm256_loadu_ps(vj + 40), o5);
            o6 = _mm256_fmadd_ps(pj, _mm256_loadu_ps(vj + 48), o6);
            o7 = _mm256_fmadd_ps(pj, _mm256_loadu_ps(vj + 56), o7);
        }
        _mm256_storeu_ps(o + e0, o0); _mm256_storeu_ps(o + e0 + 8, o1);
        _mm256_storeu_ps(o + e0 + 16, o2); _mm256_storeu_ps(o + e0 + 24, o3);
        _mm256_storeu_ps(o + e0 + 32, o4); _mm256_storeu_ps(o + e0 + 40, o5);
        _mm256_storeu_ps(o + e0 + 48, o6); _mm256_storeu_ps(o + e0 + 56, o7);
    }
    for (; e0 + 8 <= d; e0 += 8) {  // then 8 columns at a time
        __m256 o0 = _mm256_setzero_ps();
        for (long j = 0; j < visible; j++) o0 = _mm256_fmadd_ps(_mm256_set1_ps(p[j]), _mm256_loadu_ps(v + j * kv_stride + e0), o0);
        _mm256_storeu_ps(o + e0, o0);
    }
    if (e0 < d) {  // the last d mod 8 columns
        for (long e = e0; e < d; e++) o[e] = 0;
        for (long j = 0; j < visible; j++) {
            const float *vj = v + j * kv_stride;
            for (long e = e0; e < d; e++) o[e] = fmaf(p[j], vj[e], o[e]);
        }
    }
}
/// The group kernels prefetch the cached row this many keys ahead into L2 (prefetcht1, as the
/// decoding matvec does): decoding finds a layer's keys and values out of cache (the weights
/// streamed through since the last token). Measured on the Zen 4, 30 layers × 300 keys of
/// SmolLM2's cache from DRAM, 2 threads, per token: no prefetch 1.18-1.34 ms; into L1 24 rows
/// ahead 1.04-1.10 ms; into L2 12 rows ahead 0.77-0.81, 24 rows 0.69-0.84, 32 or 48 rows
/// 1.27-1.35 (from cache: 0.37 ms).
#define AHEAD 24

/// group_scores for H ≤ 4 heads (a constant, so the loops unroll), two keys at a time: each key
/// vector is loaded once and multiplied into every head's lanes.
#define GROUP_SCORES(H)                                                                                            \
    AVX2_TARGET static void group_scores_##H(const float *q, const float *k, long kv_stride, long count, long d,   \
                                             float scale, float *s, long s_stride) {                               \
        long vec = d & ~7L, j = 0;                                                                                 \
        for (; j + 2 <= count; j += 2) {                                                                           \
            const float *k0 = k + j * kv_stride, *k1 = k0 + kv_stride;                                             \
            for (long e = 0; e < d; e += 16) {                                                                     \
                _mm_prefetch((const char *)(k0 + AHEAD * kv_stride + e), _MM_HINT_T1); \
                _mm_prefetch((const char *)(k1 + AHEAD * kv_stride + e), _MM_HINT_T1); \
            }                                                                                                      \
            __m256 a0[H], a1[H];                                                                                   \
            for (int g = 0; g < H; g++) a0[g] = a1[g] = _mm256_setzero_ps();                                       \
            for (long e = 0; e < vec; e += 8) {                                                                    \
                __m256 x0 = _mm256_loadu_ps(k0 + e), x1 = _mm256_loadu_ps(k1 + e);                                 \
                for (int g = 0; g < H; g++) {                                                                      \
                    __m256 qv = _mm256_loadu_ps(q + g * d + e);                                                    \
                    a0[g] = _mm256_fmadd_ps(qv, x0, a0[g]);                                                        \
                    a1[g] = _mm256_fmadd_ps(qv, x1, a1[g]);                                                        \
                }                                                                                                  \
            }                                                                                                      \
            for (int g = 0; g < H; g++) {                                                                          \
                const float *qg = q + g * d;                                                                       \
                float t0 = hsum8(a0[g]), t1 = hsum8(a1[g]);                                                        \
                for (long e = vec; e < d; e++) { t0 = fmaf(qg[e], k0[e], t0); t1 = fmaf(qg[e], k1[e], t1); }       \
                s[g * s_stride + j] = t0 * scale; s[g * s_stride + j + 1] = t1 * scale;                           \
            }                                                                                                      \
        }                                                                                                          \
        for (; j < count; j++)                                                                                     \
            for (int g = 0; g < H; g++) scores_avx2(q + g * d, k + j * kv_stride, kv_stride, 1, d, scale, s + g * s_stride + j); \
    }
GROUP_SCORES(1)
GROUP_SCORES(2)
GROUP_SCORES(3)
GROUP_SCORES(4)

AVX2_TARGET static void group_scores_avx2(const float *q, long group, const float *k, long kv_stride, long count, long d,
                                          float scale, float *s, long s_stride) {
    for (long g = 0; g < group; g += 4) {
        switch (group - g < 4 ? group - g : 4) {
        case 1: group_scores_1(q + g * d, k, kv_stride, count, d, scale, s + g * s_stride, s_stride); break;
        case 2: group_scores_2(q + g * d, k, kv_stride, count, d, scale, s + g * s_stride, s_stride); break;
        case 3: group_scores_3(q + g * d, k, kv_stride, count, d, scale, s + g * s_stride, s_stride); break;
        default: group_scores_4(q + g * d, k, kv_stride, count, d, scale, s + g * s_stride, s_stride); break;
        }
    }
}

/// group_values for H ≤ 4 heads and 16 columns: each value vector is loaded once and added into
/// every head's two output registers (the fma chain over keys per column, as weighted_sum).
#define GROUP_VALUES(H)                                                                                            \
    AVX2_TARGET static void group_values16_##H(const float *p, long p_stride, const float *v, long kv_stride,      \
                                               long keys, float *o, long o_stride, int accumulate) {               \
        __m256 lo[H], hi[H];                                                                                       \
        for (int g = 0; g < H; g++) {                                                                              \
            lo[g] = accumulate ? _mm256_loadu_ps(o + g * o_stride) : _mm256_setzero_ps();                          \
            hi[g] = accumulate ? _mm256_loadu_ps(o + g * o_stride + 8) : _mm256_setzero_ps();                      \
        }                                                                                                          \
        for (long j = 0; j < keys; j++) {                                                                          \
            const float *vj = v + j * kv_stride;                                                                   \
            _mm_prefetch((const char *)(vj + AHEAD * kv_stride), _MM_HINT_T1); \
            _mm_prefetch((const char *)(vj + AHEAD * kv_stride + 15), _MM_HINT_T1); \
            __m256 v0 = _mm256_loadu_ps(vj), v1 = _mm256_loadu_ps(vj + 8);                                        \
            for (int g = 0; g < H; g++) {                                                                          \
                __m256 pj = _mm256_set1_ps(p[g * p_stride + j]);                                                   \
                lo[g] = _mm256_fmadd_ps(pj, v0, lo[g]);                                                            \
                hi[g] = _mm256_fmadd_ps(pj, v1, hi[g]);                                                            \
            }                                                                                                      \
        }                                                                                                          \
        for (int g = 0; g < H; g++) { _mm256_storeu_ps(o + g * o_stride, lo[g]); _mm256_storeu_ps(o + g * o_stride + 8, hi[g]); } \
    }
GROUP_VALUES(1)
GROUP_VALUES(2)
GROUP_VALUES(3)
GROUP_VALUES(4)

/// group_values for H ≤ 4 heads and 32 columns: each value row's 32 columns (read from memory
/// into the fmas, so 4·H accumulators fit the 16 registers) are added into every head's four
/// output registers, the same fma chain per column as group_values16. Four independent chains
/// a head instead of two: a key costs the fmas' throughput rather than their latency.
#define GROUP_VALUES32(H)                                                                                          \
    AVX2_TARGET static void group_values32_##H(const float *p, long p_stride, const float *v, long kv_stride,      \
                                               long keys, float *o, long o_stride, int accumulate) {               \
        __m256 acc[H][4];                                                                                          \
        for (int g = 0; g < H; g++)                                                                                \
            for (int c = 0; c < 4; c++) acc[g][c] = accumulate ? _mm256_loadu_ps(o + g * o_stride + 8 * c) : _mm256_setzero_ps(); \
        for (long j = 0; j < keys; j++) {                                                                          \
            const float *vj = v + j * kv_stride;                                                                   \
            _mm_prefetch((const char *)(vj + AHEAD * kv_stride), _MM_HINT_T1);                                     \
            _mm_prefetch((const char *)(vj + AHEAD * kv_stride + 31), _MM_HINT_T1);                                \
            for (int g = 0; g < H; g++) {                                                                          \
                __m256 pj = _mm256_set1_ps(p[g * p_stride + j]);                                                   \
                for (int c = 0; c < 4; c++) acc[g][c] = _mm256_fmadd_ps(pj, _mm256_loadu_ps(vj + 8 * c), acc[g][c]); \
            }                                                                                                      \
        }                                                                                                          \
        for (int g = 0; g < H; g++)                                                                                \
            for (int c = 0; c < 4; c++) _mm256_storeu_ps(o + g * o_stride + 8 * c, acc[g][c]);                     \
    }
GROUP_VALUES32(1)
GROUP_VALUES32(2)
GROUP_VALUES32(3)

AVX2_TARGET static void group_values_avx2(const float *p, long p_stride, long group, const float *v, long kv_stride, long keys,
                                          long cols, float *o, long o_stride, int accumulate) {
    long e = 0;
    for (; e + 32 <= cols; e += 32) {
        for (long g = 0; g < group; g += 3) {
            const float *pg = p + g * p_stride;
            float *og = o + g * o_stride + e;
            switch (group - g < 3 ? group - g : 3) {
            case 1: group_values32_1(pg, p_stride, v + e, kv_stride, keys, og, o_stride, accumulate); break;
            case 2: group_values32_2(pg, p_stride, v + e, kv_stride, keys, og, o_stride, accumulate); break;
            default: group_values32_3(pg, p_stride, v + e, kv_stride, keys, og, o_stride, accumulate); break;
            }
        }
    }
    for (; e + 16 <= cols; e += 16) {
        for (long g = 0; g < group; g += 4) {
            const float *pg = p + g * p_stride;
            float *og = o + g * o_stride + e;
            switch (group - g < 4 ? group - g : 4) {
            case 1: group_values16_1(pg, p_stride, v + e, kv_stride, keys, og, o_stride, accumulate); break;
            case 2: group_values16_2(pg, p_stride, v + e, kv_stride, keys, og, o_stride, accumulate); break;
            case 3: group_values16_3(pg, p_stride, v + e, kv_stride, keys, og, o_stride, accumulate); break;
            default: group_values16_4(pg, p_stride, v + e, kv_stride, keys, og, o_stride, accumulate); break;
            }
        }
    }
    if (e < cols)  // the last cols mod 16 columns: weighted_sum's per-column chains, continued
        group_values_portable(p, p_stride, group, v + e, kv_stride, keys, cols - e, o + e, o_stride, accumulate);
}
#else
#define scores_avx2 scores_portable
#define weighted_sum_avx2 weighted_sum_portable
#define group_scores_avx2 group_scores_portable
#define group_values_avx2 group_values_portable
#endif

void attune_attention_rows(const float *q, long q_stride, const float *k, const float *v, long kv_stride,
                           float *out, long out_stride, long rows, long first_row, long tq, long tk, long d,
                           float scale, float *scores) {
    int vector = attune_quant_is_vectorized();  // the switch of every block kernel (ATTUNE_PORTABLE_KERNELS)
    long offset = tk - tq;
    for (long r = 0; r < rows; r++) {
        long t = first_row + r, visible = offset + t + 1;
        const float *qt = q + t * q_stride;
        float *ot = out + t * out_stride;
        if (vector) scores_avx2(qt, k, kv_stride, visible, d, scale, scores);
        else scores_portable(qt, k, kv_stride, visible, d, scale, scores);
        attune_softmax(scores, scores, visible);
        if (vector) weighted_sum_avx2(scores, v, kv_stride, visible, d, ot);
        else weighted_sum_portable(scores, v, kv_stride, visible, d, ot);
    }
}

void attune_attention_group_scores(const float *q, long group, const float *k, long kv_stride, long count, long d, float scale,
                                   float *s, long s_stride) {
    if (attune_quant_is_vectorized()) group_scores_avx2(q, group, k, kv_stride, count, d, scale, s, s_stride);
    else group_scores_portable(q, group, k, kv_stride, count, d, scale, s, s_stride);
}

void attune_attention_group_values(const float *p, long p_stride, long group, const float *v, long kv_stride, long keys,
                                   long cols, float *o, long o_stride, int accumulate) {
    if (attune_quant_is_vectorized()) group_values_avx2(p, p_stride, group, v, kv_stride, keys, cols, o, o_stride, accumulate);
    else group_values_portable(p, p_stride, group, v, kv_stride, keys, cols, o, o_stride, accumulate);
}
