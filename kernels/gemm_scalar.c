/* Portable C SGEMM micro-kernel (4 x 8), used when no SIMD path is available
 * or the scalar ISA is chosen. Plain fp32 multiply-add in k order (ISO C: no FMA
 * contraction), epilogue through hx_act_apply. */
#include "kernels/gemm_internal.h"

#define MR 4
#define NR 8

static void ukr_scalar(size_t m, size_t n, size_t kc, const float *a, const float *b, float *c,
                       size_t ldc, const hx_ukr_args *p) {
    float acc[MR][NR] = {{0}};
    for (size_t k = 0; k < kc; k++) {
        for (size_t i = 0; i < MR; i++)
            for (size_t j = 0; j < NR; j++) acc[i][j] += a[i] * b[j];
        a += MR;
        b += NR;
    }
    for (size_t i = 0; i < m; i++) {
        float *ci = c + i * ldc;
        for (size_t j = 0; j < n; j++) {
            float v = p->alpha * acc[i][j];
            if (p->beta != 0.0f) v += p->beta * ci[j];
            if (p->bias) v += p->bias[j];
            ci[j] = hx_act_apply(p->act, v);
        }
    }
}

void hx_act_rows_scalar(hx_act act, float *x, size_t n) {
    for (size_t i = 0; i < n; i++) x[i] = hx_act_apply(act, x[i]);
}

const hx_gemm_kernel hx_gemm_kernel_scalar = {
    .mr = MR, .nr = NR,
    .kc = 256, .mc = 64, .nt = 256,
    .ukr = ukr_scalar,
};
