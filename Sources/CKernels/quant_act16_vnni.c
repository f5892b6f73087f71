// The AVX-512 VNNI path of the 16-bit activation dots (quant_act16.c defines them): the same bits
// as the portable definition, in fewer instructions than the AVX2 path.
//
// A block's dot in the definition is eight float lanes: lane l holds the exact integer
// S_l = Σ w_i q_i over elements 2l, 2l+1, 16+2l, 17+2l, and takes acc_l = fma(d_w · d_a, S_l, acc_l)
// block after block; the lanes meet in the hsum8 tree after the last block, and Q4_1's offsets
// m_w · s_a form their own fma chain in block order, added last. Here, per block and dot:
//
//   lo, hi = the weight codes of elements 0…15 and 16…31 as int16 (one widening, a mask, a shift)
//   S      = vpdpwssd(vpmaddwd(lo, q[0…15]), hi, q[16…31])      (8 int32 lanes: exactly S_l)
//   acc    = vfmadd(broadcast(d_w · d_a), float(S), acc)         (the scale read from a table)
//
// The int32 sums are exact whatever order the products are added in (|S_l| ≤ 4 · 128 · 32767 < 2^24,
// so their float conversion is exact too), and every float operation is the definition's, lane
// for lane and in the same order. What changes is the work around them: vpdpwssd adds the second
// half's products in the multiply, and the scales d_w · d_a are made four blocks at a time (one
// masked load and one word permutation gather four blocks' half-precision headers, one
// conversion, one multiply) into a table the block loop broadcasts from memory, instead of a
// conversion, a multiply and a broadcast per block. The matrix-vector product runs four weight
// rows per pass (the activation block loaded once) and prefetches rows ahead, since decoding
// streams the weights from memory; the several-activation-rows product runs one weight row
// against up to four activation rows (the weight block widened once). 256-bit registers: on Zen 4
// a 512-bit operation costs two 256-bit ones, so wider registers bought nothing here (measured).
#if defined(__clang__)
#pragma clang fp contract(off)
#else
#pragma STDC FP_CONTRACT OFF
#endif
#include "quant_act16.h"
#include "avx2_common.h"
#include <math.h>
#include <stdatomic.h>

int attune_act16_vnni_enabled(void) {
#if defined(__x86_64__)
    static atomic_int has_vnni = -1;
    int value = atomic_load_explicit(&has_vnni, memory_order_relaxed);
    if (value < 0) {
        attune_cpu_info info;
        attune_cpu_query(&info);
        value = info.avx512f && info.avx512bw && info.avx512vl && info.avx512vnni ? 1 : 0;
        atomic_store_explicit(&has_vnni, value, memory_order_relaxed);
    }
    return value && attune_kernel_path() >= ATTUNE_PATH_AVX512;
#else
    return 0;
#endif
}

#if defined(__x86_64__)
#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c")))
#define VNNI TARGET static inline __attribute__((always_inline))

/// The weight codes of one block as int16, from its codes `q` (past the header): `lo` elements
/// 0…15, `hi` elements 16…31.
VNNI void codes_q8_0(const uint8_t *q, __m256i *lo, __m256i *hi) {
    *lo = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)q));
    *hi = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(q + 16)));
}
VNNI void codes_q4_0(const uint8_t *q, __m256i *lo, __m256i *hi) {
    // Byte j holds element j (low nibble) and element j + 16 (high nibble); widened first, the
    // high nibble needs no mask after the shift.
    __m256i bytes = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)q)), eight = _mm256_set1_epi16(8);
    *lo = _mm256_sub_epi16(_mm256_and_si256(bytes, _mm256_set1_epi16(0x0F)), eight);
    *hi = _mm256_sub_epi16(_mm256_srli_epi16(bytes, 4), eight);
}
VNNI void codes_q4_1(const uint8_t *q, __m256i *lo, __m256i *hi) {
    __m256i bytes = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)q));
    *lo = _mm256_and_si256(bytes, _mm256_set1_epi16(0x0F));
    *hi = _mm256_srli_epi16(bytes, 4);
}
/// The same from a whole block `w` (its header first).
VNNI void weights_q8_0(const uint8_t *w, __m256i *lo, __m256i *hi) { codes_q8_0(w + 2, lo, hi); }
VNNI void weights_q4_0(const uint8_t *w, __m256i *lo, __m256i *hi) { codes_q4_0(w + 2, lo, hi); }
VNNI void weights_q4_1(const uint8_t *w, __m256i *lo, __m256i *hi) { codes_q4_1(w + 4, lo, hi); }

