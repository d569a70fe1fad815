/* Private: the NEON (AArch64 Advanced SIMD) vector vocabulary: the same
 * names as simd_avx2.h (which lists them), over q registers. */
#ifndef HELIX_SIMD_NEON_H
#define HELIX_SIMD_NEON_H

#include <arm_neon.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

/* always_inline: as macros did, so the unroll pragmas of the templates see
 * the intrinsics themselves (plain inline changes GCC's unrolling). */
#ifndef HX_SIMD_FN
#define HX_SIMD_FN static inline __attribute__((always_inline))
#endif
#define HX_SIMD_ISA neon
#define VW 4
typedef float32x4_t vf;

HX_SIMD_FN vf vzero(void) { return vdupq_n_f32(0.0f); }
HX_SIMD_FN vf vset1(float x) { return vdupq_n_f32(x); }
HX_SIMD_FN vf vbcast(const float *p) { return vld1q_dup_f32(p); }
HX_SIMD_FN vf vload(const float *p) { return vld1q_f32(p); }
HX_SIMD_FN void vstore(float *p, vf v) { vst1q_f32(p, v); }
HX_SIMD_FN vf vload_fill(const float *p, size_t n, float fill) {
    float t[4] = {fill, fill, fill, fill};
    memcpy(t, p, n * sizeof *p);
    return vld1q_f32(t);
}
HX_SIMD_FN void vstore_n(float *p, vf v, size_t n) {
    float t[4];
    vst1q_f32(t, v);
    memcpy(p, t, n * sizeof *p);
}
HX_SIMD_FN vf vadd(vf a, vf b) { return vaddq_f32(a, b); }
HX_SIMD_FN vf vsub(vf a, vf b) { return vsubq_f32(a, b); }
HX_SIMD_FN vf vmul(vf a, vf b) { return vmulq_f32(a, b); }
HX_SIMD_FN vf vdiv(vf a, vf b) { return vdivq_f32(a, b); }
HX_SIMD_FN vf vfma(vf a, vf b, vf c) { return vfmaq_f32(c, a, b); }
HX_SIMD_FN vf vmax(vf a, vf b) { return vmaxq_f32(a, b); }
HX_SIMD_FN vf vmin(vf a, vf b) { return vminq_f32(a, b); }
HX_SIMD_FN vf vabs(vf a) { return vabsq_f32(a); }
HX_SIMD_FN vf vcopysign(vf mag, vf sign) {
    return vbslq_f32(vdupq_n_u32(0x80000000u), sign, mag);
}
HX_SIMD_FN vf vselect_lt(vf a, vf b, vf x, vf y) { return vbslq_f32(vcltq_f32(a, b), x, y); }
HX_SIMD_FN float vhsum(vf a) { return vaddvq_f32(a); }
HX_SIMD_FN float vhmax(vf a) { return vmaxvq_f32(a); }

/* exp(x): see simd_avx512.h (same method and constants). */
HX_SIMD_FN vf vexp(vf x) {
    uint32x4_t live = vcgeq_f32(x, vdupq_n_f32(-87.0f));
    x = vmaxq_f32(vminq_f32(x, vdupq_n_f32(88.0f)), vdupq_n_f32(-87.0f));
    vf n = vrndnq_f32(vmulq_f32(x, vdupq_n_f32(1.44269504088896341f)));
    vf r = vfmsq_f32(x, n, vdupq_n_f32(0.693359375f));
    r = vfmsq_f32(r, n, vdupq_n_f32(-2.12194440e-4f));
    vf p = vdupq_n_f32(1.0f / 720.0f);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 120.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 24.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 6.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(0.5f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
    int32x4_t e = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127)), 23);
    vf y = vmulq_f32(p, vreinterpretq_f32_s32(e));
    return vreinterpretq_f32_u32(vandq_u32(live, vreinterpretq_u32_f32(y)));
}

#define VD_W 2
typedef float64x2_t vd;
typedef uint64x2_t vd_mask;
HX_SIMD_FN vd vd_set1(double x) { return vdupq_n_f64(x); }
HX_SIMD_FN vd vd_add(vd a, vd b) { return vaddq_f64(a, b); }
HX_SIMD_FN vd vd_sub(vd a, vd b) { return vsubq_f64(a, b); }
HX_SIMD_FN vd vd_mul(vd a, vd b) { return vmulq_f64(a, b); }
HX_SIMD_FN vd vd_div(vd a, vd b) { return vdivq_f64(a, b); }
HX_SIMD_FN vd vd_fma(vd a, vd b, vd c) { return vfmaq_f64(c, a, b); }
HX_SIMD_FN vd vd_min(vd a, vd b) { return vminnmq_f64(a, b); }
HX_SIMD_FN vd vd_abs(vd a) { return vabsq_f64(a); }
HX_SIMD_FN vd_mask vd_lt(vd a, vd b) { return vcltq_f64(a, b); }
HX_SIMD_FN vd_mask vd_isnan(vd a) {
    return vreinterpretq_u64_u32(vmvnq_u32(vreinterpretq_u32_u64(vceqq_f64(a, a))));
}
HX_SIMD_FN vd vd_select(vd_mask m, vd a, vd b) { return vbslq_f64(m, a, b); }
HX_SIMD_FN vd vd_round_f(vd a) { return vcvt_f64_f32(vcvt_f32_f64(a)); }
HX_SIMD_FN vd vd_load_f(const float *p) { return vcvt_f64_f32(vld1_f32(p)); }
HX_SIMD_FN void vd_store_f(float *p, vd v) { vst1_f32(p, vcvt_f32_f64(v)); }
HX_SIMD_FN vd vd_pow2i(vd n) {
    /* n + 1.5*2^52 holds n in its low mantissa bits; move them to the exponent. */
    const float64x2_t magic = vdupq_n_f64(6755399441055744.0);
    int64x2_t bits = vsubq_s64(vreinterpretq_s64_f64(vaddq_f64(n, magic)),
                               vreinterpretq_s64_f64(magic));
    bits = vshlq_n_s64(vaddq_s64(bits, vdupq_n_s64(1023)), 52);
    return vreinterpretq_f64_s64(bits);
}

#endif
