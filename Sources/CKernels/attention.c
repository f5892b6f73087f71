// Causal attention of one head over a block of query rows, straight from q, k, v (no GEMM, no
// T×T buffer): for query row t at absolute position offset + t,
//   s_j = scale · q_t·k_j  (j ≤ offset + t),   p = softmax(s),   o_t = Σ_j p_j v_j.
// The softmax is attune_max / attune_exp_sum / attune_exp_scale, as SoftmaxKernel.rowSoftmax.
// AVX2+FMA: four keys' dot products at a time, the output row in registers 64 columns at a time.
#include "CKernels.h"
#include <stdlib.h>

static float dot_portable(const float *a, const float *b, long n) {
    float s = 0;
    for (long i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

static void scores_portable(const float *q, const float *k, long kv_stride, long visible, long d, float scale, float *s) {
    for (long j = 0; j < visible; j++) s[j] = dot_portable(q, k + j * kv_stride, d) * scale;
}

static void weighted_sum_portable(const float *p, const float *v, long kv_stride, long visible, long d, float *o) {
    for (long e = 0; e < d; e++) o[e] = 0;
    for (long j = 0; j < visible; j++) {
        const float *vj = v + j * kv_stride;
        for (long e = 0; e < d; e++) o[e] += p[j] * vj[e];
    }
}

#if defined(__x86_64__)
#include "avx2_common.h"

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
        for (long e = vec; e < d; e++) { t0 += q[e] * k0[e]; t1 += q[e] * k1[e]; t2 += q[e] * k2[e]; t3 += q[e] * k3[e]; }
        s[j] = t0 * scale; s[j + 1] = t1 * scale; s[j + 2] = t2 * scale; s[j + 3] = t3 * scale;
    }
    for (; j < visible; j++) {
        const float *kj = k + j * kv_stride;
        __m256 a = _mm256_setzero_ps();
        for (long e = 0; e < vec; e += 8) a = _mm256_fmadd_ps(_mm256_loadu_ps(q + e), _mm256_loadu_ps(kj + e), a);
        float t = hsum8(a);
        for (long e = vec; e < d; e++) t += q[e] * kj[e];
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
    if (e0 < d) weighted_sum_portable(p, v + e0, kv_stride, visible, d - e0, o + e0);
}
#else
#define scores_avx2 scores_portable
#define weighted_sum_avx2 weighted_sum_portable
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
        float m = attune_max(scores, visible);
        attune_exp_scale(scores, scores, visible, m, 1.0f / attune_exp_sum(scores, visible, m));
        if (vector) weighted_sum_avx2(scores, v, kv_stride, visible, d, ot);
        else weighted_sum_portable(scores, v, kv_stride, visible, d, ot);
    }
}
