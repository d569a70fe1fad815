/* SGEMM against an independent implementation, OpenBLAS cblas_sgemm: every
 * ISA path present, on the odd shapes (each value of M, N and K met
 * with walking partners), transposes, alpha/beta and NaN-filled C with
 * beta = 0; and the HELIX_GEMM=openblas backend itself. Not a test_kernel_*
 * file: the aarch64 cross build has no OpenBLAS. */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helix/gemm.h"

#if defined(HELIX_HAVE_OPENBLAS)
#include <cblas.h>

static const size_t SIZES[] = {1, 2, 3, 7, 15, 16, 17, 31, 33, 63, 64, 65, 127, 129, 768, 3072};
#define N_SIZES (sizeof SIZES / sizeof SIZES[0])
#define N_SMALL 14

static uint64_t rng_state = 0x243f6a8885a308d3ull;
static float *rand_matrix(size_t n) {
    float *x = malloc((n ? n : 1) * sizeof *x);
    cr_assert_not_null(x);
    for (size_t i = 0; i < n; i++) {
        rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
        x[i] = (float)((rng_state >> 40) & 0xffffff) / 8388608.0f - 1.0f;
    }
    return x;
}

/* helix (packed or not) and cblas_sgemm on one case; |diff| within twice
 * the K eps sum|a||b| bound each of them obeys. */
static void compare(size_t M, size_t N, size_t K, hx_trans ta, hx_trans tb, float alpha, float beta,
                    int packed) {
    size_t lda = (ta == HX_NOTRANS ? K : M) + 1, ldb = (tb == HX_NOTRANS ? N : K) + 2, ldc = N;
    float *A = rand_matrix((ta == HX_NOTRANS ? M : K) * lda);
    float *B = rand_matrix((tb == HX_NOTRANS ? K : N) * ldb);
    float *C0 = rand_matrix(M * ldc), *C = malloc(M * ldc * sizeof *C), *R = malloc(M * ldc * sizeof *R);
    memcpy(R, C0, M * ldc * sizeof *R);
    if (beta == 0.0f)
        for (size_t i = 0; i < M * ldc; i++) C[i] = NAN;
    else
        memcpy(C, C0, M * ldc * sizeof *C);
    hx_error err;
    if (packed) {
        hx_packed_b *pb;
        cr_assert_eq(hx_gemm_pack_b(tb, K, N, B, ldb, &pb, &err), HX_OK, "%s", err.msg);
        cr_assert_eq(hx_sgemm_packed(ta, M, alpha, A, lda, pb, beta, C, ldc, NULL, NULL, NULL, &err), HX_OK, "%s", err.msg);
        hx_gemm_packed_free(pb);
    } else {
        cr_assert_eq(hx_sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, NULL, NULL, NULL, &err), HX_OK, "%s", err.msg);
    }
    cblas_sgemm(CblasRowMajor, ta == HX_TRANS ? CblasTrans : CblasNoTrans,
                tb == HX_TRANS ? CblasTrans : CblasNoTrans, (blasint)M, (blasint)N, (blasint)K, alpha,
                A, (blasint)lda, B, (blasint)ldb, beta, R, (blasint)ldc);
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++) {
            /* |a|, |b|, |c| <= 1: the bound needs only the sizes. */
            double tol = 4.0 * (double)(K + 3) * FLT_EPSILON * (fabs(alpha) * (double)K + fabs(beta)) + 1e-6;
            float got = C[i * ldc + j], want = R[i * ldc + j];
            if (!(fabs((double)got - want) <= tol))
                cr_assert_fail("%s M=%zu N=%zu K=%zu ta=%d tb=%d alpha=%g beta=%g packed=%d: "
                               "C[%zu,%zu] = %.9g, OpenBLAS %.9g", hx_isa_name(hx_isa_active()),
                               M, N, K, ta, tb, alpha, beta, packed, i, j, got, want);
        }
    free(A); free(B); free(C0); free(C); free(R);
}

