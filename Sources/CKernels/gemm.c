// Attune's own single-precision GEMM, reproducible: the same bits on every CPU, vector path and
// thread count.
//
//   C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C      (row-major; op = identity or transpose)
//
// The arithmetic of one output element is fixed by k alone (ATTUNE_GEMM_KC is part of the
// definition, never tuned per CPU):
//
//   for each block p of KC consecutive k (the last may be shorter), in order:
//       s = 0;  for k in the block, in order:  s = fma(A[i,k], B[k,j], s)      (one FMA chain)
//       C[i,j] = (p == 0 && beta == 0) ? alpha · s : fma(alpha, s, C[i,j])
//
// (beta other than 0 or 1 first scales C by beta.) Nothing else touches an element: the vector
// width only decides how many elements run side by side, the micro-tile shape and the thread
// count only how the output is cut up, so the AVX-512, AVX2 and portable paths give identical
// results at any core count.
//
// The structure is Goto's / BLIS's: the output is cut into one chunk per thread (threads split M
// and N only); within a chunk, for each slab of at most NC columns and each K block, the slice of
// op(B) is packed once into NR-wide column panels, then for each block of at most MC rows the
// slice of op(A) into MR-tall row panels, and a register-blocked micro-kernel multiplies one MR×NR
// block at a time (the B panel stays in L1, the A block in L2). When chunks share rows (a split
// along N) or a chunk has several slabs, op(A) is instead packed once, by all threads, into one
// buffer every chunk reads (a pass of K blocks at a time, passes in K order): each thread used to
// transpose all of A for its half of the columns, ~9% of a training step. Narrow products
// (N ≤ 2·NR) read a row-major A in place instead: there, transposing A would cost more than the
// FMAs it feeds.
#include "CKernels.h"
#include "gemm_driver.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#pragma clang fp contract(off)

/// How one K block's sums reach C: C = alpha·s (first block, beta = 0) or C = fma(alpha, s, C).
typedef struct {
    float alpha;
    int accumulate;
} gemm_store;

/// One path's micro-kernel: an MR×NR block of sums over kc packed columns, stored into C.
typedef void (*gemm_kernel)(long kc, const float *ap, const float *bp, float *c, long ldc, gemm_store store);

/// A micro-kernel that reads MR rows of a row-major A in place (row i at a + i·lda).
typedef void (*gemm_rows_kernel)(long kc, const float *a, long lda, const float *bp, float *c, long ldc, gemm_store store);

typedef struct {
    long mr, nr;       // micro-tile
    long mc_max, nc_max;
    gemm_kernel kernel;
    gemm_rows_kernel rows_kernel;  // or NULL
} gemm_path;

#if defined(__x86_64__)
#include <immintrin.h>
#define AVX2_GEMM __attribute__((target("avx2,fma")))
#define AVX512_GEMM __attribute__((target("avx512f,avx512bw,avx512vl,avx2,fma")))

// Packing with AVX2 for the two layouts that transpose: op(A) = A (rows of A become columns of a
// panel) and op(B) = Bᵀ (rows of B, a linear layer's weights, become columns of a panel). 8×8
// blocks go through registers; the values are only moved, so every path may use these.

