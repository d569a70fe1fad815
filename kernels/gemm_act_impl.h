/* The vector activations (exact-erf GELU, tanh, ReLU) of every op that has
 * one: the GEMM epilogue, hx_act_inplace, hx_gelu and hx_tanh. Written once
 * in the double part of the SIMD vocabulary (simd_avx2.h lists it) and
 * instantiated by each per-ISA GEMM file. The specification is hx_act_apply
 * (gemm_ref.c, libm's erff/tanhf).
 *
 * Each value is widened to double, so the polynomial and the exponential
 * carry ~1e-11 relative error and the result, rounded once to float, lands
 * within an ulp or so of libm. GELU repeats the reference's own float steps
 * (t = x*(1/sqrt 2) in float, 0.5*x*(1 + erf(t)) with float roundings), so it
 * inherits the reference's conditioning rather than differing from it.
 *
 * Included after the file's simd_*.h and ACT_ROWS_NAME, the name of the
 * hx_act_rows_fn to define. */

/* e^x for x in [-745, 700]: x = n ln2 + r, |r| <= ln2/2, e^r by its Taylor
 * series to r^11 (truncation < 1e-14 relative). */
static inline vd vd_exp(vd x) {
    const vd magic = vd_set1(6755399441055744.0); /* 1.5 * 2^52: rounds to integer */
    vd n = vd_sub(vd_fma(x, vd_set1(1.4426950408889634), magic), magic);
    vd r = vd_fma(n, vd_set1(-6.93147180369123816490e-01), x); /* ln2 high part */
    r = vd_fma(n, vd_set1(-1.90821492927058770002e-10), r);    /* ln2 low part */
    vd p = vd_set1(1.0 / 39916800.0);
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
static inline vd vd_erf(vd t) {
    vd a = vd_abs(t);
    vd u = vd_mul(t, t);
    vd ps = vd_set1(-9.6349913842779168e-06);
    ps = vd_fma(ps, u, vd_set1(0.00011254640823676407));
    ps = vd_fma(ps, u, vd_set1(-0.00084825077498379398));
    ps = vd_fma(ps, u, vd_set1(0.005220923216863068));
    ps = vd_fma(ps, u, vd_set1(-0.026865392124864253));
    ps = vd_fma(ps, u, vd_set1(0.11283781839101968));
    ps = vd_fma(ps, u, vd_set1(-0.37612638425957401));
    ps = vd_fma(ps, u, vd_set1(1.128379167057098));
    vd small = vd_mul(t, ps);

    vd ac = vd_min(a, vd_set1(4.0));
    vd s = vd_sub(ac, vd_set1(2.5));
    vd q = vd_set1(-1.649440773198779e-06);
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
    vd e = vd_exp(vd_mul(vd_sub(vd_set1(0.0), ac), ac));
    vd big = vd_sub(vd_set1(1.0), vd_mul(e, q));
    big = vd_select(vd_lt(t, vd_set1(0.0)), vd_sub(vd_set1(0.0), big), big);
    return vd_select(vd_lt(a, vd_set1(1.0)), small, big);
}

/* tanh(x): x - x^3/3 + 2x^5/15 - 17x^7/315 below 0.04 (next term < 2e-13
 * relative); above, 1 - 2/(e^{2|x|} + 1) with the sign of x (|x| clipped at
 * 20, where tanh is 1 in any float). */
static inline vd vd_tanh(vd x) {
    vd a = vd_abs(x);
    vd u = vd_mul(x, x);
    vd p = vd_set1(-17.0 / 315.0);
    p = vd_fma(p, u, vd_set1(2.0 / 15.0));
    p = vd_fma(p, u, vd_set1(-1.0 / 3.0));
    p = vd_fma(p, u, vd_set1(1.0));
    vd small = vd_mul(x, p);
    vd e = vd_exp(vd_mul(vd_set1(2.0), vd_min(a, vd_set1(20.0))));
    vd big = vd_sub(vd_set1(1.0), vd_div(vd_set1(2.0), vd_add(e, vd_set1(1.0))));
    big = vd_select(vd_lt(x, vd_set1(0.0)), vd_sub(vd_set1(0.0), big), big);
    vd r = vd_select(vd_lt(a, vd_set1(0.04)), small, big);
    return vd_select(vd_isnan(x), x, r);
}

/* 0.5f * x * (1.0f + erff(x * 0.70710678f)), every float rounding of the
 * reference reproduced (products of two floats are exact in double). */
static inline vd vd_gelu(vd x) {
    vd t = vd_round_f(vd_mul(x, vd_set1((double)0.70710678118654752f)));
    vd e = vd_round_f(vd_erf(t));
    vd one_plus = vd_round_f(vd_add(vd_set1(1.0), e));
    return vd_mul(vd_mul(vd_set1(0.5), x), one_plus); /* rounded by the caller's store */
}

static inline vd vd_act(hx_act act, vd x) {
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
