/* Private: the NEON (AArch64 Advanced SIMD) vector vocabulary of
 * transformer_ops_simd.h. */
#include <arm_neon.h>
#include <math.h>
#include <string.h>

#define HX_SIMD_ISA neon
#define VW 4
#define SCORE_NK 2 /* keys per score micro-tile: 2 x 8 accumulators */
#define PV_ROWS 4  /* P·V micro-tile: 4 query rows x 4 vectors (16 columns) */
#define PV_CV 4
typedef float32x4_t vf;

static inline vf vzero(void) { return vdupq_n_f32(0.0f); }
static inline vf vset1(float x) { return vdupq_n_f32(x); }
static inline vf vload(const float *p) { return vld1q_f32(p); }
static inline void vstore(float *p, vf v) { vst1q_f32(p, v); }
static inline vf vload_fill(const float *p, size_t n, float fill) {
    float t[4] = {fill, fill, fill, fill};
    memcpy(t, p, n * sizeof *p);
    return vld1q_f32(t);
}
static inline void vstore_n(float *p, vf v, size_t n) {
    float t[4];
    vst1q_f32(t, v);
    memcpy(p, t, n * sizeof *p);
}
static inline vf vadd(vf a, vf b) { return vaddq_f32(a, b); }
static inline vf vsub(vf a, vf b) { return vsubq_f32(a, b); }
static inline vf vmul(vf a, vf b) { return vmulq_f32(a, b); }
static inline vf vdiv(vf a, vf b) { return vdivq_f32(a, b); }
static inline vf vfma(vf a, vf b, vf c) { return vfmaq_f32(c, a, b); }
static inline vf vmax(vf a, vf b) { return vmaxq_f32(a, b); }
static inline vf vmin(vf a, vf b) { return vminq_f32(a, b); }
static inline vf vabs(vf a) { return vabsq_f32(a); }
static inline vf vcopysign(vf mag, vf sign) {
    return vbslq_f32(vdupq_n_u32(0x80000000u), sign, mag);
}
static inline vf vselect_lt(vf a, vf b, vf x, vf y) { return vbslq_f32(vcltq_f32(a, b), x, y); }
static inline float vhsum(vf a) { return vaddvq_f32(a); }
static inline float vhmax(vf a) { return vmaxvq_f32(a); }

/* exp(x): see transformer_vec_avx512.h (same method and constants). */
static inline vf vexp(vf x) {
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