/// The halves of up to four consecutive blocks' headers (`n` of them, from block `w`) as floats:
/// lanes 0…3 the scales d_w, lanes 4…7 the minimums m_w (Q4_1; otherwise the scales again). One
/// masked load and one word permutation, instead of a conversion per block; nothing past block
/// n − 1 is read.
#define HEADERS(T, WORDS, M)                                                                                  \
    VNNI __m256 headers_##T(const uint8_t *w, int n) {                                                        \
        const int words = WORDS * (n - 1) + 2;                                                                \
        static const uint16_t picks[32] = {0, WORDS, 2 * WORDS, 3 * WORDS, M, WORDS + M, 2 * WORDS + M, 3 * WORDS + M}; \
        const __m512i index = _mm512_loadu_si512(picks);                                                      \
        __m512i lo = _mm512_maskz_loadu_epi16((__mmask32)(words >= 32 ? ~0u : (1u << words) - 1), w);        \
        if (3 * WORDS + M < 32) /* four headers within 64 bytes (Q4_0, Q4_1) */                              \
            return _mm256_cvtph_ps(_mm512_castsi512_si128(_mm512_permutexvar_epi16(index, lo)));             \
        __m512i hi = words > 32 ? _mm512_maskz_loadu_epi16((__mmask32)((1u << (words - 32)) - 1), w + 64) : _mm512_setzero_si512(); \
        return _mm256_cvtph_ps(_mm512_castsi512_si128(_mm512_permutex2var_epi16(lo, index, hi)));            \
    }
HEADERS(q8_0, 17, 0)
HEADERS(q4_0, 9, 0)
HEADERS(q4_1, 10, 1)

/// Blocks per pass of the kernels below: their scales (and minimums) are converted first, four
/// blocks at a time, into tables on the stack, then the pass runs over the blocks.
#define CHUNK 64
/// The matrix-vector product prefetches, into L2 (prefetcht1), the weight row this many rows ahead
/// of each row it reads: decoding streams the weights from memory. Measured on a Zen 4, one thread,
/// one token's SmolLM2 projections and output matrix from DRAM (96 MB): 10.3 ms without, 8.6 ms
/// prefetching into L1 (prefetcht0), 5.5 ms into L2; 8 rows ahead 6.9 ms, 32 or 64 rows as 16.
#define PREFETCH_ROWS 16

