/* NEON SGEMM micro-kernel (8 x 12: twenty-four q-register accumulators, three
 * B vectors, one broadcast) and the vector activations. */
#include "kernels/simd_neon.h"
#include "kernels/gemm_internal.h"

#define ACT_ROWS_NAME hx_act_rows_neon
#include "kernels/gemm_act_impl.h"

#define UKR_MR 8
#define UKR_NV 3
#define UKR_NAME hx_gemm_ukr_neon
#define UKR_WIDE_NAME hx_gemm_ukr_wide_neon
#define DOT_NAME hx_gemm_dot_neon
#define UKR_ACT_ROWS hx_act_rows_neon
#include "kernels/gemm_ukr_impl.h"

const hx_gemm_kernel hx_gemm_kernel_neon = {
    .mr = UKR_MR, .nr = UKR_NV * VW,
    .kc = 256, .mc = 96, .nt = 384,
    .ukr = hx_gemm_ukr_neon, .ukr_wide = hx_gemm_ukr_wide_neon, .wide = 4,
    .dot = hx_gemm_dot_neon,
};