/// Transposes the 8×8 block whose rows are r[0..7] (eight floats each) in place.
AVX2_GEMM static inline void transpose8(__m256 r[8]) {
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(u0, u4, 0x20); r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    r[2] = _mm256_permute2f128_ps(u2, u6, 0x20); r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    r[4] = _mm256_permute2f128_ps(u0, u4, 0x31); r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    r[6] = _mm256_permute2f128_ps(u2, u6, 0x31); r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

/// `dst[k·width + c] = src[c·stride + k]` for c < count (≤ 8), k < kc: up to eight source rows
/// become eight columns of a panel `width` floats wide. Rows past `count` are not read.
AVX2_GEMM static void transpose_rows_avx2(const float *src, long stride, long count, long kc, float *dst, long width) {
    long k = 0;
    if (count == 8) {
        for (; k + 8 <= kc; k += 8) {
            __m256 r[8];
            for (int c = 0; c < 8; c++) r[c] = _mm256_loadu_ps(src + c * stride + k);
            transpose8(r);
            for (int t = 0; t < 8; t++) _mm256_storeu_ps(dst + (k + t) * width, r[t]);
        }
    } else if (count == 4) {  // the last four rows of a 12-row panel: 4×4 blocks, plain stores
        for (; k + 4 <= kc; k += 4) {
            __m128 r0 = _mm_loadu_ps(src + k), r1 = _mm_loadu_ps(src + stride + k);
            __m128 r2 = _mm_loadu_ps(src + 2 * stride + k), r3 = _mm_loadu_ps(src + 3 * stride + k);
            _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
            _mm_storeu_ps(dst + k * width, r0);
            _mm_storeu_ps(dst + (k + 1) * width, r1);
            _mm_storeu_ps(dst + (k + 2) * width, r2);
            _mm_storeu_ps(dst + (k + 3) * width, r3);
        }
    } else {
        // Fewer rows: the missing ones are zeros, and stores are masked to `count` lanes.
        __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), lanes);
        for (; k + 8 <= kc; k += 8) {
            __m256 r[8];
            for (int c = 0; c < 8; c++) r[c] = c < count ? _mm256_loadu_ps(src + c * stride + k) : _mm256_setzero_ps();
            transpose8(r);
            for (int t = 0; t < 8; t++) _mm256_maskstore_ps(dst + (k + t) * width, mask, r[t]);
        }
    }
    for (; k < kc; k++)
        for (long c = 0; c < count; c++) dst[k * width + c] = src[c * stride + k];
}

/// `dst[k·width + c] = src[k·stride + c]` for c < count (≤ 32) and zeros for count ≤ c < width
/// (≤ 32), k < kc: rows of a slice copied into a panel with masked 512-bit moves.
AVX512_GEMM static void copy_rows_avx512(const float *src, long stride, long count, long kc, float *dst, long width) {
    __mmask16 lo = (__mmask16)(count >= 16 ? 0xFFFF : (1u << count) - 1);
    __mmask16 hi = (__mmask16)(count >= 32 ? 0xFFFF : count > 16 ? (1u << (count - 16)) - 1 : 0);
    if (width == 32) {
        for (long k = 0; k < kc; k++) {
            _mm512_storeu_ps(dst + k * 32, _mm512_maskz_loadu_ps(lo, src + k * stride));
            _mm512_storeu_ps(dst + k * 32 + 16, _mm512_maskz_loadu_ps(hi, src + k * stride + 16));
        }
    } else if (width == 16) {
        for (long k = 0; k < kc; k++) _mm512_storeu_ps(dst + k * 16, _mm512_maskz_loadu_ps(lo, src + k * stride));
    } else {  // width < 16 (an MR-tall A panel): masked stores keep within the panel
        __mmask16 panel = (__mmask16)((1u << width) - 1);
        for (long k = 0; k < kc; k++) _mm512_mask_storeu_ps(dst + k * width, panel, _mm512_maskz_loadu_ps(lo, src + k * stride));
    }
}
#endif

/// Whether the AVX2 packers may run (any vector path), and the AVX-512 copies.
static int pack_with_avx2(void) { return attune_kernel_path() >= ATTUNE_PATH_AVX2; }
static int pack_with_avx512(void) { return attune_kernel_path() >= ATTUNE_PATH_AVX512; }


// ---------------------------------------------------------------------------------------------
// Packing (portable C; shared by every path: the copies change no value).

