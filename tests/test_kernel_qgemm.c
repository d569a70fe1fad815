/* int8 and bf16 GEMM: every variant this CPU runs against the plain-C
 * references (qgemm_ref.c), on odd shapes and BERT shapes, with strides
 * wider than the matrices, bias and every activation; thread counts 1 and 3
 * bit-identical; the quantization and rounding rules on hand-made values;
 * argument errors. Variants the CPU cannot run are skipped with a message.
 *
 * int8 is exact: the int32 sums and the dequantized output (before the
 * activation) equal the reference bit for bit; with an activation the output
 * equals the active ISA's hx_act_inplace of the reference's pre-activation
 * bit for bit. bf16 variants that sum in k order are bit-identical too; the
 * others (bfdot, bfmmla) are within 2 K eps sum|a||w| (+ a few ulp). */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helix/qgemm.h"

static const size_t SIZES[] = {1, 7, 17, 31, 33, 63, 65, 127, 129};
#define N_SIZES (sizeof SIZES / sizeof SIZES[0])

static uint64_t rng_state = 0x243f6a8885a308d3ull;
static float frand(void) { /* uniform in [-1, 1) */
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((rng_state >> 40) & 0xffffff) / 8388608.0f - 1.0f;
}

/* rows x cols (stride ld) with per-row magnitudes from 1e-3 to 1e2, the odd
 * outlier, and an all-zero row now and then: what activations look like. */
static float *rand_rows(size_t rows, size_t cols, size_t ld) {
    float *x = malloc((rows * ld > 0 ? rows * ld : 1) * sizeof *x);
    cr_assert_not_null(x);
    for (size_t i = 0; i < rows * ld; i++) x[i] = NAN; /* padding: must never be read */
    for (size_t r = 0; r < rows; r++) {
        float mag = powf(10.0f, 5.0f * (frand() + 1.0f) / 2.0f - 3.0f);
        int zero = rows > 3 && r % 11 == 5;
        for (size_t c = 0; c < cols; c++) x[r * ld + c] = zero ? 0.0f : mag * frand();
        if (!zero && cols > 2 && r % 3 == 1) x[r * ld + (r * 7) % cols] = 20.0f * mag;
    }
    return x;
}

static float ulp_of(float x) {
    x = fabsf(x);
    if (x < FLT_MIN) return FLT_MIN * FLT_EPSILON;
    return nextafterf(x, INFINITY) - x;
}

static int same_bits(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Every variant of dtype runnable under the active ISA (those of that ISA),
 * plus NULL (the automatic choice) first. */
static size_t variants_here(hx_qdtype dtype, const char **names, int *exact, size_t cap) {
    hx_gemm_q_variant v[32];
    size_t n = hx_gemm_q_variants(dtype, v, 32), k = 0;
    names[k] = NULL;
    exact[k++] = -1; /* known once packed */
    for (size_t i = 0; i < n && k < cap; i++)
        if (v[i].isa == hx_isa_active() && v[i].runs) names[k] = v[i].name, exact[k++] = v[i].exact;
    return k;
}

static int variant_exact(const char *name, hx_qdtype dtype) {
    hx_gemm_q_variant v[32];
    size_t n = hx_gemm_q_variants(dtype, v, 32);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].name, name)) return v[i].exact;
    return 0;
}

typedef struct {
    size_t M, N, K;
    int with_bias;
    hx_act act;
} qcase;

/* ---- int8 ---------------------------------------------------------------- */

