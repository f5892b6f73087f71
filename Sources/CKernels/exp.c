// Softmax rows' passes: the maximum, Σ exp(x − shift), and exp(x − shift)·scale written or added,
// with the exponential of exp_kernel.h.
//
// Every path computes the same bits (DESIGN.md §5): the portable C below is the AVX2 code one lane
// at a time (fmaf where the vector code fuses, separate multiply and add where it does not), and
// the reductions keep the vector shape: eight lane accumulators over whole groups of eight, the
// hsum8 tree, then the leftover elements one by one in order.
#if defined(__clang__)
#pragma clang fp contract(off)
#else
#pragma STDC FP_CONTRACT OFF
#endif
#include "CKernels.h"
#include "avx2_common.h"  // hsum8, PORTABLE
#include "exp_kernel.h"   // exp_lane, exp8
#include <math.h>
#include <stdint.h>
#include <string.h>

/// max_ps(a, b): `a > b ? a : b` (b when either is NaN). The vector max takes max_ps(x, m) per
/// lane, so a NaN never wins and of +0 and −0 the one already there stays; the lanes then meet in
/// the tree below and the leftover elements follow one by one.
static inline float vmax(float a, float b) { return a > b ? a : b; }
/// The sum of eight lanes in the order of hsum8: ((l0+l4) + (l2+l6)) + ((l1+l5) + (l3+l7)).
static inline float hsum8_lanes(const float *l) {
    return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
}

PORTABLE static float max_portable(const float *x, long n) {
    float m[8];
    for (int l = 0; l < 8; l++) m[l] = -INFINITY;
    long i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) m[l] = vmax(x[i + l], m[l]);
    float best = vmax(vmax(vmax(m[0], m[4]), vmax(m[2], m[6])), vmax(vmax(m[1], m[5]), vmax(m[3], m[7])));
    for (; i < n; i++) best = vmax(x[i], best);
    return best;
}
PORTABLE static float exp_sum_portable(const float *x, long n, float shift) {
    float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    long i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) s[l] = s[l] + exp_lane(x[i + l] - shift);
    float total = hsum8_lanes(s);
    for (; i < n; i++) total = total + exp_lane(x[i] - shift);
    return total;
}
/// softmax_portable: y = exp(x − m) · (1 / Σ exp(x − m)), m = max(x), the bits of max_portable,
/// exp_sum_portable and exp_scale_portable in turn, each exponential computed once (kept in y).
PORTABLE static void softmax_portable(const float *x, float *y, long n) {
    const float m = max_portable(x, n);
    float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    long i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) s[l] = s[l] + (y[i + l] = exp_lane(x[i + l] - m));
    float total = hsum8_lanes(s);
    for (; i < n; i++) total = total + (y[i] = exp_lane(x[i] - m));
    const float scale = 1.0f / total;
    for (i = 0; i < n; i++) y[i] = y[i] * scale;
}
PORTABLE static void exp_scale_portable(const float *x, float *y, long n, float shift, float scale) {
    for (long i = 0; i < n; i++) y[i] = exp_lane(x[i] - shift) * scale;
}
PORTABLE static void exp_scale_add_portable(const float *x, float *y, long n, float shift, float scale) {
    for (long i = 0; i < n; i++) y[i] = fmaf(exp_lane(x[i] - shift), scale, y[i]);
}

#if defined(__x86_64__)
#define AVX2 AVX2_TARGET

