// What the fp32 and bf16 GEMM drivers (gemm.c, gemm_bf16.c) share: how the output is cut into
// one chunk per thread, and the per-thread buffers they keep between calls. Neither changes a bit:
// an element's arithmetic depends on k alone.
#ifndef ATTUNE_GEMM_DRIVER_H
#define ATTUNE_GEMM_DRIVER_H
#include <stdlib.h>

/// Grows `*buffer` (64-byte aligned, kept between calls) to hold at least `bytes`; NULL when the
/// allocation fails (the caller aborts: a few megabytes short, nothing sensible remains).
static inline void *gemm_buffer(void **buffer, long *capacity, long bytes) {
    if (bytes > *capacity) {
        free(*buffer);
        *buffer = aligned_alloc(64, (size_t)((bytes + 63) / 64 * 64));
        *capacity = *buffer ? bytes : 0;
    }
    return *buffer;
}

/// Chunks cm × cn (rows × columns) for `threads`: none for small products. With op(A) packed once
/// and shared (`share_a`), along N while slabs stay at least 256 columns wide (each chunk then packs
/// only its own columns of B), else along M; without, along whichever dimension makes the slices
/// every chunk packs again the smaller (a split along N repeats A's m·k values, one along M repeats
/// B's k·n).
static inline void gemm_split(long m, long n, long k, long mr, long threads, int share_a, long *cm, long *cn) {
    *cm = 1;
    *cn = 1;
    if (threads <= 1 || (double)m * n * k < 262144.0) return;
    int prefer_n = share_a || m < n;
    while (*cm * *cn < threads) {
        if (prefer_n && n / (*cn + 1) >= 256) (*cn)++;
        else if (m / (*cm + 1) >= mr) (*cm)++;
        else if (n / (*cn + 1) >= 256) (*cn)++;
        else break;
    }
}

#endif
