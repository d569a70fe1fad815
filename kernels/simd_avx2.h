/* Private: the AVX2 + FMA vector vocabulary. Every SIMD kernel template
 * (gemm_ukr_impl.h, gemm_act_impl.h, conv_row_tmpl.h, conv_wino_tmpl.h,
 * transformer_ops_simd.h) is written in these names only, so an ISA is one
 * header like this one plus the per-ISA files that instantiate the templates.
 *
 * float vectors: vf (VW lanes); vzero, vset1(x), vbcast(p) (one float from
 * memory to every lane), vload, vstore, vload_fill(p, n, fill) (n < VW lanes
 * from p, the rest = fill), vstore_n, vadd, vsub, vmul, vdiv,
 * vfma(a, b, c) = a*b + c (one rounding), vmax, vmin, vabs,
 * vcopysign(mag, sign), vselect_lt(a, b, x, y) = a < b ? x : y, vhsum, vhmax,
 * vexp (float exp, about 1 ulp).
 * double vectors (the epilogue activations): vd (VD_W lanes), vd_mask;
 * vd_set1, vd_add, vd_sub, vd_mul, vd_div, vd_fma(a, b, c) = a*b + c, vd_min,
 * vd_abs, vd_lt(a, b) -> vd_mask, vd_isnan(a) -> vd_mask,
 * vd_select(m, a, b) = m ? a : b, vd_round_f (round each lane to float and
 * back), vd_pow2i(n) = 2^n for integer-valued n in [-1000, 1000],
 * vd_load_f(p) / vd_store_f(p, v) (VD_W floats in / out). */
#ifndef HELIX_SIMD_AVX2_H
#define HELIX_SIMD_AVX2_H

#include <immintrin.h>
#include <math.h>
#include <stddef.h>

/* always_inline: as macros did, so the unroll pragmas of the templates see
 * the intrinsics themselves (plain inline changes GCC's unrolling). */
#ifndef HX_SIMD_FN
#define HX_SIMD_FN static inline __attribute__((always_inline))
#endif
#define HX_SIMD_ISA avx2
#define VW 8
typedef __m256 vf;

HX_SIMD_FN __m256i vmask_n(size_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
HX_SIMD_FN vf vzero(void) { return _mm256_setzero_ps(); }
HX_SIMD_FN vf vset1(float x) { return _mm256_set1_ps(x); }
HX_SIMD_FN vf vbcast(const float *p) { return _mm256_broadcast_ss(p); }
HX_SIMD_FN vf vload(const float *p) { return _mm256_loadu_ps(p); }
HX_SIMD_FN void vstore(float *p, vf v) { _mm256_storeu_ps(p, v); }
HX_SIMD_FN vf vload_fill(const float *p, size_t n, float fill) {
    __m256i m = vmask_n(n);
    return _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
}
HX_SIMD_FN void vstore_n(float *p, vf v, size_t n) { _mm256_maskstore_ps(p, vmask_n(n), v); }
HX_SIMD_FN vf vadd(vf a, vf b) { return _mm256_add_ps(a, b); }
HX_SIMD_FN vf vsub(vf a, vf b) { return _mm256_sub_ps(a, b); }
HX_SIMD_FN vf vmul(vf a, vf b) { return _mm256_mul_ps(a, b); }
HX_SIMD_FN vf vdiv(vf a, vf b) { return _mm256_div_ps(a, b); }
HX_SIMD_FN vf vfma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
HX_SIMD_FN vf vmax(vf a, vf b) { return _mm256_max_ps(a, b); }
HX_SIMD_FN vf vmin(vf a, vf b) { return _mm256_min_ps(a, b); }
HX_SIMD_FN vf vabs(vf a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
HX_SIMD_FN vf vcopysign(vf mag, vf sign) {
    vf s = _mm256_set1_ps(-0.0f);
    return _mm256_or_ps(_mm256_andnot_ps(s, mag), _mm256_and_ps(s, sign));
}
HX_SIMD_FN vf vselect_lt(vf a, vf b, vf x, vf y) {
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(a, b, _CMP_LT_OQ));
}
HX_SIMD_FN float vhsum(vf a) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
HX_SIMD_FN float vhmax(vf a) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* exp(x): see simd_avx512.h (same method and constants). */
HX_SIMD_FN vf vexp(vf x) {
    vf live = _mm256_cmp_ps(x, _mm256_set1_ps(-87.0f), _CMP_GE_OQ);
    x = _mm256_max_ps(_mm256_min_ps(x, _mm256_set1_ps(88.0f)), _mm256_set1_ps(-87.0f));
    vf n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                           _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    vf r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    vf p = _mm256_set1_ps(1.0f / 720.0f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_and_ps(live, _mm256_mul_ps(p, _mm256_castsi256_ps(e)));
}

#define VD_W 4
typedef __m256d vd;
typedef __m256d vd_mask;
HX_SIMD_FN vd vd_set1(double x) { return _mm256_set1_pd(x); }
HX_SIMD_FN vd vd_add(vd a, vd b) { return _mm256_add_pd(a, b); }
HX_SIMD_FN vd vd_sub(vd a, vd b) { return _mm256_sub_pd(a, b); }
HX_SIMD_FN vd vd_mul(vd a, vd b) { return _mm256_mul_pd(a, b); }
HX_SIMD_FN vd vd_div(vd a, vd b) { return _mm256_div_pd(a, b); }
HX_SIMD_FN vd vd_fma(vd a, vd b, vd c) { return _mm256_fmadd_pd(a, b, c); }
HX_SIMD_FN vd vd_min(vd a, vd b) { return _mm256_min_pd(a, b); }
HX_SIMD_FN vd vd_abs(vd a) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), a); }
HX_SIMD_FN vd_mask vd_lt(vd a, vd b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
HX_SIMD_FN vd_mask vd_isnan(vd a) { return _mm256_cmp_pd(a, a, _CMP_UNORD_Q); }
HX_SIMD_FN vd vd_select(vd_mask m, vd a, vd b) { return _mm256_blendv_pd(b, a, m); }
HX_SIMD_FN vd vd_round_f(vd a) { return _mm256_cvtps_pd(_mm256_cvtpd_ps(a)); }
HX_SIMD_FN vd vd_load_f(const float *p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
HX_SIMD_FN void vd_store_f(float *p, vd v) { _mm_storeu_ps(p, _mm256_cvtpd_ps(v)); }
HX_SIMD_FN vd vd_pow2i(vd n) {
    /* n + 1.5*2^52 holds n in its low mantissa bits; move them to the exponent. */
    const __m256d magic = _mm256_set1_pd(6755399441055744.0);
    __m256i bits = _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(n, magic)),
                                    _mm256_castpd_si256(magic));
    bits = _mm256_slli_epi64(_mm256_add_epi64(bits, _mm256_set1_epi64x(1023)), 52);
    return _mm256_castsi256_pd(bits);
}

#endif
