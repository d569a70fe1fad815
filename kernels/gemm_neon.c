/* NEON SGEMM micro-kernel (8 x 12: twenty-four q-register accumulators, three
 * B vectors, one broadcast) and the vector epilogue activations. */
#include <arm_neon.h>

#include "kernels/gemm_internal.h"

typedef float64x2_t VD;
typedef uint64x2_t VM;
#define VD_W 2
#define vd_set1(x) vdupq_n_f64(x)
#define vd_add(a, b) vaddq_f64(a, b)
#define vd_sub(a, b) vsubq_f64(a, b)
#define vd_mul(a, b) vmulq_f64(a, b)
#define vd_div(a, b) vdivq_f64(a, b)
#define vd_fma(a, b, c) vfmaq_f64(c, a, b)
#define vd_min(a, b) vminnmq_f64(a, b)
#define vd_abs(a) vabsq_f64(a)
#define vd_lt(a, b) vcltq_f64(a, b)
#define vd_isnan(a) vmvnq_u32_u64(vceqq_f64(a, a))
#define vd_select(m, a, b) vbslq_f64(m, a, b)
#define vd_round_f(a) vcvt_f64_f32(vcvt_f32_f64(a))
#define vd_load_f(p) vcvt_f64_f32(vld1_f32(p))
#define vd_store_f(p, v) vst1_f32(p, vcvt_f32_f64(v))
static inline uint64x2_t vmvnq_u32_u64(uint64x2_t m) {
    return vreinterpretq_u64_u32(vmvnq_u32(vreinterpretq_u32_u64(m)));
}
static inline float64x2_t vd_pow2i(float64x2_t n) {
    /* n + 1.5*2^52 holds n in its low mantissa bits; move them to the exponent. */
    const float64x2_t magic = vdupq_n_f64(6755399441055744.0);
    int64x2_t bits = vsubq_s64(vreinterpretq_s64_f64(vaddq_f64(n, magic)),
                               vreinterpretq_s64_f64(magic));
    bits = vshlq_n_s64(vaddq_s64(bits, vdupq_n_s64(1023)), 52);
    return vreinterpretq_f64_s64(bits);
}
#define ACT_ROWS_NAME hx_act_rows_neon
#include "kernels/gemm_act_impl.h"

typedef float32x4_t VF;
#define VF_W 4
#define vf_load(p) vld1q_f32(p)
#define vf_store(p, v) vst1q_f32(p, v)
#define vf_set1(x) vdupq_n_f32(x)
#define vf_zero() vdupq_n_f32(0.0f)
#define vf_fma(a, b, c) vfmaq_f32(c, a, b)
#define vf_mul(a, b) vmulq_f32(a, b)
#define vf_add(a, b) vaddq_f32(a, b)
#define UKR_MR 8
#define UKR_NV 3
#define UKR_NAME hx_gemm_ukr_neon
#define UKR_WIDE_NAME hx_gemm_ukr_wide_neon
#define DOT_NAME hx_gemm_dot_neon
void hx_gemm_dot_neon(size_t m, size_t n, size_t K, const float *a, size_t lda, const float *b,
                   size_t ldb, float *c, size_t ldc, const hx_ukr_args *p);
#define vf_hsum(v) vaddvq_f32(v)
size_t hx_gemm_ukr_wide_neon(size_t m, size_t kc, const float *a, const float *b, size_t b_stride,
                          float *c, size_t ldc, const hx_ukr_args *p);
#define UKR_ACT_ROWS hx_act_rows_neon
void hx_gemm_ukr_neon(size_t m, size_t n, size_t kc, const float *a, const float *b, float *c,
                      size_t ldc, const hx_ukr_args *p);
void hx_act_rows_neon(hx_act act, float *x, size_t n);
#include "kernels/gemm_ukr_impl.h"

const hx_gemm_kernel hx_gemm_kernel_neon = {
    .isa = HX_ISA_NEON, .mr = UKR_MR, .nr = UKR_NV * VF_W,
    .kc = 256, .mc = 96, .nt = 384,
    .ukr = hx_gemm_ukr_neon, .ukr_wide = hx_gemm_ukr_wide_neon, .wide = 4,
    .dot = hx_gemm_dot_neon,
    .act_rows = hx_act_rows_neon,
};
