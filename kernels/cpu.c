/* CPU feature detection (cpuid + xgetbv on x86-64, getauxval on aarch64) and
 * the ISA names. Which ISA is active, and its kernels, is dispatch.c's. */
#include "helix/cpu.h"

#include <pthread.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
#ifndef HWCAP2_I8MM
#define HWCAP2_I8MM (1 << 13)
#endif
#ifndef HWCAP2_BF16
#define HWCAP2_BF16 (1 << 14)
#endif
#endif

static hx_cpu_features features;
static pthread_once_t features_once = PTHREAD_ONCE_INIT;

#if defined(__x86_64__)
static unsigned long long read_xcr0(void) {
    unsigned int lo, hi;
    /* xgetbv with ecx = 0; encoded as bytes so no -mxsave is needed. */
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}
#endif

static void detect(void) {
    memset(&features, 0, sizeof features);
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return;
    unsigned max_leaf = a;
    memcpy(features.vendor + 0, &b, 4);
    memcpy(features.vendor + 4, &d, 4);
    memcpy(features.vendor + 8, &c, 4);
    features.vendor[12] = '\0';

    __get_cpuid(1, &a, &b, &c, &d);
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
    unsigned long long xcr0 = osxsave ? read_xcr0() : 0;
    /* The OS must save YMM (bits 1,2) and for AVX-512 also opmask/ZMM (5,6,7). */
    int os_ymm = (xcr0 & 0x6) == 0x6;
    int os_zmm = (xcr0 & 0xE6) == 0xE6;
    if (max_leaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        features.avx2 = os_ymm && avx && ((b >> 5) & 1);
        features.fma = os_ymm && fma;
        features.avx512f = os_zmm && ((b >> 16) & 1);
        features.avx512dq = os_zmm && ((b >> 17) & 1);
        features.avx512bw = os_zmm && ((b >> 30) & 1);
        features.avx512vl = os_zmm && ((b >> 31) & 1);
        features.avx512vnni = os_zmm && ((c >> 11) & 1);
        features.avx512vbmi = os_zmm && ((c >> 1) & 1);
        unsigned a1, b1, c1, d1;
        __cpuid_count(7, 1, a1, b1, c1, d1);
        features.avx512bf16 = os_zmm && ((a1 >> 5) & 1);
        features.avxvnni = features.avx2 && ((a1 >> 4) & 1);
    }
    unsigned ext = 0;
    __get_cpuid(0x80000000, &ext, &b, &c, &d);
    if (ext >= 0x80000004) {
        unsigned r[12];
        for (unsigned i = 0; i < 3; i++)
            __get_cpuid(0x80000002 + i, &r[4 * i], &r[4 * i + 1], &r[4 * i + 2], &r[4 * i + 3]);
        memcpy(features.brand, r, 48);
        features.brand[48] = '\0';
        /* Trim the leading spaces some vendors pad with. */
        char *s = features.brand;
        while (*s == ' ') s++;
        memmove(features.brand, s, strlen(s) + 1);
    }
#elif defined(__aarch64__)
    unsigned long hw = getauxval(AT_HWCAP);
    features.neon = (hw & HWCAP_ASIMD) != 0;
    features.asimddp = (hw & HWCAP_ASIMDDP) != 0;
    unsigned long hw2 = getauxval(AT_HWCAP2);
    features.i8mm = (hw2 & HWCAP2_I8MM) != 0;
    features.bf16 = (hw2 & HWCAP2_BF16) != 0;
    strcpy(features.vendor, "arm64");
#endif
}

const hx_cpu_features *hx_cpu_features_get(void) {
    pthread_once(&features_once, detect);
    return &features;
}

bool hx_isa_supported(hx_isa isa) {
    const hx_cpu_features *f = hx_cpu_features_get();
    switch (isa) {
    case HX_ISA_SCALAR: return true;
#if defined(__x86_64__)
    case HX_ISA_AVX2: return f->avx2 && f->fma;
    case HX_ISA_AVX512:
        return f->avx2 && f->fma && f->avx512f && f->avx512bw && f->avx512vl && f->avx512dq;
#elif defined(__aarch64__)
    case HX_ISA_NEON: return f->neon;
#endif
    default: return false;
    }
}

hx_isa hx_isa_best(void) {
    for (int i = HX_ISA_COUNT - 1; i > 0; i--)
        if (hx_isa_supported((hx_isa)i)) return (hx_isa)i;
    return HX_ISA_SCALAR;
}

static const char *const isa_names[HX_ISA_COUNT] = {"scalar", "avx2", "avx512", "neon"};

const char *hx_isa_name(hx_isa isa) {
    return (unsigned)isa < HX_ISA_COUNT ? isa_names[isa] : "unknown";
}

bool hx_isa_parse(const char *name, hx_isa *out) {
    for (int i = 0; i < HX_ISA_COUNT; i++) {
        if (!strcmp(name, isa_names[i])) {
            *out = (hx_isa)i;
            return true;
        }
    }
    return false;
}
