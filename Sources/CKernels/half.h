// IEEE half precision to float32 and unaligned 16-bit loads, shared by the block kernels
// (quant.c, quant_act16.c). Internal to CKernels.
//
// half_to_float gives exactly the float of F16C's vcvtph2ps (the AVX2 paths' half_f16c) for all
// 65536 halves: every finite half is exact in float, and a NaN keeps its payload with the quiet bit
// set, as the hardware does.
#ifndef ATTUNE_HALF_H
#define ATTUNE_HALF_H
#include <stdint.h>
#include <string.h>

static inline float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF, bits;
    if (exponent == 0) {
        if (mantissa == 0) { bits = sign; }
        else {  // subnormal: normalise
            exponent = 127 - 15 + 1;
            while (!(mantissa & 0x400)) { mantissa <<= 1; exponent--; }
            bits = sign | (exponent << 23) | ((mantissa & 0x3FF) << 13);
        }
    } else if (exponent == 31) {
        bits = sign | 0x7F800000 | (mantissa << 13) | (mantissa ? 0x00400000u : 0);  // NaNs come out quiet
    } else {
        bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}
static inline uint16_t load_u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

#endif
