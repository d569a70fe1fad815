/* NEON bf16 micro-kernels with the bf16 extension (FEAT_BF16), compiled with
 * +bf16 and used only when AT_HWCAP2 says bf16:
 *   bfdot  (8 x 12): per k pair, bfdot by lane adds a[k]w[k] + a[k+1]w[k+1]
 *          into each fp32 lane; twenty-four accumulators;
 *   bfmmla (8 x 8):  per group of 4 k, each bfmmla adds a 2 x 2 block of
 *          4-term sums; sixteen accumulators.
 * The hardware sums pairs / quadruples in its own order (and, before
 * FEAT_EBF16, with its own intermediate rounding), so these are checked
 * against the reference within a K eps bound, not bit for bit. */
#include "kernels/qgemm_neon_impl.h"

static bool bf16_runs(void) { return hx_cpu_features_get()->bf16; }

static inline bfloat16x8_t ld_bf16(const uint16_t *p) { return vreinterpretq_bf16_u16(vld1q_u16(p)); }

/* ---- bfdot -------------------------------------------------------------- */

#define MR 8
#define NR 12

static void dot_pack_b(const void *W, size_t ldw, size_t n, size_t K, size_t kp, void *dst) {
    qneon_pack_groups(W, ldw, 2, n, K, kp, NR, 2, dst);
}

static void dot_pack_a(const void *A, size_t lda, size_t m, size_t K, size_t kp, void *dst) {
    const float *s = A;
    uint16_t *d = dst;
    memset(d, 0, kp * MR * sizeof *d);
    for (size_t r = 0; r < m; r++)
        for (size_t k = 0; k < K; k++) d[((k / 2) * MR + r) * 2 + k % 2] = hx_bf16_from_f32(s[r * lda + k]);
}

#define ROW(i, av, lane)                                                        \
    acc[i][0] = vbfdotq_laneq_f32(acc[i][0], b0, av, lane);                     \
    acc[i][1] = vbfdotq_laneq_f32(acc[i][1], b1, av, lane);                     \
    acc[i][2] = vbfdotq_laneq_f32(acc[i][2], b2, av, lane);

static void dot_ukr(size_t m, size_t kp, const void *a_, const void *b_, const float *sa,
                    const float *sb, const float *bias, float *tile, int32_t *raw) {
    const uint16_t *a = a_, *b = b_;
    float32x4_t acc[MR][3];
    for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = acc[i][2] = vdupq_n_f32(0.0f);
    for (size_t kk = 0; kk < kp / 2; kk++) {
        bfloat16x8_t b0 = ld_bf16(b), b1 = ld_bf16(b + 8), b2 = ld_bf16(b + 16);
        bfloat16x8_t a0 = ld_bf16(a), a1 = ld_bf16(a + 8);
        ROW(0, a0, 0) ROW(1, a0, 1) ROW(2, a0, 2) ROW(3, a0, 3)
        if (m > 4) { ROW(4, a1, 0) ROW(5, a1, 1) ROW(6, a1, 2) ROW(7, a1, 3) }
        a += 2 * MR;
        b += 2 * NR;
    }
    float t[MR * NR];
    for (size_t i = 0; i < m; i++)
        for (int v = 0; v < 3; v++) vst1q_f32(t + i * NR + 4 * v, acc[i][v]);
    qneon_add_bias(m, NR, t, bias, tile);
}
#undef ROW

const hx_qkernel hx_qk_bf16_bfdot = {
    .name = "neon-bfdot", .dtype = HX_QDTYPE_BF16, .isa = HX_ISA_NEON, .runs = bf16_runs,
    .inexact = true, .mr = MR, .nr = NR, .kq = 2, .a_size = 2, .b_size = 2, .mc = 96, .nt = 192,
    .pack_b = dot_pack_b, .pack_a = dot_pack_a, .ukr = dot_ukr,
};
#undef MR
#undef NR

/* ---- bfmmla ------------------------------------------------------------- */

#define MR 8
#define NR 8

static void mm_pack_b(const void *W, size_t ldw, size_t n, size_t K, size_t kp, void *dst) {
    qneon_pack_pairs(W, ldw, 2, n, K, kp, NR, 4, dst);
}

static void mm_pack_a(const void *A, size_t lda, size_t m, size_t K, size_t kp, void *dst) {
    const float *s = A;
    uint16_t *d = dst;
    memset(d, 0, kp * MR * sizeof *d);
    for (size_t r = 0; r < m; r++)
        for (size_t k = 0; k < K; k++)
            d[(((k / 4) * (MR / 2) + r / 2) * 2 + r % 2) * 4 + k % 4] = hx_bf16_from_f32(s[r * lda + k]);
}

static void mm_ukr(size_t m, size_t kp, const void *a_, const void *b_, const float *sa,
                   const float *sb, const float *bias, float *tile, int32_t *raw) {
    const uint16_t *a = a_, *b = b_;
    float32x4_t acc[4][4];
    for (int p = 0; p < 4; p++)
        for (int q = 0; q < 4; q++) acc[p][q] = vdupq_n_f32(0.0f);
    size_t pairs = (m + 1) / 2;
    for (size_t kk = 0; kk < kp / 4; kk++) {
        bfloat16x8_t bv[4];
        for (int q = 0; q < 4; q++) bv[q] = ld_bf16(b + 8 * q);
        for (size_t p = 0; p < pairs; p++) {
            bfloat16x8_t av = ld_bf16(a + 8 * p);
            for (int q = 0; q < 4; q++) acc[p][q] = vbfmmlaq_f32(acc[p][q], av, bv[q]);
        }
        a += 4 * MR;
        b += 4 * NR;
    }
    float t[MR * NR];
    for (size_t p = 0; p < pairs; p++) {
        vst1q_f32(t + 2 * p * NR, vcombine_f32(vget_low_f32(acc[p][0]), vget_low_f32(acc[p][1])));
        vst1q_f32(t + 2 * p * NR + 4, vcombine_f32(vget_low_f32(acc[p][2]), vget_low_f32(acc[p][3])));
        vst1q_f32(t + (2 * p + 1) * NR, vcombine_f32(vget_high_f32(acc[p][0]), vget_high_f32(acc[p][1])));
        vst1q_f32(t + (2 * p + 1) * NR + 4, vcombine_f32(vget_high_f32(acc[p][2]), vget_high_f32(acc[p][3])));
    }
    qneon_add_bias(m, NR, t, bias, tile);
}

const hx_qkernel hx_qk_bf16_bfmmla = {
    .name = "neon-bfmmla", .dtype = HX_QDTYPE_BF16, .isa = HX_ISA_NEON, .runs = bf16_runs,
    .inexact = true, .mr = MR, .nr = NR, .kq = 4, .a_size = 2, .b_size = 2, .mc = 96, .nt = 192,
    .pack_b = mm_pack_b, .pack_a = mm_pack_a, .ukr = mm_ukr,
};
