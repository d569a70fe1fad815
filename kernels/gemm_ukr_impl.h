/* The register-blocked SGEMM micro-kernel, written once in the SIMD
 * vocabulary (simd_avx2.h lists it) and instantiated by each per-ISA file
 * (gemm_avx2.c, gemm_avx512.c, gemm_neon.c). Included after the file's
 * simd_*.h and these:
 *
 *   UKR_MR, UKR_NV           micro-tile: MR rows x NV vectors (NR = NV*VW)
 *   UKR_NAME                 name of the hx_gemm_ukr to define
 *   UKR_WIDE_NAME            name of the hx_gemm_ukr_wide to define
 *   DOT_NAME                 name of the small-M unpacked kernel
 *   UKR_ACT_ROWS             the file's hx_act_rows_fn
 *
 * The tile loop keeps MR x NV accumulators in registers: per k step it loads
 * NV vectors of B and broadcasts MR values of A (rank-1 update). The row
 * count is a compile-time constant in each instantiation (1..MR), so small M
 * (a BERT batch of one token) does not pay for MR rows. */
#include <math.h>
#include <string.h>

#define UKR_NR (UKR_NV * VW)

static inline __attribute__((always_inline)) void
ukr_tile(const int mr, size_t kc, const float *restrict a, const float *restrict b,
         float *restrict c, size_t ldc, const hx_ukr_args *p) {
    vf acc[UKR_MR][UKR_NV];
#pragma GCC unroll 16
    for (int i = 0; i < mr; i++)
#pragma GCC unroll 8
        for (int v = 0; v < UKR_NV; v++) acc[i][v] = vzero();

#pragma GCC unroll 2
    for (size_t k = 0; k < kc; k++) {
        vf bv[UKR_NV];
#pragma GCC unroll 8
        for (int v = 0; v < UKR_NV; v++) bv[v] = vload(b + v * VW);
#pragma GCC unroll 16
        for (int i = 0; i < mr; i++) {
            vf ai = vset1(a[i]);
#pragma GCC unroll 8
            for (int v = 0; v < UKR_NV; v++) acc[i][v] = vfma(ai, bv[v], acc[i][v]);
        }
        a += UKR_MR;
        b += UKR_NR;
    }

    /* C = alpha*AB (+ beta*C) (+ bias): one rounding per step, same for
     * every tile, edge or not. */
    vf alpha = vset1(p->alpha), beta = vset1(p->beta);
    int read_c = p->beta != 0.0f;
#pragma GCC unroll 16
    for (int i = 0; i < mr; i++) {
        float *ci = c + (size_t)i * ldc;
#pragma GCC unroll 8
        for (int v = 0; v < UKR_NV; v++) {
            vf r = vmul(alpha, acc[i][v]);
            if (read_c) r = vfma(beta, vload(ci + v * VW), r);
            if (p->bias) r = vadd(r, vload(p->bias + v * VW));
            vstore(ci + v * VW, r);
        }
    }
}

/* One case per row count, so each gets its own fully unrolled tile. */
#define UKR_ROWS(k) case k: ukr_tile((k) <= UKR_MR ? (k) : UKR_MR, kc, a, b, c, ldc, p); break;

static void ukr_full_width(size_t m, size_t kc, const float *a, const float *b, float *c,
                           size_t ldc, const hx_ukr_args *p) {
    switch (m) {
    UKR_ROWS(1) UKR_ROWS(2) UKR_ROWS(3) UKR_ROWS(4) UKR_ROWS(5) UKR_ROWS(6) UKR_ROWS(7)
    UKR_ROWS(8) UKR_ROWS(9) UKR_ROWS(10) UKR_ROWS(11) UKR_ROWS(12) UKR_ROWS(13) UKR_ROWS(14)
    UKR_ROWS(15) UKR_ROWS(16)
    default: break;
    }
    if (p->act != HX_ACT_NONE)
        for (size_t i = 0; i < m; i++) UKR_ACT_ROWS(p->act, c + i * ldc, UKR_NR);
}
#undef UKR_ROWS

/* Few rows (M = 1 or 2: a pooler, a classifier, one token) leave the tile
 * loop with too few independent accumulators to hide the FMA latency, so
 * those rows run over UKR_WIDE full-width panels of B at once. Each element
 * is still one k-ordered FMA chain: the same bits as the tile above. */
#define UKR_WIDE 4

