// Shared by quant_act16.c (the definition, portable and AVX2) and quant_act16_vnni.c (its
// AVX-512 VNNI path). Internal to CKernels.
#ifndef ATTUNE_QUANT_ACT16_H
#define ATTUNE_QUANT_ACT16_H
#include <stdint.h>
#include "CKernels.h"

/// One activation block (72 bytes): d = max|a_i| / 32767, the float sum of the block, the codes.
typedef struct { float d; float sum; int16_t q[32]; } attune_act16;
_Static_assert(sizeof(attune_act16) == ATTUNE_ACT16_BLOCK_BYTES, "activation block layout");

/// The weight block types of the act16 kernels, in the order the entry points number them.
enum { ACT16_Q8_0 = 0, ACT16_Q4_0 = 1, ACT16_Q4_1 = 2 };

/// Decoding's layout is prefetched this many groups of four rows (16 rows) ahead, into L2: measured
/// on the Zen 4 from DRAM, one thread, 4 groups 19.1–19.9 GB/s, 2 groups 15.4–16.6, 8 groups 18.3.
#define ATTUNE_ACT16_ROWS4_PREFETCH_GROUPS 4

#if defined(__x86_64__)
// The AVX-512 VNNI kernels (quant_act16_vnni.c), each with the bits of the portable definition.
/// `Σ deq(w) · a` over `blocks` blocks of weight type `type`.
float attune_act16_vnni_dot(int type, const uint8_t *w, const attune_act16 *a, long blocks);
/// `y[r] = Σ deq(w_r) · a` for `rows` weight rows `row_bytes` apart.
void attune_act16_vnni_matvec(int type, const uint8_t *w, long row_bytes, long rows, const attune_act16 *a, long blocks,
                              float *y);
/// One weight row against `n` (1…4) activation rows `a_stride` blocks apart, `y[j · ldy]` for
/// row j: each result has the bits of the one-row dot. `ahead`: prefetch distance in bytes (0: none).
/// Groups `group_begin ..< group_end` of a weight in decoding's layout (`attune_act16_rows4_pack`)
/// against `acts` activation rows `a[j]`, whose scales and sums are also given as arrays `da[j]`,
/// `sa[j]` (8 spare lanes past the end): `y[j · ldy + 4 · (g − group_begin) + r]`.
void attune_act16_vnni_rows4(int type, const uint8_t *packed, long row_bytes, long group_begin, long group_end,
                             const attune_act16 *const *a, const float *const *da, const float *const *sa, long acts,
                             long blocks, float *y, long ldy);
void attune_act16_vnni_multi(int type, const uint8_t *w, const attune_act16 *a, long a_stride, long blocks,
                             float *y, long ldy, long n, long ahead);
#endif
#endif
