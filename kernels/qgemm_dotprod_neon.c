/* NEON int8 micro-kernel with sdot (armv8.2 dot product, FEAT_DotProd), 8 x
 * 12: per group of 4 k, three W vectors (4 columns x 4 k each) and two A
 * vectors (4 rows x 4 k); sdot by lane adds 4 exact products into each int32
 * lane, twenty-four accumulators. Compiled with +dotprod, used only when
 * AT_HWCAP says asimddp. */
#include "kernels/qgemm_neon_impl.h"

#define MR 8
#define NR 12

static bool sdot_runs(void) { return hx_cpu_features_get()->asimddp; }

static void pack_b(const void *W, size_t ldw, size_t n, size_t K, size_t kp, void *dst) {
    qneon_pack_groups(W, ldw, 1, n, K, kp, NR, 4, dst);
}
static void pack_a(const void *A, size_t lda, size_t m, size_t K, size_t kp, void *dst) {
    qneon_pack_groups(A, lda, 1, m, K, kp, MR, 4, dst);
}

#define ROW(i, av, lane)                                                        \
    acc[i][0] = vdotq_laneq_s32(acc[i][0], b0, av, lane);                       \
    acc[i][1] = vdotq_laneq_s32(acc[i][1], b1, av, lane);                       \
    acc[i][2] = vdotq_laneq_s32(acc[i][2], b2, av, lane);

static void ukr(size_t m, size_t kp, const void *a_, const void *b_, const float *sa,
                const float *sb, const float *bias, float *tile, int32_t *raw) {
    const int8_t *a = a_, *b = b_;
    int32x4_t acc[MR][3];
    for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = acc[i][2] = vdupq_n_s32(0);
    for (size_t kk = 0; kk < kp / 4; kk++) {
        int8x16_t b0 = vld1q_s8(b), b1 = vld1q_s8(b + 16), b2 = vld1q_s8(b + 32);
        int8x16_t a0 = vld1q_s8(a), a1 = vld1q_s8(a + 16);
        ROW(0, a0, 0) ROW(1, a0, 1) ROW(2, a0, 2) ROW(3, a0, 3)
        if (m > 4) { ROW(4, a1, 0) ROW(5, a1, 1) ROW(6, a1, 2) ROW(7, a1, 3) }
        a += 4 * MR;
        b += 4 * NR;
    }
    int32_t t[MR * NR];
    int32_t *out = raw ? raw : t;
    for (size_t i = 0; i < m; i++)
        for (int v = 0; v < 3; v++) vst1q_s32(out + i * NR + 4 * v, acc[i][v]);
    if (!raw) qneon_dequant(m, NR, t, sa, sb, bias, tile);
}

const hx_qkernel hx_qk_s8_sdot = {
    .name = "neon-sdot", .dtype = HX_QDTYPE_S8, .isa = HX_ISA_NEON, .runs = sdot_runs,
    .mr = MR, .nr = NR, .kq = 4, .a_size = 1, .b_size = 1, .mc = 96, .nt = 192,
    .pack_b = pack_b, .pack_a = pack_a, .ukr = ukr,
};
