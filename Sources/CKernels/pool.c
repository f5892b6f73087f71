// A persistent pool of worker threads for short parallel loops (`parallelChunks` in TensorCore).
//
// Decoding one token runs ~200 small parallel loops of ~50 µs each. Waking a sleeping thread for
// each (what Dispatch's concurrentPerform does) costs a futex round trip per loop, and in a VM an
// inter-processor interrupt too: measured, it ate more than the second core gave. Here workers
// spin (with `pause`) for a short while after each job, so back-to-back loops start at once, and
// only then sleep on a condition variable. Before a large BLAS call `attune_pool_park` sends them
// to sleep at once, so their spinning never takes a core from OpenBLAS's own threads.
//
// Protocol: the caller publishes a job (function, context, chunk count), bumps `generation`, wakes
// sleepers if any, and takes chunks itself; chunks are claimed with an atomic counter, so every
// chunk runs exactly once whichever thread takes it. Each worker acknowledges the generation when
// it has no chunk left, and the caller returns only when every worker has: so no worker can still
// be reading a job's fields when the next job writes them. One job at a time: a second caller
// (another thread, or a loop nested inside a chunk) runs its chunks inline, serially.
#include "CKernels.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define spin_pause() _mm_pause()
#else
#define spin_pause() ((void)0)
#endif

#define MAX_WORKERS 64

static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;   // held by the caller of a job
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_once_t started = PTHREAD_ONCE_INIT;
static int workers;           // threads besides the caller
static long spin_ns;          // how long an idle worker spins before sleeping

static attune_chunk_fn job_fn;
static void *job_context;
static long job_chunks;
static atomic_ulong generation;
static atomic_long next_chunk;
static atomic_ulong acknowledged[MAX_WORKERS];  // the last generation each worker finished
static atomic_int sleepers;
static atomic_int park;  // set before a BLAS call: idle workers stop spinning and sleep
static _Thread_local int inside_job;

// Read-ahead for idle time (attune_pool_prefetch_hint): per chunk index, memory the thread that
// runs that chunk will stream in the next loop. A thread that waits (a worker for the next job,
// the caller for the workers) prefetches its hint into L2 a few lines at a time between checks.
typedef struct {
    _Atomic(const char *) address;
    atomic_long bytes;
    atomic_ulong serial;
} prefetch_hint;
static prefetch_hint hints[MAX_WORKERS + 1];
static atomic_int idle_prefetch = 1;
static _Thread_local long home_chunk = -1;       // the chunk this thread ran last
static _Thread_local unsigned long hint_done = 0; // the serial of the hint being read
static _Thread_local long hint_offset = 0;

/// Prefetches a few more lines of this thread's hint; 0 when there is nothing (left) to read.
static int prefetch_some(void) {
    if (!atomic_load_explicit(&idle_prefetch, memory_order_relaxed) || home_chunk < 0 || home_chunk > MAX_WORKERS) return 0;
    prefetch_hint *h = &hints[home_chunk];
    unsigned long serial = atomic_load_explicit(&h->serial, memory_order_acquire);
    if (serial != hint_done) { hint_done = serial; hint_offset = 0; }
    const char *p = atomic_load_explicit(&h->address, memory_order_relaxed);
    long n = atomic_load_explicit(&h->bytes, memory_order_relaxed);
    if (!p || hint_offset >= n) return 0;
#if defined(__x86_64__)
    for (int i = 0; i < 4 && hint_offset < n; i++, hint_offset += 64) _mm_prefetch(p + hint_offset, _MM_HINT_T1);
#else
    hint_offset = n;
#endif
    return 1;
}

void attune_pool_prefetch_hint_of(long chunk, const void **address, long *bytes) {
    int valid = chunk >= 0 && chunk <= MAX_WORKERS;
    *address = valid ? atomic_load(&hints[chunk].address) : NULL;
    *bytes = valid ? atomic_load(&hints[chunk].bytes) : 0;
}

