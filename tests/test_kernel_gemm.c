/* SGEMM: every ISA path present against the plain-C reference (gemm_ref.c)
 * on odd shapes, transposes, alpha/beta, NaN-filled C with beta = 0, the
 * fused epilogues, packed and unpacked B; thread-count independence; the
 * vector activations against hx_act_apply; argument errors.
 *
 * Shapes: each of M, N, K takes every value of the list
 * {1,2,3,7,15,16,17,31,33,63,64,65,127,129,768,3072} while the other two walk
 * the small values with different strides, so every value of every dimension
 * meets several partners without the full 16^3 product (too slow under ASan
 * and qemu). Error bound: the classic |fl(sum) - sum| <= K eps sum|a||b|
 * (times 2 for the K-blocked accumulation), plus a few ulp for the epilogue. */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helix/gemm.h"

static const size_t SIZES[] = {1, 2, 3, 7, 15, 16, 17, 31, 33, 63, 64, 65, 127, 129, 768, 3072};
#define N_SIZES (sizeof SIZES / sizeof SIZES[0])
#define N_SMALL 14 /* SIZES[0..13] are <= 129 */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static float frand(void) { /* uniform in [-1, 1) */
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((rng_state >> 40) & 0xffffff) / 8388608.0f - 1.0f;
}
static float *rand_matrix(size_t n) {
    float *x = malloc((n ? n : 1) * sizeof *x);
    cr_assert_not_null(x);
    for (size_t i = 0; i < n; i++) x[i] = frand();
    return x;
}

static float ulp_of(float x) {
    x = fabsf(x);
    if (x < FLT_MIN) return FLT_MIN * FLT_EPSILON;
    return nextafterf(x, INFINITY) - x;
}

typedef struct {
    size_t M, N, K;
    hx_trans ta, tb;
    float alpha, beta;
    int with_bias;
    hx_act act;
    int packed;
} gemm_case;

/* Runs one case on the active ISA and checks it element by element. */
static void check_case(const gemm_case *tc, hx_threadpool *pool) {
    size_t M = tc->M, N = tc->N, K = tc->K;
    /* Stored shapes with a little padding in every leading dimension. */
    size_t lda = (tc->ta == HX_NOTRANS ? K : M) + 3;
    size_t ldb = (tc->tb == HX_NOTRANS ? N : K) + 5;
    size_t ldc = N + 2;
    float *A = rand_matrix((tc->ta == HX_NOTRANS ? M : K) * lda);
    float *B = rand_matrix((tc->tb == HX_NOTRANS ? K : N) * ldb);
    float *C0 = rand_matrix(M * ldc);
    float *bias = rand_matrix(N);
    float *C = malloc(M * ldc * sizeof *C), *R = malloc(M * ldc * sizeof *R);
    cr_assert(C && R);
    memcpy(R, C0, M * ldc * sizeof *R);
    if (tc->beta == 0.0f)
        for (size_t i = 0; i < M * ldc; i++) C[i] = NAN; /* must never be read */
    else
        memcpy(C, C0, M * ldc * sizeof *C);
    hx_epilogue ep = {tc->with_bias ? bias : NULL, tc->act};

    hx_error err;
    hx_status st;
    if (tc->packed) {
        hx_packed_b *pb = NULL;
        cr_assert_eq(hx_gemm_pack_b(tc->tb, K, N, B, ldb, &pb, &err), HX_OK, "%s", err.msg);
        cr_assert_eq(hx_gemm_packed_k(pb), K);
        cr_assert_eq(hx_gemm_packed_n(pb), N);
        st = hx_sgemm_packed(tc->ta, M, tc->alpha, A, lda, pb, tc->beta, C, ldc, &ep, NULL, pool, &err);
        hx_gemm_packed_free(pb);
    } else {
        st = hx_sgemm(tc->ta, tc->tb, M, N, K, tc->alpha, A, lda, B, ldb, tc->beta, C, ldc, &ep,
                      NULL, pool, &err);
    }
    cr_assert_eq(st, HX_OK, "%s", err.msg);
    hx_sgemm_ref(tc->ta, tc->tb, M, N, K, tc->alpha, A, lda, B, ldb, tc->beta, R, ldc, &ep);

    for (size_t i = 0; i < M; i++) {
        for (size_t j = 0; j < N; j++) {
            double mag = 0;
            for (size_t k = 0; k < K; k++) {
                float a = tc->ta == HX_NOTRANS ? A[i * lda + k] : A[k * lda + i];
                float b = tc->tb == HX_NOTRANS ? B[k * ldb + j] : B[j * ldb + k];
                mag += fabs((double)a * b);
            }
            mag = fabs(tc->alpha) * mag + fabs(tc->beta * C0[i * ldc + j]) +
                  (tc->with_bias ? fabs(bias[j]) : 0);
            float want = R[i * ldc + j], got = C[i * ldc + j];
            double tol = 2.0 * (double)(K + 3) * FLT_EPSILON * mag * 1.2 + 4.0 * ulp_of(want);
            if (!(fabs((double)got - want) <= tol))
                cr_assert_fail("%s M=%zu N=%zu K=%zu ta=%d tb=%d alpha=%g beta=%g bias=%d act=%d "
                               "packed=%d: C[%zu,%zu] = %.9g, reference %.9g (tol %.3g)",
                               hx_isa_name(hx_isa_active()), M, N, K, tc->ta, tc->tb, tc->alpha,
                               tc->beta, tc->with_bias, tc->act, tc->packed, i, j, got, want, tol);
        }
        /* Padding columns of C are left alone. */
        for (size_t j = N; j < ldc; j++) {
            float was = tc->beta == 0.0f ? NAN : C0[i * ldc + j];
            cr_assert(memcmp(&C[i * ldc + j], &was, sizeof was) == 0, "C padding overwritten");
        }
    }
    free(A); free(B); free(C0); free(bias); free(C); free(R);
}

