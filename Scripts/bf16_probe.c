// Checks Attune's emulation of one vdpbf16ps lane (attune_bf16_dot_pair, Sources/CKernels/gemm_bf16.c)
// against the instruction on this CPU: hand-made edge cases (order of the two products, ties,
// denormal inputs and sums, flushing at the underflow threshold, exact products, infinities, NaNs,
// overflow), then N random cases biased towards exponents near the extremes and near-cancellations.
// NaN results compare as "any NaN" (the GEMM stores every NaN as 0x7FC00000). Run by Scripts/bf16-probe.
#include "CKernels.h"
#include <immintrin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t bits(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }
static float from(uint32_t u) { float x; memcpy(&x, &u, 4); return x; }
static uint16_t h(float x) { return (uint16_t)(bits(x) >> 16); }  // exact for the values used below

__attribute__((target("avx512f,avx512bf16"))) static void lanes(const float *acc, const uint32_t *a, const uint32_t *b, float *out) {
    __m512 r = _mm512_dpbf16_ps(_mm512_loadu_ps(acc), (__m512bh)_mm512_loadu_si512(a), (__m512bh)_mm512_loadu_si512(b));
    _mm512_storeu_ps(out, r);
}

static long failures;

static void check(float acc, uint16_t a0, uint16_t a1, uint16_t b0, uint16_t b1, const char *what) {
    float accs[16], out[16];
    uint32_t a[16], b[16];
    for (int i = 0; i < 16; i++) { accs[i] = acc; a[i] = (uint32_t)a1 << 16 | a0; b[i] = (uint32_t)b1 << 16 | b0; }
    lanes(accs, a, b, out);
    float emu = attune_bf16_dot_pair(acc, a0, a1, b0, b1);
    int same = (isnan(emu) && isnan(out[0])) || bits(emu) == bits(out[0]);
    if (!same) failures++;
    if (what) printf("%-52s instruction %-16a emulation %-16a %s\n", what, out[0], emu, same ? "same" : "DIFFERENT");
    else if (!same && failures <= 20)
        printf("DIFFERENT: acc %a (%08x) a %04x,%04x b %04x,%04x: instruction %a (%08x) emulation %a (%08x)\n", acc, bits(acc), a0, a1,
               b0, b1, out[0], bits(out[0]), emu, bits(emu));
}

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint64_t next(void) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static uint16_t random_bf16(void) {
    uint64_t r = next();
    int exponent, kind = r % 8;
    switch (kind) {
    case 0: exponent = 0; break;                           // zero or denormal
    case 1: exponent = 255; break;                         // infinity or NaN
    case 2: exponent = 1 + (int)((r >> 24) % 6); break;    // near the smallest normal
    case 3: exponent = 60 + (int)((r >> 24) % 8); break;   // products near 2^-126
    default: exponent = 100 + (int)((r >> 24) % 55);       // ordinary
    }
    return (uint16_t)(((r >> 8) & 1) << 15 | (uint32_t)exponent << 7 | ((r >> 16) & 0x7f));
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 20000000;
    attune_cpu_info info;
    attune_cpu_query(&info);
    if (!info.avx512bf16) {
        printf("this CPU (%s family %d model %d) has no AVX512_BF16: nothing to compare the emulation with\n", info.vendor, info.family, info.model);
        return 2;
    }
    printf("CPU %s family %d model %d\n", info.vendor, info.family, info.model);
    uint16_t one = h(1), m_one = h(-1);
    check(1, m_one, h(1.5f), one, h(0x1p-24f), "order: 1 + 1.5*2^-24 (odd) then -1 (even)");
    check(1, h(1.5f), m_one, h(0x1p-24f), one, "order: -1 (odd) then 1.5*2^-24 (even)");
    check(1, h(0x1p-12f), h(0x1p-12f), h(0x1p-12f), h(0x1p-12f), "ties: 1 + 2^-24 + 2^-24, rounded per step");
    check(0, 0x0001, 0, h(0x1p100f), 0, "denormal bf16 input * 2^100");
    check(0x1p-140f, 0, 0, 0, 0, "denormal sum + 0");
    check(-0x1p-140f, 0, 0, one, 0, "negative denormal sum + 0*1");
    check(0, h(0x1p-70f), 0, h(0x1p-70f), 0, "2^-70 * 2^-70 = 2^-140 (flushed?)");
    check(0, h(-0x1p-70f), 0, h(0x1p-70f), 0, "-2^-140: the sign of a flushed result");
    check(0x1p-126f, h(-0x1p-76f), 0, h(0x1p-76f), 0, "2^-126 - 2^-152 (rounds back to 2^-126)");
    check(0x1p-126f, h(-0x1.8p-76f), 0, h(0x1p-75f), 0, "2^-126 - 1.5*2^-151 (flush decided unbounded)");
    check(0x1p-125f, h(0x1.02p-75f), 0, h(0x1p-74f), 0, "2^-125 + 2^-149 + 2^-156 (exact product)");
    check(0x1.000002p-126f, h(-0x1p-75f), 0, h(0x1p-75f), 0, "tie at the smallest normals");
    check(0, h(INFINITY), 0, 0, 0, "inf * 0");
    check(0, h(INFINITY), 0, one, 0, "inf * 1");
    check(INFINITY, m_one, 0, h(INFINITY), 0, "inf - inf");
    check(0, 0x7fc1, 0x7fc2, one, one, "two NaN inputs");
    check(0x1.9p127f, h(0x1p64f), 0, h(0x1p63f), 0, "overflow");
    check(-0.0f, 0, 0, 0, 0, "-0 + (+0*+0) twice");
    check(-0.0f, 0x8000, 0x8000, 0, 0, "-0 + (-0*+0) twice");
    long before = failures;
    float accs[16], out[16];
    uint32_t a[16], b[16];
    for (long done = 0; done < n; done += 16) {
        for (int l = 0; l < 16; l++) {
            uint16_t a0 = random_bf16(), a1 = random_bf16(), b0 = random_bf16(), b1 = random_bf16();
            a[l] = (uint32_t)a1 << 16 | a0;
            b[l] = (uint32_t)b1 << 16 | b0;
            float p1 = attune_bf16_widen(a1) * attune_bf16_widen(b1), p = p1 + attune_bf16_widen(a0) * attune_bf16_widen(b0);
            uint64_t r = next();
            switch (r % 6) {
            case 0: accs[l] = from((uint32_t)next()); break;
            case 1: accs[l] = from(bits(-p1) + (uint32_t)((int)(r >> 8) % 9 - 4)); break;  // cancels the first product
            case 2: accs[l] = from(bits(-p) + (uint32_t)((int)(r >> 8) % 9 - 4)); break;   // cancels both
            case 3: accs[l] = from(((uint32_t)next() & 0x807fffffu) | (uint32_t)(1 + next() % 8) << 23); break;
            case 4: accs[l] = 0; break;
            default: accs[l] = from(((uint32_t)next() & 0x807fffffu) | (uint32_t)(110 + next() % 40) << 23);
            }
        }
        lanes(accs, a, b, out);
        for (int l = 0; l < 16; l++) {
            float emu = attune_bf16_dot_pair(accs[l], a[l] & 0xffff, a[l] >> 16, b[l] & 0xffff, b[l] >> 16);
            if (!((isnan(emu) && isnan(out[l])) || bits(emu) == bits(out[l]))) {
                if (++failures - before <= 20)
                    printf("DIFFERENT: acc %a a %08x b %08x: instruction %a emulation %a\n", accs[l], a[l], b[l], out[l], emu);
            }
        }
    }
    printf("%ld random cases: %ld differences; %ld differences in all\n", n, failures - before, failures);
    return failures != 0;
}
