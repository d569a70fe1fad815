/* Private: softmax, LayerNorm and the attention block, written once in the
 * SIMD vocabulary (simd_avx2.h lists it) and instantiated by
 * transformer_ops_avx2.c / _avx512.c / _neon.c after their simd_*.h and the
 * attention tiling (SCORE_NK keys per score micro-tile, PV_ROWS x PV_CV
 * query rows x vectors per P.V micro-tile). The activations are the GEMM
 * epilogue's (gemm_act_impl.h). */
#ifndef HX_SIMD_ISA
#error "include a simd_*.h vocabulary header first"
#endif

#include <float.h>
#include <string.h>

#include "transformer_ops_isa.h"

#define HX_SIMD_CAT2(a, b) a##_##b
#define HX_SIMD_CAT(a, b) HX_SIMD_CAT2(a, b)
#define HX_SIMD_NAME(f) HX_SIMD_CAT(f, HX_SIMD_ISA)
#define HX_INLINE static inline __attribute__((always_inline))

/* ---- softmax ------------------------------------------------------------- */
void HX_SIMD_NAME(hx_softmax_rows)(size_t rows, size_t n, const float *x, size_t ldx, float *y,
                              size_t ldy) {
    if (n == 0) return;
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * ldx;
        float *yr = y + r * ldy;
        size_t tail = n % VW, body = n - tail;
        vf mx = vset1(-FLT_MAX);
        for (size_t i = 0; i < body; i += VW) mx = vmax(mx, vload(xr + i));
        if (tail) mx = vmax(mx, vload_fill(xr + body, tail, -FLT_MAX));
        vf vm = vset1(vhmax(mx));
        vf sum = vzero();
        for (size_t i = 0; i < body; i += VW) {
            vf e = vexp(vsub(vload(xr + i), vm));
            vstore(yr + i, e);
            sum = vadd(sum, e);
        }
        if (tail) {
            vstore_n(yr + body, vexp(vsub(vload_fill(xr + body, tail, 0.0f), vm)), tail);
            sum = vadd(sum, vload_fill(yr + body, tail, 0.0f));
        }
        vf inv = vset1(1.0f / vhsum(sum));
        for (size_t i = 0; i < body; i += VW) vstore(yr + i, vmul(vload(yr + i), inv));
        if (tail) vstore_n(yr + body, vmul(vload_fill(yr + body, tail, 0.0f), inv), tail);
    }
}

/* ---- LayerNorm ----------------------------------------------------------- */
void HX_SIMD_NAME(hx_layernorm_rows)(size_t rows, size_t n, const float *x, size_t ldx,
                                     const float *gamma, const float *beta, float eps,
                                     float *y, size_t ldy) {
    size_t tail = n % VW, body = n - tail;
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * ldx;
        float *yr = y + r * ldy;
        vf s = vzero();
        for (size_t i = 0; i < body; i += VW) s = vadd(s, vload(xr + i));
        if (tail) s = vadd(s, vload_fill(xr + body, tail, 0.0f));
        float mean = vhsum(s) / (float)n;
        vf vmean = vset1(mean), ss = vzero();
        for (size_t i = 0; i < body; i += VW) {
            vf dlt = vsub(vload(xr + i), vmean);
            ss = vfma(dlt, dlt, ss);
        }
        if (tail) { /* padding lanes hold the mean, so they add 0 */
            vf dlt = vsub(vload_fill(xr + body, tail, mean), vmean);
            ss = vfma(dlt, dlt, ss);
        }
        vf rstd = vset1(1.0f / sqrtf(vhsum(ss) / (float)n + eps));
        for (size_t i = 0; i < body; i += VW) {
            vf v = vmul(vsub(vload(xr + i), vmean), rstd);
            vstore(yr + i, vfma(v, vload(gamma + i), vload(beta + i)));
        }
        if (tail) {
            vf v = vmul(vsub(vload_fill(xr + body, tail, 0.0f), vmean), rstd);
            vf o = vfma(v, vload_fill(gamma + body, tail, 0.0f), vload_fill(beta + body, tail, 0.0f));
            vstore_n(yr + body, o, tail);
        }
    }
}

/* ---- attention ----------------------------------------------------------
 *
 * The block works on the transposed scores Sᵀ[key][query]: with Qᵀ packed
 * once per block ([d][BQ], pre-multiplied by scale), a key row k_j gives a
 * whole score row by broadcasting k_j[c] against Qᵀ[c]. The online-softmax
 * statistics (running max, running sum, per query) are then plain lane-wise
 * vector ops down the key rows, and P·V broadcasts one probability per
 * (key, query) against the contiguous value row v_j. */
#define BQ HX_ATTN_BLOCK_Q
#define BK HX_ATTN_BLOCK_K
#define QV (BQ / VW) /* vectors per score row */

/* Scores of keys j .. j+NK-1 of the current block into st[j..][0..BQ). */
HX_INLINE void score_keys(int NK, const hx_attention_head *h, const float *qt, size_t kb,
                          size_t j, float *st) {
    const size_t d = h->head_dim;
    vf a[SCORE_NK][QV];
    const float *kr[SCORE_NK];
    for (int kk = 0; kk < NK; kk++) {
        kr[kk] = h->k + (kb + j + kk) * h->ldk;
        for (int v = 0; v < QV; v++) a[kk][v] = vzero();
    }
    for (size_t c = 0; c < d; c++) {
        vf q[QV];
        for (int v = 0; v < QV; v++) q[v] = vload(qt + c * BQ + v * VW);
        for (int kk = 0; kk < NK; kk++) {
            vf kc = vset1(kr[kk][c]);
            for (int v = 0; v < QV; v++) a[kk][v] = vfma(kc, q[v], a[kk][v]);
        }
    }
    for (int kk = 0; kk < NK; kk++) {
        vf bias = h->key_bias ? vset1(h->key_bias[kb + j + kk]) : vzero();
        for (int v = 0; v < QV; v++) vstore(st + (j + kk) * BQ + v * VW, vadd(a[kk][v], bias));
    }
}