static const float ALPHAS[] = {1.0f, 0.5f, 1.0f, -2.0f};
static const float BETAS[] = {0.0f, -1.5f, 1.0f, 0.0f, 0.25f};

/* Runs fn(isa) for every ISA this machine and build support. */
static void for_each_isa(void (*fn)(void)) {
    hx_isa saved = hx_isa_active();
    for (int i = 0; i < HX_ISA_COUNT; i++) {
        if (!hx_isa_supported((hx_isa)i)) continue;
        cr_assert_eq(hx_isa_set((hx_isa)i, NULL), HX_OK);
        fn();
    }
    hx_isa_set(saved, NULL);
}

static void odd_shapes_on_active_isa(void) {
    size_t n = 0;
    for (size_t d = 0; d < 3; d++) {
        for (size_t v = 0; v < N_SIZES; v++, n++) {
            /* The varied dimension takes SIZES[v]; the other two walk the
             * small sizes with strides 5 and 3 from different starts. */
            size_t other1 = SIZES[(v * 5 + d * 4 + 1) % N_SMALL];
            size_t other2 = SIZES[(v * 3 + d * 7 + 6) % N_SMALL];
            gemm_case tc = {
                .ta = (hx_trans)(n & 1), .tb = (hx_trans)((n >> 1) & 1),
                .alpha = ALPHAS[n % 4], .beta = BETAS[n % 5],
                .with_bias = (n % 3) != 0, .act = (hx_act)(n % 4), .packed = (n % 7) < 4,
            };
            tc.M = d == 0 ? SIZES[v] : other1;
            tc.N = d == 1 ? SIZES[v] : d == 0 ? other1 : other2;
            tc.K = d == 2 ? SIZES[v] : other2;
            check_case(&tc, NULL);
        }
    }
    /* A few BERT-sized products (the big ones, kept few, and only on the
     * SIMD paths: the scalar kernel is covered by the shapes above). */
    gemm_case big[] = {
        {65, 768, 768, HX_NOTRANS, HX_TRANS, 1.0f, 0.0f, 1, HX_ACT_GELU, 1},
        {17, 768, 3072, HX_NOTRANS, HX_TRANS, 1.0f, 1.0f, 1, HX_ACT_NONE, 1},
        {1, 3072, 768, HX_NOTRANS, HX_TRANS, 1.0f, 0.0f, 1, HX_ACT_TANH, 0},
    };
    if (hx_isa_active() != HX_ISA_SCALAR)
        for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) check_case(&big[i], NULL);
}

Test(gemm, odd_shapes_every_isa_against_reference) { for_each_isa(odd_shapes_on_active_isa); }

