// Drives every C kernel of Sources/CKernels over awkward sizes (tails of every vector width, empty
// inputs, k across the GEMM's KC block) on every path this CPU has, in buffers allocated to the
// exact byte so AddressSanitizer sees any read or write past them; UndefinedBehaviorSanitizer
// checks the arithmetic. Results are compared across paths (the kernels promise the same bits)
// and the GEMMs against a plain triple loop. Built and run by Scripts/sanitize.
#include "CKernels.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint64_t next(void) { uint64_t z = (state += 0x9E3779B97F4A7C15ull); z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull; z = (z ^ (z >> 27)) * 0x94D049BB133111EBull; return z ^ (z >> 31); }
static float uniform(void) { return (float)((next() >> 40) * (1.0 / 16777216.0)) * 2.0f - 1.0f; }
static float *floats(long n) { float *p = malloc(n > 0 ? n * sizeof(float) : 1); for (long i = 0; i < n; i++) p[i] = uniform(); return p; }
static unsigned char *bytes(long n) { unsigned char *p = malloc(n > 0 ? n : 1); for (long i = 0; i < n; i++) p[i] = (unsigned char)next(); return p; }
static void check(int ok, const char *what, long a, long b, long c) {
    if (!ok) { failures++; fprintf(stderr, "MISMATCH %s (%ld, %ld, %ld) on path %s\n", what, a, b, c, attune_kernel_path_name(attune_kernel_path())); }
}
// A legacy block's f16 scale made finite and small (random bits could be NaN or huge).
static void tame_scales(unsigned char *blocks, long count, long block_bytes, int two_scales) {
    for (long b = 0; b < count; b++) {
        unsigned char *p = blocks + b * block_bytes;
        p[0] = (unsigned char)next(); p[1] = 0x2C;           // ≈ 0.06
        if (two_scales) { p[2] = (unsigned char)next(); p[3] = 0xAC; }
    }
}

static void gemms(void) {
    const long sizes[] = {0, 1, 3, 7, 8, 15, 17, 33, 65};
    const long ks[] = {0, 1, 5, 16, 257, 300};
    for (int ta = 0; ta < 2; ta++) for (int tb = 0; tb < 2; tb++)
    for (unsigned i = 0; i < sizeof sizes / sizeof *sizes; i++) for (unsigned j = 0; j < sizeof sizes / sizeof *sizes; j += 2)
    for (unsigned q = 0; q < sizeof ks / sizeof *ks; q++) {
        long m = sizes[i], n = sizes[j], k = ks[q];
        float *a = floats(m * k), *b = floats(k * n), *c = floats(m * n), *c2 = malloc(m * n > 0 ? m * n * sizeof(float) : 1);
        memcpy(c2, c, m * n * sizeof(float));
        long lda = ta ? m : k, ldb = tb ? k : n;
        attune_sgemm(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.5f, c, n, 1 + (long)(next() % 2));
        for (long r = 0; r < m; r++) for (long s = 0; s < n; s++) {
            double sum = 0;
            for (long t = 0; t < k; t++) sum += (double)(ta ? a[t * lda + r] : a[r * lda + t]) * (tb ? b[s * ldb + t] : b[t * ldb + s]);
            double want = sum + 0.5 * c2[r * n + s];
            check(fabs(c[r * n + s] - want) <= 1e-4 * (1 + k), "sgemm vs naive", m, n, k);
        }
        memcpy(c, c2, m * n * sizeof(float));
        attune_gemm_bf16(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, n, 1);
        for (long r = 0; r < m * n; r++) check(isfinite(c[r]), "gemm_bf16 finite", m, n, k);
        free(a); free(b); free(c); free(c2);
    }
}

static void exps(void) {
    for (long n = 0; n <= 70; n++) {
        float *x = floats(n), *y = floats(n);
        for (long i = 0; i < n; i++) x[i] *= 90;                 // past both ends of the exp range
        float m = attune_max(x, n);
        float s = attune_exp_sum(x, n, n ? m : 0);
        check(n == 0 || (s >= 1 && isfinite(s)), "exp_sum", n, 0, 0);
        attune_exp_scale(x, y, n, m, 0.5f);
        attune_exp_scale_add(x, y, n, m, 0.5f);
        attune_exp_scale(y, y, n, 0, 1);                         // in place
        free(x); free(y);
    }
}

