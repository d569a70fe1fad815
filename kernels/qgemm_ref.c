/* The plain-C references of the int8 and bf16 GEMMs: the specification
 * every variant is tested against (the rules are spelled out in qgemm.h). */
#include "helix/qgemm.h"

#include <stdlib.h>
#include <string.h>

static inline float widen(uint16_t b) {
    uint32_t u = (uint32_t)b << 16;
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

void hx_gemm_s8_ref_i32(size_t M, size_t N, size_t K, const int8_t *Aq, size_t lda,
                        const int8_t *W, size_t ldw, int32_t *C, size_t ldc) {
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++) {
            int32_t acc = 0;
            for (size_t k = 0; k < K; k++) acc += (int32_t)Aq[i * lda + k] * (int32_t)W[j * ldw + k];
            C[i * ldc + j] = acc;
        }
}

void hx_gemm_s8_ref(size_t M, size_t N, size_t K, const float *A, size_t lda, const int8_t *W,
                    size_t ldw, const float *sw, float *C, size_t ldc, const hx_epilogue *ep) {
    int8_t *q = malloc(K ? K : 1);
    if (!q) return; /* the reference is a test oracle: no error path */
    for (size_t i = 0; i < M; i++) {
        float sa;
        hx_quantize_s8_rows(1, K, A + i * lda, lda, q, K, &sa);
        for (size_t j = 0; j < N; j++) {
            int32_t acc = 0;
            for (size_t k = 0; k < K; k++) acc += (int32_t)q[k] * (int32_t)W[j * ldw + k];
            float s = sa * sw[j];
            float v = s * (float)acc;
            if (ep && ep->bias) v = v + ep->bias[j];
            C[i * ldc + j] = hx_act_apply(ep ? ep->act : HX_ACT_NONE, v);
        }
    }
    free(q);
}

void hx_gemm_bf16_ref(size_t M, size_t N, size_t K, const float *A, size_t lda, const uint16_t *W,
                      size_t ldw, float *C, size_t ldc, const hx_epilogue *ep) {
    /* W transposed to fp32 [K][N], so the k loop runs outside and the N
     * independent sums (each still in k order) sit in one contiguous row. */
    float *wt = malloc((K * N > 0 ? K * N : 1) * sizeof *wt), *acc = malloc((N ? N : 1) * sizeof *acc);
    if (!wt || !acc) { /* the reference is a test oracle: no error path */
        free(wt), free(acc);
        return;
    }
    for (size_t j = 0; j < N; j++)
        for (size_t k = 0; k < K; k++) wt[k * N + j] = widen(W[j * ldw + k]);
    for (size_t i = 0; i < M; i++) {
        for (size_t j = 0; j < N; j++) acc[j] = 0.0f;
        for (size_t k = 0; k < K; k++) {
            float a = hx_bf16_to_f32(hx_bf16_from_f32(A[i * lda + k]));
            const float *w = wt + k * N;
            for (size_t j = 0; j < N; j++) acc[j] = acc[j] + a * w[j]; /* a * w exact: 8 x 8 bits */
        }
        for (size_t j = 0; j < N; j++) {
            float v = acc[j];
            if (ep && ep->bias) v = v + ep->bias[j];
            C[i * ldc + j] = hx_act_apply(ep ? ep->act : HX_ACT_NONE, v);
        }
    }
    free(wt);
    free(acc);
}
