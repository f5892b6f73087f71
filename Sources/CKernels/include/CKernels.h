#ifndef ATTUNE_CKERNELS_H
#define ATTUNE_CKERNELS_H
// C helpers that Swift cannot express: CPU feature detection (cpuid) and, later, SIMD kernels
// compiled for specific instruction sets and chosen at run time.

/// CPU facts read with cpuid: vendor string, family/model, and the vector features Attune uses.
typedef struct {
    char vendor[13];
    int family;
    int model;
    int avx2;
    int fma;
    int f16c;
    int avx512f;
    int avx512bw;
    int avx512vl;
    int avx512bf16;
    int amx_tile;
    int amx_bf16;
    /// AVX-512 VNNI (`vpdpwssd`, `vpdpbusd`): the 16-bit activation dots use it (quant_act16_vnni.c).
    int avx512vnni;
} attune_cpu_info;

/// Fills `info` from cpuid (all zeros on non-x86 machines).
void attune_cpu_query(attune_cpu_info *info);

/// Asks the kernel for permission to use AMX tile data (Linux arch_prctl). Returns 1 when granted.
int attune_amx_request_permission(void);

/// The vector paths of CKernels' kernels, chosen once by a CPU check (dispatch.c). Every path
/// computes the same bits in the reproducible numerics; the path changes speed only.
enum { ATTUNE_PATH_PORTABLE = 0, ATTUNE_PATH_AVX2 = 1, ATTUNE_PATH_AVX512 = 2 };
/// The best path this CPU runs (AVX2 needs AVX2+FMA+F16C; AVX-512 needs F, BW and VL too).
int attune_kernel_best_path(void);
/// The path kernels take now: the forced one, else the one `ATTUNE_KERNEL_PATH`
/// (`portable|avx2|avx512`) or `ATTUNE_PORTABLE_KERNELS=1` names (read once), else the best;
/// always lowered to the best the CPU has.
int attune_kernel_path(void);
/// 1 when the CPU has FMA: the portable C may then compile its `fmaf` to the instruction (the
/// same correctly rounded result as libm's, so no bit changes).
int attune_kernel_has_fma(void);
/// Forces a path for the whole process (tests run every path this way); -1 undoes it.
void attune_kernel_force_path(int path);
/// "portable", "avx2" or "avx512".
const char *attune_kernel_path_name(int path);

/// Reproducible single-precision GEMM (gemm.c), row-major:
/// `C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C`, op = transpose when `trans_*` is non-zero.
/// Every element is one FMA chain per block of ATTUNE_GEMM_KC consecutive k, blocks added in order
/// (`C = fma(alpha, s, C)`, or `alpha · s` for the first block when beta is 0, when C is not read):
/// the same bits on every path (portable, AVX2, AVX-512) and at any `threads` (the pool's size).
#define ATTUNE_GEMM_KC 256
void attune_sgemm(int trans_a, int trans_b, long m, long n, long k, float alpha, const float *a, long lda,
                  const float *b, long ldb, float beta, float *c, long ldc, long threads);
/// The micro-tile (rows × columns) the GEMM uses on `path`; returns the path it really takes.
int attune_sgemm_micro_tile(int path, long *mr, long *nr);

/// Exponentials for softmax-like rows: 2^k·p(r) with a degree-6 polynomial, the same algorithm
/// and the same bits on every path (AVX2+FMA or portable C with fmaf, as `attune_kernel_path`
/// says). Relative error < 2.4e-7 on [-87.34, 88.72]; inputs below -87.34 give exactly 0, above
/// 88.72 +inf; NaN stays NaN. Sums and maxima reduce in eight lanes in a fixed order, independent
/// of path and alignment.

