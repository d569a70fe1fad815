/* AVX-512 SGEMM micro-kernel (12 x 32: twenty-four zmm accumulators, two B
 * vectors, one broadcast) and the vector activations. On Zen 4 a
 * zmm FMA is two 256-bit halves, so the gain over AVX2 is the larger
 * register file (a bigger tile, fewer loads and instructions per FMA), not
 * wider arithmetic: measured ~5-10 % faster than the 6 x 16 AVX2 kernel.
 * 12 x 32, 14 x 32, 8 x 48 and 6 x 64 tiles measured within noise of each
 * other on BERT shapes; KC = 384 was a little better than 256 or 512. */
#include "kernels/simd_avx512.h"
#include "kernels/gemm_internal.h"

#define ACT_ROWS_NAME hx_act_rows_avx512
#include "kernels/gemm_act_impl.h"

#define UKR_MR 12
#define UKR_NV 2
#define UKR_NAME hx_gemm_ukr_avx512
#define UKR_WIDE_NAME hx_gemm_ukr_wide_avx512
#define DOT_NAME hx_gemm_dot_avx512
#define UKR_ACT_ROWS hx_act_rows_avx512
#include "kernels/gemm_ukr_impl.h"

const hx_gemm_kernel hx_gemm_kernel_avx512 = {
    .mr = UKR_MR, .nr = UKR_NV * VW,
    .kc = 384, .mc = 96, .nt = 192,
    .pack_a = hx_gemm_pack_a_x86,
    .ukr = hx_gemm_ukr_avx512, .ukr_wide = hx_gemm_ukr_wide_avx512, .wide = 4,
    .dot = hx_gemm_dot_avx512,
};
