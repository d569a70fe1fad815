/* AVX2 + FMA SGEMM micro-kernel (6 x 16: twelve ymm accumulators, two B
 * vectors, one broadcast) and the vector activations (the epilogue's, and
 * hx_act_inplace / hx_gelu / hx_tanh through the kernel table). */
#include "kernels/simd_avx2.h"
#include "kernels/gemm_internal.h"

#define ACT_ROWS_NAME hx_act_rows_avx2
#include "kernels/gemm_act_impl.h"

#define UKR_MR 6
#define UKR_NV 2
#define UKR_NAME hx_gemm_ukr_avx2
#define UKR_WIDE_NAME hx_gemm_ukr_wide_avx2
#define DOT_NAME hx_gemm_dot_avx2
#define UKR_ACT_ROWS hx_act_rows_avx2
#include "kernels/gemm_ukr_impl.h"

/* Rows of A (row-major, stride lda) into a k-major micro-panel of stride mr:
 * a transpose, done in 4 x 4 blocks with SSE shuffles (four times fewer
 * stores than element by element). The AVX-512 kernel uses it too. */
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
    .mr = UKR_MR, .nr = UKR_NV * VW,
    .kc = 384, .mc = 96, .nt = 192,
    .pack_a = hx_gemm_pack_a_x86,
    .ukr = hx_gemm_ukr_avx2, .ukr_wide = hx_gemm_ukr_wide_avx2, .wide = 4,
    .dot = hx_gemm_dot_avx2,
};