static void every_transpose_and_epilogue(void) {
    /* Every (ta, tb, act, bias, packed) on one awkward shape. */
    for (int f = 0; f < 64; f++) {
        gemm_case tc = {13, 37, 70, (hx_trans)(f & 1), (hx_trans)((f >> 1) & 1), 0.75f,
                        (f & 32) ? 0.5f : 0.0f, (f >> 4) & 1, (hx_act)((f >> 2) & 3), f & 1};
        check_case(&tc, NULL);
    }
    /* One or two rows against unpacked B stored [N, K] (the dot-product
     * path), with every K tail and column remainder. */
    const size_t dn[] = {1, 3, 4, 5, 67, 130}, dk[] = {1, 7, 16, 17, 100};
    for (size_t m = 1; m <= 2; m++)
        for (size_t x = 0; x < 6; x++)
            for (size_t y = 0; y < 5; y++) {
                size_t v = m + x + y;
                gemm_case tc = {m, dn[x], dk[y], HX_NOTRANS, HX_TRANS, v % 2 ? 1.0f : -0.5f,
                                v % 3 ? 0.0f : 0.5f, (int)(v % 2), (hx_act)(v % 4), 0};
                check_case(&tc, NULL);
            }
    /* K = 0: C = act(beta C + bias), A and B never read. */
    gemm_case k0 = {5, 9, 0, HX_NOTRANS, HX_NOTRANS, 1.0f, 0.5f, 1, HX_ACT_RELU, 0};
    check_case(&k0, NULL);
}

Test(gemm, transposes_and_epilogues_every_isa) { for_each_isa(every_transpose_and_epilogue); }

/* The same product with 1, 2, 3 and 4 threads is bit-identical. */
static void threads_bit_identical(void) {
    const size_t shapes[][3] = {{129, 200, 300}, {1, 768, 768}, {37, 65, 513}};
    hx_threadpool *pools[4];
    for (int t = 0; t < 4; t++) cr_assert_eq(hx_threadpool_create(t + 1, &pools[t], NULL), HX_OK);
    for (size_t s = 0; s < 3; s++) {
        size_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
        float *A = rand_matrix(M * K), *B = rand_matrix(N * K), *bias = rand_matrix(N);
        float *C[4];
        hx_epilogue ep = {bias, HX_ACT_GELU};
        hx_packed_b *pb;
        cr_assert_eq(hx_gemm_pack_b(HX_TRANS, K, N, B, K, &pb, NULL), HX_OK);
        for (int packed = 0; packed < 2; packed++) {
            for (int t = 0; t < 4; t++) {
                C[t] = malloc(M * N * sizeof(float));
                hx_status st = packed
                    ? hx_sgemm_packed(HX_NOTRANS, M, 1.0f, A, K, pb, 0.0f, C[t], N, &ep, NULL, pools[t], NULL)
                    : hx_sgemm(HX_NOTRANS, HX_TRANS, M, N, K, 1.0f, A, K, B, K, 0.0f, C[t], N, &ep,
                               NULL, pools[t], NULL);
                cr_assert_eq(st, HX_OK);
            }
            for (int t = 1; t < 4; t++)
                cr_assert(memcmp(C[0], C[t], M * N * sizeof(float)) == 0,
                          "%s %zux%zux%zu packed=%d: %d threads differ from 1",
                          hx_isa_name(hx_isa_active()), M, N, K, packed, t + 1);
            for (int t = 0; t < 4; t++) free(C[t]);
        }
        hx_gemm_packed_free(pb);
        free(A); free(B); free(bias);
    }
    for (int t = 0; t < 4; t++) hx_threadpool_destroy(pools[t]);
}

Test(gemm, threads_1_to_4_bit_identical_every_isa) { for_each_isa(threads_bit_identical); }

/* One packed handle serves many calls (model weights are packed once). */
static void packed_handle_reused(void) {
    size_t M = 20, N = 45, K = 300;
    float *B = rand_matrix(K * N);
    hx_packed_b *pb;
    cr_assert_eq(hx_gemm_pack_b(HX_NOTRANS, K, N, B, N, &pb, NULL), HX_OK);
    cr_assert_geq(hx_gemm_packed_bytes(pb), K * N * sizeof(float));
    for (int call = 0; call < 3; call++) {
        float *A = rand_matrix(M * K), *C = malloc(M * N * sizeof(float)), *R = malloc(M * N * sizeof(float));
        cr_assert_eq(hx_sgemm_packed(HX_NOTRANS, M, 1.0f, A, K, pb, 0.0f, C, N, NULL, NULL, NULL, NULL), HX_OK);
        hx_sgemm_ref(HX_NOTRANS, HX_NOTRANS, M, N, K, 1.0f, A, K, B, N, 0.0f, R, N, NULL);
        for (size_t i = 0; i < M * N; i++)
            cr_assert(fabsf(C[i] - R[i]) <= 2.0f * (K + 3) * FLT_EPSILON * K, /* |a|,|b| <= 1 */
                      "call %d element %zu: %g vs %g", call, i, C[i], R[i]);
        free(A); free(C); free(R);
    }
    hx_gemm_packed_free(pb);
    free(B);
}