static void quants(void) {
    const long block_bytes[3] = {34, 18, 20};
    for (long blocks = 0; blocks <= 9; blocks++) for (int kind = 0; kind < 3; kind++) {
        long bb = block_bytes[kind];
        unsigned char *w = bytes(blocks * bb * 3);
        tame_scales(w, blocks * 3, bb, kind == 2);
        float *a = floats(32 * blocks), *out[2] = {malloc(32 * blocks * sizeof(float) + 1), malloc(32 * blocks * sizeof(float) + 1)};
        float dots[2], act[2], mv[2][3];
        unsigned char *qa = malloc(blocks * ATTUNE_ACT16_BLOCK_BYTES + 1);
        for (int portable = 0; portable < 2; portable++) {
            attune_quant_force_portable(portable);
            if (kind == 0) { attune_dequant_q8_0(w, blocks, out[portable]); dots[portable] = attune_dot_q8_0(w, a, blocks); }
            if (kind == 1) { attune_dequant_q4_0(w, blocks, out[portable]); dots[portable] = attune_dot_q4_0(w, a, blocks); }
            if (kind == 2) { attune_dequant_q4_1(w, blocks, out[portable]); dots[portable] = attune_dot_q4_1(w, a, blocks); }
            attune_quantize_act16(a, blocks, qa);
            if (kind == 0) { act[portable] = attune_dot_q8_0_act16(w, qa, blocks); attune_matvec_q8_0_act16(w, blocks * bb, 3, qa, blocks, mv[portable]); }
            if (kind == 1) { act[portable] = attune_dot_q4_0_act16(w, qa, blocks); attune_matvec_q4_0_act16(w, blocks * bb, 3, qa, blocks, mv[portable]); }
            if (kind == 2) { act[portable] = attune_dot_q4_1_act16(w, qa, blocks); attune_matvec_q4_1_act16(w, blocks * bb, 3, qa, blocks, mv[portable]); }
        }
        attune_quant_force_portable(-1);
        check(memcmp(out[0], out[1], 32 * blocks * sizeof(float)) == 0, "dequant vector = portable", kind, blocks, 0);
        check(memcmp(&dots[0], &dots[1], sizeof(float)) == 0, "dot vector = portable", kind, blocks, 0);
        check(memcmp(&act[0], &act[1], sizeof(float)) == 0, "act16 dot vector = portable", kind, blocks, 0);
        check(memcmp(mv[0], mv[1], sizeof mv[0]) == 0, "act16 matvec vector = portable", kind, blocks, 0);
        free(w); free(a); free(out[0]); free(out[1]); free(qa);
    }
}

static void attention(void) {
    const long ds[] = {1, 7, 8, 16, 33, 64};
    for (unsigned i = 0; i < sizeof ds / sizeof *ds; i++) for (long tk = 1; tk <= 19; tk += 3) for (long tq = 1; tq <= tk; tq += 2) {
        long d = ds[i];
        float *q = floats(tq * d), *k = floats(tk * d), *v = floats(tk * d), *out = floats(tq * d), *scores = floats(tk);
        attune_attention_rows(q, d, k, v, d, out, d, tq, 0, tq, tk, d, 1.0f / sqrtf((float)d), scores);
        for (long t = 0; t < tq * d; t++) check(isfinite(out[t]), "attention finite", d, tq, tk);
        free(q); free(k); free(v); free(out); free(scores);
    }
}

static void chunk(void *context, long c) { ((long *)context)[c] += c + 1; }

int main(void) {
    for (int path = ATTUNE_PATH_PORTABLE; path <= attune_kernel_best_path(); path++) {
        attune_kernel_force_path(path);
        printf("path %s\n", attune_kernel_path_name(attune_kernel_path()));
        gemms(); exps(); quants(); attention();
    }
    attune_kernel_force_path(-1);
    long counts[37] = {0};
    attune_pool_run(37, 2, chunk, counts);
    for (long c = 0; c < 37; c++) check(counts[c] == c + 1, "pool ran every chunk once", c, 0, 0);
    attune_pool_park();
    printf("%s: %d mismatches\n", failures ? "FAILED" : "ok", failures);
    return failures ? 1 : 0;
}
