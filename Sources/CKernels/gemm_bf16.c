// The bf16 GEMM of `numerics=bf16`: one definition (gemm_bf16.h), two speeds.
//
// The definition is what AVX512_BF16's `vdpbf16ps` computes, lane by lane, inside the reproducible
// GEMM's block order (gemm.c): inputs rounded to bfloat16 as PyTorch rounds them, pairs of products
// added to an fp32 sum one at a time (odd element first), each step rounded to nearest even with
// bf16 denormal inputs read as zero and results below 2^-126 flushed to zero. Checked against the
// instruction on an AMD EPYC Zen 5 (Scripts/bf16-probe: 50 million random and edge cases, denormal
// inputs and sums, infinities, NaNs, ties, cancellations, results at the underflow threshold: no
// difference). The portable path reproduces each step with `fmaf` (the product of two bf16 values is
// exact, so one correctly rounded fma is the step) plus a rescaled `fmaf` for the rare results near
// 2^-126, where the instruction decides flushing on the result rounded with an unbounded exponent.
//
// Layout: A and B are rounded and packed as 32-bit words, each a bf16 pair (k, k+1) with k in the low
// half — a B panel holds, for each pair, NR words (one per column); an A panel, MR words (one per
// row). A micro-kernel broadcasts an A word and multiplies it into a row of B words: one `vdpbf16ps`
// per 16 outputs and pair. The driver is gemm.c's (threads cut M and N only; for each column slab and
// K block, B packed once, then A block by block, or A packed once for every chunk), so the cut never
// changes a bit. A frozen weight's op(B) may come packed in advance (`attune_bf16_pack_b`: the same
// words, kept by the layer), which skips B's rounding and packing.
#include "CKernels.h"
#include "gemm_driver.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#pragma clang fp contract(off)

// ---------------------------------------------------------------------------------------------
// The definition, scalar.