/// op(A)[i0 ..< i0+mc, p0 ..< p0+kc] into panels of mr rows: panel r holds, for each k, the mr
/// values of rows r·mr ..< r·mr+mr (zeros past the last row).
static void pack_a(int trans, const float *a, long lda, long i0, long mc, long p0, long kc, long mr, float *dst) {
    for (long r = 0; r < mc; r += mr) {
        long rows = mc - r < mr ? mc - r : mr;
        if (!trans) {
#if defined(__x86_64__)
            if (pack_with_avx2()) {
                for (long i = 0; i < rows; i += 8)
                    transpose_rows_avx2(a + (i0 + r + i) * lda + p0, lda, rows - i < 8 ? rows - i : 8, kc, dst + i, mr);
            } else
#endif
            for (long i = 0; i < rows; i++) {
                const float *src = a + (i0 + r + i) * lda + p0;
                for (long k = 0; k < kc; k++) dst[k * mr + i] = src[k];
            }
        } else {
#if defined(__x86_64__)
            if (pack_with_avx512() && mr <= 32) {
                copy_rows_avx512(a + p0 * lda + i0 + r, lda, rows, kc, dst, mr);
                dst += kc * mr;
                continue;
            }
#endif
            for (long k = 0; k < kc; k++) {
                const float *src = a + (p0 + k) * lda + i0 + r;
                for (long i = 0; i < rows; i++) dst[k * mr + i] = src[i];
            }
        }
        if (rows < mr)
            for (long k = 0; k < kc; k++)
                for (long i = rows; i < mr; i++) dst[k * mr + i] = 0;
        dst += kc * mr;
    }
}

/// op(B)[p0 ..< p0+kc, j0 ..< j0+nc] into panels of nr columns: panel q holds, for each k, the nr
/// values of columns q·nr ..< q·nr+nr (zeros past the last column).
static void pack_b(int trans, const float *b, long ldb, long p0, long kc, long j0, long nc, long nr, float *dst) {
    for (long q = 0; q < nc; q += nr) {
        long cols = nc - q < nr ? nc - q : nr;
        if (!trans) {
#if defined(__x86_64__)
            if (pack_with_avx512() && nr <= 32) {
                copy_rows_avx512(b + p0 * ldb + j0 + q, ldb, cols, kc, dst, nr);
                dst += kc * nr;
                continue;
            }
#endif
            for (long k = 0; k < kc; k++) {
                const float *src = b + (p0 + k) * ldb + j0 + q;
                float *row = dst + k * nr;
                for (long j = 0; j < cols; j++) row[j] = src[j];
                for (long j = cols; j < nr; j++) row[j] = 0;
            }
        } else {
#if defined(__x86_64__)
            if (pack_with_avx2()) {
                for (long j = 0; j < cols; j += 8)
                    transpose_rows_avx2(b + (j0 + q + j) * ldb + p0, ldb, cols - j < 8 ? cols - j : 8, kc, dst + j, nr);
            } else
#endif
            for (long j = 0; j < cols; j++) {
                const float *src = b + (j0 + q + j) * ldb + p0;
                for (long k = 0; k < kc; k++) dst[k * nr + j] = src[k];
            }
            if (cols < nr)
                for (long k = 0; k < kc; k++)
                    for (long j = cols; j < nr; j++) dst[k * nr + j] = 0;
        }
        dst += kc * nr;
    }
}

/// The store rule for one element (every path's partial tiles, and the portable path).
static inline void store_one(float *c, float s, gemm_store store) {
    *c = store.accumulate ? fmaf(store.alpha, s, *c) : store.alpha * s;
}

// ---------------------------------------------------------------------------------------------
// Portable path: 4×16, one fmaf chain per element.

#define PORTABLE_MR 4
#define PORTABLE_NR 16

#define PORTABLE_KERNEL_BODY                                                                       \
    float s[PORTABLE_MR][PORTABLE_NR] = {{0}};                                                     \
    for (long k = 0; k < kc; k++, ap += PORTABLE_MR, bp += PORTABLE_NR)                            \
        for (int i = 0; i < PORTABLE_MR; i++)                                                      \
            for (int j = 0; j < PORTABLE_NR; j++) s[i][j] = fmaf(ap[i], bp[j], s[i][j]);          \
    for (int i = 0; i < PORTABLE_MR; i++)                                                          \
        for (int j = 0; j < PORTABLE_NR; j++) store_one(c + i * ldc + j, s[i][j], store);

static void kernel_portable_libm(long kc, const float *ap, const float *bp, float *c, long ldc, gemm_store store) {
    PORTABLE_KERNEL_BODY
}

