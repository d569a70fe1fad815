/* AVX2 + FMA SGEMM micro-kernel (6 x 16: twelve ymm accumulators, two B
 * vectors, one broadcast) and the vector epilogue activations. */
#include <immintrin.h>

#include "kernels/gemm_internal.h"

/* Double-precision vectors for the activations (gemm_act_impl.h). */
typedef __m256d VD;
typedef __m256d VM;
#define VD_W 4
#define vd_set1(x) _mm256_set1_pd(x)
#define vd_add(a, b) _mm256_add_pd(a, b)
#define vd_sub(a, b) _mm256_sub_pd(a, b)
#define vd_mul(a, b) _mm256_mul_pd(a, b)
#define vd_div(a, b) _mm256_div_pd(a, b)
#define vd_fma(a, b, c) _mm256_fmadd_pd(a, b, c)
#define vd_min(a, b) _mm256_min_pd(a, b)
#define vd_abs(a) _mm256_andnot_pd(_mm256_set1_pd(-0.0), a)
#define vd_lt(a, b) _mm256_cmp_pd(a, b, _CMP_LT_OQ)
#define vd_isnan(a) _mm256_cmp_pd(a, a, _CMP_UNORD_Q)
#define vd_select(m, a, b) _mm256_blendv_pd(b, a, m)
#define vd_round_f(a) _mm256_cvtps_pd(_mm256_cvtpd_ps(a))
#define vd_load_f(p) _mm256_cvtps_pd(_mm_loadu_ps(p))
#define vd_store_f(p, v) _mm_storeu_ps(p, _mm256_cvtpd_ps(v))
static inline __m256d vd_pow2i(__m256d n) {
    /* n + 1.5*2^52 holds n in its low mantissa bits; move them to the exponent. */
    const __m256d magic = _mm256_set1_pd(6755399441055744.0);
    __m256i bits = _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(n, magic)),
                                    _mm256_castpd_si256(magic));
    bits = _mm256_slli_epi64(_mm256_add_epi64(bits, _mm256_set1_epi64x(1023)), 52);
    return _mm256_castsi256_pd(bits);
}
#define ACT_ROWS_NAME hx_act_rows_avx2
#include "kernels/gemm_act_impl.h"

typedef __m256 VF;
#define VF_W 8
#define vf_load(p) _mm256_loadu_ps(p)
#define vf_store(p, v) _mm256_storeu_ps(p, v)
#define vf_set1(x) _mm256_set1_ps(x)
#define vf_zero() _mm256_setzero_ps()
#define vf_fma(a, b, c) _mm256_fmadd_ps(a, b, c)
#define vf_mul(a, b) _mm256_mul_ps(a, b)
#define vf_add(a, b) _mm256_add_ps(a, b)
#define UKR_MR 6
#define UKR_NV 2
#define UKR_NAME hx_gemm_ukr_avx2
#define UKR_WIDE_NAME hx_gemm_ukr_wide_avx2
#define DOT_NAME hx_gemm_dot_avx2
void hx_gemm_dot_avx2(size_t m, size_t n, size_t K, const float *a, size_t lda, const float *b,
                   size_t ldb, float *c, size_t ldc, const hx_ukr_args *p);
static inline float vf_hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
size_t hx_gemm_ukr_wide_avx2(size_t m, size_t kc, const float *a, const float *b, size_t b_stride,
                          float *c, size_t ldc, const hx_ukr_args *p);
#define UKR_ACT_ROWS hx_act_rows_avx2
void hx_gemm_ukr_avx2(size_t m, size_t n, size_t kc, const float *a, const float *b, float *c,
                      size_t ldc, const hx_ukr_args *p);
void hx_act_rows_avx2(hx_act act, float *x, size_t n);
#include "kernels/gemm_ukr_impl.h"

/* Rows of A (row-major, stride lda) into a k-major micro-panel of stride mr:
 * a transpose, done in 4 x 4 blocks with SSE shuffles (four times fewer
 * stores than element by element). The AVX-512 kernel uses it too. */
void hx_gemm_pack_a_x86(const float *A, size_t lda, size_t rows, size_t K, size_t mr, float *dst);

void hx_gemm_pack_a_x86(const float *A, size_t lda, size_t rows, size_t K, size_t mr, float *dst) {
    size_t i = 0;
    for (; i + 4 <= rows; i += 4) {
        const float *r0 = A + i * lda, *r1 = r0 + lda, *r2 = r1 + lda, *r3 = r2 + lda;
        size_t k = 0;
        for (; k + 4 <= K; k += 4) {
            __m128 a0 = _mm_loadu_ps(r0 + k), a1 = _mm_loadu_ps(r1 + k);
            __m128 a2 = _mm_loadu_ps(r2 + k), a3 = _mm_loadu_ps(r3 + k);
            _MM_TRANSPOSE4_PS(a0, a1, a2, a3);
            _mm_storeu_ps(dst + k * mr + i, a0);
            _mm_storeu_ps(dst + (k + 1) * mr + i, a1);
            _mm_storeu_ps(dst + (k + 2) * mr + i, a2);
            _mm_storeu_ps(dst + (k + 3) * mr + i, a3);
        }
        for (; k < K; k++) {
            dst[k * mr + i] = r0[k];
            dst[k * mr + i + 1] = r1[k];
            dst[k * mr + i + 2] = r2[k];
            dst[k * mr + i + 3] = r3[k];
        }
    }
    for (; i < rows; i++)
        for (size_t k = 0; k < K; k++) dst[k * mr + i] = A[i * lda + k];
}

const hx_gemm_kernel hx_gemm_kernel_avx2 = {
    .isa = HX_ISA_AVX2, .mr = UKR_MR, .nr = UKR_NV * VF_W,
    .kc = 384, .mc = 96, .nt = 192,
    .pack_a = hx_gemm_pack_a_x86,
    .ukr = hx_gemm_ukr_avx2, .ukr_wide = hx_gemm_ukr_wide_avx2, .wide = 4,
    .dot = hx_gemm_dot_avx2,
    .act_rows = hx_act_rows_avx2,
};
