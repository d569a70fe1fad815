/* Pieces shared by the NEON int8/bf16 micro-kernel files (base armv8.0 NEON
 * only, so every file may include it whatever its -march). */
#ifndef HELIX_QGEMM_NEON_IMPL_H
#define HELIX_QGEMM_NEON_IMPL_H

#include <arm_neon.h>
#include <string.h>

#include "kernels/qgemm_internal.h"

/* Rows [0, rows) of src (element size es, stride ld elements) into panels of
 * `group` consecutive k per row, rows interleaved `width` wide:
 *   dst[((k / group) * width + r) * group + k % group] = src[r][k]
 * (the sdot / bfdot layout; zero past row `rows` and column K). */
static inline void qneon_pack_groups(const void *src, size_t ld, size_t es, size_t rows, size_t K,
                                     size_t kp, size_t width, size_t group, void *dst) {
    const unsigned char *s = src;
    unsigned char *d = dst;
    memset(d, 0, kp * width * es);
    for (size_t r = 0; r < rows; r++)
        for (size_t k = 0; k < K; k++)
            memcpy(d + (((k / group) * width + r) * group + k % group) * es, s + (r * ld + k) * es, es);
}

/* The i8mm / bfmmla layout: rows in pairs, `group` k of row 2p then `group` k
 * of row 2p+1, pairs interleaved width/2 wide per k group:
 *   dst[(((k / group) * (width / 2) + r / 2) * 2 + r % 2) * group + k % group] */
static inline void qneon_pack_pairs(const void *src, size_t ld, size_t es, size_t rows, size_t K,
                                    size_t kp, size_t width, size_t group, void *dst) {
    const unsigned char *s = src;
    unsigned char *d = dst;
    memset(d, 0, kp * width * es);
    for (size_t r = 0; r < rows; r++)
        for (size_t k = 0; k < K; k++)
            memcpy(d + ((((k / group) * (width / 2) + r / 2) * 2 + r % 2) * group + k % group) * es,
                   s + (r * ld + k) * es, es);
}

/* fp32 rows rounded to bf16 bits into a row-major scratch, then packed. */
static inline void qneon_round_rows(const float *A, size_t lda, size_t rows, size_t K, uint16_t *out) {
    for (size_t r = 0; r < rows; r++)
        for (size_t k = 0; k < K; k++) out[r * K + k] = hx_bf16_from_f32(A[r * lda + k]);
}

/* int32 tile t (m x nr, row stride nr) -> tile: (sa * sb) * (float)t + bias. */
static inline void qneon_dequant(size_t m, size_t nr, const int32_t *t, const float *sa,
                                 const float *sb, const float *bias, float *tile) {
    for (size_t i = 0; i < m; i++) {
        float32x4_t s = vdupq_n_f32(sa[i]);
        for (size_t j = 0; j < nr; j += 4) {
            float32x4_t r = vmulq_f32(vmulq_f32(s, vld1q_f32(sb + j)), vcvtq_f32_s32(vld1q_s32(t + i * nr + j)));
            if (bias) r = vaddq_f32(r, vld1q_f32(bias + j));
            vst1q_f32(tile + i * nr + j, r);
        }
    }
}

/* fp32 tile t -> tile: t + bias. */
static inline void qneon_add_bias(size_t m, size_t nr, const float *t, const float *bias, float *tile) {
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < nr; j += 4) {
            float32x4_t r = vld1q_f32(t + i * nr + j);
            if (bias) r = vaddq_f32(r, vld1q_f32(bias + j));
            vst1q_f32(tile + i * nr + j, r);
        }
}

#endif
