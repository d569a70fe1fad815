/* The OpenBLAS backend (hx_gemm_set_backend): hx_sgemm through cblas_sgemm,
 * for comparison runs. Each thread of our pool runs single-threaded OpenBLAS
 * on its own band of rows of C (the band size fixed by the shape), then the
 * same vector epilogue as the helix kernels. */
#if defined(HELIX_HAVE_OPENBLAS)
#include <cblas.h>

#include "kernels/dispatch.h"

hx_status hx_gemm_openblas(hx_trans ta, hx_trans tb, size_t M, size_t N, size_t K, float alpha,
                           const float *A, size_t lda, const float *B, size_t ldb, float beta,
                           float *C, size_t ldc, const hx_epilogue *ep, hx_threadpool *pool,
                           hx_error *err);

typedef struct {
    hx_trans ta, tb;
    size_t M, N, K, band;
    float alpha, beta;
    const float *A, *B;
    size_t lda, ldb, ldc;
    float *C;
    const hx_epilogue *ep;
    hx_act_rows_fn act_rows;
} blas_job;

static void blas_band(void *ctx, size_t t, int thread) {
    (void)thread;
    const blas_job *j = ctx;
    size_t i0 = t * j->band, m = j->M - i0 < j->band ? j->M - i0 : j->band;
    const float *a = j->ta == HX_NOTRANS ? j->A + i0 * j->lda : j->A + i0;
    float *c = j->C + i0 * j->ldc;
    if (j->K == 0) {
        /* cblas needs K >= 1 in some versions; C = beta*C by hand. */
        for (size_t i = 0; i < m; i++)
            for (size_t x = 0; x < j->N; x++) c[i * j->ldc + x] = j->beta != 0.0f ? j->beta * c[i * j->ldc + x] : 0.0f;
    } else {
        cblas_sgemm(CblasRowMajor, j->ta == HX_TRANS ? CblasTrans : CblasNoTrans,
                    j->tb == HX_TRANS ? CblasTrans : CblasNoTrans, (blasint)m, (blasint)j->N,
                    (blasint)j->K, j->alpha, a, (blasint)j->lda, j->B, (blasint)j->ldb, j->beta, c,
                    (blasint)j->ldc);
    }
    if (!j->ep) return;
    for (size_t i = 0; i < m; i++) {
        float *row = c + i * j->ldc;
        if (j->ep->bias)
            for (size_t x = 0; x < j->N; x++) row[x] += j->ep->bias[x];
        j->act_rows(j->ep->act, row, j->N);
    }
}

hx_status hx_gemm_openblas(hx_trans ta, hx_trans tb, size_t M, size_t N, size_t K, float alpha,
                           const float *A, size_t lda, const float *B, size_t ldb, float beta,
                           float *C, size_t ldc, const hx_epilogue *ep, hx_threadpool *pool,
                           hx_error *err) {
    if (M > 0x7fffffff || N > 0x7fffffff || K > 0x7fffffff || lda > 0x7fffffff ||
        ldb > 0x7fffffff || ldc > 0x7fffffff)
        return hx_fail(err, HX_ERANGE, "GEMM: shape too large for the OpenBLAS backend");
    static int single_threaded;
    if (!__atomic_exchange_n(&single_threaded, 1, __ATOMIC_ACQ_REL)) openblas_set_num_threads(1);
    blas_job j = {ta, tb, M, N, K, 64, alpha, beta, A, B, lda, ldb, ldc, C, ep,
                  hx_kernels_active()->act};
    hx_parallel_for(pool, (M + j.band - 1) / j.band, blas_band, &j);
    return HX_OK;
}
#else
typedef int hx_gemm_openblas_unused; /* ISO C wants a declaration per file */
#endif
