/* The vpdpbusd int8 micro-kernel, written once for AVX512-VNNI (zmm) and
 * AVX-VNNI (ymm). vpdpbusd multiplies unsigned by signed bytes, so A is
 * packed as a + 128 (the sign bit flipped: 1..255) and each W panel carries
 * its column sums: sum_k (a+128) w = sum_k a w + 128 colsum(w), and the
 * kernel subtracts 128 colsum. The int32 lanes wrap, but the true sum fits
 * in int32 (K <= HX_GEMM_S8_MAX_K), so the wrapped result is exact.
 *
 * Layout: per group of 4 k, W holds NR columns x 4 bytes (one 32-bit lane
 * per column), A holds MR rows x 4 bytes (broadcast per row). After the kp*NR
 * bytes of a W panel come its NR int32 column sums.
 *
 * Included after the file defines VI (integer vector), VI_W (int32 lanes),
 * vi_zero(), vi_load(p), vi_store(p,v), vi_set1(x), vi_dpbusd(acc,a_u8,b_s8),
 * vi_sub(a,b), vi_slli(a,n), VF (float vector), vf_load, vf_store, vf_set1,
 * vf_mul, vf_add, vf_cvt(v) (int32 -> float, nearest even), VNNI_MR, VNNI_NV
 * (NR = NV * VI_W), VNNI_PREFIX (names), VNNI_NAME, VNNI_ISA, VNNI_RUNS. */
#include <string.h>

#define NR (VNNI_NV * VI_W)
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define FN(x) CAT(VNNI_PREFIX, x)

static void FN(pack_b)(const void *W, size_t ldw, size_t n, size_t K, size_t kp, void *dst) {
    const int8_t *s = W;
    int8_t *d = dst;
    memset(d, 0, kp * NR);
    int32_t colsum[NR];
    memset(colsum, 0, sizeof colsum);
    for (size_t r = 0; r < n; r++)
        for (size_t k = 0; k < K; k++) {
            d[((k / 4) * NR + r) * 4 + k % 4] = s[r * ldw + k];
            colsum[r] += s[r * ldw + k];
        }
    memcpy(d + kp * NR, colsum, sizeof colsum);
}

static void FN(pack_a)(const void *A, size_t lda, size_t m, size_t K, size_t kp, void *dst) {
    const int8_t *s = A;
    uint8_t *d = dst;
    memset(d, 0x80, kp * VNNI_MR); /* padding k: W is zero there */
    for (size_t r = 0; r < m; r++)
        for (size_t k = 0; k < K; k++) d[((k / 4) * VNNI_MR + r) * 4 + k % 4] = (uint8_t)(s[r * lda + k] ^ 0x80);
}

static inline __attribute__((always_inline)) void
FN(tile)(const int mr, size_t kp, const uint8_t *restrict a, const int8_t *restrict b,
         const float *sa, const float *sb, const float *bias, float *tile, int32_t *raw) {
    VI acc[VNNI_MR][VNNI_NV];
    const int32_t *colsum = (const int32_t *)(b + kp * NR);
#pragma GCC unroll 16
    for (int i = 0; i < mr; i++)
#pragma GCC unroll 4
        for (int v = 0; v < VNNI_NV; v++) acc[i][v] = vi_zero();
    for (size_t kk = 0; kk < kp / 4; kk++) {
        VI bv[VNNI_NV];
#pragma GCC unroll 4
        for (int v = 0; v < VNNI_NV; v++) bv[v] = vi_load(b + 4 * VI_W * v);
#pragma GCC unroll 16
        for (int i = 0; i < mr; i++) {
            int32_t quad;
            memcpy(&quad, a + 4 * i, sizeof quad);
            VI av = vi_set1(quad);
#pragma GCC unroll 4
            for (int v = 0; v < VNNI_NV; v++) acc[i][v] = vi_dpbusd(acc[i][v], av, bv[v]);
        }
        a += 4 * VNNI_MR;
        b += 4 * NR;
    }
    VI corr[VNNI_NV];
#pragma GCC unroll 4
    for (int v = 0; v < VNNI_NV; v++) corr[v] = vi_slli(vi_load(colsum + VI_W * v), 7);
#pragma GCC unroll 16
    for (int i = 0; i < mr; i++) {
        VF s = vf_set1(sa ? sa[i] : 0.0f);
#pragma GCC unroll 4
        for (int v = 0; v < VNNI_NV; v++) {
            VI x = vi_sub(acc[i][v], corr[v]);
            if (raw) {
                vi_store(raw + i * NR + VI_W * v, x);
                continue;
            }
            VF r = vf_mul(vf_mul(s, vf_load(sb + VI_W * v)), vf_cvt(x));
            if (bias) r = vf_add(r, vf_load(bias + VI_W * v));
            vf_store(tile + i * NR + VI_W * v, r);
        }
    }
}

#define ROWS(k) case k: FN(tile)((k) <= VNNI_MR ? (k) : VNNI_MR, kp, a, b, sa, sb, bias, tile, raw); break;
static void FN(ukr)(size_t m, size_t kp, const void *a, const void *b, const float *sa,
                    const float *sb, const float *bias, float *tile, int32_t *raw) {
    switch (m) {
    ROWS(1) ROWS(2) ROWS(3) ROWS(4) ROWS(5) ROWS(6) ROWS(7) ROWS(8)
    default: break;
    }
}
#undef ROWS

const hx_qkernel VNNI_NAME = {
    .name = VNNI_LABEL, .dtype = HX_QDTYPE_S8, .isa = VNNI_ISA, .runs = VNNI_RUNS,
    .mr = VNNI_MR, .nr = NR, .kq = 4, .a_size = 1, .b_size = 1, .b_extra = NR * sizeof(int32_t),
    .mc = 96, .nt = 192,
    .pack_b = FN(pack_b), .pack_a = FN(pack_a), .ukr = FN(ukr),
};

#undef NR
#undef FN
#undef CAT
#undef CAT2
