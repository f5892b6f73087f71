// Memory read bandwidth, as decode sees it: THREADS threads each sum their share of a buffer much
// larger than the last-level cache (default 1 GiB, 64-bit words), every byte read once per pass;
// bandwidth = buffer bytes / wall time of the pass, best of PASSES passes after one warm-up.
// Decode's ceiling in Scripts/bench is the weight bytes read per token divided by this figure.
// The buffer asks for 2 MiB pages (madvise(MADV_HUGEPAGE)), as decoding's weight copies do
// (TensorCore's LargePages): with 4 KiB pages one thread read 5-30% slower on a Zen 4.
// PAGES=4k keeps the small pages; the JSON says how much of the buffer got huge pages.
//
// Usage: read_bandwidth [THREADS] [MIB] [PASSES]     prints one JSON object on stdout
// Built by Scripts/bench: cc -O3 -march=native Scripts/read_bandwidth.c -lpthread
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>

typedef struct {
    const uint64_t *words;
    size_t count;
    uint64_t sum;  // kept so the compiler cannot drop the reads
    pthread_barrier_t *start, *end;
    int passes;
} Share;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/// Four independent accumulators so the loop runs at load rate (vectorized at -O3).
static uint64_t sum_words(const uint64_t *w, size_t n) {
    uint64_t a = 0, b = 0, c = 0, d = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) { a += w[i]; b += w[i + 1]; c += w[i + 2]; d += w[i + 3]; }
    for (; i < n; i++) a += w[i];
    return a + b + c + d;
}

static void *worker(void *argument) {
    Share *share = argument;
    for (int pass = 0; pass < share->passes; pass++) {
        pthread_barrier_wait(share->start);
        share->sum += sum_words(share->words, share->count);
        pthread_barrier_wait(share->end);
    }
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    size_t mib = argc > 2 ? (size_t)atol(argv[2]) : 1024;
    int passes = argc > 3 ? atoi(argv[3]) : 7;
    if (threads < 1 || threads > 256 || mib < 64 || passes < 1) {
        fprintf(stderr, "read_bandwidth: usage: read_bandwidth [THREADS 1-256] [MIB >= 64] [PASSES >= 1]\n");
        return 2;
    }
    size_t bytes = mib << 20, words = bytes / sizeof(uint64_t);
    const char *pages = getenv("PAGES");
    const int small_pages = pages && strcmp(pages, "4k") == 0;
    uint64_t *buffer = aligned_alloc(2 << 20, bytes);
    if (!buffer) { fprintf(stderr, "read_bandwidth: cannot allocate %zu MiB; pass a smaller size\n", mib); return 1; }
#ifdef MADV_HUGEPAGE
    if (!small_pages) madvise(buffer, bytes, MADV_HUGEPAGE);
#endif
    for (size_t i = 0; i < words; i++) buffer[i] = i;  // touch every page before timing

    pthread_barrier_t start, end;
    pthread_barrier_init(&start, NULL, threads + 1);
    pthread_barrier_init(&end, NULL, threads + 1);
    Share *shares = calloc(threads, sizeof(Share));
    pthread_t *ids = calloc(threads, sizeof(pthread_t));
    size_t per = words / threads;
    for (int t = 0; t < threads; t++) {
        shares[t] = (Share){buffer + t * per, t == threads - 1 ? words - t * per : per, 0, &start, &end, passes + 1};
        pthread_create(&ids[t], NULL, worker, &shares[t]);
    }
    double best = 1e30;
    for (int pass = 0; pass <= passes; pass++) {  // pass 0 warms up
        pthread_barrier_wait(&start);
        double t0 = now();
        pthread_barrier_wait(&end);
        double elapsed = now() - t0;
        if (pass > 0 && elapsed < best) best = elapsed;
    }
    long huge_kib = 0;  // AnonHugePages of this process: the buffer's bytes in 2 MiB pages
    FILE *smaps = fopen("/proc/self/smaps_rollup", "r");
    if (smaps) {
        char line[256];
        while (fgets(line, sizeof line, smaps))
            if (sscanf(line, "AnonHugePages: %ld kB", &huge_kib) == 1) break;
        fclose(smaps);
    }
    uint64_t total = 0;
    for (int t = 0; t < threads; t++) { pthread_join(ids[t], NULL); total += shares[t].sum; }
    printf("{\"threads\": %d, \"buffer_mib\": %zu, \"passes\": %d, \"gb_per_s\": %.3f, \"huge_page_mib\": %ld, \"checksum\": %llu}\n",
           threads, mib, passes, bytes / best / 1e9, huge_kib / 1024, (unsigned long long)(total & 0xffff));
    free(buffer); free(shares); free(ids);
    return 0;
}