static void check_s8_case(const qcase *tc, int every_variant) {
    size_t M = tc->M, N = tc->N, K = tc->K, lda = K + 3, ldw = K + 1, ldc = N + 5;
    float *A = rand_rows(M, K, lda), *Wf = rand_rows(N, K, ldw), *bias = rand_rows(1, N, N);
    int8_t *Wq = malloc(N * ldw + 1), *Aq = malloc(M * lda + 1);
    float *sw = malloc((N + 1) * sizeof *sw), *sa = malloc((M + 1) * sizeof *sa);
    float *R = malloc(M * ldc * sizeof *R), *C = malloc(M * ldc * sizeof *C);
    int32_t *Ri = malloc(M * N * sizeof *Ri), *Ci = malloc(M * ldc * sizeof *Ci);
    cr_assert(Wq && Aq && sw && sa && R && C && Ri && Ci);
    hx_quantize_s8_rows(N, K, Wf, ldw, Wq, ldw, sw);
    hx_quantize_s8_rows(M, K, A, lda, Aq, lda, sa);
    hx_epilogue pre = {tc->with_bias ? bias : NULL, HX_ACT_NONE};
    hx_gemm_s8_ref(M, N, K, A, lda, Wq, ldw, sw, R, ldc, &pre);
    hx_gemm_s8_ref_i32(M, N, K, Aq, lda, Wq, ldw, Ri, N);
    hx_epilogue ep = {pre.bias, tc->act};

    /* The reference with the active ISA's vector activation: what every
     * variant must produce bit for bit. */
    float *Ra = malloc(M * ldc * sizeof *Ra);
    cr_assert_not_null(Ra);
    memcpy(Ra, R, M * ldc * sizeof *Ra);
    for (size_t i = 0; i < M; i++) hx_act_inplace(tc->act, Ra + i * ldc, N);

    const char *names[16];
    int exact[16];
    size_t nv = every_variant ? variants_here(HX_QDTYPE_S8, names, exact, 16) : 1;
    if (!every_variant) names[0] = NULL;
    for (size_t v = 0; v < nv; v++) {
        hx_error err;
        hx_qpacked_b *pb = NULL;
        cr_assert_eq(hx_gemm_s8_pack_b(N, K, Wq, ldw, sw, names[v], &pb, &err), HX_OK, "%s", err.msg);
        const char *vn = hx_qpacked_variant(pb);
        cr_assert_eq(hx_qpacked_n(pb), N);
        cr_assert_eq(hx_qpacked_k(pb), K);
        for (size_t i = 0; i < M * ldc; i++) C[i] = NAN, Ci[i] = 0x5a5a5a5a;

        cr_assert_eq(hx_gemm_s8_i32(M, Aq, lda, pb, Ci, ldc, NULL, &err), HX_OK, "%s", err.msg);
        for (size_t i = 0; i < M; i++) {
            for (size_t j = 0; j < N; j++)
                if (Ci[i * ldc + j] != Ri[i * N + j])
                    cr_assert_fail("int8 %s M=%zu N=%zu K=%zu: sum[%zu,%zu] = %d, reference %d", vn, M,
                                   N, K, i, j, Ci[i * ldc + j], Ri[i * N + j]);
            for (size_t j = N; j < ldc; j++) cr_assert_eq(Ci[i * ldc + j], 0x5a5a5a5a, "C padding written");
        }

        cr_assert_eq(hx_gemm_s8(M, A, lda, pb, C, ldc, &ep, NULL, &err), HX_OK, "%s", err.msg);
        for (size_t i = 0; i < M; i++) {
            for (size_t j = 0; j < N; j++) {
                float got = C[i * ldc + j], want = Ra[i * ldc + j];
                if (!same_bits(got, want))
                    cr_assert_fail("int8 %s (%s) M=%zu N=%zu K=%zu bias=%d act=%d: C[%zu,%zu] = %.9g, "
                                   "reference %.9g", vn, hx_isa_name(hx_isa_active()), M, N, K,
                                   tc->with_bias, tc->act, i, j, got, want);
            }
            for (size_t j = N; j < ldc; j++) cr_assert(isnan(C[i * ldc + j]), "C padding written");
        }
        hx_qpacked_free(pb);
    }
    /* And the specification's own activation (libm) is within a few ulp. */
    if (tc->act != HX_ACT_NONE) {
        hx_gemm_s8_ref(M, N, K, A, lda, Wq, ldw, sw, C, ldc, &ep);
        for (size_t i = 0; i < M; i++)
            for (size_t j = 0; j < N; j++) {
                float want = C[i * ldc + j], got = Ra[i * ldc + j];
                double tol = 2.0 * ulp_of(want) + fabs(R[i * ldc + j]) * ldexp(1.0, -23);
                cr_assert(fabs((double)got - want) <= tol, "act %d: %.9g vs libm %.9g", tc->act, got, want);
            }
    }
    free(A); free(Wf); free(bias); free(Wq); free(Aq); free(sw); free(sa);
    free(R); free(C); free(Ri); free(Ci); free(Ra);
}

