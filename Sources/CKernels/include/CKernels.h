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
    int avx512f;
    int avx512bw;
    int avx512vl;
    int avx512bf16;
    int amx_tile;
    int amx_bf16;
} attune_cpu_info;

/// Fills `info` from cpuid (all zeros on non-x86 machines).
void attune_cpu_query(attune_cpu_info *info);

/// Asks the kernel for permission to use AMX tile data (Linux arch_prctl). Returns 1 when granted.
int attune_amx_request_permission(void);

/// Vectorised exponentials for softmax-like rows (AVX2+FMA when the CPU has them, libm otherwise;
/// the choice is made once, at the first call). Accuracy: within 2 ulp of expf; inputs below
/// -87.3 give exactly 0.

/// Largest element of x[0..<n] (-inf for n == 0).
float attune_max(const float *x, long n);
/// Σ exp(x[i] - shift).
float attune_exp_sum(const float *x, long n, float shift);
/// y[i] = exp(x[i] - shift) * scale (y may equal x).
void attune_exp_scale(const float *x, float *y, long n, float shift, float scale);
/// y[i] += exp(x[i] - shift) * scale.
void attune_exp_scale_add(const float *x, float *y, long n, float shift, float scale);
/// 1 when the AVX2 path is in use.
int attune_exp_is_vectorized(void);

/// GGML legacy blocks of 32 (Q8_0, Q4_0, Q4_1; layouts in quant.c): `blocks` blocks dequantized
/// to `dst` (32 floats each), and the fused dot `Σ deq(src)[i] · a[i]` over `32 · blocks` values.
/// AVX2+FMA+F16C when the CPU has them, portable C otherwise.
void attune_dequant_q8_0(const void *src, long blocks, float *dst);
void attune_dequant_q4_0(const void *src, long blocks, float *dst);
void attune_dequant_q4_1(const void *src, long blocks, float *dst);
float attune_dot_q8_0(const void *src, const float *a, long blocks);
float attune_dot_q4_0(const void *src, const float *a, long blocks);
float attune_dot_q4_1(const void *src, const float *a, long blocks);
/// 1 when the vector path is in use; `attune_quant_force_portable(1)` selects the portable path
/// (tests compare the two).
int attune_quant_is_vectorized(void);
void attune_quant_force_portable(int on);

#endif
