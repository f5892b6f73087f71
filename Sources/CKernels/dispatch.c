// The one CPU-dispatch table of CKernels: which vector path every kernel takes.
//
// Read once, at the first kernel call: the CPU's features (cpuid, in cpu.c) give the best path it
// can run; `ATTUNE_KERNEL_PATH=portable|avx2|avx512` in the environment caps the path for the whole
// process, every kernel included (GEMM, exp, quantized blocks, attention), and
// `ATTUNE_PORTABLE_KERNELS=1` is the older spelling of `ATTUNE_KERNEL_PATH=portable`. Tests call
// `attune_kernel_force_path` to run every path the machine has in one process; a forced path the
// CPU lacks is lowered to the best one it has. In the default reproducible numerics every path
// computes the same bits, so the choice changes speed only.
#include "CKernels.h"
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_int best_path = -1;    // what the CPU supports
static atomic_int forced_path = -1;  // -1: not forced (the environment decides)
static atomic_int env_path = -2;     // the environment's cap, read once (-1: none)

int attune_kernel_best_path(void) {
    int best = atomic_load_explicit(&best_path, memory_order_relaxed);
    if (best >= 0) return best;
    attune_cpu_info info;
    attune_cpu_query(&info);
    best = ATTUNE_PATH_PORTABLE;
    if (info.avx2 && info.fma && info.f16c) best = ATTUNE_PATH_AVX2;
    if (best == ATTUNE_PATH_AVX2 && info.avx512f && info.avx512bw && info.avx512vl) best = ATTUNE_PATH_AVX512;
    atomic_store_explicit(&best_path, best, memory_order_relaxed);  // benign race: same answer
    return best;
}

int attune_kernel_has_fma(void) {
    static atomic_int fma = -1;
    int value = atomic_load_explicit(&fma, memory_order_relaxed);
    if (value < 0) {
        attune_cpu_info info;
        attune_cpu_query(&info);
        value = info.fma ? 1 : 0;
        atomic_store_explicit(&fma, value, memory_order_relaxed);
    }
    return value;
}

static int environment_path(void) {
    int value = atomic_load_explicit(&env_path, memory_order_relaxed);
    if (value == -2) {
        value = -1;
        const char *portable = getenv("ATTUNE_PORTABLE_KERNELS");
        const char *path = getenv("ATTUNE_KERNEL_PATH");
        if (portable && *portable && strcmp(portable, "0") != 0) value = ATTUNE_PATH_PORTABLE;
        else if (path && strcmp(path, "portable") == 0) value = ATTUNE_PATH_PORTABLE;
        else if (path && strcmp(path, "avx2") == 0) value = ATTUNE_PATH_AVX2;
        else if (path && strcmp(path, "avx512") == 0) value = ATTUNE_PATH_AVX512;
        atomic_store_explicit(&env_path, value, memory_order_relaxed);
    }
    return value;
}

int attune_kernel_path(void) {
    int best = attune_kernel_best_path();
    int forced = atomic_load_explicit(&forced_path, memory_order_relaxed);
    if (forced < 0) forced = environment_path();
    if (forced >= 0) return forced < best ? forced : best;
    return best;
}

void attune_kernel_force_path(int path) {
    atomic_store_explicit(&forced_path, path < 0 ? -1 : path, memory_order_relaxed);
}

const char *attune_kernel_path_name(int path) {
    switch (path) {
    case ATTUNE_PATH_AVX512: return "avx512";
    case ATTUNE_PATH_AVX2: return "avx2";
    default: return "portable";
    }
}

// The older switch of the block kernels, kept for its callers: on = 1 forces the portable path,
// 0 the best vector path, -1 what the environment says.
void attune_quant_force_portable(int on) {
    attune_kernel_force_path(on < 0 ? -1 : on ? ATTUNE_PATH_PORTABLE : ATTUNE_PATH_AVX512);
}
int attune_quant_is_vectorized(void) { return attune_kernel_path() >= ATTUNE_PATH_AVX2; }
int attune_exp_is_vectorized(void) { return attune_kernel_path() >= ATTUNE_PATH_AVX2; }

// The bf16 GEMM (gemm_bf16.c) has its own two paths: AVX512_BF16 where the CPU has it and the
// kernel path above allows AVX-512, else the portable emulation (the same bits, slower).
static atomic_int bf16_best = -1;

int attune_bf16_best_path(void) {
    int best = atomic_load_explicit(&bf16_best, memory_order_relaxed);
    if (best >= 0) return best;
    attune_cpu_info info;
    attune_cpu_query(&info);
    best = info.avx512f && info.avx512bw && info.avx512vl && info.avx512bf16 ? ATTUNE_BF16_AVX512BF16 : ATTUNE_BF16_PORTABLE;
    atomic_store_explicit(&bf16_best, best, memory_order_relaxed);
    return best;
}

int attune_bf16_path(void) {
    return attune_kernel_path() >= ATTUNE_PATH_AVX512 ? attune_bf16_best_path() : ATTUNE_BF16_PORTABLE;
}

const char *attune_bf16_path_name(int path) { return path == ATTUNE_BF16_AVX512BF16 ? "avx512bf16" : "portable"; }