#if defined(__x86_64__)
// The same C where the CPU has FMA: fmaf is correctly rounded either way, so this changes no bit,
// only saves a libm call per multiply-add (the portable path's GEMM runs about 10× faster).
__attribute__((target("fma"))) static void kernel_portable_fma(long kc, const float *ap, const float *bp, float *c, long ldc,
                                                               gemm_store store) {
    PORTABLE_KERNEL_BODY
}
#endif

static void kernel_portable(long kc, const float *ap, const float *bp, float *c, long ldc, gemm_store store) {
#if defined(__x86_64__)
    if (attune_kernel_has_fma()) {
        kernel_portable_fma(kc, ap, bp, c, ldc, store);
        return;
    }
#endif
    kernel_portable_libm(kc, ap, bp, c, ldc, store);
}

#if defined(__x86_64__)
// AVX2 path: 6×16 (twelve ymm accumulators, two B loads and six broadcasts per k).
AVX2_GEMM static inline __m256 store8_avx2(const float *c, __m256 s, __m256 alpha, int accumulate) {
    return accumulate ? _mm256_fmadd_ps(alpha, s, _mm256_loadu_ps(c)) : _mm256_mul_ps(alpha, s);
}

AVX2_GEMM static void kernel_avx2(long kc, const float *ap, const float *bp, float *c, long ldc, gemm_store store) {
    for (int i = 0; i < 6; i++) {  // the C tile is needed at the end: start fetching it now
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 15), _MM_HINT_T0);
    }
    __m256 s00 = _mm256_setzero_ps(), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00;
    __m256 s30 = s00, s31 = s00, s40 = s00, s41 = s00, s50 = s00, s51 = s00;
    for (long k = 0; k < kc; k++, ap += 6, bp += 16) {
        __m256 b0 = _mm256_loadu_ps(bp), b1 = _mm256_loadu_ps(bp + 8), a;
        a = _mm256_broadcast_ss(ap + 0); s00 = _mm256_fmadd_ps(a, b0, s00); s01 = _mm256_fmadd_ps(a, b1, s01);
        a = _mm256_broadcast_ss(ap + 1); s10 = _mm256_fmadd_ps(a, b0, s10); s11 = _mm256_fmadd_ps(a, b1, s11);
        a = _mm256_broadcast_ss(ap + 2); s20 = _mm256_fmadd_ps(a, b0, s20); s21 = _mm256_fmadd_ps(a, b1, s21);
        a = _mm256_broadcast_ss(ap + 3); s30 = _mm256_fmadd_ps(a, b0, s30); s31 = _mm256_fmadd_ps(a, b1, s31);
        a = _mm256_broadcast_ss(ap + 4); s40 = _mm256_fmadd_ps(a, b0, s40); s41 = _mm256_fmadd_ps(a, b1, s41);
        a = _mm256_broadcast_ss(ap + 5); s50 = _mm256_fmadd_ps(a, b0, s50); s51 = _mm256_fmadd_ps(a, b1, s51);
    }
    __m256 al = _mm256_set1_ps(store.alpha);
    int acc = store.accumulate;
#define ROW(i, x0, x1)                                                             \
    _mm256_storeu_ps(c + (i) * ldc, store8_avx2(c + (i) * ldc, x0, al, acc));     \
    _mm256_storeu_ps(c + (i) * ldc + 8, store8_avx2(c + (i) * ldc + 8, x1, al, acc));
    ROW(0, s00, s01) ROW(1, s10, s11) ROW(2, s20, s21) ROW(3, s30, s31) ROW(4, s40, s41) ROW(5, s50, s51)
#undef ROW
}

