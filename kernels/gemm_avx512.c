/* AVX-512 SGEMM micro-kernel (12 x 32: twenty-four zmm accumulators, two B
 * vectors, one broadcast) and the vector epilogue activations. On Zen 4 a
 * zmm FMA is two 256-bit halves, so the gain over AVX2 is the larger
 * register file (a bigger tile, fewer loads and instructions per FMA), not
 * wider arithmetic: measured ~5-10 % faster than the 6 x 16 AVX2 kernel.
 * 12 x 32, 14 x 32, 8 x 48 and 6 x 64 tiles measured within noise of each
 * other on BERT shapes; KC = 384 was a little better than 256 or 512. */
#include <immintrin.h>

#include "kernels/gemm_internal.h"

typedef __m512d VD;
typedef __mmask8 VM;
#define VD_W 8
#define vd_set1(x) _mm512_set1_pd(x)
#define vd_add(a, b) _mm512_add_pd(a, b)
#define vd_sub(a, b) _mm512_sub_pd(a, b)
#define vd_mul(a, b) _mm512_mul_pd(a, b)
#define vd_div(a, b) _mm512_div_pd(a, b)
#define vd_fma(a, b, c) _mm512_fmadd_pd(a, b, c)
#define vd_min(a, b) _mm512_min_pd(a, b)
#define vd_abs(a) _mm512_abs_pd(a)
#define vd_lt(a, b) _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ)
#define vd_isnan(a) _mm512_cmp_pd_mask(a, a, _CMP_UNORD_Q)
#define vd_select(m, a, b) _mm512_mask_blend_pd(m, b, a)
#define vd_round_f(a) _mm512_cvtps_pd(_mm512_cvtpd_ps(a))
#define vd_load_f(p) _mm512_cvtps_pd(_mm256_loadu_ps(p))
#define vd_store_f(p, v) _mm256_storeu_ps(p, _mm512_cvtpd_ps(v))
static inline __m512d vd_pow2i(__m512d n) {
    /* n + 1.5*2^52 holds n in its low mantissa bits; move them to the exponent. */
    const __m512d magic = _mm512_set1_pd(6755399441055744.0);
    __m512i bits = _mm512_sub_epi64(_mm512_castpd_si512(_mm512_add_pd(n, magic)),
                                    _mm512_castpd_si512(magic));
    bits = _mm512_slli_epi64(_mm512_add_epi64(bits, _mm512_set1_epi64(1023)), 52);
    return _mm512_castsi512_pd(bits);
}
#define ACT_ROWS_NAME hx_act_rows_avx512
#include "kernels/gemm_act_impl.h"

typedef __m512 VF;
#define VF_W 16
#define vf_load(p) _mm512_loadu_ps(p)
#define vf_store(p, v) _mm512_storeu_ps(p, v)
#define vf_set1(x) _mm512_set1_ps(x)
#define vf_zero() _mm512_setzero_ps()
#define vf_fma(a, b, c) _mm512_fmadd_ps(a, b, c)
#define vf_mul(a, b) _mm512_mul_ps(a, b)
#define vf_add(a, b) _mm512_add_ps(a, b)
#define UKR_MR 12
#define UKR_NV 2
#define UKR_NAME hx_gemm_ukr_avx512
#define UKR_WIDE_NAME hx_gemm_ukr_wide_avx512
#define DOT_NAME hx_gemm_dot_avx512
void hx_gemm_dot_avx512(size_t m, size_t n, size_t K, const float *a, size_t lda, const float *b,
                   size_t ldb, float *c, size_t ldc, const hx_ukr_args *p);
#define vf_hsum(v) _mm512_reduce_add_ps(v)
size_t hx_gemm_ukr_wide_avx512(size_t m, size_t kc, const float *a, const float *b, size_t b_stride,
                          float *c, size_t ldc, const hx_ukr_args *p);
#define UKR_ACT_ROWS hx_act_rows_avx512
void hx_gemm_ukr_avx512(size_t m, size_t n, size_t kc, const float *a, const float *b, float *c,
                        size_t ldc, const hx_ukr_args *p);
void hx_act_rows_avx512(hx_act act, float *x, size_t n);
#include "kernels/gemm_ukr_impl.h"

void hx_gemm_pack_a_x86(const float *A, size_t lda, size_t rows, size_t K, size_t mr, float *dst);

const hx_gemm_kernel hx_gemm_kernel_avx512 = {
    .isa = HX_ISA_AVX512, .mr = UKR_MR, .nr = UKR_NV * VF_W,
    .kc = 384, .mc = 96, .nt = 192,
    .pack_a = hx_gemm_pack_a_x86,
    .ukr = hx_gemm_ukr_avx512, .ukr_wide = hx_gemm_ukr_wide_avx512, .wide = 4,
    .dot = hx_gemm_dot_avx512,
    .act_rows = hx_act_rows_avx512,
};
