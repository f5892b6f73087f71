// SwiGLU's element-wise passes, Llama's MLP: y = silu(g)·u with silu(g) = g·σ(g), σ(g) = 1/(1 + e^−g),
// and backward dg += dy·u·σ·(1 + g·(1 − σ)), du += dy·g·σ. Fine-tuning SmolLM2 runs them over 47 M
// values per step each way; as scalar Swift calling libm's expf per value they took ~4% of a LoRA
// step (6-8% in bf16 numerics), the exponential alone most of it.
//
// e^−g is exp_kernel.h's exponential (exp_lane / exp8 / exp16: the same bits at every width), the
// rest IEEE add, multiply and divide in the order written below, which round the same in a vector
// lane as in a scalar register: every path gives the same bits, on every CPU. (libm's expf, which
// the Swift loop used, has no vector form with its bits, and glibc picks a different expf on CPUs
// without FMA.)
#if defined(__clang__)
#pragma clang fp contract(off)
#else
#pragma STDC FP_CONTRACT OFF
#endif
#include "CKernels.h"
#include "avx2_common.h"  // PORTABLE
#include "exp_kernel.h"   // exp_lane, exp8, exp16

/// One value of each pass (the definition; the vector loops below are these, lane by lane).
static inline float swiglu_one(float g, float u) {
    float s = 1.0f / (1.0f + exp_lane(-g));
    return g * s * u;
}
static inline void swiglu_backward_one(float dy, float g, float u, float *dg, float *du) {
    float s = 1.0f / (1.0f + exp_lane(-g));
    if (dg) *dg = *dg + dy * u * s * (1.0f + g * (1.0f - s));
    if (du) *du = *du + dy * g * s;
}

PORTABLE static void swiglu_portable(const float *g, const float *u, float *y, long n) {
    for (long i = 0; i < n; i++) y[i] = swiglu_one(g[i], u[i]);
}
PORTABLE static void swiglu_backward_portable(const float *dy, const float *g, const float *u, float *dg, float *du, long n) {
    for (long i = 0; i < n; i++) swiglu_backward_one(dy[i], g[i], u[i], dg ? dg + i : 0, du ? du + i : 0);
}

#if defined(__x86_64__)
#include <immintrin.h>
#define AVX512 __attribute__((target("avx512f")))

/// −x by flipping the sign bit, as the scalar negation does (AVX-512F has no float xor).
AVX512 static inline __m512 negate16(__m512 x, __m512i sign) {
    return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(x), sign));
}

AVX512 static long swiglu_avx512(const float *g, const float *u, float *y, long n) {
    __m512 one = _mm512_set1_ps(1.0f);
    __m512i sign = _mm512_set1_epi32((int)0x80000000);
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 gi = _mm512_loadu_ps(g + i);
        __m512 s = _mm512_div_ps(one, _mm512_add_ps(one, exp16(negate16(gi, sign))));
        _mm512_storeu_ps(y + i, _mm512_mul_ps(_mm512_mul_ps(gi, s), _mm512_loadu_ps(u + i)));
    }
    return i;
}

AVX2_TARGET static long swiglu_avx2(const float *g, const float *u, float *y, long n) {
    __m256 one = _mm256_set1_ps(1.0f), sign = _mm256_set1_ps(-0.0f);
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 gi = _mm256_loadu_ps(g + i);
        __m256 s = _mm256_div_ps(one, _mm256_add_ps(one, exp8(_mm256_xor_ps(gi, sign))));
        _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_mul_ps(gi, s), _mm256_loadu_ps(u + i)));
    }
    return i;
}

AVX512 static long swiglu_backward_avx512(const float *dy, const float *g, const float *u, float *dg, float *du, long n) {
    __m512 one = _mm512_set1_ps(1.0f);
    __m512i sign = _mm512_set1_epi32((int)0x80000000);
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 dyi = _mm512_loadu_ps(dy + i), gi = _mm512_loadu_ps(g + i);
        __m512 s = _mm512_div_ps(one, _mm512_add_ps(one, exp16(negate16(gi, sign))));
        if (dg) {
            __m512 slope = _mm512_add_ps(one, _mm512_mul_ps(gi, _mm512_sub_ps(one, s)));
            __m512 term = _mm512_mul_ps(_mm512_mul_ps(_mm512_mul_ps(dyi, _mm512_loadu_ps(u + i)), s), slope);
            _mm512_storeu_ps(dg + i, _mm512_add_ps(_mm512_loadu_ps(dg + i), term));
        }
        if (du) _mm512_storeu_ps(du + i, _mm512_add_ps(_mm512_loadu_ps(du + i), _mm512_mul_ps(_mm512_mul_ps(dyi, gi), s)));
    }
    return i;
}

AVX2_TARGET static long swiglu_backward_avx2(const float *dy, const float *g, const float *u, float *dg, float *du, long n) {
    __m256 one = _mm256_set1_ps(1.0f), sign = _mm256_set1_ps(-0.0f);
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 dyi = _mm256_loadu_ps(dy + i), gi = _mm256_loadu_ps(g + i);
        __m256 s = _mm256_div_ps(one, _mm256_add_ps(one, exp8(_mm256_xor_ps(gi, sign))));
        if (dg) {
            __m256 slope = _mm256_add_ps(one, _mm256_mul_ps(gi, _mm256_sub_ps(one, s)));
            __m256 term = _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(dyi, _mm256_loadu_ps(u + i)), s), slope);
            _mm256_storeu_ps(dg + i, _mm256_add_ps(_mm256_loadu_ps(dg + i), term));
        }
        if (du) _mm256_storeu_ps(du + i, _mm256_add_ps(_mm256_loadu_ps(du + i), _mm256_mul_ps(_mm256_mul_ps(dyi, gi), s)));
    }
    return i;
}
#endif

void attune_swiglu_forward(const float *gate, const float *up, float *y, long count) {
    long i = 0;
#if defined(__x86_64__)
    int path = attune_kernel_path();
    if (path >= ATTUNE_PATH_AVX512) i = swiglu_avx512(gate, up, y, count);
    else if (path >= ATTUNE_PATH_AVX2) i = swiglu_avx2(gate, up, y, count);
#endif
    swiglu_portable(gate + i, up + i, y + i, count - i);
}

void attune_swiglu_backward(const float *dy, const float *gate, const float *up, float *dgate, float *dup, long count) {
    if (!dgate && !dup) return;
    long i = 0;
#if defined(__x86_64__)
    int path = attune_kernel_path();
    if (path >= ATTUNE_PATH_AVX512) i = swiglu_backward_avx512(dy, gate, up, dgate, dup, count);
    else if (path >= ATTUNE_PATH_AVX2) i = swiglu_backward_avx2(dy, gate, up, dgate, dup, count);
#endif
    swiglu_backward_portable(dy + i, gate + i, up + i, dgate ? dgate + i : 0, dup ? dup + i : 0, count - i);
}
