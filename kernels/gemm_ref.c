/* The plain-C SGEMM reference: the specification of every other GEMM path.
 *   C = act(alpha * op(A) op(B) + beta * C + bias)
 * Products summed in k order in fp32; beta == 0 never reads C. */
#include "helix/gemm.h"

#include <math.h>

float hx_act_apply(hx_act act, float x) {
    switch (act) {
    case HX_ACT_RELU: return x > 0.0f ? x : 0.0f;
    case HX_ACT_GELU: return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
    case HX_ACT_TANH: return tanhf(x);
    case HX_ACT_NONE: default: return x;
    }
}

void hx_sgemm_ref(hx_trans ta, hx_trans tb, size_t M, size_t N, size_t K,
                  float alpha, const float *A, size_t lda, const float *B, size_t ldb,
                  float beta, float *C, size_t ldc, const hx_epilogue *ep) {
    for (size_t i = 0; i < M; i++) {
        for (size_t j = 0; j < N; j++) {
            float acc = 0.0f;
            for (size_t k = 0; k < K; k++) {
                float a = ta == HX_NOTRANS ? A[i * lda + k] : A[k * lda + i];
                float b = tb == HX_NOTRANS ? B[k * ldb + j] : B[j * ldb + k];
                acc += a * b;
            }
            float v = alpha * acc;
            if (beta != 0.0f) v += beta * C[i * ldc + j];
            if (ep && ep->bias) v += ep->bias[j];
            C[i * ldc + j] = hx_act_apply(ep ? ep->act : HX_ACT_NONE, v);
        }
    }
}
