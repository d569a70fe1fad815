/* NEON int8 micro-kernel with smmla (FEAT_I8MM), 8 x 8: per group of 8 k,
 * four A vectors (a row pair x 8 k each) and four W vectors (a column pair x
 * 8 k); each smmla adds a 2 x 2 block of exact 8-term sums, sixteen
 * accumulators. Compiled with +i8mm, used only when AT_HWCAP2 says i8mm. */
#include "kernels/qgemm_neon_impl.h"

#define MR 8
#define NR 8

static bool smmla_runs(void) { return hx_cpu_features_get()->i8mm; }

static void pack_b(const void *W, size_t ldw, size_t n, size_t K, size_t kp, void *dst) {
    qneon_pack_pairs(W, ldw, 1, n, K, kp, NR, 8, dst);
}
static void pack_a(const void *A, size_t lda, size_t m, size_t K, size_t kp, void *dst) {
    qneon_pack_pairs(A, lda, 1, m, K, kp, MR, 8, dst);
}

static void ukr(size_t m, size_t kp, const void *a_, const void *b_, const float *sa,
                const float *sb, const float *bias, float *tile, int32_t *raw) {
    const int8_t *a = a_, *b = b_;
    int32x4_t acc[4][4];
    for (int p = 0; p < 4; p++)
        for (int q = 0; q < 4; q++) acc[p][q] = vdupq_n_s32(0);
    size_t pairs = (m + 1) / 2;
    for (size_t kk = 0; kk < kp / 8; kk++) {
        int8x16_t bv[4];
        for (int q = 0; q < 4; q++) bv[q] = vld1q_s8(b + 16 * q);
        for (size_t p = 0; p < pairs; p++) {
            int8x16_t av = vld1q_s8(a + 16 * p);
            for (int q = 0; q < 4; q++) acc[p][q] = vmmlaq_s32(acc[p][q], av, bv[q]);
        }
        a += 8 * MR;
        b += 8 * NR;
    }
    /* acc[p][q] = [c(2p,2q) c(2p,2q+1) c(2p+1,2q) c(2p+1,2q+1)]. */
    int32_t t[MR * NR];
    int32_t *out = raw ? raw : t;
    for (size_t p = 0; p < pairs; p++) {
        int32x4_t r0a = vcombine_s32(vget_low_s32(acc[p][0]), vget_low_s32(acc[p][1]));
        int32x4_t r0b = vcombine_s32(vget_low_s32(acc[p][2]), vget_low_s32(acc[p][3]));
        int32x4_t r1a = vcombine_s32(vget_high_s32(acc[p][0]), vget_high_s32(acc[p][1]));
        int32x4_t r1b = vcombine_s32(vget_high_s32(acc[p][2]), vget_high_s32(acc[p][3]));
        vst1q_s32(out + 2 * p * NR, r0a);
        vst1q_s32(out + 2 * p * NR + 4, r0b);
        if (2 * p + 1 < m) {
            vst1q_s32(out + (2 * p + 1) * NR, r1a);
            vst1q_s32(out + (2 * p + 1) * NR + 4, r1b);
        }
    }
    if (!raw) qneon_dequant(m, NR, t, sa, sb, bias, tile);
}

const hx_qkernel hx_qk_s8_smmla = {
    .name = "neon-smmla", .dtype = HX_QDTYPE_S8, .isa = HX_ISA_NEON, .runs = smmla_runs,
    .mr = MR, .nr = NR, .kq = 8, .a_size = 1, .b_size = 1, .mc = 96, .nt = 192,
    .pack_b = pack_b, .pack_a = pack_a, .ukr = ukr,
};