/// The AVX2 kernel reading six rows of a row-major A in place (row i of the panel at a + i·lda),
/// for narrow products (N ≤ 32), where transposing A into panels would cost more than the
/// multiply-adds it feeds. The arithmetic is the packed kernel's, element for element.
AVX2_GEMM static void kernel_avx2_rows(long kc, const float *a, long lda, const float *bp, float *c, long ldc, gemm_store store) {
    const float *a0 = a, *a1 = a + lda, *a2 = a + 2 * lda, *a3 = a + 3 * lda, *a4 = a + 4 * lda, *a5 = a + 5 * lda;
    __m256 s00 = _mm256_setzero_ps(), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00;
    __m256 s30 = s00, s31 = s00, s40 = s00, s41 = s00, s50 = s00, s51 = s00;
    for (long k = 0; k < kc; k++, bp += 16) {
        __m256 b0 = _mm256_loadu_ps(bp), b1 = _mm256_loadu_ps(bp + 8), x;
        x = _mm256_broadcast_ss(a0 + k); s00 = _mm256_fmadd_ps(x, b0, s00); s01 = _mm256_fmadd_ps(x, b1, s01);
        x = _mm256_broadcast_ss(a1 + k); s10 = _mm256_fmadd_ps(x, b0, s10); s11 = _mm256_fmadd_ps(x, b1, s11);
        x = _mm256_broadcast_ss(a2 + k); s20 = _mm256_fmadd_ps(x, b0, s20); s21 = _mm256_fmadd_ps(x, b1, s21);
        x = _mm256_broadcast_ss(a3 + k); s30 = _mm256_fmadd_ps(x, b0, s30); s31 = _mm256_fmadd_ps(x, b1, s31);
        x = _mm256_broadcast_ss(a4 + k); s40 = _mm256_fmadd_ps(x, b0, s40); s41 = _mm256_fmadd_ps(x, b1, s41);
        x = _mm256_broadcast_ss(a5 + k); s50 = _mm256_fmadd_ps(x, b0, s50); s51 = _mm256_fmadd_ps(x, b1, s51);
    }
    __m256 al = _mm256_set1_ps(store.alpha);
    int acc = store.accumulate;
#define ROW(i, x0, x1)                                                             \
    _mm256_storeu_ps(c + (i) * ldc, store8_avx2(c + (i) * ldc, x0, al, acc));     \
    _mm256_storeu_ps(c + (i) * ldc + 8, store8_avx2(c + (i) * ldc + 8, x1, al, acc));
    ROW(0, s00, s01) ROW(1, s10, s11) ROW(2, s20, s21) ROW(3, s30, s31) ROW(4, s40, s41) ROW(5, s50, s51)
#undef ROW
}

// AVX-512 path: 12×32 (twenty-four zmm accumulators, two B loads and twelve broadcasts per k).
AVX512_GEMM static inline __m512 store16_avx512(const float *c, __m512 s, __m512 alpha, int accumulate) {
    return accumulate ? _mm512_fmadd_ps(alpha, s, _mm512_loadu_ps(c)) : _mm512_mul_ps(alpha, s);
}

AVX512_GEMM static void kernel_avx512(long kc, const float *ap, const float *bp, float *c, long ldc, gemm_store store) {
    __m512 s[12][2];
    for (int i = 0; i < 12; i++) {
        s[i][0] = s[i][1] = _mm512_setzero_ps();
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);  // needed at the end: fetch it now
        _mm_prefetch((const char *)(c + i * ldc + 31), _MM_HINT_T0);
    }
#pragma clang loop unroll_count(4)
    for (long k = 0; k < kc; k++, ap += 12, bp += 32) {
        __m512 b0 = _mm512_loadu_ps(bp), b1 = _mm512_loadu_ps(bp + 16);
#pragma clang loop unroll(full)
        for (int i = 0; i < 12; i++) {
            __m512 a = _mm512_set1_ps(ap[i]);
            s[i][0] = _mm512_fmadd_ps(a, b0, s[i][0]);
            s[i][1] = _mm512_fmadd_ps(a, b1, s[i][1]);
        }
    }
    __m512 al = _mm512_set1_ps(store.alpha);
#pragma clang loop unroll(full)
    for (int i = 0; i < 12; i++) {
        _mm512_storeu_ps(c + i * ldc, store16_avx512(c + i * ldc, s[i][0], al, store.accumulate));
        _mm512_storeu_ps(c + i * ldc + 16, store16_avx512(c + i * ldc + 16, s[i][1], al, store.accumulate));
    }
}
#endif