/* Runs fn for every ISA this machine and build support. */
static void for_each_isa(void (*fn)(void)) {
    hx_isa saved = hx_isa_active();
    for (int i = 0; i < HX_ISA_COUNT; i++) {
        if (!hx_isa_supported((hx_isa)i)) continue;
        cr_assert_eq(hx_isa_set((hx_isa)i, NULL), HX_OK);
        fn();
    }
    hx_isa_set(saved, NULL);
}

/* Each of M, N, K takes every size while the other two walk the list with
 * different strides (every value meets several partners, without 9^3
 * products per variant). */
static qcase odd_case(size_t d, size_t v, size_t n) {
    size_t o1 = SIZES[(v * 5 + d * 4 + 1) % N_SIZES], o2 = SIZES[(v * 2 + d * 7 + 3) % N_SIZES];
    qcase tc = {d == 0 ? SIZES[v] : o1, d == 1 ? SIZES[v] : d == 0 ? o1 : o2, d == 2 ? SIZES[v] : o2,
                (int)(n % 3 != 0), (hx_act)(n % 4)};
    return tc;
}

static void s8_odd_shapes(void) {
    size_t n = 0;
    for (size_t d = 0; d < 3; d++)
        for (size_t v = 0; v < N_SIZES; v++, n++) {
            qcase tc = odd_case(d, v, n);
            check_s8_case(&tc, 1);
        }
    /* Every small triple once, without bias or activation. */
    const size_t small[] = {1, 7, 17, 33};
    for (size_t a = 0; a < 4; a++)
        for (size_t b = 0; b < 4; b++)
            for (size_t c = 0; c < 4; c++) {
                qcase tc = {small[a], small[b], small[c], (int)((a + b + c) & 1), HX_ACT_NONE};
                check_s8_case(&tc, 1);
            }
    /* K = 0: C = act(bias). */
    qcase k0 = {5, 9, 0, 1, HX_ACT_RELU};
    check_s8_case(&k0, 1);
    qcase one[] = {{1, 768 + 17, 65, 1, HX_ACT_GELU}, {1, 300, 768, 0, HX_ACT_NONE}};
    for (size_t i = 0; i < 2; i++) check_s8_case(&one[i], 1);
}

Test(qgemm, s8_odd_shapes_every_variant_bit_exact) { for_each_isa(s8_odd_shapes); }

/* BERT-base projections (M = 128 tokens, K = 768 -> N = 768 and 3072), on
 * the automatic variant of each SIMD ISA (the scalar one is covered above). */
static void s8_bert_shapes(void) {
    if (hx_isa_active() == HX_ISA_SCALAR) return;
    qcase big[] = {{128, 768, 768, 1, HX_ACT_NONE}, {128, 3072, 768, 1, HX_ACT_GELU}};
    for (size_t i = 0; i < 2; i++) check_s8_case(&big[i], 0);
}

Test(qgemm, s8_bert_shapes_bit_exact) { for_each_isa(s8_bert_shapes); }

/* ---- bf16 ---------------------------------------------------------------- */

