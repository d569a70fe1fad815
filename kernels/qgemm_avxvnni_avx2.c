/* AVX-VNNI int8 micro-kernel (6 x 16, VEX vpdpbusd on ymm; see
 * qgemm_vnni_impl.h). Compiled with -mavxvnni; used only where cpuid 7.1
 * reports it (Alder Lake and later, Zen 5). */
#include <immintrin.h>

#include "kernels/qgemm_internal.h"

static bool avxvnni_runs(void) { return hx_isa_supported(HX_ISA_AVX2) && hx_cpu_features_get()->avxvnni; }

typedef __m256i VI;
typedef __m256 VF;
#define VI_W 8
#define vi_zero() _mm256_setzero_si256()
#define vi_load(p) _mm256_loadu_si256((const __m256i *)(p))
#define vi_store(p, v) _mm256_storeu_si256((__m256i *)(p), v)
#define vi_set1(x) _mm256_set1_epi32(x)
#define vi_dpbusd(acc, a, b) _mm256_dpbusd_avx_epi32(acc, a, b)
#define vi_sub(a, b) _mm256_sub_epi32(a, b)
#define vi_slli(a, n) _mm256_slli_epi32(a, n)
#define vf_load(p) _mm256_loadu_ps(p)
#define vf_store(p, v) _mm256_storeu_ps(p, v)
#define vf_set1(x) _mm256_set1_ps(x)
#define vf_mul(a, b) _mm256_mul_ps(a, b)
#define vf_add(a, b) _mm256_add_ps(a, b)
#define vf_cvt(v) _mm256_cvtepi32_ps(v)
#define VNNI_MR 6
#define VNNI_NV 2
#define VNNI_PREFIX avxvnni_
#define VNNI_NAME hx_qk_s8_avxvnni
#define VNNI_LABEL "avx-vnni"
#define VNNI_ISA HX_ISA_AVX2
#define VNNI_RUNS avxvnni_runs
#include "kernels/qgemm_vnni_impl.h"