/// Largest element of x[0..<n] (-inf for n == 0); NaN elements are skipped.
float attune_max(const float *x, long n);
/// Σ exp(x[i] - shift).
float attune_exp_sum(const float *x, long n, float shift);
/// y = softmax(x) over x[0..<n] (y may equal x): exactly attune_exp_scale(x, y, n, m,
/// 1 / attune_exp_sum(x, n, m)) with m = attune_max(x, n), each exponential computed once.
void attune_softmax(const float *x, float *y, long n);
/// y[i] = exp(x[i] - shift) * scale (y may equal x).
void attune_exp_scale(const float *x, float *y, long n, float shift, float scale);
/// y[i] += exp(x[i] - shift) * scale.
void attune_exp_scale_add(const float *x, float *y, long n, float shift, float scale);
/// 1 when the AVX2 path is in use (the results are the same bits either way).
int attune_exp_is_vectorized(void);

/// GGML legacy blocks of 32 (Q8_0, Q4_0, Q4_1; layouts in quant.c): `blocks` blocks dequantized
/// to `dst` (32 floats each), and the fused dot `Σ deq(src)[i] · a[i]` over `32 · blocks` values.
/// AVX2+FMA+F16C when the CPU has them, portable C otherwise; the same bits either way (the
/// portable C follows the AVX2 lane order, quant.c).
void attune_dequant_q8_0(const void *src, long blocks, float *dst);
void attune_dequant_q4_0(const void *src, long blocks, float *dst);
void attune_dequant_q4_1(const void *src, long blocks, float *dst);
float attune_dot_q8_0(const void *src, const float *a, long blocks);
float attune_dot_q4_0(const void *src, const float *a, long blocks);
float attune_dot_q4_1(const void *src, const float *a, long blocks);
/// 1 when the vector path is in use. `attune_quant_force_portable(1)` selects the portable path
/// (tests compare the two), `(0)` the vector path where the CPU has it, `(-1)` what the environment
/// says: `ATTUNE_PORTABLE_KERNELS=1` forces the portable path for the whole process (read at the
/// first call).
int attune_quant_is_vectorized(void);
void attune_quant_force_portable(int on);

/// Causal attention of one head for query rows first_row ..< first_row + rows of a block of tq
/// rows against tk keys (query t sits at position tk − tq + t and sees keys 0 ... tk − tq + t):
/// out_t = softmax(scale · q_t·K)·V, straight from the rows (q_t at q + t·q_stride, key/value j at
/// k/v + j·kv_stride, out_t at out + t·out_stride; d floats each). `scores` holds tk floats of
/// scratch. AVX2+FMA or portable C as the dispatch table says (`attune_kernel_path`); the same bits
/// either way. In attention.c.
void attune_attention_rows(const float *q, long q_stride, const float *k, const float *v, long kv_stride,
                           float *out, long out_stride, long rows, long first_row, long tq, long tk, long d,
                           float scale, float *scores);

/// One query token's attention split into pieces the threads share (decoding), for `group` query
/// heads that share one kv head, with the bits of attune_attention_rows. Scores: s_g[j] =
/// scale · q_g·k_j for `count` keys from `k` (q_g at q + g·d, s_g at s + g·s_stride), each key's
/// row read once for all the heads. Values: columns 0 ..< cols of o_g = Σ_j p_g[j] v_j over
/// `keys` rows from `v` (p_g at p + g·p_stride, o_g at o + g·o_stride; the caller offsets v and
/// o to its first column), each value row read once for all the heads; with `accumulate` the
/// chains continue from o's values (the keys before these), otherwise from 0. In attention.c.
void attune_attention_group_scores(const float *q, long group, const float *k, long kv_stride, long count, long d, float scale,
                                   float *s, long s_stride);
void attune_attention_group_values(const float *p, long p_stride, long group, const float *v, long kv_stride, long keys,
                                   long cols, float *o, long o_stride, int accumulate);