static void check_bf16_case(const qcase *tc, int every_variant) {
    size_t M = tc->M, N = tc->N, K = tc->K, lda = K + 3, ldw = K + 1, ldc = N + 5;
    float *A = rand_rows(M, K, lda), *Wf = rand_rows(N, K, ldw), *bias = rand_rows(1, N, N);
    uint16_t *W = malloc((N * ldw + 1) * sizeof *W);
    float *R = malloc(M * ldc * sizeof *R), *C = malloc(M * ldc * sizeof *C);
    float *Ra = malloc(M * ldc * sizeof *Ra), *mag = malloc((M * N + 1) * sizeof *mag);
    cr_assert(W && R && C && Ra && mag);
    for (size_t i = 0; i < N * ldw; i++) W[i] = hx_bf16_from_f32(Wf[i]);
    hx_epilogue pre = {tc->with_bias ? bias : NULL, HX_ACT_NONE}, ep = {pre.bias, tc->act};
    hx_gemm_bf16_ref(M, N, K, A, lda, W, ldw, R, ldc, &pre);
    memcpy(Ra, R, M * ldc * sizeof *Ra);
    for (size_t i = 0; i < M; i++) hx_act_inplace(tc->act, Ra + i * ldc, N);
    int have_mag = 0;
    const char *names[16];
    int exact[16];
    size_t nv = every_variant ? variants_here(HX_QDTYPE_BF16, names, exact, 16) : 1;
    if (!every_variant) names[0] = NULL;
    for (size_t v = 0; v < nv; v++) {
        hx_error err;
        hx_qpacked_b *pb = NULL;
        cr_assert_eq(hx_gemm_bf16_pack_b(N, K, W, ldw, names[v], &pb, &err), HX_OK, "%s", err.msg);
        const char *vn = hx_qpacked_variant(pb);
        int is_exact = variant_exact(vn, HX_QDTYPE_BF16);
        if (!is_exact && !have_mag) { /* sum |a||w| per element, for the bound */
            float *Ab = malloc((M * K + 1) * sizeof *Ab), *Wb = malloc((N * K + 1) * sizeof *Wb);
            cr_assert(Ab && Wb);
            for (size_t i = 0; i < M; i++)
                for (size_t k = 0; k < K; k++)
                    Ab[i * K + k] = fabsf(hx_bf16_to_f32(hx_bf16_from_f32(A[i * lda + k])));
            for (size_t j = 0; j < N; j++)
                for (size_t k = 0; k < K; k++) Wb[j * K + k] = fabsf(hx_bf16_to_f32(W[j * ldw + k]));
            for (size_t i = 0; i < M; i++)
                for (size_t j = 0; j < N; j++) {
                    float s = pre.bias ? fabsf(bias[j]) : 0.0f;
                    for (size_t k = 0; k < K; k++) s += Ab[i * K + k] * Wb[j * K + k];
                    mag[i * N + j] = s * 1.001f; /* fp32 sum of positives: off by < K eps */
                }
            free(Ab); free(Wb);
            have_mag = 1;
        }
        for (size_t i = 0; i < M * ldc; i++) C[i] = NAN;
        cr_assert_eq(hx_gemm_bf16(M, A, lda, pb, C, ldc, &ep, NULL, &err), HX_OK, "%s", err.msg);
        for (size_t i = 0; i < M; i++) {
            for (size_t j = 0; j < N; j++) {
                float got = C[i * ldc + j], want = Ra[i * ldc + j];
                if (is_exact) {
                    if (!same_bits(got, want))
                        cr_assert_fail("bf16 %s M=%zu N=%zu K=%zu bias=%d act=%d: C[%zu,%zu] = %.9g, "
                                       "reference %.9g (bit-exact variant)", vn, M, N, K, tc->with_bias,
                                       tc->act, i, j, got, want);
                    continue;
                }
                /* Reordered fp32 sums: 2 K eps sum|a||w| on the pre-activation
                 * value, scaled by |act'| <= 1.13 (GELU), plus a few ulp. */
                double tol = (2.0 * (double)(K + 2) * FLT_EPSILON * mag[i * N + j]) * 1.13 + 4.0 * ulp_of(want);
                if (!(fabs((double)got - want) <= tol))
                    cr_assert_fail("bf16 %s M=%zu N=%zu K=%zu bias=%d act=%d: C[%zu,%zu] = %.9g, "
                                   "reference %.9g (tol %.3g)", vn, M, N, K, tc->with_bias, tc->act, i, j,
                                   got, want, tol);
            }
            for (size_t j = N; j < ldc; j++) cr_assert(isnan(C[i * ldc + j]), "C padding written");
        }
        hx_qpacked_free(pb);
    }
    free(A); free(Wf); free(bias); free(W); free(R); free(C); free(Ra); free(mag);
}

static void bf16_odd_shapes(void) {
    size_t n = 0;
    for (size_t d = 0; d < 3; d++)
        for (size_t v = 0; v < N_SIZES; v++, n++) {
            qcase tc = odd_case(d, v, n + 1);
            check_bf16_case(&tc, 1);
        }
    const size_t small[] = {1, 7, 17, 33};
    for (size_t a = 0; a < 4; a++)
        for (size_t b = 0; b < 4; b++)
            for (size_t c = 0; c < 4; c++) {
                qcase tc = {small[a], small[b], small[c], (int)((a + b + c) & 1), HX_ACT_NONE};
                check_bf16_case(&tc, 1);
            }
    qcase k0 = {5, 9, 0, 1, HX_ACT_TANH};
    check_bf16_case(&k0, 1);
    /* One row over many full panels (the one-row wide kernel) and a tail. */
    qcase one[] = {{1, 768 + 17, 65, 1, HX_ACT_GELU}, {1, 300, 768, 0, HX_ACT_NONE}};
    for (size_t i = 0; i < 2; i++) check_bf16_case(&one[i], 1);
}

