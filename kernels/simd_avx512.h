/* Private: the AVX-512 (F/BW/VL/DQ) vector vocabulary: the same names as
 * simd_avx2.h (which lists them), over zmm registers and opmasks. */
#ifndef HELIX_SIMD_AVX512_H
#define HELIX_SIMD_AVX512_H

#include <immintrin.h>
#include <math.h>
#include <stddef.h>

/* always_inline: as macros did, so the unroll pragmas of the templates see
 * the intrinsics themselves (plain inline changes GCC's unrolling). */
#ifndef HX_SIMD_FN
#define HX_SIMD_FN static inline __attribute__((always_inline))
#endif
#define HX_SIMD_ISA avx512
#define VW 16
typedef __m512 vf;

HX_SIMD_FN __mmask16 vmask_n(size_t n) { return (__mmask16)((1u << n) - 1u); }
HX_SIMD_FN vf vzero(void) { return _mm512_setzero_ps(); }
HX_SIMD_FN vf vset1(float x) { return _mm512_set1_ps(x); }
HX_SIMD_FN vf vbcast(const float *p) { return _mm512_set1_ps(*p); }
HX_SIMD_FN vf vload(const float *p) { return _mm512_loadu_ps(p); }
HX_SIMD_FN void vstore(float *p, vf v) { _mm512_storeu_ps(p, v); }
HX_SIMD_FN vf vload_fill(const float *p, size_t n, float fill) {
    return _mm512_mask_loadu_ps(_mm512_set1_ps(fill), vmask_n(n), p);
}
HX_SIMD_FN void vstore_n(float *p, vf v, size_t n) { _mm512_mask_storeu_ps(p, vmask_n(n), v); }
HX_SIMD_FN vf vadd(vf a, vf b) { return _mm512_add_ps(a, b); }
HX_SIMD_FN vf vsub(vf a, vf b) { return _mm512_sub_ps(a, b); }
HX_SIMD_FN vf vmul(vf a, vf b) { return _mm512_mul_ps(a, b); }
HX_SIMD_FN vf vdiv(vf a, vf b) { return _mm512_div_ps(a, b); }
HX_SIMD_FN vf vfma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
HX_SIMD_FN vf vmax(vf a, vf b) { return _mm512_max_ps(a, b); }
HX_SIMD_FN vf vmin(vf a, vf b) { return _mm512_min_ps(a, b); }
HX_SIMD_FN vf vabs(vf a) { return _mm512_abs_ps(a); }
HX_SIMD_FN vf vcopysign(vf mag, vf sign) {
    __m512i m = _mm512_set1_epi32(0x7fffffff);
    return _mm512_castsi512_ps(_mm512_ternarylogic_epi32(m, _mm512_castps_si512(mag),
                                                         _mm512_castps_si512(sign), 0xca)); /* a ? b : c */
}
HX_SIMD_FN vf vselect_lt(vf a, vf b, vf x, vf y) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ), y, x);
}
HX_SIMD_FN float vhsum(vf a) { return _mm512_reduce_add_ps(a); }
HX_SIMD_FN float vhmax(vf a) { return _mm512_reduce_max_ps(a); }

/* exp(x) = 2^n e^r with n = round(x / ln 2), r = x - n ln 2 (ln 2 split in a
 * high part exact in few bits and a low part), e^r by its degree-6 Taylor
 * polynomial (|r| <= ln2/2: error about 1 ulp). x is clamped to [-87, 88] so
 * 2^n stays a normal float; below -87 the result is 0 (exp(-inf) = 0 exactly,
 * which masking relies on). */
HX_SIMD_FN vf vexp(vf x) {
    __mmask16 live = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.0f), _CMP_GE_OQ);
    x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(88.0f)), _mm512_set1_ps(-87.0f));
    vf n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    vf r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    vf p = _mm512_set1_ps(1.0f / 720.0f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    __m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
    return _mm512_maskz_mul_ps(live, p, _mm512_castsi512_ps(e));
}

#define VD_W 8
typedef __m512d vd;
typedef __mmask8 vd_mask;
HX_SIMD_FN vd vd_set1(double x) { return _mm512_set1_pd(x); }
HX_SIMD_FN vd vd_add(vd a, vd b) { return _mm512_add_pd(a, b); }
HX_SIMD_FN vd vd_sub(vd a, vd b) { return _mm512_sub_pd(a, b); }
HX_SIMD_FN vd vd_mul(vd a, vd b) { return _mm512_mul_pd(a, b); }
HX_SIMD_FN vd vd_div(vd a, vd b) { return _mm512_div_pd(a, b); }
HX_SIMD_FN vd vd_fma(vd a, vd b, vd c) { return _mm512_fmadd_pd(a, b, c); }
HX_SIMD_FN vd vd_min(vd a, vd b) { return _mm512_min_pd(a, b); }
HX_SIMD_FN vd vd_abs(vd a) { return _mm512_abs_pd(a); }
HX_SIMD_FN vd_mask vd_lt(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }
HX_SIMD_FN vd_mask vd_isnan(vd a) { return _mm512_cmp_pd_mask(a, a, _CMP_UNORD_Q); }
HX_SIMD_FN vd vd_select(vd_mask m, vd a, vd b) { return _mm512_mask_blend_pd(m, b, a); }
HX_SIMD_FN vd vd_round_f(vd a) { return _mm512_cvtps_pd(_mm512_cvtpd_ps(a)); }
HX_SIMD_FN vd vd_load_f(const float *p) { return _mm512_cvtps_pd(_mm256_loadu_ps(p)); }
HX_SIMD_FN void vd_store_f(float *p, vd v) { _mm256_storeu_ps(p, _mm512_cvtpd_ps(v)); }
HX_SIMD_FN vd vd_pow2i(vd n) {
    /* n + 1.5*2^52 holds n in its low mantissa bits; move them to the exponent. */
    const __m512d magic = _mm512_set1_pd(6755399441055744.0);
    __m512i bits = _mm512_sub_epi64(_mm512_castpd_si512(_mm512_add_pd(n, magic)),
                                    _mm512_castpd_si512(magic));
    bits = _mm512_slli_epi64(_mm512_add_epi64(bits, _mm512_set1_epi64(1023)), 52);
    return _mm512_castsi512_pd(bits);
}

#endif