/// Activations quantized to 16 bits per block of 32 for integer dots with the legacy blocks
/// (layout and error in quant_act16.c): `blocks` blocks of `x` into `dst`
/// (`blocks · ATTUNE_ACT16_BLOCK_BYTES` bytes), then `Σ deq(w)[i] · a[i]` over `32 · blocks`
/// values. Same dispatch and forced fallback as the float kernels above (plus AVX-512 VNNI for the
/// dots where the CPU has it and the path allows AVX-512), and the same bits on every path.
#define ATTUNE_ACT16_BLOCK_BYTES 72
void attune_quantize_act16(const float *x, long blocks, void *dst);
float attune_dot_q8_0_act16(const void *w, const void *a, long blocks);
float attune_dot_q4_0_act16(const void *w, const void *a, long blocks);
float attune_dot_q4_1_act16(const void *w, const void *a, long blocks);
/// `y[r] = Σ deq(w_r)[i] · a[i]` for `rows` weight rows stored `row_bytes` apart from `w` (two rows
/// at a time on the vector path).
void attune_matvec_q8_0_act16(const void *w, long row_bytes, long rows, const void *a, long blocks, float *y);
void attune_matvec_q4_0_act16(const void *w, long row_bytes, long rows, const void *a, long blocks, float *y);
void attune_matvec_q4_1_act16(const void *w, long row_bytes, long rows, const void *a, long blocks, float *y);
/// `y[i·ldy + r] = Σ deq(w_r)[j] · a_i[j]` for `acts` activation rows (consecutive, `blocks` blocks
/// each) and `rows` weight rows: each weight block is widened once and dotted with up to four
/// activation rows (batched decoding); row `i`'s results have the bits `matvec` gives it alone.
void attune_matmul_q8_0_act16(const void *w, long row_bytes, long rows, const void *a, long acts, long blocks, float *y, long ldy);
void attune_matmul_q4_0_act16(const void *w, long row_bytes, long rows, const void *a, long acts, long blocks, float *y, long ldy);
void attune_matmul_q4_1_act16(const void *w, long row_bytes, long rows, const void *a, long acts, long blocks, float *y, long ldy);
/// 1 when the dots above take their AVX-512 VNNI path now (quant_act16_vnni.c): the CPU has
/// AVX-512 F, BW, VL and VNNI and the kernel path allows AVX-512. The same bits either way.
int attune_act16_vnni_enabled(void);
/// Decoding's layout of a Q8_0 (type 0), Q4_0 (1) or Q4_1 (2) weight for one activation row
/// (quant_act16_vnni.c): rows in groups of four, each group `4 · row_bytes` bytes (the rows' own
/// size), blocks in chunks of eight with the headers apart from the codes. `attune_act16_rows4_pack`
/// writes groups `group_begin ..< group_end` of `weights` (`row_bytes` apart) at their offsets in
/// `out`; `attune_act16_rows4_matmul` writes `y[j · ldy + 4 · (g − group_begin) + r]` for `acts`
/// consecutive activation rows j, the bits `attune_matvec_*_act16` gives row `4g + r` and
/// activation row j alone (AVX-512 VNNI or AVX2 kernels reading the layout;
/// elsewhere the one-row dot on each row put back together). `attune_act16_rows4_is_vectorized`:
/// 1 when a kernel reads the layout on this CPU and kernel path.
void attune_act16_rows4_pack(int type, const void *weights, long row_bytes, long blocks, long group_begin, long group_end,
                             void *out);
void attune_act16_rows4_matmul(int type, const void *packed, long row_bytes, long group_begin, long group_end,
                               const void *a, long acts, long blocks, float *y, long ldy);
int attune_act16_rows4_is_vectorized(void);