static inline __attribute__((always_inline)) void
ukr_wide_tile(const int mr, size_t kc, const float *restrict a, const float *restrict b,
              size_t b_stride, float *restrict c, size_t ldc, const hx_ukr_args *p) {
    vf acc[2][UKR_WIDE][UKR_NV];
#pragma GCC unroll 2
    for (int i = 0; i < mr; i++)
#pragma GCC unroll 4
        for (int q = 0; q < UKR_WIDE; q++)
#pragma GCC unroll 8
            for (int v = 0; v < UKR_NV; v++) acc[i][q][v] = vzero();
    for (size_t k = 0; k < kc; k++) {
        vf bv[UKR_WIDE][UKR_NV];
#pragma GCC unroll 4
        for (int q = 0; q < UKR_WIDE; q++)
#pragma GCC unroll 8
            for (int v = 0; v < UKR_NV; v++) bv[q][v] = vload(b + q * b_stride + k * UKR_NR + v * VW);
#pragma GCC unroll 2
        for (int i = 0; i < mr; i++) {
            vf ai = vset1(a[k * UKR_MR + i]);
#pragma GCC unroll 4
            for (int q = 0; q < UKR_WIDE; q++)
#pragma GCC unroll 8
                for (int v = 0; v < UKR_NV; v++) acc[i][q][v] = vfma(ai, bv[q][v], acc[i][q][v]);
        }
    }
    vf alpha = vset1(p->alpha), beta = vset1(p->beta);
    int read_c = p->beta != 0.0f;
#pragma GCC unroll 2
    for (int i = 0; i < mr; i++) {
#pragma GCC unroll 4
        for (int q = 0; q < UKR_WIDE; q++) {
            float *ci = c + (size_t)i * ldc + q * UKR_NR;
#pragma GCC unroll 8
            for (int v = 0; v < UKR_NV; v++) {
                vf r = vmul(alpha, acc[i][q][v]);
                if (read_c) r = vfma(beta, vload(ci + v * VW), r);
                if (p->bias) r = vadd(r, vload(p->bias + q * UKR_NR + v * VW));
                vstore(ci + v * VW, r);
            }
        }
        if (p->act != HX_ACT_NONE) UKR_ACT_ROWS(p->act, c + (size_t)i * ldc, UKR_WIDE * UKR_NR);
    }
}

/* m (1 or 2) rows over UKR_WIDE full panels b, b + b_stride, ...; returns
 * how many panels it did (0 if m is too large). */
size_t UKR_WIDE_NAME(size_t m, size_t kc, const float *a, const float *b, size_t b_stride,
                     float *c, size_t ldc, const hx_ukr_args *p) {
    if (m == 1) ukr_wide_tile(1, kc, a, b, b_stride, c, ldc, p);
    else if (m == 2) ukr_wide_tile(2, kc, a, b, b_stride, c, ldc, p);
    else return 0;
    return UKR_WIDE;
}

/* C[0:m, 0:n] for m <= 2 rows of A (row-major) against B stored n x K
 * ([out, in], unpacked): dot products along k, four rows of B at a time, so
 * B is read once and never packed (packing would cost more than the product
 * itself). Each element: VW lane sums in k order, their sum, then the k
 * tail in order; a fixed order for a given K. */
void DOT_NAME(size_t m, size_t n, size_t K, const float *a, size_t lda, const float *b,
              size_t ldb, float *c, size_t ldc, const hx_ukr_args *p) {
    size_t kv = K / VW * VW;
    for (size_t j = 0; j < n;) {
        size_t nq = n - j >= 4 ? 4 : 1;
        float s[2][4];
        for (size_t i = 0; i < m; i++) {
            const float *ai = a + i * lda;
            if (nq == 4) {
                const float *b0 = b + j * ldb, *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
                vf c0 = vzero(), c1 = vzero(), c2 = vzero(), c3 = vzero();
                for (size_t k = 0; k < kv; k += VW) {
                    vf av = vload(ai + k);
                    c0 = vfma(av, vload(b0 + k), c0);
                    c1 = vfma(av, vload(b1 + k), c1);
                    c2 = vfma(av, vload(b2 + k), c2);
                    c3 = vfma(av, vload(b3 + k), c3);
                }
                s[i][0] = vhsum(c0), s[i][1] = vhsum(c1), s[i][2] = vhsum(c2), s[i][3] = vhsum(c3);
            } else {
                const float *b0 = b + j * ldb;
                vf c0 = vzero();
                for (size_t k = 0; k < kv; k += VW) c0 = vfma(vload(ai + k), vload(b0 + k), c0);
                s[i][0] = vhsum(c0);
            }
            for (size_t q = 0; q < nq; q++)
                for (size_t k = kv; k < K; k++) s[i][q] = fmaf(ai[k], b[(j + q) * ldb + k], s[i][q]);
        }
        for (size_t i = 0; i < m; i++)
            for (size_t q = 0; q < nq; q++) {
                float v = p->alpha * s[i][q];
                if (p->beta != 0.0f) v = fmaf(p->beta, c[i * ldc + j + q], v);
                if (p->bias) v += p->bias[j + q];
                c[i * ldc + j + q] = v;
            }
        j += nq;
    }
    if (p->act != HX_ACT_NONE)
        for (size_t i = 0; i < m; i++) UKR_ACT_ROWS(p->act, c + i * ldc, n);
}

void UKR_NAME(size_t m, size_t n, size_t kc, const float *a, const float *b, float *c,
              size_t ldc, const hx_ukr_args *p) {
    if (n == UKR_NR) {
        ukr_full_width(m, kc, a, b, c, ldc, p);
        return;
    }
    /* Edge tile (n < NR): run the same full-width code on a buffer, so edge
     * elements get exactly the arithmetic of interior ones. The packed B panel
     * is zero past column n. */
    float buf[UKR_MR * UKR_NR] __attribute__((aligned(64)));
    float bias[UKR_NR] __attribute__((aligned(64)));
    hx_ukr_args q = *p;
    memset(buf, 0, sizeof buf);
    if (p->beta != 0.0f)
        for (size_t i = 0; i < m; i++) memcpy(buf + i * UKR_NR, c + i * ldc, n * sizeof(float));
    if (p->bias) {
        memset(bias, 0, sizeof bias);
        memcpy(bias, p->bias, n * sizeof(float));
        q.bias = bias;
    }
    ukr_full_width(m, kc, a, b, buf, UKR_NR, &q);
    for (size_t i = 0; i < m; i++) memcpy(c + i * ldc, buf + i * UKR_NR, n * sizeof(float));
}

#undef UKR_NR
#undef UKR_WIDE
