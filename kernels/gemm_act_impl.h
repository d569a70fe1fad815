/* Vectorised epilogue activations (exact-erf GELU, tanh, ReLU), written once
 * and instantiated by each per-ISA file with its own vector type. The
 * specification is hx_act_apply (gemm_ref.c, libm's erff/tanhf).
 *
 * Each value is widened to double, so the polynomial and the exponential
 * carry ~1e-11 relative error and the result, rounded once to float, lands
 * within an ulp or so of libm. GELU repeats the reference's own float steps
 * (t = x*(1/sqrt 2) in float, 0.5*x*(1 + erf(t)) with float roundings), so it
 * inherits the reference's conditioning rather than differing from it.
 *
 * Included after the file defines:
 *   VD, VD_W, VM               double vector, its lane count, its compare mask
 *   vd_set1(x), vd_add, vd_sub, vd_mul, vd_div, vd_fma(a,b,c) = a*b + c,
 *   vd_min, vd_abs, vd_lt(a,b) -> VM, vd_isnan(a) -> VM, vd_select(m,a,b) = m?a:b
 *   vd_round_f(a)              round each lane to float precision (and back)
 *   vd_pow2i(n)                2^n for integer-valued n in [-1000, 1000]
 *   vd_load_f(p), vd_store_f(p,v)   VD_W floats in / out
 *   ACT_ROWS_NAME              name of the hx_act_rows_fn to define */

/* e^x for x in [-745, 700]: x = n ln2 + r, |r| <= ln2/2, e^r by its Taylor
 * series to r^11 (truncation < 1e-14 relative). */
static inline VD vd_exp(VD x) {
    const VD magic = vd_set1(6755399441055744.0); /* 1.5 * 2^52: rounds to integer */
    VD n = vd_sub(vd_fma(x, vd_set1(1.4426950408889634), magic), magic);
    VD r = vd_fma(n, vd_set1(-6.93147180369123816490e-01), x); /* ln2 high part */
    r = vd_fma(n, vd_set1(-1.90821492927058770002e-10), r);    /* ln2 low part */
    VD p = vd_set1(1.0 / 39916800.0);
    p = vd_fma(p, r, vd_set1(1.0 / 3628800.0));
    p = vd_fma(p, r, vd_set1(1.0 / 362880.0));
    p = vd_fma(p, r, vd_set1(1.0 / 40320.0));
    p = vd_fma(p, r, vd_set1(1.0 / 5040.0));
    p = vd_fma(p, r, vd_set1(1.0 / 720.0));
    p = vd_fma(p, r, vd_set1(1.0 / 120.0));
    p = vd_fma(p, r, vd_set1(1.0 / 24.0));
    p = vd_fma(p, r, vd_set1(1.0 / 6.0));
    p = vd_fma(p, r, vd_set1(0.5));
    p = vd_fma(p, r, vd_set1(1.0));
    p = vd_fma(p, r, vd_set1(1.0));
    return vd_mul(p, vd_pow2i(n));
}

/* erf(t). |t| < 1: t * P(t^2); 1 <= |t| < 4: 1 - e^{-t^2} Q(|t| - 2.5), Q
 * fitted to erfc(t) e^{t^2} with weight e^{-t^2} (absolute error of erf);
 * |t| >= 4: +-1 (erf(4) rounds to 1 in float). Least-squares fits on
 * Chebyshev nodes against mpmath (tests/oracle/gemm_fit_erf.py): relative
 * error 3.4e-11 below 1, absolute 1.9e-11 above. */
