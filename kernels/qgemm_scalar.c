/* Portable C micro-kernels for the int8 and bf16 GEMMs (4 x 8 tiles, one k
 * per step), used when no SIMD variant fits or HELIX_ISA=scalar. They apply
 * the reference's arithmetic in the reference's order, so their output
 * equals it bit for bit (before the activation). */
#include "kernels/qgemm_internal.h"

#include <string.h>

#define MR 4
#define NR 8

static bool always(void) { return true; }

/* Panel layouts: for every k, NR (or MR) consecutive values. */
static void s8_pack(const void *src, size_t ld, size_t rows, size_t K, size_t kp, size_t width,
                    void *dst) {
    const int8_t *s = src;
    int8_t *d = dst;
    memset(d, 0, kp * width);
    for (size_t r = 0; r < rows; r++)
        for (size_t k = 0; k < K; k++) d[k * width + r] = s[r * ld + k];
}
static void s8_pack_b(const void *W, size_t ldw, size_t n, size_t K, size_t kp, void *dst) {
    s8_pack(W, ldw, n, K, kp, NR, dst);
}
static void s8_pack_a(const void *A, size_t lda, size_t m, size_t K, size_t kp, void *dst) {
    s8_pack(A, lda, m, K, kp, MR, dst);
}

static void s8_ukr(size_t m, size_t kp, const void *a_, const void *b_, const float *sa,
                   const float *sb, const float *bias, float *tile, int32_t *raw) {
    const int8_t *a = a_, *b = b_;
    int32_t acc[MR][NR] = {{0}};
    for (size_t k = 0; k < kp; k++) {
        for (size_t i = 0; i < MR; i++)
            for (size_t j = 0; j < NR; j++) acc[i][j] += (int32_t)a[i] * (int32_t)b[j];
        a += MR;
        b += NR;
    }
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < NR; j++) {
            if (raw) {
                raw[i * NR + j] = acc[i][j];
                continue;
            }
            float s = sa[i] * sb[j];
            float v = s * (float)acc[i][j];
            if (bias) v = v + bias[j];
            tile[i * NR + j] = v;
        }
}

const hx_qkernel hx_qk_s8_scalar = {
    .name = "scalar", .dtype = HX_QDTYPE_S8, .isa = HX_ISA_SCALAR, .runs = always,
    .mr = MR, .nr = NR, .kq = 1, .a_size = 1, .b_size = 1, .mc = 64, .nt = 256,
    .pack_b = s8_pack_b, .pack_a = s8_pack_a, .ukr = s8_ukr,
};

static void bf16_pack_b(const void *W, size_t ldw, size_t n, size_t K, size_t kp, void *dst) {
    const uint16_t *s = W;
    uint16_t *d = dst;
    memset(d, 0, kp * NR * sizeof *d);
    for (size_t r = 0; r < n; r++)
        for (size_t k = 0; k < K; k++) d[k * NR + r] = s[r * ldw + k];
}

/* A as fp32 values already rounded to bf16. */
static void bf16_pack_a(const void *A, size_t lda, size_t m, size_t K, size_t kp, void *dst) {
    const float *s = A;
    float *d = dst;
    memset(d, 0, kp * MR * sizeof *d);
    for (size_t r = 0; r < m; r++)
        for (size_t k = 0; k < K; k++) d[k * MR + r] = hx_bf16_to_f32(hx_bf16_from_f32(s[r * lda + k]));
}

static void bf16_ukr(size_t m, size_t kp, const void *a_, const void *b_, const float *sa,
                     const float *sb, const float *bias, float *tile, int32_t *raw) {
    const float *a = a_;
    const uint16_t *b = b_;
    float acc[MR][NR] = {{0}};
    for (size_t k = 0; k < kp; k++) {
        float bf[NR];
        for (size_t j = 0; j < NR; j++) bf[j] = hx_bf16_to_f32(b[j]);
        for (size_t i = 0; i < MR; i++)
            for (size_t j = 0; j < NR; j++) acc[i][j] = acc[i][j] + a[i] * bf[j];
        a += MR;
        b += NR;
    }
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < NR; j++) tile[i * NR + j] = bias ? acc[i][j] + bias[j] : acc[i][j];
}

const hx_qkernel hx_qk_bf16_scalar = {
    .name = "scalar", .dtype = HX_QDTYPE_BF16, .isa = HX_ISA_SCALAR, .runs = always,
    .mr = MR, .nr = NR, .kq = 1, .a_size = 4, .b_size = 2, .mc = 64, .nt = 256,
    .pack_b = bf16_pack_b, .pack_a = bf16_pack_a, .ukr = bf16_ukr,
};