/// Generation's prefill (act16_panels.c, its definition there): a Q8_0 (type 0), Q4_0 (1) or Q4_1
/// (2) weight `[rows, 32·blocks]` repacked into panels of 16 output rows, `ATTUNE_ACT16_PANEL_RECORD_BYTES`
/// per panel and block, `attune_act16_panel_bytes` in all (64-byte aligned); panels
/// `panel_begin ..< panel_end` packed by one call. `attune_act16_panel_gemm` writes
/// `y[i·ldy + r] = Σ_b fma-chain(d_w·d_a · S_b) (+ Q4_1's offsets, `offsets` = 1)` for the rows r of
/// panels `panel_begin ..< panel_end` (below `rows`) and `acts` activation rows of `blocks` blocks
/// (consecutive, attune_quantize_act16's layout): the same bits on every path, each output
/// independent of the tiling, the panel range and the other rows.
#define ATTUNE_ACT16_PANEL_RECORD_BYTES 640
long attune_act16_panel_bytes(long rows, long blocks);
void attune_act16_pack_panels(int type, const void *weights, long row_bytes, long rows, long blocks, long panel_begin,
                              long panel_end, void *panels);
void attune_act16_panel_gemm(const void *panels, long panel_begin, long panel_end, long rows, long blocks, int offsets,
                             const void *activations, long acts, float *y, long ldy);


/// SwiGLU (activation.c), element-wise with the bits of ActivationKernels.swift on every path:
/// y = g·σ(g)·u with σ(g) = 1/(1 + expf(−g)) (libm's expf, as Swift's Float.exp); backward
/// dgate += dy·u·σ·(1 + g·(1 − σ)) and dup += dy·g·σ, each skipped when its pointer is NULL.
void attune_swiglu_forward(const float *gate, const float *up, float *y, long count);
void attune_swiglu_backward(const float *dy, const float *gate, const float *up, float *dgate, float *dup, long count);

/// AdamW's update over `count` values (optimizer.c), element by element exactly as
/// Training/AdamW.swift defines it (the same bits on every path: only independent lanes run side by
/// side): p ← p·decay + neg_step_size·m'/(√v'/bias2_sqrt + epsilon) with m' = m + lerp_weight·(g − m),
/// v' = v·beta2 + one_minus_beta2·g·g.
typedef struct {
    float decay, lerp_weight, beta2, one_minus_beta2, neg_step_size, bias2_sqrt, epsilon;
} attune_adamw_scalars;
void attune_adamw_update(float *p, float *m, float *v, const float *g, long count, const attune_adamw_scalars *scalars);
/// `partial[c − first] = Σ (double)x[i]²` over chunk c (values c·size ..< min((c+1)·size, count)),
/// in index order, one float64 chain per chunk, for the chunks first ..< first + chunks: the bits of
/// the scalar loop; up to eight chains run interleaved.
void attune_sum_squares_chunks(const float *x, long count, long size, long first, long chunks, double *partial);

/// A chunk of a parallel loop: `fn(context, chunk)`.
typedef void (*attune_chunk_fn)(void *context, long chunk);
/// Runs `fn(context, c)` for every `c` in `0..<chunks` on a persistent pool of `threads - 1`
/// workers plus the caller, and returns when all have run (pool.c). Workers spin for
/// `ATTUNE_SPIN_MICROSECONDS` (default 200) after a job before sleeping, so back-to-back small
/// loops do not pay a thread wake-up each. The pool size is fixed by the first call. A call made
/// while another runs (nested, or from a second thread) runs its chunks inline.
void attune_pool_run(long chunks, long threads, attune_chunk_fn fn, void *context);
/// Tells idle pool workers to sleep now instead of spinning (called before multithreaded BLAS work).
void attune_pool_park(void);
/// Memory (`bytes` from `address`) that the thread running chunk `chunk` of the next loops will
/// stream: a pool thread that waits reads its chunk's hint ahead into L2 (pool.c). Prefetches
/// never fault, so a stale hint costs reads, not correctness.
void attune_pool_prefetch_hint(long chunk, const void *address, long bytes);
/// The hint of chunk `chunk` now (tests).
void attune_pool_prefetch_hint_of(long chunk, const void **address, long *bytes);
/// 1 (default): idle pool threads read their hints ahead; 0: they do not (measurements).
void attune_pool_set_idle_prefetch(int enabled);
int attune_pool_idle_prefetch_enabled(void);

#include "gemm_bf16.h"

#endif
