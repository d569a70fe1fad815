/* TEMPORARY: routes the public SGEMM API to the reference until the blocked,
 * packed kernels land (issue 2). */
#include "helix/gemm.h"

#include <stdlib.h>
#include <string.h>

struct hx_packed_b {
    size_t K, N;
    float *b; /* op(B) as K x N row-major */
};

hx_status hx_sgemm(hx_trans ta, hx_trans tb, size_t M, size_t N, size_t K,
                   float alpha, const float *A, size_t lda, const float *B, size_t ldb,
                   float beta, float *C, size_t ldc,
                   const hx_epilogue *ep, hx_threadpool *pool, hx_error *err) {
    (void)pool; (void)err;
    hx_sgemm_ref(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, ep);
    return HX_OK;
}

hx_status hx_gemm_pack_b(hx_trans tb, size_t K, size_t N, const float *B, size_t ldb,
                         hx_packed_b **out, hx_error *err) {
    hx_packed_b *p = calloc(1, sizeof *p);
    if (!p || !(p->b = malloc((K * N > 0 ? K * N : 1) * sizeof(float)))) {
        free(p);
        return hx_fail(err, HX_ENOMEM, "out of memory packing a %zux%zu matrix", K, N);
    }
    p->K = K; p->N = N;
    for (size_t k = 0; k < K; k++)
        for (size_t j = 0; j < N; j++)
            p->b[k * N + j] = tb == HX_NOTRANS ? B[k * ldb + j] : B[j * ldb + k];
    *out = p;
    return HX_OK;
}

void hx_gemm_packed_free(hx_packed_b *pb) { if (pb) { free(pb->b); free(pb); } }
size_t hx_gemm_packed_k(const hx_packed_b *pb) { return pb->K; }
size_t hx_gemm_packed_n(const hx_packed_b *pb) { return pb->N; }
size_t hx_gemm_packed_bytes(const hx_packed_b *pb) { return pb->K * pb->N * sizeof(float); }

hx_status hx_sgemm_packed(hx_trans ta, size_t M, float alpha, const float *A, size_t lda,
                          const hx_packed_b *B, float beta, float *C, size_t ldc,
                          const hx_epilogue *ep, hx_threadpool *pool, hx_error *err) {
    return hx_sgemm(ta, HX_NOTRANS, M, B->N, B->K, alpha, A, lda, B->b, B->N, beta, C, ldc, ep, pool, err);
}
