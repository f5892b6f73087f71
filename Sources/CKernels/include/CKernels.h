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

#endif
