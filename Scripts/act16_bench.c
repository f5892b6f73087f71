// Decoding's weight dots alone, against the memory they stream from (issue #27): the 16-bit
// activation matrix-vector product (`attune_matvec_*_act16`, the GGUF rows as stored) and the same
// product on decoding's layout (`attune_act16_rows4_*`, `Int16DecodeRows`), over a buffer of random
// SmolLM2-shaped weight rows much larger than the last-level cache, split in contiguous halves (one
// run per thread, as `QuantizedLinear.rowwiseProduct` splits them); beside them a plain read of the
// same buffer (a uint64 sum, as Scripts/read_bandwidth.c measures). GB/s = weight bytes / wall time
// of a pass, best of PASSES after a warm-up. A dot kernel far below the read figure is bound by its
// arithmetic, not by memory. Also checks that the two layouts give the same bits.
//
// Built by Scripts/decode-kernel-bench against Sources/CKernels (clang: the kernels' fp-contract
// pragmas are clang's); ATTUNE_KERNEL_PATH=avx2|portable picks a narrower path as in the engine.
//
// Usage: act16_bench [THREADS] [MIB] [PASSES] [COLUMNS] [TYPE 0=Q8_0 1=Q4_0 2=Q4_1]   one JSON line
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "CKernels.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

enum { MATVEC, ROWS4, READ };
typedef struct {
    int what, type, passes;
    const uint8_t *weights, *packed;
    long row_bytes, blocks, first_group, groups;
    const void *activations;
    float *y;
    uint64_t sum;
    pthread_barrier_t *start, *end;
} Share;

static void run(Share *s) {
    const long first_row = 4 * s->first_group, rows = 4 * s->groups;
    switch (s->what) {
    case MATVEC: {
        const uint8_t *w = s->weights + first_row * s->row_bytes;
        float *y = s->y + first_row;
        if (s->type == 0) attune_matvec_q8_0_act16(w, s->row_bytes, rows, s->activations, s->blocks, y);
        else if (s->type == 1) attune_matvec_q4_0_act16(w, s->row_bytes, rows, s->activations, s->blocks, y);
        else attune_matvec_q4_1_act16(w, s->row_bytes, rows, s->activations, s->blocks, y);
        break;
    }
    case ROWS4:
        attune_act16_rows4_matmul(s->type, s->packed, s->row_bytes, s->first_group, s->first_group + s->groups, s->activations, 1,
                                  s->blocks, s->y + first_row, 0);
        break;
    default: {
        const uint64_t *w = (const uint64_t *)(s->weights + first_row * s->row_bytes);
        long n = rows * s->row_bytes / 8;
        uint64_t a = 0, b = 0, c = 0, d = 0;
        for (long i = 0; i + 4 <= n; i += 4) { a += w[i]; b += w[i + 1]; c += w[i + 2]; d += w[i + 3]; }
        s->sum += a + b + c + d;
    }
    }
}

static void *worker(void *argument) {
    Share *s = argument;
    for (int pass = 0; pass <= s->passes; pass++) {
        pthread_barrier_wait(s->start);
        run(s);
        pthread_barrier_wait(s->end);
    }
    return NULL;
}