uint16_t attune_bf16_round(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return 0x7fc0;
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

float attune_bf16_widen(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float x;
    memcpy(&x, &u, 4);
    return x;
}

void attune_bf16_round_array(const float *src, uint16_t *dst, long n) {
    for (long i = 0; i < n; i++) dst[i] = attune_bf16_round(src[i]);
}

/// The bits `u` (an fp32 pattern) with a denormal read as zero of its sign.
static inline uint32_t daz_bits(uint32_t u) { return (u & 0x7f800000u) ? u : (u & 0x80000000u); }

static inline float from_bits(uint32_t u) {
    float x;
    memcpy(&x, &u, 4);
    return x;
}

/// The low (even k) and high (odd k) bf16 of a packed pair, widened, denormals read as zero.
static inline float pair_low(uint32_t w) { return from_bits(daz_bits(w << 16)); }
static inline float pair_high(uint32_t w) { return from_bits(daz_bits(w & 0xffff0000u)); }

/// Whether a correctly rounded `fmaf` result may differ from the instruction's step: non-zero and
/// below 2^-125, where flushing depends on rounding with an unbounded exponent.
static inline int near_underflow(float r) { return r != 0.0f && fabsf(r) < 0x1p-125f; }

/// The step for those results. Such a sum needs |s| < 2^-100 and |x·y| < 2^-99 (otherwise it would
/// be a multiple of 2^-123), so x, y < 2^27 and scaling by 2^128 is exact and stays normal: the
/// rescaled `fmaf` rounds as if the exponent were unbounded.
static float step_near_underflow(float s, float x, float y) {
    float r = fmaf(x * 0x1p64f, y * 0x1p64f, (s * 0x1p64f) * 0x1p64f);
    return fabsf(r) < 0x1p2f ? copysignf(0.0f, r) : (r * 0x1p-64f) * 0x1p-64f;
}

static inline float step(float s, float x, float y) {
    float r = fmaf(x, y, s);
    return near_underflow(r) ? step_near_underflow(s, x, y) : r;
}

float attune_bf16_dot_pair(float acc, uint16_t a0, uint16_t a1, uint16_t b0, uint16_t b1) {
    uint32_t bits;
    memcpy(&bits, &acc, 4);
    float s = from_bits(daz_bits(bits));
    s = step(s, from_bits(daz_bits((uint32_t)a1 << 16)), from_bits(daz_bits((uint32_t)b1 << 16)));
    return step(s, from_bits(daz_bits((uint32_t)a0 << 16)), from_bits(daz_bits((uint32_t)b0 << 16)));
}

/// How one K block's sums reach C: C = alpha·s (first block, beta = 0) or C = fma(alpha, s, C);
/// a NaN is stored as 0x7FC00000 (its payload would depend on the path).
typedef struct {
    float alpha;
    int accumulate;
} bf16_store;

static inline void store_one(float *c, float s, bf16_store store) {
    float r = store.accumulate ? fmaf(store.alpha, s, *c) : store.alpha * s;
    *c = r != r ? from_bits(0x7fc00000u) : r;
}

/// A path's micro-kernel: an MR×NR block of sums over `pairs` packed pairs, stored into C. The A
/// word of row i and pair q is ap[i·rs + q·ps] (rs = pairs, ps = 1 for a block of rows; rs = 1,
/// ps = MR for a panel), pair q of the B panel is bp[q·NR ..< q·NR + NR].
typedef void (*bf16_kernel)(long pairs, const uint32_t *ap, long rs, long ps, const uint32_t *bp, float *c, long ldc,
                            bf16_store store);

typedef struct {
    long mr, nr;
    long mc_max, nc_max;
    bf16_kernel kernel;
    int vector_packing;  // the packers may use AVX-512
} bf16_path;

// ---------------------------------------------------------------------------------------------
// Packing (shared by both paths: the same words either way). Pairs of op(A) run along k; a word
// holds (k, k+1) with k even from the block's start, and +0 for a missing k+1.

static inline uint32_t pair_word(float lo, float hi) {
    return (uint32_t)attune_bf16_round(lo) | ((uint32_t)attune_bf16_round(hi) << 16);
}

/// "Pairs along rows": element (r, k) at src[r·stride + k]; for r < count, pair q < (kc+1)/2:
/// dst[q·width + r] = word(src[r][2q], src[r][2q+1]). Used for A (not transposed) and Bᵀ (weights).
static void pack_rows_portable(const float *src, long stride, long count, long kc, uint32_t *dst, long width) {
    long pairs = kc / 2;
    for (long r = 0; r < count; r++) {
        const float *row = src + r * stride;
        for (long q = 0; q < pairs; q++) dst[q * width + r] = pair_word(row[2 * q], row[2 * q + 1]);
        if (kc & 1) dst[pairs * width + r] = pair_word(row[kc - 1], 0.0f);
    }
}

/// "Pairs across rows": element (k, c) at src[k·stride + c]; for c < count, pair q:
/// dst[q·width + c] = word(src[2q][c], src[2q+1][c]). Used for Aᵀ and B (not transposed).
static void pack_columns_portable(const float *src, long stride, long count, long kc, uint32_t *dst, long width) {
    long pairs = kc / 2;
    for (long q = 0; q < pairs; q++) {
        const float *r0 = src + 2 * q * stride, *r1 = r0 + stride;
        for (long c = 0; c < count; c++) dst[q * width + c] = pair_word(r0[c], r1[c]);
    }
    if (kc & 1) {
        const float *r0 = src + (kc - 1) * stride;
        for (long c = 0; c < count; c++) dst[pairs * width + c] = pair_word(r0[c], 0.0f);
    }
}

#if defined(__x86_64__)
#include <immintrin.h>
#define AVX512_PACK __attribute__((target("avx512f,avx512bw,avx512vl,avx2,fma")))
#define AVX512_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16,avx2,fma")))

/// 16 floats rounded to bf16 (attune_bf16_round, lane for lane), one per 32-bit lane.
AVX512_PACK static inline __m512i round16(__m512 x) {
    __m512i u = _mm512_castps_si512(x);
    __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
    __m512i r = _mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7fff)), lsb), 16);
    return _mm512_mask_mov_epi32(r, _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), _mm512_set1_epi32(0x7fc0));
}

/// Eight pair words from 16 consecutive floats (pairs (0,1), (2,3), …).
AVX512_PACK static inline __m256i words8(const float *p) {
    __m512i r = round16(_mm512_loadu_ps(p));
    return _mm512_cvtepi64_epi32(_mm512_or_si512(r, _mm512_srli_epi64(r, 16)));
}

