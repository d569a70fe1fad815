/* AVX512-VNNI int8 micro-kernel (8 x 32, vpdpbusd on zmm; see
 * qgemm_vnni_impl.h). Compiled with -mavx512vnni; used only where the CPU
 * reports it (Ice Lake, Sapphire Rapids, Zen 4). */
#include <immintrin.h>

#include "kernels/qgemm_internal.h"

static bool vnni512_runs(void) {
    return hx_isa_supported(HX_ISA_AVX512) && hx_cpu_features_get()->avx512vnni;
}

typedef __m512i VI;
typedef __m512 VF;
#define VI_W 16
#define vi_zero() _mm512_setzero_si512()
#define vi_load(p) _mm512_loadu_si512((const void *)(p))
#define vi_store(p, v) _mm512_storeu_si512((void *)(p), v)
#define vi_set1(x) _mm512_set1_epi32(x)
#define vi_dpbusd(acc, a, b) _mm512_dpbusd_epi32(acc, a, b)
#define vi_sub(a, b) _mm512_sub_epi32(a, b)
#define vi_slli(a, n) _mm512_slli_epi32(a, n)
#define vf_load(p) _mm512_loadu_ps(p)
#define vf_store(p, v) _mm512_storeu_ps(p, v)
#define vf_set1(x) _mm512_set1_ps(x)
#define vf_mul(a, b) _mm512_mul_ps(a, b)
#define vf_add(a, b) _mm512_add_ps(a, b)
#define vf_cvt(v) _mm512_cvtepi32_ps(v)
#define VNNI_MR 8
#define VNNI_NV 2
#define VNNI_PREFIX vnni512_
#define VNNI_NAME hx_qk_s8_avx512vnni
#define VNNI_LABEL "avx512-vnni"
#define VNNI_ISA HX_ISA_AVX512
#define VNNI_RUNS vnni512_runs
#include "kernels/qgemm_vnni_impl.h"