/// R weight rows `w[r]` against J activation rows `a[j]` (R · J ≤ 4 dots at once), `y[r · J + j]`,
/// each the definition's dot: per block, the 16 weight codes of a half are widened once and
/// multiplied with every activation row's codes (vpmaddwd, then vpdpwssd adds the other half:
/// the exact integer lanes S_l), acc = fma(d_w · d_a, S, acc) with the scale broadcast from the
/// table, and Q4_1's offset chain in scalar fmaf.
#define GROUP_KERNEL(T, BLOCK_BYTES, OFFSETS)                                                                      \
    VNNI void group_##T(const uint8_t *const *w, const attune_act16 *const *a, long blocks, float *y, const int R,  \
                        const int J, const long ahead) {                                                                             \
        __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};     \
        float off[4] = {0, 0, 0, 0};                                                                               \
        (void)off;                                                                                                 \
        _Alignas(64) float scale[4][CHUNK], minimum[4][CHUNK];                                                     \
        /* Four weight rows, one activation row: the rows' offset chains run side by side in one */              \
        /* register, from the minimums transposed to [block][row]. */                                             \
        const int side_by_side = OFFSETS && R == 4 && J == 1;                                                      \
        __m128 offsets4 = _mm_setzero_ps();                                                                        \
        (void)minimum; (void)side_by_side; (void)offsets4;                                                         \
        for (long start = 0; start < blocks; start += CHUNK) {                                                     \
            const long count = blocks - start < CHUNK ? blocks - start : CHUNK;                                    \
            for (long b = 0; b < count; b += 4) {                                                                  \
                const int n = count - b < 4 ? (int)(count - b) : 4;                                                \
                __m128 da = _mm_set1_ps(1);                                                                        \
                if (J == 1) {                                                                                      \
                    const attune_act16 *a0 = a[0] + start + b;                                                     \
                    da = _mm_setr_ps(a0[0].d, a0[n > 1].d, a0[n > 2 ? 2 : 0].d, a0[n > 3 ? 3 : 0].d);              \
                }                                                                                                  \
                __m128 m[4];                                                                                       \
                for (int r = 0; r < R; r++) {                                                                      \
                    __m256 h = headers_##T(w[r] + (start + b) * BLOCK_BYTES, n);                                   \
                    _mm_store_ps(scale[r] + b, J == 1 ? _mm_mul_ps(_mm256_castps256_ps128(h), da) : _mm256_castps256_ps128(h)); \
                    m[r] = _mm256_extractf128_ps(h, 1);                                                            \
                    if (OFFSETS && !side_by_side) _mm_store_ps(minimum[r] + b, m[r]);                              \
                }                                                                                                  \
                if (side_by_side) {                                                                                \
                    _MM_TRANSPOSE4_PS(m[0], m[1], m[2], m[3]);                                                     \
                    for (int k = 0; k < 4; k++) _mm_store_ps(minimum[0] + 4 * (b + k), m[k]);                      \
                }                                                                                                  \
            }                                                                                                      \
            for (long i = 0; i < count; i++) {                                                                     \
                const long b = start + i;                                                                          \
                __m256i a_lo[4], a_hi[4];                                                                          \
                for (int j = 0; j < J; j++) {                                                                      \
                    a_lo[j] = _mm256_loadu_si256((const __m256i *)a[j][b].q);                                      \
                    a_hi[j] = _mm256_loadu_si256((const __m256i *)(a[j][b].q + 16));                               \
                }                                                                                                  \
                for (int r = 0; r < R; r++) {                                                                      \
                    __m256i lo, hi;                                                                                \
                    weights_##T(w[r] + b * BLOCK_BYTES, &lo, &hi);                                                 \
                    if (ahead) _mm_prefetch((const char *)(w[r] + b * BLOCK_BYTES + ahead), _MM_HINT_T1);          \
                    for (int j = 0; j < J; j++) {                                                                  \
                        __m256i s = _mm256_dpwssd_epi32(_mm256_madd_epi16(lo, a_lo[j]), hi, a_hi[j]);              \
                        acc[r * J + j] = _mm256_fmadd_ps(_mm256_set1_ps(J == 1 ? scale[r][i] : scale[r][i] * a[j][b].d), _mm256_cvtepi32_ps(s), acc[r * J + j]); \
                        if (OFFSETS && !side_by_side) off[r * J + j] = fmaf(minimum[r][i], a[j][b].sum, off[r * J + j]); \
                    }                                                                                              \
                }                                                                                                  \
                if (side_by_side)                                                                                  \
                    offsets4 = _mm_fmadd_ps(_mm_load_ps(minimum[0] + 4 * i), _mm_set1_ps(a[0][b].sum), offsets4);  \
            }                                                                                                      \
        }                                                                                                          \
        if (side_by_side) _mm_storeu_ps(off, offsets4);                                                            \
        for (int k = 0; k < R * J; k++) y[k] = OFFSETS ? hsum8(acc[k]) + off[k] : hsum8(acc[k]);                   \
    }
GROUP_KERNEL(q8_0, 34, 0)
GROUP_KERNEL(q4_0, 18, 0)
GROUP_KERNEL(q4_1, 20, 1)

/// group_T for a constant R × J (so the loops above unroll).
#define GROUP(type, w, a, blocks, y, R, J, ahead)                        \
    switch (type) {                                                      \
    case ACT16_Q8_0: group_q8_0(w, a, blocks, y, R, J, ahead); break;    \
    case ACT16_Q4_0: group_q4_0(w, a, blocks, y, R, J, ahead); break;    \
    default: group_q4_1(w, a, blocks, y, R, J, ahead); break;            \
    }

