/* CPU features the reduced-precision GEMMs need beyond hx_cpu_features:
 * AVX-VNNI (cpuid 7.1 eax bit 4, needs OS-saved YMM), and on aarch64 the
 * i8mm and bf16 extensions (getauxval AT_HWCAP2). Kept here until the
 * feature struct gains them. */
#include "kernels/qgemm_internal.h"

#include <pthread.h>

#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP2_I8MM
#define HWCAP2_I8MM (1 << 13)
#endif
#ifndef HWCAP2_BF16
#define HWCAP2_BF16 (1 << 14)
#endif
#endif

static bool avxvnni, i8mm, bf16;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void detect(void) {
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (__get_cpuid_max(0, NULL) >= 7 && hx_cpu_features_get()->avx2) {
        __cpuid_count(7, 1, a, b, c, d);
        avxvnni = (a >> 4) & 1;
    }
#elif defined(__aarch64__)
    unsigned long hw2 = getauxval(AT_HWCAP2);
    i8mm = (hw2 & HWCAP2_I8MM) != 0;
    bf16 = (hw2 & HWCAP2_BF16) != 0;
#endif
}

bool hx_qcpu_avxvnni(void) { pthread_once(&once, detect); return avxvnni; }
bool hx_qcpu_i8mm(void) { pthread_once(&once, detect); return i8mm; }
bool hx_qcpu_bf16(void) { pthread_once(&once, detect); return bf16; }
