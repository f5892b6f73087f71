// The optimizer's passes over every trainable value: AdamW's update and the float64 sum of squares
// behind gradient clipping. Full fine-tuning runs them over 135 M values per step, where scalar
// Swift spent ~10% of the step (a square root and a division per value, and one float64 add chain
// per chunk, each add waiting for the last).
//
// Same bits as the scalar definitions (Training/AdamW.swift, Training/GradientClipping.swift):
// AdamW is element-wise, and an IEEE add, multiply, divide or square root gives the same correctly
// rounded result in a vector lane as in a scalar register, so the vector paths only run eight or
// sixteen values side by side, with the operations of the scalar code in its order. The sums of
// squares keep one chain per chunk, in order; several chunks' chains run interleaved, so the
// adder's latency is hidden without reassociating any chain.
#if defined(__clang__)
#pragma clang fp contract(off)
#else
#pragma STDC FP_CONTRACT OFF
#endif
#include "CKernels.h"
#include <math.h>

/// One value of the update, exactly as AdamW.swift writes it (left to right, no fused operations).
static inline void adamw_one(float *p, float *m, float *v, float g, const attune_adamw_scalars *s) {
    float pi = *p * s->decay;
    float mi = *m + s->lerp_weight * (g - *m);
    float vi = *v * s->beta2 + s->one_minus_beta2 * g * g;
    float denom = sqrtf(vi) / s->bias2_sqrt + s->epsilon;
    *p = pi + s->neg_step_size * mi / denom;
    *m = mi;
    *v = vi;
}

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx512f"))) static long adamw_avx512(float *p, float *m, float *v, const float *g, long count,
                                                            const attune_adamw_scalars *s) {
    __m512 decay = _mm512_set1_ps(s->decay), lerp = _mm512_set1_ps(s->lerp_weight), b2 = _mm512_set1_ps(s->beta2);
    __m512 omb2 = _mm512_set1_ps(s->one_minus_beta2), step = _mm512_set1_ps(s->neg_step_size);
    __m512 bias = _mm512_set1_ps(s->bias2_sqrt), eps = _mm512_set1_ps(s->epsilon);
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512 gi = _mm512_loadu_ps(g + i), mi = _mm512_loadu_ps(m + i), vi = _mm512_loadu_ps(v + i);
        __m512 pi = _mm512_mul_ps(_mm512_loadu_ps(p + i), decay);
        mi = _mm512_add_ps(mi, _mm512_mul_ps(lerp, _mm512_sub_ps(gi, mi)));
        vi = _mm512_add_ps(_mm512_mul_ps(vi, b2), _mm512_mul_ps(_mm512_mul_ps(omb2, gi), gi));
        __m512 denom = _mm512_add_ps(_mm512_div_ps(_mm512_sqrt_ps(vi), bias), eps);
        pi = _mm512_add_ps(pi, _mm512_div_ps(_mm512_mul_ps(step, mi), denom));
        _mm512_storeu_ps(p + i, pi);
        _mm512_storeu_ps(m + i, mi);
        _mm512_storeu_ps(v + i, vi);
    }
    return i;
}

__attribute__((target("avx2"))) static long adamw_avx2(float *p, float *m, float *v, const float *g, long count,
                                                      const attune_adamw_scalars *s) {
    __m256 decay = _mm256_set1_ps(s->decay), lerp = _mm256_set1_ps(s->lerp_weight), b2 = _mm256_set1_ps(s->beta2);
    __m256 omb2 = _mm256_set1_ps(s->one_minus_beta2), step = _mm256_set1_ps(s->neg_step_size);
    __m256 bias = _mm256_set1_ps(s->bias2_sqrt), eps = _mm256_set1_ps(s->epsilon);
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 gi = _mm256_loadu_ps(g + i), mi = _mm256_loadu_ps(m + i), vi = _mm256_loadu_ps(v + i);
        __m256 pi = _mm256_mul_ps(_mm256_loadu_ps(p + i), decay);
        mi = _mm256_add_ps(mi, _mm256_mul_ps(lerp, _mm256_sub_ps(gi, mi)));
        vi = _mm256_add_ps(_mm256_mul_ps(vi, b2), _mm256_mul_ps(_mm256_mul_ps(omb2, gi), gi));
        __m256 denom = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), bias), eps);
        pi = _mm256_add_ps(pi, _mm256_div_ps(_mm256_mul_ps(step, mi), denom));
        _mm256_storeu_ps(p + i, pi);
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
    }
    return i;
}
#endif

void attune_adamw_update(float *p, float *m, float *v, const float *g, long count, const attune_adamw_scalars *scalars) {
    long i = 0;
#if defined(__x86_64__)
    int path = attune_kernel_path();
    if (path >= ATTUNE_PATH_AVX512) i = adamw_avx512(p, m, v, g, count, scalars);
    else if (path >= ATTUNE_PATH_AVX2) i = adamw_avx2(p, m, v, g, count, scalars);
#endif
    for (; i < count; i++) adamw_one(p + i, m + i, v + i, g[i], scalars);
}

/// Chains for `n` (≤ 8) whole chunks of `size` values side by side: out[j] = Σ x[j·size + i]², in order.
static void sum_squares_interleaved(const float *x, long size, int n, double *out) {
    double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (long i = 0; i < size; i++)
        for (int j = 0; j < n; j++) {
            double value = (double)x[j * size + i];
            s[j] = s[j] + value * value;
        }
    for (int j = 0; j < n; j++) out[j] = s[j];
}

void attune_sum_squares_chunks(const float *x, long count, long size, long first, long chunks, double *partial) {
    for (long c = first; c < first + chunks;) {
        long start = c * size;
        if (start + size > count) {  // the last, shorter chunk
            double s = 0;
            for (long i = start; i < count; i++) {
                double value = (double)x[i];
                s = s + value * value;
            }
            partial[c - first] = s;
            c++;
            continue;
        }
        long whole = (count - start) / size;  // whole chunks from c on
        long n = first + chunks - c;
        if (n > whole) n = whole;
        if (n > 8) n = 8;
        sum_squares_interleaved(x + start, size, (int)n, partial + (c - first));
        c += n;
    }
}