/// Transposes the 8×8 block of 32-bit words whose rows are r[0..7] in place (bits only move).
AVX512_PACK static inline void transpose8x8(__m256i r[8]) {
    __m256 x[8];
    for (int i = 0; i < 8; i++) x[i] = _mm256_castsi256_ps(r[i]);
    __m256 t0 = _mm256_unpacklo_ps(x[0], x[1]), t1 = _mm256_unpackhi_ps(x[0], x[1]);
    __m256 t2 = _mm256_unpacklo_ps(x[2], x[3]), t3 = _mm256_unpackhi_ps(x[2], x[3]);
    __m256 t4 = _mm256_unpacklo_ps(x[4], x[5]), t5 = _mm256_unpackhi_ps(x[4], x[5]);
    __m256 t6 = _mm256_unpacklo_ps(x[6], x[7]), t7 = _mm256_unpackhi_ps(x[6], x[7]);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    x[0] = _mm256_permute2f128_ps(u0, u4, 0x20); x[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    x[2] = _mm256_permute2f128_ps(u2, u6, 0x20); x[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    x[4] = _mm256_permute2f128_ps(u0, u4, 0x31); x[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    x[6] = _mm256_permute2f128_ps(u2, u6, 0x31); x[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
    for (int i = 0; i < 8; i++) r[i] = _mm256_castps_si256(x[i]);
}

/// pack_rows_portable, eight rows and 16 k at a time.
AVX512_PACK static void pack_rows_avx512(const float *src, long stride, long count, long kc, uint32_t *dst, long width) {
    long r = 0;
    for (; r + 8 <= count; r += 8) {
        long k = 0;
        for (; k + 16 <= kc; k += 16) {
            __m256i w[8];
            for (int i = 0; i < 8; i++) w[i] = words8(src + (r + i) * stride + k);
            transpose8x8(w);
            for (int t = 0; t < 8; t++) _mm256_storeu_si256((__m256i *)(dst + (k / 2 + t) * width + r), w[t]);
        }
        if (k < kc) pack_rows_portable(src + r * stride + k, stride, 8, kc - k, dst + (k / 2) * width + r, width);
    }
    if (r < count) pack_rows_portable(src + r * stride, stride, count - r, kc, dst + r, width);
}

/// pack_columns_portable, 16 columns at a time (masked for the last few).
AVX512_PACK static void pack_columns_avx512(const float *src, long stride, long count, long kc, uint32_t *dst, long width) {
    long pairs = kc / 2;
    for (long c = 0; c < count; c += 16) {
        __mmask16 mask = count - c >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (count - c)) - 1);
        for (long q = 0; q < pairs; q++) {
            const float *r0 = src + 2 * q * stride + c;
            __m512i lo = round16(_mm512_maskz_loadu_ps(mask, r0)), hi = round16(_mm512_maskz_loadu_ps(mask, r0 + stride));
            _mm512_mask_storeu_epi32(dst + q * width + c, mask, _mm512_or_si512(lo, _mm512_slli_epi32(hi, 16)));
        }
        if (kc & 1)
            _mm512_mask_storeu_epi32(dst + pairs * width + c, mask, round16(_mm512_maskz_loadu_ps(mask, src + (kc - 1) * stride + c)));
    }
}

/// One row of kc floats as (kc+1)/2 pair words, 16 floats at a time.
AVX512_PACK static void pack_row_avx512(const float *src, long kc, uint32_t *dst) {
    long k = 0;
    for (; k + 16 <= kc; k += 16) _mm256_storeu_si256((__m256i *)(dst + k / 2), words8(src + k));
    for (; k + 1 < kc; k += 2) dst[k / 2] = pair_word(src[k], src[k + 1]);
    if (k < kc) dst[k / 2] = pair_word(src[k], 0.0f);
}
#endif

/// op(X)[r0 ..< r0+rows, p0 ..< p0+kc] into panels of `width` words per pair (zeros past `rows`):
/// the A block (width MR) and the B slab (width NR) alike. `trans` says op(X) = Xᵀ (X stored k-major).
static void pack_panels(const bf16_path *path, int trans, const float *x, long ldx, long r0, long rows, long p0, long kc,
                        long width, uint32_t *dst) {
    long pairs = (kc + 1) / 2;
    for (long r = 0; r < rows; r += width) {
        long count = rows - r < width ? rows - r : width;
        const float *src = trans ? x + p0 * ldx + r0 + r : x + (r0 + r) * ldx + p0;
#if defined(__x86_64__)
        if (path->vector_packing) {
            if (trans) pack_columns_avx512(src, ldx, count, kc, dst, width);
            else pack_rows_avx512(src, ldx, count, kc, dst, width);
        } else
#endif
        {
            if (trans) pack_columns_portable(src, ldx, count, kc, dst, width);
            else pack_rows_portable(src, ldx, count, kc, dst, width);
        }
        if (count < width)
            for (long q = 0; q < pairs; q++) memset(dst + q * width + count, 0, (size_t)(width - count) * 4);
        dst += pairs * width;
    }
}

/// A[i0 ..< i0+mc, p0 ..< p0+kc] (A not transposed) as rows of pair words: dst[i·pairs + q], rows
/// past mc up to a multiple of mr zero. No transposition: a micro-kernel reads MR rows side by side.
static void pack_a_rows(const bf16_path *path, const float *a, long lda, long i0, long mc, long p0, long kc, long mr, uint32_t *dst) {
    long pairs = (kc + 1) / 2;
    for (long i = 0; i < mc; i++) {
        const float *row = a + (i0 + i) * lda + p0;
        uint32_t *out = dst + i * pairs;
#if defined(__x86_64__)
        if (path->vector_packing) {
            pack_row_avx512(row, kc, out);
            continue;
        }
#endif
        pack_rows_portable(row, lda, 1, kc, out, 1);
    }
    long padded = (mc + mr - 1) / mr * mr;
    if (padded > mc) memset(dst + mc * pairs, 0, (size_t)((padded - mc) * pairs) * 4);
}

// ---------------------------------------------------------------------------------------------
// Portable path: 4×16, the definition step by step. Every step is a plain `fmaf` (vectorised by
// the compiler), and a flag per element notes a result near the underflow threshold, where the
// instruction's flushing rule may differ from fmaf's rounding; if any flag is set when the block's
// pairs are done (rare: sums near 2^-126), the tile is computed again with the exact rule.

#define PORTABLE_MR 4
#define PORTABLE_NR 16

#define PORTABLE_KERNEL_BODY                                                                       \
    float s[PORTABLE_MR][PORTABLE_NR] = {{0}};                                                     \
    int rare[PORTABLE_MR][PORTABLE_NR] = {{0}};                                                    \
    const uint32_t *a = ap, *b = bp;                                                               \
    for (long q = 0; q < pairs; q++, a += ps, b += PORTABLE_NR) {                                  \
        float bl[PORTABLE_NR], bh[PORTABLE_NR];                                                    \
        for (int j = 0; j < PORTABLE_NR; j++) {                                                    \
            bl[j] = pair_low(b[j]);                                                                \
            bh[j] = pair_high(b[j]);                                                               \
        }                                                                                          \
        for (int i = 0; i < PORTABLE_MR; i++) {                                                    \
            float al = pair_low(a[i * rs]), ah = pair_high(a[i * rs]);                             \
            for (int j = 0; j < PORTABLE_NR; j++) {                                                \
                float t = fmaf(ah, bh[j], s[i][j]);                                                \
                float u = fmaf(al, bl[j], t);                                                      \
                rare[i][j] |= near_underflow(t) | near_underflow(u);                               \
                s[i][j] = u;                                                                       \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
    int any = 0;                                                                                   \
    for (int i = 0; i < PORTABLE_MR; i++)                                                          \
        for (int j = 0; j < PORTABLE_NR; j++) any |= rare[i][j];                                   \
    if (any) exact_tile(pairs, ap, rs, ps, bp, s);                                                 \
    for (int i = 0; i < PORTABLE_MR; i++)                                                          \
        for (int j = 0; j < PORTABLE_NR; j++) store_one(c + i * ldc + j, s[i][j], store);

/// The tile's sums with the exact step (`step`) everywhere: the portable kernel's slow lane.
static void exact_tile(long pairs, const uint32_t *ap, long rs, long ps, const uint32_t *bp, float s[PORTABLE_MR][PORTABLE_NR]) {
    for (int i = 0; i < PORTABLE_MR; i++)
        for (int j = 0; j < PORTABLE_NR; j++) {
            float sum = 0;
            for (long q = 0; q < pairs; q++) {
                uint32_t a = ap[i * rs + q * ps], b = bp[q * PORTABLE_NR + j];
                sum = step(step(sum, pair_high(a), pair_high(b)), pair_low(a), pair_low(b));
            }
            s[i][j] = sum;
        }
}

static void kernel_portable_libm(long pairs, const uint32_t *ap, long rs, long ps, const uint32_t *bp, float *c, long ldc,
                                 bf16_store store) {
    PORTABLE_KERNEL_BODY
}

#if defined(__x86_64__)
// The same C where the CPU has FMA (fmaf is correctly rounded either way: no bit changes).
__attribute__((target("fma,avx2"))) static void kernel_portable_fma(long pairs, const uint32_t *ap, long rs, long ps,
                                                                    const uint32_t *bp, float *c, long ldc, bf16_store store) {
    PORTABLE_KERNEL_BODY
}
#endif

static void kernel_portable(long pairs, const uint32_t *ap, long rs, long ps, const uint32_t *bp, float *c, long ldc,
                            bf16_store store) {
#if defined(__x86_64__)
    if (attune_kernel_has_fma()) {
        kernel_portable_fma(pairs, ap, rs, ps, bp, c, ldc, store);
        return;
    }
#endif
    kernel_portable_libm(pairs, ap, rs, ps, bp, c, ldc, store);
}

#if defined(__x86_64__)
// AVX512_BF16 path: 12×32 (24 zmm sums; per pair two B loads, twelve broadcasts, 24 vdpbf16ps).

AVX512_BF16 static inline __m512 store16(const float *c, __m512 s, __m512 alpha, int accumulate) {
    __m512 r = accumulate ? _mm512_fmadd_ps(alpha, s, _mm512_loadu_ps(c)) : _mm512_mul_ps(alpha, s);
    return _mm512_mask_mov_ps(r, _mm512_cmp_ps_mask(r, r, _CMP_UNORD_Q), _mm512_castsi512_ps(_mm512_set1_epi32(0x7fc00000)));
}

AVX512_BF16 static void kernel_avx512bf16(long pairs, const uint32_t *ap, long rs, long ps, const uint32_t *bp, float *c, long ldc,
                                          bf16_store store) {
    __m512 s[12][2];
    for (int i = 0; i < 12; i++) {
        s[i][0] = s[i][1] = _mm512_setzero_ps();
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 31), _MM_HINT_T0);
    }
#pragma clang loop unroll_count(2)
    for (long q = 0; q < pairs; q++, ap += ps, bp += 32) {
        __m512bh b0 = (__m512bh)_mm512_loadu_si512(bp), b1 = (__m512bh)_mm512_loadu_si512(bp + 16);
#pragma clang loop unroll(full)
        for (int i = 0; i < 12; i++) {
            __m512bh a = (__m512bh)_mm512_set1_epi32((int)ap[i * rs]);
            s[i][0] = _mm512_dpbf16_ps(s[i][0], a, b0);
            s[i][1] = _mm512_dpbf16_ps(s[i][1], a, b1);
        }
    }
    __m512 al = _mm512_set1_ps(store.alpha);
#pragma clang loop unroll(full)
    for (int i = 0; i < 12; i++) {
        _mm512_storeu_ps(c + i * ldc, store16(c + i * ldc, s[i][0], al, store.accumulate));
        _mm512_storeu_ps(c + i * ldc + 16, store16(c + i * ldc + 16, s[i][1], al, store.accumulate));
    }
}
#endif

static const bf16_path portable_path = {PORTABLE_MR, PORTABLE_NR, 128, 512, kernel_portable, 0};
#if defined(__x86_64__)
static const bf16_path avx512bf16_path = {12, 32, 252, 1024, kernel_avx512bf16, 1};
#endif

/// The path for `attune_bf16_path()` (dispatch.c).
static const bf16_path *path_for(int path) {
#if defined(__x86_64__)
    if (path == ATTUNE_BF16_AVX512BF16) return &avx512bf16_path;
#endif
    (void)path;
    return &portable_path;
}

// ---------------------------------------------------------------------------------------------
// Driver (gemm.c's structure).

static _Thread_local void *scratch;
static _Thread_local long scratch_bytes;

static uint32_t *scratch_for(long words) { return gemm_buffer(&scratch, &scratch_bytes, words * 4); }

typedef struct {
    const bf16_path *path;
    int trans_a, trans_b;
    long m, n, k;
    float alpha;
    const float *a, *b;
    long lda, ldb;
    float *c;
    long ldc;
    int accumulate_first;
    long rows, cols, chunks_n;
    const uint32_t *packed_b;  // op(B) packed in advance (attune_bf16_pack_b), or NULL: packed per slab
    long n_padded;             // columns of packed_b: n rounded up to NR
    uint32_t *packed_a;  // op(A) packed once for every chunk (gemm.c's sharing), or NULL
    long m_padded;       // rows of packed_a: m rounded up to MR
    long k_begin, k_end; // the K blocks this pass runs (packed_a holds exactly these)
} bf16_job;

/// Row i0 (a multiple of MR) of the K block at p0 in the shared packed A: K block after K block
/// (each of pairs·m_padded words), rows of words or MR-wide panels alike at i0·pairs.
static inline uint32_t *packed_a_at(const bf16_job *job, long i0, long p0, long pairs) {
    return job->packed_a + (p0 - job->k_begin) / 2 * job->m_padded + i0 * pairs;
}

/// Packs op(A) rows i0 ..< i0+mc of the K block at p0 (kc values) into dst, in either layout.
static void pack_a_block(const bf16_job *job, long i0, long mc, long p0, long kc, uint32_t *dst) {
    if (job->trans_a) pack_panels(job->path, 1, job->a, job->lda, i0, mc, p0, kc, job->path->mr, dst);
    else pack_a_rows(job->path, job->a, job->lda, i0, mc, p0, kc, job->path->mr, dst);
}

#define PACK_UNIT_ROWS 96  // rows of op(A) per unit of the shared packing job (a multiple of every MR)
#define SHARED_A_MAX_WORDS (4L << 20)
static _Thread_local void *shared_a;
static _Thread_local long shared_a_bytes;

static uint32_t *shared_a_for(long words) { return gemm_buffer(&shared_a, &shared_a_bytes, words * 4); }

/// One unit of the shared packing: PACK_UNIT_ROWS rows of one K block of the pass.
static void pack_a_unit(void *context, long unit) {
    const bf16_job *job = context;
    long groups = (job->m + PACK_UNIT_ROWS - 1) / PACK_UNIT_ROWS;
    long p0 = job->k_begin + (unit / groups) * ATTUNE_GEMM_KC, i0 = (unit % groups) * PACK_UNIT_ROWS;
    long kc = job->k - p0 < ATTUNE_GEMM_KC ? job->k - p0 : ATTUNE_GEMM_KC;
    long rows = job->m - i0 < PACK_UNIT_ROWS ? job->m - i0 : PACK_UNIT_ROWS;
    pack_a_block(job, i0, rows, p0, kc, packed_a_at(job, i0, p0, (kc + 1) / 2));
}

/// The packed A block (mc rows) times the packed B slab (nc columns) over one K block of `pairs`.
static void multiply_block(const bf16_job *job, const uint32_t *ap, const uint32_t *bp, long pairs, long i0, long mc, long j0,
                           long nc, bf16_store store) {
    const bf16_path *path = job->path;
    long mr = path->mr, nr = path->nr;
    long rs = job->trans_a ? 1 : pairs, ps = job->trans_a ? mr : 1;  // A as panels (Aᵀ) or rows of words
    float edge[12 * 32];
    for (long q = 0; q < nc; q += nr) {
        long cols = nc - q < nr ? nc - q : nr;
        const uint32_t *bpanel = bp + q * pairs;
        for (long r = 0; r < mc; r += mr) {
            long rows = mc - r < mr ? mc - r : mr;
            const uint32_t *apanel = ap + r * pairs;  // row r (rows of words) or panel r/mr (panels)
            float *ctile = job->c + (i0 + r) * job->ldc + j0 + q;
            if (rows == mr && cols == nr) {
                path->kernel(pairs, apanel, rs, ps, bpanel, ctile, job->ldc, store);
            } else {
                bf16_store plain = {1.0f, 0};  // exact copies of the sums, then the store rule per element
                path->kernel(pairs, apanel, rs, ps, bpanel, edge, nr, plain);
                for (long i = 0; i < rows; i++)
                    for (long j = 0; j < cols; j++) store_one(ctile + i * job->ldc + j, edge[i * nr + j], store);
            }
        }
    }
}

static void run_chunk(void *context, long chunk) {
    const bf16_job *job = context;
    const bf16_path *path = job->path;
    long mr = path->mr, nr = path->nr;
    long ci0 = (chunk / job->chunks_n) * job->rows, cj0 = (chunk % job->chunks_n) * job->cols;
    long ci1 = ci0 + job->rows < job->m ? ci0 + job->rows : job->m;
    long cj1 = cj0 + job->cols < job->n ? cj0 + job->cols : job->n;
    if (ci0 >= ci1 || cj0 >= cj1) return;
    long kc_max = job->k < ATTUNE_GEMM_KC ? job->k : ATTUNE_GEMM_KC;
    long pairs_max = (kc_max + 1) / 2;
    long mc_max = path->mc_max, nc_max = path->nc_max;
    uint32_t *ap = scratch_for(pairs_max * (mc_max + nc_max + nr));
    if (!ap) abort();  // out of memory for a few megabytes: nothing sensible remains
    uint32_t *bp = ap + pairs_max * mc_max;
    for (long j0 = cj0; j0 < cj1; j0 += nc_max) {
        long nc = cj1 - j0 < nc_max ? cj1 - j0 : nc_max;
        for (long p0 = job->k_begin; p0 < job->k_end; p0 += ATTUNE_GEMM_KC) {
            long kc = job->k - p0 < ATTUNE_GEMM_KC ? job->k - p0 : ATTUNE_GEMM_KC;
            long pairs = (kc + 1) / 2;
            bf16_store store = {job->alpha, p0 > 0 || job->accumulate_first};
            // op(B)'s columns are B's rows when B is transposed: "pairs along rows".
            const uint32_t *bslab = bp;
            if (job->packed_b) bslab = job->packed_b + p0 / 2 * job->n_padded + j0 * pairs;
            else pack_panels(path, !job->trans_b, job->b, job->ldb, j0, nc, p0, kc, nr, bp);
            long blocks = (ci1 - ci0 + mc_max - 1) / mc_max;
            long mc_even = ((ci1 - ci0 + blocks - 1) / blocks + mr - 1) / mr * mr;
            for (long i0 = ci0; i0 < ci1; i0 += mc_even) {
                long mc = ci1 - i0 < mc_even ? ci1 - i0 : mc_even;
                if (job->packed_a) {
                    multiply_block(job, packed_a_at(job, i0, p0, pairs), bslab, pairs, i0, mc, j0, nc, store);
                    continue;
                }
                pack_a_block(job, i0, mc, p0, kc, ap);
                multiply_block(job, ap, bslab, pairs, i0, mc, j0, nc, store);
            }
        }
    }
}

static void run_job(bf16_job job, float beta, long threads);

void attune_gemm_bf16(int trans_a, int trans_b, long m, long n, long k, float alpha, const float *a, long lda,
                      const float *b, long ldb, float beta, float *c, long ldc, long threads) {
    bf16_job job = {path_for(attune_bf16_path()), trans_a != 0, trans_b != 0, m, n, k, alpha, a, b, lda, ldb, c, ldc,
                    beta != 0.0f, 0, 0, 0, NULL, 0, NULL, 0, 0, k};
    run_job(job, beta, threads);
}

long attune_bf16_packed_b_words(long k, long n, int path) {
    const bf16_path *p = path_for(path);
    long n_padded = (n + p->nr - 1) / p->nr * p->nr;
    return (k + 1) / 2 * n_padded + n_padded;  // K blocks of even length but the last: at most (k+1)/2 pairs
}

typedef struct {
    const bf16_path *path;
    int trans_b;
    long k, n, n_padded;
    const float *b;
    long ldb;
    uint32_t *dst;
} pack_b_job;

/// One K block of op(B), every column, as the GEMM's slabs would pack it.
static void pack_b_block(void *context, long block) {
    const pack_b_job *job = context;
    long p0 = block * ATTUNE_GEMM_KC, kc = job->k - p0 < ATTUNE_GEMM_KC ? job->k - p0 : ATTUNE_GEMM_KC;
    pack_panels(job->path, !job->trans_b, job->b, job->ldb, 0, job->n, p0, kc, job->path->nr, job->dst + p0 / 2 * job->n_padded);
}

void attune_bf16_pack_b(int trans_b, long k, long n, const float *b, long ldb, int path, uint32_t *dst, long threads) {
    if (k <= 0 || n <= 0) return;
    const bf16_path *p = path_for(path);
    pack_b_job job = {p, trans_b != 0, k, n, (n + p->nr - 1) / p->nr * p->nr, b, ldb, dst};
    long blocks = (k + ATTUNE_GEMM_KC - 1) / ATTUNE_GEMM_KC;
    if (blocks == 1 || threads <= 1) for (long i = 0; i < blocks; i++) pack_b_block(&job, i);
    else attune_pool_run(blocks, threads, pack_b_block, &job);
}

void attune_gemm_bf16_packed_b(int trans_a, long m, long n, long k, float alpha, const float *a, long lda, const uint32_t *packed_b,
                               int path, float beta, float *c, long ldc, long threads) {
    if (path != attune_bf16_path()) abort();  // packed for another path: the caller must pack again
    const bf16_path *p = path_for(path);
    bf16_job job = {p, trans_a != 0, 0, m, n, k, alpha, a, NULL, lda, 0, c, ldc,
                    beta != 0.0f, 0, 0, 0, packed_b, (n + p->nr - 1) / p->nr * p->nr, NULL, 0, 0, k};
    run_job(job, beta, threads);
}

/// Checks, beta scaling, chunks and the shared packing of op(A), then the chunks.
static void run_job(bf16_job job, float beta, long threads) {
    long m = job.m, n = job.n, k = job.k;
    float *c = job.c;
    long ldc = job.ldc;
    if (m <= 0 || n <= 0) return;
    if (beta != 0.0f && beta != 1.0f) {
        for (long i = 0; i < m; i++)
            for (long j = 0; j < n; j++) c[i * ldc + j] *= beta;
    }
    if (k <= 0) {
        if (beta == 0.0f)
            for (long i = 0; i < m; i++) memset(c + i * ldc, 0, (size_t)n * sizeof(float));
        return;
    }
    long mr = job.path->mr, nr = job.path->nr;
    // Chunks and the shared packing of op(A) as in gemm.c (one pass of K blocks at a time).
    job.m_padded = (m + mr - 1) / mr * mr;
    int share_a = job.m_padded * (ATTUNE_GEMM_KC / 2) <= SHARED_A_MAX_WORDS;
    long cm, cn;
    gemm_split(m, n, k, mr, threads, share_a, &cm, &cn);
    job.rows = ((m + cm - 1) / cm + mr - 1) / mr * mr;
    job.cols = ((n + cn - 1) / cn + nr - 1) / nr * nr;
    job.chunks_n = (n + job.cols - 1) / job.cols;
    long chunks = ((m + job.rows - 1) / job.rows) * job.chunks_n;
    long slabs = (job.cols + job.path->nc_max - 1) / job.path->nc_max;
    if (!share_a || (job.chunks_n == 1 && slabs == 1)) {
        if (chunks == 1) run_chunk(&job, 0);
        else attune_pool_run(chunks, threads, run_chunk, &job);
        return;
    }
    long pass_k = SHARED_A_MAX_WORDS / job.m_padded / (ATTUNE_GEMM_KC / 2) * ATTUNE_GEMM_KC;
    long pass_words = job.m_padded * ((k < pass_k ? k : pass_k) + 1) / 2;
    job.packed_a = shared_a_for(pass_words + job.m_padded);
    if (!job.packed_a) abort();  // out of memory for a few megabytes: nothing sensible remains
    for (job.k_begin = 0; job.k_begin < k; job.k_begin += pass_k) {
        job.k_end = k - job.k_begin < pass_k ? k : job.k_begin + pass_k;
        long units = ((m + PACK_UNIT_ROWS - 1) / PACK_UNIT_ROWS) * ((job.k_end - job.k_begin + ATTUNE_GEMM_KC - 1) / ATTUNE_GEMM_KC);
        if (units == 1 || threads <= 1) for (long u = 0; u < units; u++) pack_a_unit(&job, u);
        else attune_pool_run(units, threads, pack_a_unit, &job);
        if (chunks == 1) run_chunk(&job, 0);
        else attune_pool_run(chunks, threads, run_chunk, &job);
    }
}