Test(qgemm, bf16_odd_shapes_every_variant) { for_each_isa(bf16_odd_shapes); }

static void bf16_bert_shapes(void) {
    if (hx_isa_active() == HX_ISA_SCALAR) return;
    qcase big[] = {{128, 768, 768, 1, HX_ACT_NONE}, {128, 3072, 768, 1, HX_ACT_GELU}};
    for (size_t i = 0; i < 2; i++) check_bf16_case(&big[i], 0);
}

Test(qgemm, bf16_bert_shapes) { for_each_isa(bf16_bert_shapes); }

/* ---- threads ------------------------------------------------------------- */

static void threads_bit_identical(void) {
    const size_t shapes[][3] = {{129, 200, 300}, {1, 768, 768}, {37, 65, 513}};
    hx_threadpool *pools[2];
    cr_assert_eq(hx_threadpool_create(1, &pools[0], NULL), HX_OK);
    cr_assert_eq(hx_threadpool_create(3, &pools[1], NULL), HX_OK);
    for (int dt = 0; dt < 2; dt++) {
        const char *names[16];
        int exact[16];
        size_t nv = variants_here((hx_qdtype)dt, names, exact, 16);
        for (size_t v = 1; v < nv; v++)
            for (size_t s = 0; s < 3; s++) {
                size_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
                float *A = rand_rows(M, K, K), *Wf = rand_rows(N, K, K), *bias = rand_rows(1, N, N);
                int8_t *Wq = malloc(N * K);
                uint16_t *Wb = malloc(N * K * sizeof *Wb);
                float *sw = malloc(N * sizeof *sw), *C[2];
                cr_assert(Wq && Wb && sw);
                hx_quantize_s8_rows(N, K, Wf, K, Wq, K, sw);
                hx_bf16_from_f32_n(N * K, Wf, Wb);
                hx_qpacked_b *pb;
                hx_epilogue ep = {bias, HX_ACT_GELU};
                if (dt == HX_QDTYPE_S8)
                    cr_assert_eq(hx_gemm_s8_pack_b(N, K, Wq, K, sw, names[v], &pb, NULL), HX_OK);
                else
                    cr_assert_eq(hx_gemm_bf16_pack_b(N, K, Wb, K, names[v], &pb, NULL), HX_OK);
                for (int t = 0; t < 2; t++) {
                    C[t] = malloc(M * N * sizeof(float));
                    cr_assert_not_null(C[t]);
                    hx_status st = dt == HX_QDTYPE_S8
                        ? hx_gemm_s8(M, A, K, pb, C[t], N, &ep, pools[t], NULL)
                        : hx_gemm_bf16(M, A, K, pb, C[t], N, &ep, pools[t], NULL);
                    cr_assert_eq(st, HX_OK);
                }
                cr_assert(memcmp(C[0], C[1], M * N * sizeof(float)) == 0,
                          "%s %s %zux%zux%zu: 3 threads differ from 1", dt ? "bf16" : "int8", names[v],
                          M, N, K);
                hx_qpacked_free(pb);
                free(A); free(Wf); free(bias); free(Wq); free(Wb); free(sw); free(C[0]); free(C[1]);
            }
    }
    hx_threadpool_destroy(pools[0]);
    hx_threadpool_destroy(pools[1]);
}

Test(qgemm, threads_1_and_3_bit_identical_every_variant) { for_each_isa(threads_bit_identical); }

/* ---- the rules on hand-made values --------------------------------------- */