TARGET float attune_act16_vnni_dot(int type, const uint8_t *w, const attune_act16 *a, long blocks) {
    const uint8_t *const rw[1] = {w};
    const attune_act16 *const ra[1] = {a};
    float y;
    GROUP(type, rw, ra, blocks, &y, 1, 1, 0)
    return y;
}

TARGET void attune_act16_vnni_matvec(int type, const uint8_t *w, long row_bytes, long rows, const attune_act16 *a, long blocks,
                                     float *y) {
    const attune_act16 *const ra[1] = {a};
    const long ahead = PREFETCH_ROWS * row_bytes;
    long r = 0;
    for (; r + 3 < rows; r += 4) {
        const uint8_t *const rw[4] = {w + r * row_bytes, w + (r + 1) * row_bytes, w + (r + 2) * row_bytes, w + (r + 3) * row_bytes};
        GROUP(type, rw, ra, blocks, y + r, 4, 1, ahead)
    }
    for (; r < rows; r++) {
        const uint8_t *const rw[1] = {w + r * row_bytes};
        GROUP(type, rw, ra, blocks, y + r, 1, 1, 0)
    }
}

TARGET void attune_act16_vnni_multi(int type, const uint8_t *w, const attune_act16 *a, long a_stride, long blocks,
                                    float *y, long ldy, long n, long ahead) {
    const uint8_t *const rw[1] = {w};
    const attune_act16 *const ra[4] = {a, a + a_stride, a + 2 * a_stride, a + 3 * a_stride};
    float out[4];
    switch (n) {
    case 4: GROUP(type, rw, ra, blocks, out, 1, 4, ahead) break;
    case 3: GROUP(type, rw, ra, blocks, out, 1, 3, ahead) break;
    case 2: GROUP(type, rw, ra, blocks, out, 1, 2, ahead) break;
    default: GROUP(type, rw, ra, blocks, out, 1, 1, ahead) break;
    }
    for (long j = 0; j < n; j++) y[j * ldy] = out[j];
}
/// Decoding's layout (`attune_act16_rows4_pack`), one group of four weight rows: per chunk of
/// n ≤ 8 blocks, the rows' scale halves [row][block] first (one load and one conversion give a
/// row's eight scales), Q4_1's minimum halves [block][row] (one load per block gives the four
/// rows' minimums for their side-by-side offset chains), then the codes [block][row]. Every float
/// operation is matvec's above, in the same order; what goes is the header gathering (a masked
/// load and a word permutation per row and four blocks, a transposition for the minimums), which
/// cost a third of the time of a row-block, and the four row streams become one.
#define ROWS4_KERNEL(T, CODE_BYTES, OFFSETS)                                                                         \
    VNNI void rows4_##T(const uint8_t *g, const attune_act16 *const *a, const float *const *da, const float *const *sa, \
                        long blocks, long ahead, float *y, long ldy, const int J) {                                   \
        __m256 acc[2][4];                                                                                             \
        __m128 off[2] = {_mm_setzero_ps(), _mm_setzero_ps()};                                                         \
        for (int j = 0; j < J; j++)                                                                                   \
            for (int r = 0; r < 4; r++) acc[j][r] = _mm256_setzero_ps();                                              \
        (void)off; (void)sa;                                                                                          \
        for (long c = 0; c < blocks; c += 8) {                                                                        \
            const long n = blocks - c < 8 ? blocks - c : 8;                                                           \
            const long chunk = n * (4 * CODE_BYTES + (OFFSETS ? 16 : 8));                                             \
            for (long line = 0; line < chunk; line += 64) _mm_prefetch((const char *)(g + ahead + line), _MM_HINT_T1); \
            const __mmask8 k = (__mmask8)((1u << n) - 1);                                                             \
            const uint8_t *minimums = g + 8 * n, *codes = g + (OFFSETS ? 16 : 8) * n;                                 \
            (void)minimums;                                                                                           \
            _Alignas(32) float scale[2][4][8];                                                                        \
            for (int r = 0; r < 4; r++) {                                                                             \
                const __m256 dw = _mm256_cvtph_ps(_mm_maskz_loadu_epi16(k, g + 2 * n * r));                          \
                for (int j = 0; j < J; j++) _mm256_store_ps(scale[j][r], _mm256_mul_ps(dw, _mm256_maskz_loadu_ps(k, da[j] + c))); \
            }                                                                                                         \
            for (long i = 0; i < n; i++) {                                                                            \
                const long b = c + i;                                                                                 \
                __m256i a_lo[2], a_hi[2];                                                                             \
                for (int j = 0; j < J; j++) {                                                                         \
                    a_lo[j] = _mm256_loadu_si256((const __m256i *)a[j][b].q);                                         \
                    a_hi[j] = _mm256_loadu_si256((const __m256i *)(a[j][b].q + 16));                                  \
                }                                                                                                     \
                const uint8_t *q = codes + i * 4 * CODE_BYTES;                                                        \
                for (int r = 0; r < 4; r++) {                                                                         \
                    __m256i lo, hi;                                                                                   \
                    codes_##T(q + r * CODE_BYTES, &lo, &hi);                                                          \
                    for (int j = 0; j < J; j++)                                                                       \
                        acc[j][r] = _mm256_fmadd_ps(_mm256_set1_ps(scale[j][r][i]),                                   \
                                                    _mm256_cvtepi32_ps(_mm256_dpwssd_epi32(_mm256_madd_epi16(lo, a_lo[j]), hi, a_hi[j])), acc[j][r]); \
                }                                                                                                     \
                if (OFFSETS) {                                                                                        \
                    const __m128 m = _mm_cvtph_ps(_mm_loadl_epi64((const __m128i *)(minimums + 8 * i)));              \
                    for (int j = 0; j < J; j++) off[j] = _mm_fmadd_ps(m, _mm_set1_ps(sa[j][b]), off[j]);              \
                }                                                                                                     \
            }                                                                                                         \
            g += chunk;                                                                                               \
        }                                                                                                             \
        for (int j = 0; j < J; j++) {                                                                                 \
            float o[4] = {0, 0, 0, 0};                                                                                \
            if (OFFSETS) _mm_storeu_ps(o, off[j]);                                                                    \
            for (int r = 0; r < 4; r++) y[j * ldy + r] = OFFSETS ? hsum8(acc[j][r]) + o[r] : hsum8(acc[j][r]);        \
        }                                                                                                             \
    }