Test(gemm_openblas, odd_shapes_every_isa) {
    openblas_set_num_threads(1);
    hx_isa saved = hx_isa_active();
    for (int isa = 0; isa < HX_ISA_COUNT; isa++) {
        if (!hx_isa_supported((hx_isa)isa)) continue;
        hx_isa_set((hx_isa)isa, NULL);
        size_t n = 0;
        for (size_t d = 0; d < 3; d++)
            for (size_t v = 0; v < N_SIZES; v++, n++) {
                size_t o1 = SIZES[(v * 3 + d * 5 + 2) % N_SMALL], o2 = SIZES[(v * 5 + d * 3 + 9) % N_SMALL];
                size_t M = d == 0 ? SIZES[v] : o1, N = d == 1 ? SIZES[v] : d == 0 ? o1 : o2;
                size_t K = d == 2 ? SIZES[v] : o2;
                compare(M, N, K, (hx_trans)(n & 1), (hx_trans)((n >> 1) & 1),
                        n % 3 ? 1.0f : -0.5f, (n % 4 == 1) ? 0.75f : 0.0f, (n % 5) < 3);
            }
        compare(128, 768, 768, HX_NOTRANS, HX_TRANS, 1.0f, 0.0f, 1);
    }
    hx_isa_set(saved, NULL);
}

/* hx_gemm_set_backend(HX_GEMM_OPENBLAS) routes hx_sgemm and hx_sgemm_packed
 * through cblas (Criterion runs each test in its own process, so the choice
 * ends with the test) and applies the same epilogue. */
Test(gemm_openblas, backend_switch_matches_helix) {
    cr_assert_eq(hx_gemm_set_backend(HX_GEMM_OPENBLAS, NULL), HX_OK);
    size_t M = 33, N = 65, K = 129;
    float *A = rand_matrix(M * K), *W = rand_matrix(N * K), *bias = rand_matrix(N);
    float *C = malloc(M * N * sizeof *C), *P = malloc(M * N * sizeof *P), *R = malloc(M * N * sizeof *R);
    hx_epilogue ep = {bias, HX_ACT_GELU};
    hx_threadpool *pool;
    cr_assert_eq(hx_threadpool_create(2, &pool, NULL), HX_OK);
    cr_assert_eq(hx_sgemm(HX_NOTRANS, HX_TRANS, M, N, K, 1.0f, A, K, W, K, 0.0f, C, N, &ep, NULL, pool, NULL), HX_OK);
    hx_packed_b *pb;
    cr_assert_eq(hx_gemm_pack_b(HX_TRANS, K, N, W, K, &pb, NULL), HX_OK);
    cr_assert_eq(hx_sgemm_packed(HX_NOTRANS, M, 1.0f, A, K, pb, 0.0f, P, N, &ep, NULL, pool, NULL), HX_OK);
    cr_assert_str_eq(hx_gemm_backend_name(), "openblas");
    /* Exactly cblas_sgemm, then bias, then the vector activation. */
    openblas_set_num_threads(1);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)M, (blasint)N, (blasint)K, 1.0f, A,
                (blasint)K, W, (blasint)K, 0.0f, R, (blasint)N);
    for (size_t i = 0; i < M; i++) {
        for (size_t j = 0; j < N; j++) R[i * N + j] += bias[j];
        hx_act_inplace(HX_ACT_GELU, R + i * N, N);
    }
    cr_assert(memcmp(C, R, M * N * sizeof *C) == 0, "hx_sgemm did not go through OpenBLAS");
    cr_assert(memcmp(P, R, M * N * sizeof *P) == 0, "hx_sgemm_packed did not go through OpenBLAS");
    /* And that agrees with the reference. */
    hx_sgemm_ref(HX_NOTRANS, HX_TRANS, M, N, K, 1.0f, A, K, W, K, 0.0f, R, N, &ep);
    for (size_t i = 0; i < M * N; i++)
        cr_assert(fabs((double)C[i] - R[i]) <= 4.0 * (K + 3) * FLT_EPSILON * K,
                  "backend: element %zu %g vs %g", i, C[i], R[i]);
    hx_gemm_packed_free(pb);
    hx_threadpool_destroy(pool);
    free(A); free(W); free(bias); free(C); free(P); free(R);
}
#else
Test(gemm_openblas, not_built) { cr_log_info("built without OpenBLAS: nothing to compare"); }
#endif