Test(qgemm, s8_quantization_rule) {
    /* amax 127 -> scale 1: x/1 rounds half to even. */
    const float x[8] = {127.0f, 2.5f, 3.5f, -2.5f, -0.5f, 0.5f, 1.5f, -127.0f};
    const int8_t want[8] = {127, 2, 4, -2, 0, 0, 2, -127};
    int8_t q[8];
    float s;
    hx_quantize_s8_rows(1, 8, x, 8, q, 8, &s);
    cr_assert_eq(s, 1.0f);
    for (int i = 0; i < 8; i++) cr_assert_eq(q[i], want[i], "q[%d] = %d, want %d", i, q[i], want[i]);
    /* scale = amax / 127 in fp32, then x / scale (a division, not x * 127 / amax). */
    const float y[3] = {0.3f, -0.1f, 0.2f};
    hx_quantize_s8_rows(1, 3, y, 3, q, 3, &s);
    cr_assert(same_bits(s, 0.3f / 127.0f));
    for (int i = 0; i < 3; i++) cr_assert_eq(q[i], (int8_t)rintf(y[i] / s));
    /* Zeros -> scale 0; NaN or Inf -> scale NaN; q all zero in both cases. */
    const float z[3] = {0.0f, -0.0f, 0.0f}, n[3] = {1.0f, NAN, 2.0f}, inf[3] = {1.0f, -INFINITY, 0.0f};
    hx_quantize_s8_rows(1, 3, z, 3, q, 3, &s);
    cr_assert(s == 0.0f && q[0] == 0 && q[1] == 0 && q[2] == 0);
    hx_quantize_s8_rows(1, 3, n, 3, q, 3, &s);
    cr_assert(isnan(s) && q[0] == 0 && q[1] == 0 && q[2] == 0);
    hx_quantize_s8_rows(1, 3, inf, 3, q, 3, &s);
    cr_assert(isnan(s) && q[0] == 0 && q[2] == 0);
    /* A NaN row gives NaN outputs, other rows are unaffected. */
    int8_t w[3] = {1, 2, 3};
    float sw = 0.5f, A[6] = {1.0f, NAN, 2.0f, 1.0f, 2.0f, 3.0f}, C[2];
    hx_qpacked_b *pb;
    cr_assert_eq(hx_gemm_s8_pack_b(1, 3, w, 3, &sw, NULL, &pb, NULL), HX_OK);
    cr_assert_eq(hx_gemm_s8(2, A, 3, pb, C, 1, NULL, NULL, NULL), HX_OK);
    cr_assert(isnan(C[0]), "%g", C[0]);
    cr_assert(fabsf(C[1] - 7.0f) < 0.05f, "%g", C[1]);
    hx_qpacked_free(pb);
}