/// Best pass time of `what` over `threads` threads (the caller is one of them).
static double measure(int what, int threads, Share *base, pthread_barrier_t *start, pthread_barrier_t *end) {
    Share shares[64];
    pthread_t ids[64];
    long total = base->groups;
    for (int t = 0; t < threads; t++) {
        shares[t] = *base;
        shares[t].what = what;
        shares[t].first_group = total * t / threads;
        shares[t].groups = total * (t + 1) / threads - shares[t].first_group;
        shares[t].start = start;
        shares[t].end = end;
    }
    for (int t = 1; t < threads; t++) pthread_create(&ids[t], NULL, worker, &shares[t]);
    double best = 1e30;
    for (int pass = 0; pass <= base->passes; pass++) {  // pass 0 warms up
        pthread_barrier_wait(start);
        double t0 = now();
        run(&shares[0]);
        pthread_barrier_wait(end);
        double elapsed = now() - t0;
        if (pass > 0 && elapsed < best) best = elapsed;
    }
    for (int t = 1; t < threads; t++) pthread_join(ids[t], NULL);
    return best;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    long mib = argc > 2 ? atol(argv[2]) : 96;
    int passes = argc > 3 ? atoi(argv[3]) : 9;
    long columns = argc > 4 ? atol(argv[4]) : 576;
    int type = argc > 5 ? atoi(argv[5]) : 2;
    if (threads < 1 || threads > 64 || mib < 1 || passes < 1 || columns < 32 || columns % 32 || type < 0 || type > 2) {
        fprintf(stderr, "act16_bench: usage: act16_bench [THREADS 1-64] [MIB] [PASSES] [COLUMNS, a multiple of 32] [TYPE 0-2]\n");
        return 2;
    }
    const long block_bytes[3] = {34, 18, 20};
    long blocks = columns / 32, row_bytes = blocks * block_bytes[type];
    long groups = (mib << 20) / (4 * row_bytes), rows = 4 * groups, bytes = rows * row_bytes;
    uint8_t *weights = aligned_alloc(4096, (bytes + 4095) / 4096 * 4096), *packed = aligned_alloc(4096, (bytes + 4095) / 4096 * 4096);
    float *y0 = malloc(rows * sizeof(float)), *y1 = malloc(rows * sizeof(float));
    void *activations = malloc(blocks * ATTUNE_ACT16_BLOCK_BYTES);
    float *x = malloc(columns * sizeof(float));
    if (!weights || !packed || !y0 || !y1 || !activations || !x) { fprintf(stderr, "act16_bench: cannot allocate %ld MiB twice\n", mib); return 1; }
    srand(7);
    for (long i = 0; i < bytes; i++) weights[i] = (uint8_t)rand();
    for (long r = 0; r < rows; r++)  // finite headers: scale 1/16, Q4_1 minimum -1/64
        for (long b = 0; b < blocks; b++) {
            uint8_t *block = weights + r * row_bytes + b * block_bytes[type];
            block[0] = 0x00; block[1] = 0x2C;
            if (type == 2) { block[2] = 0x00; block[3] = 0xA4; }
        }
    for (long i = 0; i < columns; i++) x[i] = (float)(rand() % 2001 - 1000) / 1000.0f;
    attune_quantize_act16(x, blocks, activations);
    attune_act16_rows4_pack(type, weights, row_bytes, blocks, 0, groups, packed);

    pthread_barrier_t start, end;
    pthread_barrier_init(&start, NULL, threads);
    pthread_barrier_init(&end, NULL, threads);
    Share base = {0, type, passes, weights, packed, row_bytes, blocks, 0, groups, activations, y0, 0, NULL, NULL};
    double matvec = measure(MATVEC, threads, &base, &start, &end);
    base.y = y1;
    double rows4 = measure(ROWS4, threads, &base, &start, &end);
    double read = measure(READ, threads, &base, &start, &end);
    int same = memcmp(y0, y1, rows * sizeof(float)) == 0;
    printf("{\"threads\": %d, \"mib\": %.1f, \"type\": %d, \"columns\": %ld, \"kernel_path\": %d, \"vnni\": %d, "
           "\"matvec_gb_per_s\": %.2f, \"rows4_gb_per_s\": %.2f, \"read_gb_per_s\": %.2f, \"same_bits\": %s}\n",
           threads, bytes / 1048576.0, type, columns, attune_kernel_path(), attune_act16_vnni_enabled(), bytes / matvec / 1e9,
           bytes / rows4 / 1e9, bytes / read / 1e9, same ? "true" : "false");
    return same ? 0 : 3;
}
