#ifndef ATTUNE_GEMM_BF16_H
#define ATTUNE_GEMM_BF16_H
// The bf16 GEMM of `numerics=bf16` (gemm_bf16.c): fp32 matrices in, rounded to bfloat16, products
// summed in fp32 exactly as AVX512_BF16's `vdpbf16ps` sums them, in the reproducible GEMM's block
// order. A portable emulation and the AVX512_BF16 path compute the same bits.
#include <stdint.h>

/// fp32 → bfloat16, rounded to nearest even as PyTorch's `.to(torch.bfloat16)`: overflow gives ±inf,
/// fp32 denormals round like any other value, every NaN becomes 0x7FC0.
uint16_t attune_bf16_round(float x);
/// bfloat16 → fp32 (exact: the 16 bits become the high half).
float attune_bf16_widen(uint16_t h);
/// `dst[i] = attune_bf16_round(src[i])` for i < n.
void attune_bf16_round_array(const float *src, uint16_t *dst, long n);

/// One fp32 lane of `vdpbf16ps` (the definition both paths follow): with `a = (a0, a1)` and
/// `b = (b0, b1)` bf16 pairs (low half first),
///   acc = step(step(acc, a1, b1), a0, b0)      (the odd element first)
/// where bf16 denormals (and a denormal `acc`) read as zero of the same sign, and
/// step(s, x, y) = x·y + s rounded once to nearest even as if the exponent were unbounded, a result
/// below 2^-126 in magnitude flushed to zero of its sign (the product is exact: `fmaf` then a
/// rescaled `fmaf` for the rare results near the underflow threshold). MXCSR is neither read nor set.
float attune_bf16_dot_pair(float acc, uint16_t a0, uint16_t a1, uint16_t b0, uint16_t b1);

/// The bf16 GEMM, row-major, same arguments as `attune_sgemm`:
/// `C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C`, every input value of A and B rounded with
/// `attune_bf16_round` first. Each element, for each block of ATTUNE_GEMM_KC consecutive k (in order):
///   s = +0; for each pair (k, k+1) of the block (k even from its start; a missing last k+1 is +0·+0):
///       s = one `attune_bf16_dot_pair` lane (a[k+1]·b[k+1], then a[k]·b[k])
///   C = (first block && beta == 0) ? alpha · s : fma(alpha, s, C)       (plain fp32, no flushing)
/// and a NaN result is stored as 0x7FC00000. The same bits on the portable and the AVX512_BF16
/// path and at any `threads`.
void attune_gemm_bf16(int trans_a, int trans_b, long m, long n, long k, float alpha, const float *a, long lda,
                      const float *b, long ldb, float beta, float *c, long ldc, long threads);

/// A frozen weight's op(B) packed once for the bf16 GEMM (what `attune_gemm_bf16` packs per call:
/// the same words), K block after K block, each holding ⌈n / NR⌉ panels of pairs × NR words. The
/// layout depends on the path's NR, so a packing serves only the path it was made for.
/// `attune_bf16_packed_b_words` is the buffer's size in 32-bit words; `attune_bf16_pack_b` fills it
/// from op(B)[k×n] (B row-major, `trans_b` as in the GEMM) for `path` (`attune_bf16_path()`).
long attune_bf16_packed_b_words(long k, long n, int path);
void attune_bf16_pack_b(int trans_b, long k, long n, const float *b, long ldb, int path, uint32_t *dst, long threads);
/// `attune_gemm_bf16` with op(B) given packed: the same bits. `path` must be the path now in use
/// (the one the packing was made for; anything else aborts).
void attune_gemm_bf16_packed_b(int trans_a, long m, long n, long k, float alpha, const float *a, long lda, const uint32_t *packed_b,
                               int path, float beta, float *c, long ldc, long threads);

/// The bf16 GEMM's paths.
enum { ATTUNE_BF16_PORTABLE = 0, ATTUNE_BF16_AVX512BF16 = 1 };
/// The best bf16 path this CPU runs (AVX512_BF16 needs AVX-512 F, BW, VL and BF16).
int attune_bf16_best_path(void);
/// The path the bf16 GEMM takes now: AVX512_BF16 when the CPU has it and the kernel path
/// (`attune_kernel_path`, so `ATTUNE_KERNEL_PATH` and forced paths) is AVX-512; else portable.
int attune_bf16_path(void);
/// "avx512bf16" or "portable".
const char *attune_bf16_path_name(int path);

#endif