Test(qgemm, bf16_rounding_rule) {
    struct { uint32_t in; uint16_t out; } cases[] = {
        {0x3f800000u, 0x3f80}, /* 1.0 */
        {0x3f808000u, 0x3f80}, /* tie, even stays */
        {0x3f818000u, 0x3f82}, /* tie, odd rounds up */
        {0x3f808001u, 0x3f81}, /* above the tie */
        {0xbf80ffffu, 0xbf81}, /* negative, rounds away */
        {0x7f7fffffu, 0x7f80}, /* FLT_MAX rounds to +Inf */
        {0x7f800000u, 0x7f80}, /* +Inf */
        {0x00000001u, 0x0000}, /* smallest subnormal rounds to 0 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float x;
        memcpy(&x, &cases[i].in, 4);
        cr_assert_eq(hx_bf16_from_f32(x), cases[i].out, "0x%08x -> 0x%04x, want 0x%04x", cases[i].in,
                     hx_bf16_from_f32(x), cases[i].out);
    }
    uint16_t nb = hx_bf16_from_f32(NAN);
    cr_assert(isnan(hx_bf16_to_f32(nb)));
    uint32_t snan = 0x7f800001u; /* a signalling NaN whose payload is all in the low half */
    float sn;
    memcpy(&sn, &snan, 4);
    cr_assert(isnan(hx_bf16_to_f32(hx_bf16_from_f32(sn))), "NaN must not become Inf");
    cr_assert_eq(hx_bf16_to_f32(0x4049), 3.140625f);
}

/* ---- variants and errors ------------------------------------------------- */

Test(qgemm, variants_listed_and_unrunnable_ones_skipped) {
    for (int dt = 0; dt < 2; dt++) {
        hx_gemm_q_variant v[32];
        size_t n = hx_gemm_q_variants((hx_qdtype)dt, v, 32);
        cr_assert_geq(n, 1);
        int have_scalar = 0;
        for (size_t i = 0; i < n; i++) {
            have_scalar |= !strcmp(v[i].name, "scalar");
            if (v[i].runs)
                cr_log_info("%s variant %s (%s): runs here, tested against the reference%s",
                            dt ? "bf16" : "int8", v[i].name, hx_isa_name(v[i].isa),
                            v[i].exact ? " bit for bit" : " within K eps");
            if (!v[i].runs) {
                cr_log_info("%s variant %s: skipped, this CPU lacks its instructions",
                            dt ? "bf16" : "int8", v[i].name);
                hx_error err;
                hx_qpacked_b *pb = NULL;
                int8_t w = 1;
                uint16_t wb = 0x3f80;
                float s = 1.0f;
                hx_status st = dt ? hx_gemm_bf16_pack_b(1, 1, &wb, 1, v[i].name, &pb, &err)
                                  : hx_gemm_s8_pack_b(1, 1, &w, 1, &s, v[i].name, &pb, &err);
                cr_assert_eq(st, HX_EISA);
                cr_assert_null(pb);
            }
        }
        cr_assert(have_scalar);
        cr_log_info("%s: automatic variant %s", dt ? "bf16" : "int8", hx_gemm_q_variant_best((hx_qdtype)dt));
    }
}

Test(qgemm, bad_arguments_are_errors) {
    hx_error err;
    hx_qpacked_b *pb = NULL;
    int8_t w[8] = {1, 2, 3, 4, -128, 5, 6, 7};
    float s[2] = {1.0f, 1.0f}, A[8] = {0}, C[8];
    cr_assert_eq(hx_gemm_s8_pack_b(2, 4, w, 4, s, NULL, &pb, &err), HX_ERANGE);
    cr_assert(strstr(err.msg, "[1,0]") != NULL, "%s", err.msg);
    w[4] = -127;
    cr_assert_eq(hx_gemm_s8_pack_b(2, 4, w, 4, NULL, NULL, &pb, &err), HX_EINVAL);
    s[1] = NAN;
    cr_assert_eq(hx_gemm_s8_pack_b(2, 4, w, 4, s, NULL, &pb, &err), HX_ERANGE);
    s[1] = 1.0f;
    cr_assert_eq(hx_gemm_s8_pack_b(2, 4, w, 3, s, NULL, &pb, &err), HX_EINVAL); /* ldw < K */
    cr_assert_eq(hx_gemm_s8_pack_b(2, HX_GEMM_S8_MAX_K + 1, w, HX_GEMM_S8_MAX_K + 1, s, NULL, &pb, &err), HX_ERANGE);
    cr_assert_eq(hx_gemm_s8_pack_b(2, 4, w, 4, s, "no-such-kernel", &pb, &err), HX_EINVAL);
    cr_assert_eq(hx_gemm_s8_pack_b(2, 4, w, 4, s, NULL, &pb, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_gemm_s8(2, A, 3, pb, C, 2, NULL, NULL, &err), HX_EINVAL); /* lda < K */
    cr_assert(strstr(err.msg, "leading dimension of A") != NULL, "%s", err.msg);
    cr_assert_eq(hx_gemm_s8(2, A, 4, pb, C, 1, NULL, NULL, &err), HX_EINVAL); /* ldc < N */
    cr_assert_eq(hx_gemm_s8(2, NULL, 4, pb, C, 2, NULL, NULL, &err), HX_EINVAL);
    hx_epilogue bad = {NULL, (hx_act)42};
    cr_assert_eq(hx_gemm_s8(2, A, 4, pb, C, 2, &bad, NULL, &err), HX_EINVAL);
    cr_assert_eq(hx_gemm_bf16(2, A, 4, pb, C, 2, NULL, NULL, &err), HX_EINVAL); /* dtype mismatch */
    cr_assert(strstr(err.msg, "int8") != NULL, "%s", err.msg);
    cr_assert_eq(hx_gemm_s8(0, NULL, 4, pb, NULL, 2, NULL, NULL, &err), HX_OK); /* empty */
    hx_qpacked_free(pb);
    cr_assert_eq(hx_gemm_s8(2, A, 4, NULL, C, 2, NULL, NULL, &err), HX_EINVAL);
    uint16_t wb[8] = {0};
    cr_assert_eq(hx_gemm_bf16_pack_b(2, 4, wb, 4, "no-such-kernel", &pb, &err), HX_EINVAL);
    cr_assert_eq(hx_gemm_bf16_pack_b(2, 4, NULL, 4, NULL, &pb, &err), HX_EINVAL);
    hx_qpacked_free(NULL);
}
