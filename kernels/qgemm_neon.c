/* Base-NEON (armv8.0) micro-kernels for CPUs without the dot-product, i8mm
 * or bf16 extensions.
 *
 * bf16 (8 x 12): each
 * k step widens 12 bf16 weights to fp32 (shll #16) and runs the fp32 FMA
 * tile by lane, twenty-four accumulators. A is rounded to bf16 at packing
 * and kept as fp32; the products are exact, so the k-ordered FMA chain gives
 * the reference's bits. */
#include "kernels/qgemm_neon_impl.h"

#define MR 8
#define NR 12

static bool neon_runs(void) { return hx_isa_supported(HX_ISA_NEON); }

static void pack_b(const void *W, size_t ldw, size_t n, size_t K, size_t kp, void *dst) {
    qneon_pack_groups(W, ldw, 2, n, K, kp, NR, 1, dst);
}

static void pack_a(const void *A, size_t lda, size_t m, size_t K, size_t kp, void *dst) {
    const float *s = A;
    float *d = dst;
    memset(d, 0, kp * MR * sizeof *d);
    for (size_t r = 0; r < m; r++)
        for (size_t k = 0; k < K; k++) d[k * MR + r] = hx_bf16_to_f32(hx_bf16_from_f32(s[r * lda + k]));
}

#define ROW(i, av, lane)                                                        \
    acc[i][0] = vfmaq_laneq_f32(acc[i][0], b0, av, lane);                       \
    acc[i][1] = vfmaq_laneq_f32(acc[i][1], b1, av, lane);                       \
    acc[i][2] = vfmaq_laneq_f32(acc[i][2], b2, av, lane);

static void ukr(size_t m, size_t kp, const void *a_, const void *b_, const float *sa,
                const float *sb, const float *bias, float *tile, int32_t *raw) {
    const float *a = a_;
    const uint16_t *b = b_;
    float32x4_t acc[MR][3];
    for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = acc[i][2] = vdupq_n_f32(0.0f);
    for (size_t k = 0; k < kp; k++) {
        float32x4_t b0 = vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(b), 16));
        float32x4_t b1 = vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(b + 4), 16));
        float32x4_t b2 = vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(b + 8), 16));
        float32x4_t a0 = vld1q_f32(a), a1 = vld1q_f32(a + 4);
        ROW(0, a0, 0) ROW(1, a0, 1) ROW(2, a0, 2) ROW(3, a0, 3)
        if (m > 4) { ROW(4, a1, 0) ROW(5, a1, 1) ROW(6, a1, 2) ROW(7, a1, 3) }
        a += MR;
        b += NR;
    }
    float t[MR * NR];
    for (size_t i = 0; i < m; i++)
        for (int v = 0; v < 3; v++) vst1q_f32(t + i * NR + 4 * v, acc[i][v]);
    qneon_add_bias(m, NR, t, bias, tile);
}

const hx_qkernel hx_qk_bf16_neon = {
    .name = "neon-fma", .dtype = HX_QDTYPE_BF16, .isa = HX_ISA_NEON, .runs = neon_runs,
    .mr = MR, .nr = NR, .kq = 1, .a_size = 4, .b_size = 2, .mc = 96, .nt = 192,
    .pack_b = pack_b, .pack_a = pack_a, .ukr = ukr,
};

/* ---- int8 without the dot-product extension (armv8.0: Cortex-A72/A53,
 * Graviton 1): 4 x 16. W panels hold int8 [k][16], widened to int16 as they
 * load (sxtl); A panels hold int16 [k][4]; smlal by lane adds exact 16 x 16
 * -> 32-bit products, sixteen accumulators. */

#undef MR
#undef NR
#undef ROW
#define MR 4
#define NR 16

static void s8_pack_b(const void *W, size_t ldw, size_t n, size_t K, size_t kp, void *dst) {
    qneon_pack_groups(W, ldw, 1, n, K, kp, NR, 1, dst);
}

static void s8_pack_a(const void *A, size_t lda, size_t m, size_t K, size_t kp, void *dst) {
    const int8_t *s = A;
    int16_t *d = dst;
    memset(d, 0, kp * MR * sizeof *d);
    for (size_t r = 0; r < m; r++)
        for (size_t k = 0; k < K; k++) d[k * MR + r] = s[r * lda + k];
}

#define ROW(i)                                                                  \
    acc[i][0] = vmlal_lane_s16(acc[i][0], vget_low_s16(lo), av, i);             \
    acc[i][1] = vmlal_lane_s16(acc[i][1], vget_high_s16(lo), av, i);            \
    acc[i][2] = vmlal_lane_s16(acc[i][2], vget_low_s16(hi), av, i);             \
    acc[i][3] = vmlal_lane_s16(acc[i][3], vget_high_s16(hi), av, i);

static void s8_ukr(size_t m, size_t kp, const void *a_, const void *b_, const float *sa,
                   const float *sb, const float *bias, float *tile, int32_t *raw) {
    const int16_t *a = a_;
    const int8_t *b = b_;
    int32x4_t acc[MR][4];
    for (int i = 0; i < MR; i++)
        for (int v = 0; v < 4; v++) acc[i][v] = vdupq_n_s32(0);
    for (size_t k = 0; k < kp; k++) {
        int8x16_t bv = vld1q_s8(b);
        int16x8_t lo = vmovl_s8(vget_low_s8(bv)), hi = vmovl_s8(vget_high_s8(bv));
        int16x4_t av = vld1_s16(a);
        ROW(0) ROW(1) ROW(2) ROW(3)
        a += MR;
        b += NR;
    }
    int32_t t[MR * NR];
    int32_t *out = raw ? raw : t;
    for (size_t i = 0; i < m; i++)
        for (int v = 0; v < 4; v++) vst1q_s32(out + i * NR + 4 * v, acc[i][v]);
    if (!raw) qneon_dequant(m, NR, t, sa, sb, bias, tile);
}

const hx_qkernel hx_qk_s8_neon = {
    .name = "neon-smlal", .dtype = HX_QDTYPE_S8, .isa = HX_ISA_NEON, .runs = neon_runs,
    .mr = MR, .nr = NR, .kq = 1, .a_size = 2, .b_size = 1, .mc = 96, .nt = 192,
    .pack_b = s8_pack_b, .pack_a = s8_pack_a, .ukr = s8_ukr,
};