static const gemm_path portable_path = {PORTABLE_MR, PORTABLE_NR, 128, 512, kernel_portable, NULL};
#if defined(__x86_64__)
static const gemm_path avx2_path = {6, 16, 252, 1024, kernel_avx2, kernel_avx2_rows};
static const gemm_path avx512_path = {12, 32, 252, 1024, kernel_avx512, NULL};
#endif

static const gemm_path *path_for(int path) {
#if defined(__x86_64__)
    if (path >= ATTUNE_PATH_AVX512) return &avx512_path;
    if (path >= ATTUNE_PATH_AVX2) return &avx2_path;
#endif
    (void)path;
    return &portable_path;
}

// ---------------------------------------------------------------------------------------------
// Driver.

/// Per-thread packing buffers, kept between calls (pool workers live as long as the process).
static _Thread_local void *scratch;
static _Thread_local long scratch_bytes;

static float *scratch_for(long floats) { return gemm_buffer(&scratch, &scratch_bytes, floats * (long)sizeof(float)); }

/// The caller's buffer for op(A) packed once and shared by every chunk (read by the pool's
/// workers while the caller waits in `attune_pool_run`), kept between calls.
#define SHARED_A_MAX_FLOATS (4L << 20)
static _Thread_local void *shared_a;
static _Thread_local long shared_a_bytes;

static float *shared_a_for(long floats) { return gemm_buffer(&shared_a, &shared_a_bytes, floats * (long)sizeof(float)); }

typedef struct {
    const gemm_path *path;
    int trans_a, trans_b;
    long m, n, k;
    float alpha;
    const float *a, *b;
    long lda, ldb;
    float *c;
    long ldc;
    int accumulate_first;  // beta != 0: the first K block adds to C too
    long rows, cols, chunks_n;  // a chunk's rows and columns, and the number of chunks along N
    int direct_a;               // full row panels read A in place (path->rows_kernel)
    float *packed_a;            // op(A) packed once for every chunk (or NULL: each chunk packs its own)
    long m_padded;              // rows of packed_a: m rounded up to MR
    long k_begin, k_end;        // the K blocks this pass runs (packed_a holds exactly these)
} gemm_job;

/// Where row `i0` (a multiple of MR) of the K block starting at `p0` sits in the shared packed A:
/// K block after K block, each holding every MR-row panel of that block (kc·MR floats) in order.
static inline float *packed_a_at(const gemm_job *job, long i0, long p0, long kc) {
    return job->packed_a + (p0 - job->k_begin) * job->m_padded + i0 * kc;
}

/// Rows of op(A) one unit of the shared packing job covers (a multiple of every MR).
#define PACK_UNIT_ROWS 96

/// One unit of packing op(A) for every chunk: PACK_UNIT_ROWS rows of one K block of the pass.
static void pack_a_unit(void *context, long unit) {
    const gemm_job *job = context;
    long groups = (job->m + PACK_UNIT_ROWS - 1) / PACK_UNIT_ROWS;
    long p0 = job->k_begin + (unit / groups) * ATTUNE_GEMM_KC, i0 = (unit % groups) * PACK_UNIT_ROWS;
    long kc = job->k - p0 < ATTUNE_GEMM_KC ? job->k - p0 : ATTUNE_GEMM_KC;
    long rows = job->m - i0 < PACK_UNIT_ROWS ? job->m - i0 : PACK_UNIT_ROWS;
    pack_a(job->trans_a, job->a, job->lda, i0, rows, p0, kc, job->path->mr, packed_a_at(job, i0, p0, kc));
}

