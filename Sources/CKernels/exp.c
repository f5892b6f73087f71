// Vectorised exp for softmax rows: exp(x) = 2^k · p(r), k = round(x·log2 e), r = x − k·ln 2
// (ln 2 split into a high and a low part so r is exact), p a degree-6 polynomial (Taylor
// coefficients, error < 1e-7 on |r| ≤ ln2/2). The AVX2 path handles 8 floats at a time.
#include "CKernels.h"
#include <math.h>

#define EXP_UNDERFLOW (-87.33654f)
#define EXP_OVERFLOW 88.72283f

static float exp_scalar(float x) { return x < EXP_UNDERFLOW ? 0.0f : expf(x); }

static float max_portable(const float *x, long n) {
    float m = -INFINITY;
    for (long i = 0; i < n; i++) if (x[i] > m) m = x[i];
    return m;
}
static float exp_sum_portable(const float *x, long n, float shift) {
    double s = 0;
    for (long i = 0; i < n; i++) s += exp_scalar(x[i] - shift);
    return (float)s;
}
static void exp_scale_portable(const float *x, float *y, long n, float shift, float scale) {
    for (long i = 0; i < n; i++) y[i] = exp_scalar(x[i] - shift) * scale;
}
static void exp_scale_add_portable(const float *x, float *y, long n, float shift, float scale) {
    for (long i = 0; i < n; i++) y[i] += exp_scalar(x[i] - shift) * scale;
}

#if defined(__x86_64__)
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2,fma")))

AVX2 static inline __m256 exp8(__m256 x) {
    const __m256 log2e = _mm256_set1_ps(1.44269504088896341f);
    const __m256 ln2hi = _mm256_set1_ps(0.693359375f), ln2lo = _mm256_set1_ps(-2.12194440e-4f);
    __m256 underflow = _mm256_cmp_ps(x, _mm256_set1_ps(EXP_UNDERFLOW), _CMP_LT_OQ);
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(EXP_UNDERFLOW)), _mm256_set1_ps(EXP_OVERFLOW));
    // k ∈ [-126, 127] so that 2^k is a normal float; at the top of the range r grows past ln2/2
    // and the polynomial still converges.
    __m256 k = _mm256_round_ps(_mm256_mul_ps(x, log2e), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    k = _mm256_min_ps(k, _mm256_set1_ps(127.0f));
    __m256 r = _mm256_fnmadd_ps(k, ln2hi, x);
    r = _mm256_fnmadd_ps(k, ln2lo, r);
    __m256 p = _mm256_set1_ps(1.0f / 720.0f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    // 2^k: k + 127 in the exponent field.
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
    __m256 result = _mm256_mul_ps(p, _mm256_castsi256_ps(e));
    return _mm256_andnot_ps(underflow, result);
}

AVX2 static float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

AVX2 static float max_avx2(const float *x, long n) {
    __m256 m = _mm256_set1_ps(-INFINITY);
    long i = 0;
    for (; i + 8 <= n; i += 8) m = _mm256_max_ps(m, _mm256_loadu_ps(x + i));
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
    float best = _mm_cvtss_f32(h);
    for (; i < n; i++) if (x[i] > best) best = x[i];
    return best;
}
AVX2 static float exp_sum_avx2(const float *x, long n, float shift) {
    __m256 s = _mm256_setzero_ps(), sh = _mm256_set1_ps(shift);
    long i = 0;
    for (; i + 8 <= n; i += 8) s = _mm256_add_ps(s, exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), sh)));
    float total = hsum8(s);
    for (; i < n; i++) total += exp_scalar(x[i] - shift);
    return total;
}
AVX2 static void exp_scale_avx2(const float *x, float *y, long n, float shift, float scale) {
    __m256 sh = _mm256_set1_ps(shift), sc = _mm256_set1_ps(scale);
    long i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), sh)), sc));
    for (; i < n; i++) y[i] = exp_scalar(x[i] - shift) * scale;
}
AVX2 static void exp_scale_add_avx2(const float *x, float *y, long n, float shift, float scale) {
    __m256 sh = _mm256_set1_ps(shift), sc = _mm256_set1_ps(scale);
    long i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), sh)), sc, _mm256_loadu_ps(y + i)));
    for (; i < n; i++) y[i] += exp_scalar(x[i] - shift) * scale;
}

static int use_avx2(void) { return attune_kernel_path() >= ATTUNE_PATH_AVX2; }
#else
static int use_avx2(void) { return 0; }
#define max_avx2 max_portable
#define exp_sum_avx2 exp_sum_portable
#define exp_scale_avx2 exp_scale_portable
#define exp_scale_add_avx2 exp_scale_add_portable
#endif

float attune_max(const float *x, long n) { return use_avx2() ? max_avx2(x, n) : max_portable(x, n); }
float attune_exp_sum(const float *x, long n, float shift) {
    return use_avx2() ? exp_sum_avx2(x, n, shift) : exp_sum_portable(x, n, shift);
}
void attune_exp_scale(const float *x, float *y, long n, float shift, float scale) {
    if (use_avx2()) exp_scale_avx2(x, y, n, shift, scale); else exp_scale_portable(x, y, n, shift, scale);
}
void attune_exp_scale_add(const float *x, float *y, long n, float shift, float scale) {
    if (use_avx2()) exp_scale_add_avx2(x, y, n, shift, scale); else exp_scale_add_portable(x, y, n, shift, scale);
}