Test(gemm, packed_handle_reused_every_isa) { for_each_isa(packed_handle_reused); }

/* The vector erf/tanh/ReLU against hx_act_apply (libm) on a dense grid and
 * the special values. */
static void activations_match_reference(void) {
    enum { N = 40000 };
    static float x[N + 8], y[N + 8];
    size_t n = 0;
    for (int i = 0; i < N - 16; i++) x[n++] = -12.0f + 24.0f * (float)i / (N - 16);
    const float special[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1e-30f, -1e-30f, 1e-6f,
                             -3e-3f, 0.04f, 0.70710678f, 1.4142135f, 5.656854f, -5.656854f, 88.0f, -88.0f};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) x[n++] = special[i];
    for (int act = HX_ACT_NONE; act <= HX_ACT_TANH; act++) {
        memcpy(y, x, n * sizeof *x);
        hx_act_inplace((hx_act)act, y, n - 3); /* an odd length, to reach the tail */
        hx_act_inplace((hx_act)act, y + n - 3, 3);
        for (size_t i = 0; i < n; i++) {
            float want = hx_act_apply((hx_act)act, x[i]), got = y[i];
            if (isnan(want)) {
                cr_assert(isnan(got), "%s act %d x=%.9g: %.9g, want NaN", hx_isa_name(hx_isa_active()), act, x[i], got);
                continue;
            }
            if (got == want) continue; /* also the infinities */
            double tol = 2.0 * ulp_of(want);
            if (act == HX_ACT_GELU) /* one ulp of erf near +-1 moves GELU by |x| 2^-25 */
                tol = fmax(tol, fabs(x[i]) * ldexp(1.0, -23));
            cr_assert(fabs((double)got - want) <= tol, "%s act %d x=%.9g: %.9g, libm %.9g",
                      hx_isa_name(hx_isa_active()), act, x[i], got, want);
        }
    }
}

Test(gemm, vector_activations_within_ulps_every_isa) { for_each_isa(activations_match_reference); }

Test(gemm, bad_arguments_are_errors) {
    float a[16] = {0}, c[16];
    hx_error err;
    cr_assert_eq(hx_sgemm(HX_NOTRANS, HX_NOTRANS, 2, 2, 2, 1, NULL, 2, a, 2, 0, c, 2, NULL, NULL, NULL, &err), HX_EINVAL);
    cr_assert_eq(hx_sgemm(HX_NOTRANS, HX_NOTRANS, 2, 2, 4, 1, a, 3, a, 2, 0, c, 2, NULL, NULL, NULL, &err), HX_EINVAL);
    cr_assert(strstr(err.msg, "leading dimension of A") != NULL, "%s", err.msg);
    cr_assert_eq(hx_sgemm(HX_NOTRANS, HX_TRANS, 2, 4, 2, 1, a, 2, a, 1, 0, c, 4, NULL, NULL, NULL, &err), HX_EINVAL);
    hx_epilogue bad = {NULL, (hx_act)42};
    cr_assert_eq(hx_sgemm(HX_NOTRANS, HX_NOTRANS, 2, 2, 2, 1, a, 2, a, 2, 0, c, 2, &bad, NULL, NULL, &err), HX_EINVAL);
    cr_assert_eq(hx_sgemm_packed(HX_NOTRANS, 2, 1, a, 2, NULL, 0, c, 2, NULL, NULL, NULL, &err), HX_EINVAL);
    /* Empty products are fine and touch nothing. */
    cr_assert_eq(hx_sgemm(HX_NOTRANS, HX_NOTRANS, 0, 3, 3, 1, NULL, 3, a, 3, 0, NULL, 3, NULL, NULL, NULL, &err), HX_OK);
}