static inline VD vd_erf(VD t) {
    VD a = vd_abs(t);
    VD u = vd_mul(t, t);
    VD ps = vd_set1(-9.6349913842779168e-06);
    ps = vd_fma(ps, u, vd_set1(0.00011254640823676407));
    ps = vd_fma(ps, u, vd_set1(-0.00084825077498379398));
    ps = vd_fma(ps, u, vd_set1(0.005220923216863068));
    ps = vd_fma(ps, u, vd_set1(-0.026865392124864253));
    ps = vd_fma(ps, u, vd_set1(0.11283781839101968));
    ps = vd_fma(ps, u, vd_set1(-0.37612638425957401));
    ps = vd_fma(ps, u, vd_set1(1.128379167057098));
    VD small = vd_mul(t, ps);

    VD ac = vd_min(a, vd_set1(4.0));
    VD s = vd_sub(ac, vd_set1(2.5));
    VD q = vd_set1(-1.649440773198779e-06);
    q = vd_fma(q, s, vd_set1(-2.670617803230804e-06));
    q = vd_fma(q, s, vd_set1(-5.8770411442055935e-06));
    q = vd_fma(q, s, vd_set1(2.2566584570939066e-05));
    q = vd_fma(q, s, vd_set1(-4.9486141387921275e-05));
    q = vd_fma(q, s, vd_set1(0.00021231149968149084));
    q = vd_fma(q, s, vd_set1(-0.0007386107861645935));
    q = vd_fma(q, s, vd_set1(0.0024640046772344197));
    q = vd_fma(q, s, vd_set1(-0.0080015491201049227));
    q = vd_fma(q, s, vd_set1(0.024938390459015539));
    q = vd_fma(q, s, vd_set1(-0.074347278682426299));
    q = vd_fma(q, s, vd_set1(0.21080636273125075));
    VD e = vd_exp(vd_mul(vd_sub(vd_set1(0.0), ac), ac));
    VD big = vd_sub(vd_set1(1.0), vd_mul(e, q));
    big = vd_select(vd_lt(t, vd_set1(0.0)), vd_sub(vd_set1(0.0), big), big);
    return vd_select(vd_lt(a, vd_set1(1.0)), small, big);
}

/* tanh(x): x - x^3/3 + 2x^5/15 - 17x^7/315 below 0.04 (next term < 2e-13
 * relative); above, 1 - 2/(e^{2|x|} + 1) with the sign of x (|x| clipped at
 * 20, where tanh is 1 in any float). */
static inline VD vd_tanh(VD x) {
    VD a = vd_abs(x);
    VD u = vd_mul(x, x);
    VD p = vd_set1(-17.0 / 315.0);
    p = vd_fma(p, u, vd_set1(2.0 / 15.0));
    p = vd_fma(p, u, vd_set1(-1.0 / 3.0));
    p = vd_fma(p, u, vd_set1(1.0));
    VD small = vd_mul(x, p);
    VD e = vd_exp(vd_mul(vd_set1(2.0), vd_min(a, vd_set1(20.0))));
    VD big = vd_sub(vd_set1(1.0), vd_div(vd_set1(2.0), vd_add(e, vd_set1(1.0))));
    big = vd_select(vd_lt(x, vd_set1(0.0)), vd_sub(vd_set1(0.0), big), big);
    VD r = vd_select(vd_lt(a, vd_set1(0.04)), small, big);
    return vd_select(vd_isnan(x), x, r);
}

/* 0.5f * x * (1.0f + erff(x * 0.70710678f)), every float rounding of the
 * reference reproduced (products of two floats are exact in double). */
static inline VD vd_gelu(VD x) {
    VD t = vd_round_f(vd_mul(x, vd_set1((double)0.70710678118654752f)));
    VD e = vd_round_f(vd_erf(t));
    VD one_plus = vd_round_f(vd_add(vd_set1(1.0), e));
    return vd_mul(vd_mul(vd_set1(0.5), x), one_plus); /* rounded by the caller's store */
}

static inline VD vd_act(hx_act act, VD x) {
    switch (act) {
    case HX_ACT_RELU: return vd_select(vd_lt(vd_set1(0.0), x), x, vd_set1(0.0));
    case HX_ACT_GELU: return vd_gelu(x);
    case HX_ACT_TANH: return vd_tanh(x);
    case HX_ACT_NONE: default: return x;
    }
}

void ACT_ROWS_NAME(hx_act act, float *x, size_t n) {
    if (act == HX_ACT_NONE) return;
    size_t i = 0;
    for (; i + VD_W <= n; i += VD_W) vd_store_f(x + i, vd_act(act, vd_load_f(x + i)));
    if (i < n) {
        float tail[VD_W] = {0};
        for (size_t j = 0; i + j < n; j++) tail[j] = x[i + j];
        vd_store_f(tail, vd_act(act, vd_load_f(tail)));
        for (size_t j = 0; i + j < n; j++) x[i + j] = tail[j];
    }
}