/* acc[i..i+R) columns [c0, c0 + PV_CV*VW) = acc * corr + Pᵀ V, full vectors. */
HX_INLINE void pv_full(int R, const hx_attention_head *h, size_t kb, size_t nk,
                       const float *st, const float *corr, size_t i, size_t c0, float *acc,
                       size_t dp) {
    vf a[PV_ROWS][PV_CV];
    for (int r = 0; r < R; r++) {
        vf cr = vset1(corr[i + r]);
        for (int v = 0; v < PV_CV; v++) a[r][v] = vmul(vload(acc + (i + r) * dp + c0 + v * VW), cr);
    }
    for (size_t j = 0; j < nk; j++) {
        const float *vr = h->v + (kb + j) * h->ldv + c0;
        vf vv[PV_CV];
        for (int v = 0; v < PV_CV; v++) vv[v] = vload(vr + v * VW);
        for (int r = 0; r < R; r++) {
            vf p = vset1(st[j * BQ + i + r]);
            for (int v = 0; v < PV_CV; v++) a[r][v] = vfma(p, vv[v], a[r][v]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int v = 0; v < PV_CV; v++) vstore(acc + (i + r) * dp + c0 + v * VW, a[r][v]);
}

/* The same for one row and the last, partial column chunk. */
static void pv_tail(const hx_attention_head *h, size_t kb, size_t nk, const float *st,
                    const float *corr, size_t i, size_t c0, float *acc, size_t dp) {
    const size_t d = h->head_dim;
    for (size_t c = c0; c < d; c += VW) {
        size_t cnt = d - c < VW ? d - c : VW;
        vf a = vmul(vload(acc + i * dp + c), vset1(corr[i]));
        for (size_t j = 0; j < nk; j++) {
            const float *vr = h->v + (kb + j) * h->ldv + c;
            vf vv = cnt == VW ? vload(vr) : vload_fill(vr, cnt, 0.0f);
            a = vfma(vset1(st[j * BQ + i]), vv, a);
        }
        vstore(acc + i * dp + c, a);
    }
}

void HX_SIMD_NAME(hx_attention_block)(const hx_attention_head *h, size_t q0, size_t nq,
                                      float *scratch) {
    const size_t d = h->head_dim, L = h->seq_len, dp = hx_attn_dpad(d);
    float *qt = hx_attn_align(scratch);
    float *st = qt + d * BQ;
    float *acc = st + BK * BQ;
    float *m = acc + BQ * dp, *l = m + BQ, *corr = l + BQ;

    for (size_t i = 0; i < BQ; i++) {
        if (i < nq) {
            const float *q = h->q + (q0 + i) * h->ldq;
            for (size_t c = 0; c < d; c++) qt[c * BQ + i] = h->scale * q[c];
        } else {
            for (size_t c = 0; c < d; c++) qt[c * BQ + i] = 0.0f;
        }
        m[i] = -FLT_MAX;
        l[i] = 0.0f;
    }
    memset(acc, 0, nq * dp * sizeof *acc);

    const size_t chunk = (size_t)PV_CV * VW;
    for (size_t kb = 0; kb < L; kb += BK) {
        size_t nk = L - kb < BK ? L - kb : BK;
        size_t j = 0;
        for (; j + SCORE_NK <= nk; j += SCORE_NK) score_keys(SCORE_NK, h, qt, kb, j, st);
        for (; j < nk; j++) score_keys(1, h, qt, kb, j, st);

        /* New running max, the factor rescaling the old state, and P. */
        for (int v = 0; v < QV; v++) {
            vf mo = vload(m + v * VW), mx = mo;
            for (j = 0; j < nk; j++) mx = vmax(mx, vload(st + j * BQ + v * VW));
            vf cr = vexp(vsub(mo, mx));
            vf lv = vmul(vload(l + v * VW), cr);
            for (j = 0; j < nk; j++) {
                vf p = vexp(vsub(vload(st + j * BQ + v * VW), mx));
                vstore(st + j * BQ + v * VW, p);
                lv = vadd(lv, p);
            }
            vstore(m + v * VW, mx);
            vstore(l + v * VW, lv);
            vstore(corr + v * VW, cr);
        }

        size_t c0 = 0;
        for (; c0 + chunk <= d; c0 += chunk) {
            size_t i = 0;
            for (; i + PV_ROWS <= nq; i += PV_ROWS) pv_full(PV_ROWS, h, kb, nk, st, corr, i, c0, acc, dp);
            for (; i < nq; i++) pv_full(1, h, kb, nk, st, corr, i, c0, acc, dp);
        }
        if (c0 < d)
            for (size_t i = 0; i < nq; i++) pv_tail(h, kb, nk, st, corr, i, c0, acc, dp);
    }

    size_t tail = d % VW, body = d - tail;
    for (size_t i = 0; i < nq; i++) {
        vf inv = vset1(l[i] > 0.0f ? 1.0f / l[i] : 0.0f);
        float *out = h->out + (q0 + i) * h->ldo;
        const float *a = acc + i * dp;
        for (size_t c = 0; c < body; c += VW) vstore(out + c, vmul(vload(a + c), inv));
        if (tail) vstore_n(out + body, vmul(vload(a + body), inv), tail);
    }
}
#undef BQ
#undef BK
#undef QV