void attune_pool_set_idle_prefetch(int enabled) { atomic_store(&idle_prefetch, enabled ? 1 : 0); }
int attune_pool_idle_prefetch_enabled(void) { return atomic_load(&idle_prefetch); }

void attune_pool_prefetch_hint(long chunk, const void *address, long bytes) {
    if (chunk < 0 || chunk > MAX_WORKERS) return;
    prefetch_hint *h = &hints[chunk];
    atomic_store_explicit(&h->address, (const char *)address, memory_order_relaxed);
    atomic_store_explicit(&h->bytes, bytes, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->serial, 1, memory_order_release);
}

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

/// Claims and runs chunks of the current job until none is left.
static void run_chunks(void) {
    long chunk;
    while ((chunk = atomic_fetch_add(&next_chunk, 1)) < job_chunks) {
        home_chunk = chunk;
        job_fn(job_context, chunk);
    }
}

static void *worker_main(void *index_pointer) {
    long index = (long)index_pointer;
    inside_job = 1;  // a loop started from inside a chunk runs inline
    unsigned long seen = 0;  // the generation before the first job (workers start inside it)
    for (;;) {
        long deadline = now_ns() + spin_ns;
        int spins = 0;
        while (atomic_load(&generation) == seen) {
            if (!prefetch_some()) spin_pause();
            if (atomic_load_explicit(&park, memory_order_relaxed) || (++spins % 256 == 0 && now_ns() > deadline)) {
                pthread_mutex_lock(&sleep_lock);
                atomic_fetch_add(&sleepers, 1);
                while (atomic_load(&generation) == seen) pthread_cond_wait(&wake, &sleep_lock);
                atomic_fetch_sub(&sleepers, 1);
                pthread_mutex_unlock(&sleep_lock);
            }
        }
        seen = atomic_load(&generation);
        run_chunks();
        atomic_store(&acknowledged[index], seen);
    }
    return NULL;
}

static int requested_workers = 0;

static void start_pool(void) {
    const char *spin = getenv("ATTUNE_SPIN_MICROSECONDS");
    spin_ns = (spin && *spin) ? atol(spin) * 1000L : 200000L;
    int n = requested_workers - 1;
    if (n > MAX_WORKERS) n = MAX_WORKERS;
    for (int i = 0; i < n; i++) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&thread, &attributes, worker_main, (void *)(long)workers) == 0) workers++;
        pthread_attr_destroy(&attributes);
    }
}

void attune_pool_run(long chunks, long threads, attune_chunk_fn fn, void *context) {
    if (chunks <= 0) return;
    if (chunks == 1 || threads <= 1 || inside_job || pthread_mutex_trylock(&job_lock) != 0) {
        for (long c = 0; c < chunks; c++) fn(context, c);
        return;
    }
    if (requested_workers == 0) requested_workers = (int)threads;  // fixed at the first job
    pthread_once(&started, start_pool);
    if (workers == 0) {
        pthread_mutex_unlock(&job_lock);
        for (long c = 0; c < chunks; c++) fn(context, c);
        return;
    }
    job_fn = fn;
    job_context = context;
    job_chunks = chunks;
    atomic_store(&next_chunk, 0);
    atomic_store(&park, 0);
    unsigned long job = atomic_fetch_add(&generation, 1) + 1;
    if (atomic_load(&sleepers) > 0) {
        pthread_mutex_lock(&sleep_lock);
        pthread_cond_broadcast(&wake);
        pthread_mutex_unlock(&sleep_lock);
    }
    inside_job = 1;
    run_chunks();
    inside_job = 0;
    for (int i = 0; i < workers; i++) {
        while (atomic_load(&acknowledged[i]) != job) {
            if (!prefetch_some()) spin_pause();
        }
    }
    pthread_mutex_unlock(&job_lock);
}

void attune_pool_park(void) {
    if (!atomic_load_explicit(&park, memory_order_relaxed)) atomic_store(&park, 1);
}