/// The macro-kernel: the packed A block (mc rows) times the packed B block (nc columns) over one K
/// block, one MR×NR micro-tile at a time (B's micro-panel stays in L1 while A's block streams
/// from L2), into C at (i0, j0).
static void multiply_block(const gemm_job *job, const float *ap, const float *bp, long kc, long i0, long mc, long j0, long nc,
                           long p0, gemm_store store) {
    const gemm_path *path = job->path;
    long mr = path->mr, nr = path->nr;
    float edge[12 * 32];  // partial micro-tiles go through here (largest MR×NR)
    for (long q = 0; q < nc; q += nr) {
        long cols = nc - q < nr ? nc - q : nr;
        const float *bpanel = bp + q * kc;
        for (long r = 0; r < mc; r += mr) {
            long rows = mc - r < mr ? mc - r : mr;
            const float *apanel = ap + r * kc;
            float *ctile = job->c + (i0 + r) * job->ldc + j0 + q;
            if (rows == mr && cols == nr && job->direct_a) {
                path->rows_kernel(kc, job->a + (i0 + r) * job->lda + p0, job->lda, bpanel, ctile, job->ldc, store);
            } else if (rows == mr && cols == nr) {
                path->kernel(kc, apanel, bpanel, ctile, job->ldc, store);
            } else if (job->direct_a && rows == mr) {
                gemm_store plain = {1.0f, 0};
                path->rows_kernel(kc, job->a + (i0 + r) * job->lda + p0, job->lda, bpanel, edge, nr, plain);
                for (long i = 0; i < rows; i++)
                    for (long j = 0; j < cols; j++) store_one(ctile + i * job->ldc + j, edge[i * nr + j], store);
            } else {
                // The kernel writes plain sums (alpha 1, no accumulation: exact copies of s),
                // then the store rule runs per element.
                gemm_store plain = {1.0f, 0};
                path->kernel(kc, apanel, bpanel, edge, nr, plain);
                for (long i = 0; i < rows; i++)
                    for (long j = 0; j < cols; j++) store_one(ctile + i * job->ldc + j, edge[i * nr + j], store);
            }
        }
    }
}

/// One chunk of the output (a block of rows × a block of columns), in Goto's order: for each
/// slab of at most NC columns and each K block (in order), pack that slice of op(B) once, then for
/// each block of at most MC rows pack op(A)'s slice and run the macro-kernel.
static void run_chunk(void *context, long chunk) {
    const gemm_job *job = context;
    const gemm_path *path = job->path;
    long mr = path->mr, nr = path->nr;
    long ci0 = (chunk / job->chunks_n) * job->rows, cj0 = (chunk % job->chunks_n) * job->cols;
    long ci1 = ci0 + job->rows < job->m ? ci0 + job->rows : job->m;
    long cj1 = cj0 + job->cols < job->n ? cj0 + job->cols : job->n;
    if (ci0 >= ci1 || cj0 >= cj1) return;
    long kc_max = job->k < ATTUNE_GEMM_KC ? job->k : ATTUNE_GEMM_KC;
    long mc_max = path->mc_max, nc_max = path->nc_max;
    float *ap = scratch_for(kc_max * (mc_max + nc_max + nr));
    if (!ap) abort();  // out of memory for a few megabytes: nothing sensible remains
    float *bp = ap + kc_max * mc_max;
    for (long j0 = cj0; j0 < cj1; j0 += nc_max) {
        long nc = cj1 - j0 < nc_max ? cj1 - j0 : nc_max;
        for (long p0 = job->k_begin; p0 < job->k_end; p0 += ATTUNE_GEMM_KC) {
            long kc = job->k - p0 < ATTUNE_GEMM_KC ? job->k - p0 : ATTUNE_GEMM_KC;
            gemm_store store = {job->alpha, p0 > 0 || job->accumulate_first};
            pack_b(job->trans_b, job->b, job->ldb, p0, kc, j0, nc, nr, bp);
            // Row blocks of equal size (multiples of MR), so the last one is not a sliver.
            long blocks = (ci1 - ci0 + mc_max - 1) / mc_max;
            long mc_even = ((ci1 - ci0 + blocks - 1) / blocks + mr - 1) / mr * mr;
            for (long i0 = ci0; i0 < ci1; i0 += mc_even) {
                long mc = ci1 - i0 < mc_even ? ci1 - i0 : mc_even;
                if (job->packed_a) {
                    multiply_block(job, packed_a_at(job, i0, p0, kc), bp, kc, i0, mc, j0, nc, p0, store);
                    continue;
                }
                if (job->direct_a) {  // only the last, partial panel needs packing
                    long full = mc / mr * mr;
                    if (full < mc) pack_a(job->trans_a, job->a, job->lda, i0 + full, mc - full, p0, kc, mr, ap + full * kc);
                } else {
                    pack_a(job->trans_a, job->a, job->lda, i0, mc, p0, kc, mr, ap);
                }
                multiply_block(job, ap, bp, kc, i0, mc, j0, nc, p0, store);
            }
        }
    }
}