ROWS4_KERNEL(q8_0, 32, 0)
ROWS4_KERNEL(q4_0, 16, 0)
ROWS4_KERNEL(q4_1, 16, 1)

/// rows4_T for one or two activation rows (constant J, so the loops unroll).
#define ROWS4(type, ...)                                                     \
    switch (type) {                                                          \
    case ACT16_Q8_0: rows4_q8_0(__VA_ARGS__); break;                         \
    case ACT16_Q4_0: rows4_q4_0(__VA_ARGS__); break;                         \
    default: rows4_q4_1(__VA_ARGS__); break;                                 \
    }

TARGET void attune_act16_vnni_rows4(int type, const uint8_t *packed, long row_bytes, long group_begin, long group_end,
                                    const attune_act16 *const *a, const float *const *da, const float *const *sa, long acts,
                                    long blocks, float *y, long ldy) {
    const long group_bytes = 4 * row_bytes, ahead = ATTUNE_ACT16_ROWS4_PREFETCH_GROUPS * group_bytes;
    for (long g = group_begin; g < group_end; g++) {
        const uint8_t *group = packed + g * group_bytes;
        float *out = y + 4 * (g - group_begin);
        // Two activation rows at a time; the group's bytes stay in L1 for the next two.
        for (long j = 0; j < acts; j += 2) {
            if (acts - j >= 2) {
                ROWS4(type, group, a + j, da + j, sa + j, blocks, ahead, out + j * ldy, ldy, 2)
            } else {
                ROWS4(type, group, a + j, da + j, sa + j, blocks, ahead, out + j * ldy, ldy, 1)
            }
        }
    }
}
#endif


