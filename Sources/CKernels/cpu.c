#include "CKernels.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#if defined(__linux__)
#include <unistd.h>
#include <sys/syscall.h>
#endif

static unsigned long long read_xcr0(void) {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

void attune_cpu_query(attune_cpu_info *info) {
    memset(info, 0, sizeof(*info));
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) return;
    unsigned int maxLeaf = eax;
    memcpy(info->vendor + 0, &ebx, 4);
    memcpy(info->vendor + 4, &edx, 4);
    memcpy(info->vendor + 8, &ecx, 4);
    info->vendor[12] = 0;
    __get_cpuid(1, &eax, &ebx, &ecx, &edx);
    int baseFamily = (eax >> 8) & 0xf, baseModel = (eax >> 4) & 0xf;
    info->family = baseFamily == 0xf ? baseFamily + ((eax >> 20) & 0xff) : baseFamily;
    info->model = (baseFamily == 0x6 || baseFamily == 0xf) ? (((eax >> 16) & 0xf) << 4) | baseModel : baseModel;
    int osxsave = (ecx >> 27) & 1;
    int fma = (ecx >> 12) & 1;
    unsigned long long xcr0 = osxsave ? read_xcr0() : 0;
    int ymmOK = (xcr0 & 0x6) == 0x6;
    int zmmOK = (xcr0 & 0xe6) == 0xe6;
    int tileOK = (xcr0 & (3ULL << 17)) == (3ULL << 17);
    info->fma = fma && ymmOK;
    info->f16c = ((ecx >> 29) & 1) && ymmOK;
    if (maxLeaf >= 7) {
        __cpuid_count(7, 0, eax, ebx, ecx, edx);
        info->avx2 = ((ebx >> 5) & 1) && ymmOK;
        info->avx512f = ((ebx >> 16) & 1) && zmmOK;
        info->avx512bw = ((ebx >> 30) & 1) && zmmOK;
        info->avx512vl = ((ebx >> 31) & 1) && zmmOK;
        info->amx_bf16 = ((edx >> 22) & 1);
        info->amx_tile = ((edx >> 24) & 1);
        info->avx512vnni = ((ecx >> 11) & 1) && zmmOK;
        unsigned int subleaves = eax;
        if (subleaves >= 1) {
            unsigned int a1, b1, c1, d1;
            __cpuid_count(7, 1, a1, b1, c1, d1);
            info->avx512bf16 = ((a1 >> 5) & 1) && zmmOK;
        }
        // AMX state is enabled lazily by the OS; XCR0 may not show it until permission is granted.
        (void)tileOK;
    }
}

int attune_amx_request_permission(void) {
#if defined(__linux__)
    // ARCH_REQ_XCOMP_PERM = 0x1023, XFEATURE_XTILEDATA = 18
    return syscall(SYS_arch_prctl, 0x1023, 18) == 0 ? 1 : 0;
#else
    return 0;
#endif
}
#else
void attune_cpu_query(attune_cpu_info *info) { memset(info, 0, sizeof(*info)); }
int attune_amx_request_permission(void) { return 0; }
#endif