void attune_sgemm(int trans_a, int trans_b, long m, long n, long k, float alpha, const float *a, long lda,
                  const float *b, long ldb, float beta, float *c, long ldc, long threads) {
    if (m <= 0 || n <= 0) return;
    if (beta != 0.0f && beta != 1.0f) {
        for (long i = 0; i < m; i++)
            for (long j = 0; j < n; j++) c[i * ldc + j] *= beta;
    }
    if (k <= 0) {
        if (beta == 0.0f)  // C is not read (it may be uninitialised)
            for (long i = 0; i < m; i++) memset(c + i * ldc, 0, (size_t)n * sizeof(float));
        return;
    }
    int path = attune_kernel_path();
    if (path == ATTUNE_PATH_AVX512 && n <= 16) path = ATTUNE_PATH_AVX2;  // a 32-wide tile would be half empty
    gemm_job job = {path_for(path), trans_a != 0, trans_b != 0, m, n, k, alpha, a, b, lda, ldb, c, ldc,
                    beta != 0.0f, 0, 0, 0, 0, NULL, 0, 0, k};
    long mr = job.path->mr, nr = job.path->nr;
    // Narrow products read A in place: packing would transpose each value of A for a single FMA.
    job.direct_a = !trans_a && n <= 2 * nr && job.path->rows_kernel != NULL;
    // op(A) packed once and shared by every chunk, a pass of K blocks at a time (each pass's
    // buffer at most SHARED_A_MAX_FLOATS; passes run in K order, so every element still adds its
    // K blocks in order): possible unless A is read in place or one K block of it is too large.
    job.m_padded = (m + mr - 1) / mr * mr;
    int share_a = !job.direct_a && job.m_padded * ATTUNE_GEMM_KC <= SHARED_A_MAX_FLOATS;
    // Chunks: one per thread when the output splits evenly (gemm_driver.h). How the output is cut
    // never changes a bit.
    long cm, cn;
    gemm_split(m, n, k, mr, threads, share_a, &cm, &cn);
    job.rows = ((m + cm - 1) / cm + mr - 1) / mr * mr;
    job.cols = ((n + cn - 1) / cn + nr - 1) / nr * nr;
    job.chunks_n = (n + job.cols - 1) / job.cols;
    long chunks = ((m + job.rows - 1) / job.rows) * job.chunks_n;
    // Sharing pays when several chunks share rows (a split along N) or a chunk has several column
    // slabs: each would otherwise pack the same rows of op(A) again.
    long slabs = (job.cols + job.path->nc_max - 1) / job.path->nc_max;
    if (!share_a || (job.chunks_n == 1 && slabs == 1)) {
        if (chunks == 1) run_chunk(&job, 0);
        else attune_pool_run(chunks, threads, run_chunk, &job);
        return;
    }
    long pass_k = SHARED_A_MAX_FLOATS / job.m_padded / ATTUNE_GEMM_KC * ATTUNE_GEMM_KC;
    job.packed_a = shared_a_for(job.m_padded * (k < pass_k ? k : pass_k));
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

int attune_sgemm_micro_tile(int path, long *mr, long *nr) {
    const gemm_path *p = path_for(path);
    *mr = p->mr;
    *nr = p->nr;
    return p == &portable_path ? ATTUNE_PATH_PORTABLE : (p->mr == 6 ? ATTUNE_PATH_AVX2 : ATTUNE_PATH_AVX512);
}