/// The `n` (< 8) leftover elements of a row as one vector, zeros after them, never reading past x[n-1].
static const int32_t tail_masks[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
AVX2 static inline __m256 load_tail(const float *x, long n) {
    return _mm256_maskload_ps(x, _mm256_loadu_si256((const __m256i *)(tail_masks + 8 - n)));
}

AVX2 static float max_avx2(const float *x, long n) {
    __m256 m = _mm256_set1_ps(-INFINITY);
    long i = 0;
    for (; i + 8 <= n; i += 8) m = _mm256_max_ps(_mm256_loadu_ps(x + i), m);
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
    float best = _mm_cvtss_f32(h);
    for (; i < n; i++) best = vmax(x[i], best);
    return best;
}
AVX2 static float exp_sum_avx2(const float *x, long n, float shift) {
    __m256 s = _mm256_setzero_ps(), sh = _mm256_set1_ps(shift);
    long i = 0;
    for (; i + 8 <= n; i += 8) s = _mm256_add_ps(s, exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), sh)));
    float total = hsum8(s);
    if (i < n) {
        float tail[8];
        _mm256_storeu_ps(tail, exp8(_mm256_sub_ps(load_tail(x + i, n - i), sh)));
        for (long l = 0; l < n - i; l++) total = total + tail[l];
    }
    return total;
}
AVX2 static void exp_scale_avx2(const float *x, float *y, long n, float shift, float scale) {
    __m256 sh = _mm256_set1_ps(shift), sc = _mm256_set1_ps(scale);
    long i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), sh)), sc));
    if (i < n) {
        float tail[8];
        _mm256_storeu_ps(tail, _mm256_mul_ps(exp8(_mm256_sub_ps(load_tail(x + i, n - i), sh)), sc));
        for (long l = 0; l < n - i; l++) y[i + l] = tail[l];
    }
}
AVX2 static void exp_scale_add_avx2(const float *x, float *y, long n, float shift, float scale) {
    __m256 sh = _mm256_set1_ps(shift), sc = _mm256_set1_ps(scale);
    long i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), sh)), sc, _mm256_loadu_ps(y + i)));
    if (i < n) {
        float tail[8];
        _mm256_storeu_ps(tail, _mm256_fmadd_ps(exp8(_mm256_sub_ps(load_tail(x + i, n - i), sh)), sc, load_tail(y + i, n - i)));
        for (long l = 0; l < n - i; l++) y[i + l] = tail[l];
    }
}

/// softmax_portable in AVX2: exp_sum_avx2's sum, exp_scale_avx2's products.
AVX2 static void softmax_avx2(const float *x, float *y, long n) {
    const float m = max_avx2(x, n);
    __m256 s = _mm256_setzero_ps(), sh = _mm256_set1_ps(m);
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), sh));
        _mm256_storeu_ps(y + i, e);
        s = _mm256_add_ps(s, e);
    }
    float total = hsum8(s);
    float tail[8];
    if (i < n) {
        _mm256_storeu_ps(tail, exp8(_mm256_sub_ps(load_tail(x + i, n - i), sh)));
        for (long l = 0; l < n - i; l++) total = total + tail[l];
    }
    const float scale = 1.0f / total;
    const __m256 sc = _mm256_set1_ps(scale);
    long j = 0;
    for (; j + 8 <= n; j += 8) _mm256_storeu_ps(y + j, _mm256_mul_ps(_mm256_loadu_ps(y + j), sc));
    for (long l = 0; j < n; j++, l++) y[j] = tail[l] * scale;
}

static int use_avx2(void) { return attune_kernel_path() >= ATTUNE_PATH_AVX2; }
#else
static int use_avx2(void) { return 0; }
#define max_avx2 max_portable
#define exp_sum_avx2 exp_sum_portable
#define exp_scale_avx2 exp_scale_portable
#define exp_scale_add_avx2 exp_scale_add_portable
#define softmax_avx2 softmax_portable
#endif

float attune_max(const float *x, long n) { return use_avx2() ? max_avx2(x, n) : max_portable(x, n); }
float attune_exp_sum(const float *x, long n, float shift) {
    return use_avx2() ? exp_sum_avx2(x, n, shift) : exp_sum_portable(x, n, shift);
}
void attune_softmax(const float *x, float *y, long n) {
    if (n <= 0) return;
    if (use_avx2()) softmax_avx2(x, y, n); else softmax_portable(x, y, n);
}
void attune_exp_scale(const float *x, float *y, long n, float shift, float scale) {
    if (use_avx2()) exp_scale_avx2(x, y, n, shift, scale); else exp_scale_portable(x, y, n, shift, scale);
}
void attune_exp_scale_add(const float *x, float *y, long n, float shift, float scale) {
    if (use_avx2()) exp_scale_add_avx2(x, y, n, shift, scale); else exp_scale_add_portable(x, y, n, shift, scale);
}
