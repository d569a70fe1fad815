/* What the int8/bf16 GEMM driver (qgemm.c) and its micro-kernels share.
 *
 * Structure (as the fp32 GEMM, gemm_internal.h): W is packed once into
 * NR-column panels; each call prepares A (quantize or round, then pack into
 * MR-row micro-panels); C is cut into fixed MC x NT task tiles; a task calls
 * the micro-kernel on every MR x NR tile. The micro-kernel runs the whole
 * (padded) K at once, so each sum is formed in one fixed order whatever the
 * tiling or thread count; it writes a full MR x NR tile to a buffer, the
 * driver copies the m x n valid part into C and applies the activation. */
#ifndef HELIX_QGEMM_INTERNAL_H
#define HELIX_QGEMM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "helix/qgemm.h"

#define HX_QGEMM_MAX_MR 8
#define HX_QGEMM_MAX_NR 32

/* m <= MR valid rows; kp = K padded to the kernel's K group; a, b the packed
 * micro-panels. raw != NULL: write the int32 sums of the MR x NR tile there
 * (row stride NR) and nothing else. Otherwise write tile[i*NR + j] =
 *   int8: (sa[i] * sb[j]) * (float)acc + bias[j]
 *   bf16: acc + bias[j]
 * for i < m (sb and bias hold NR values, zero-padded; bias may be NULL). */
typedef void (*hx_qukr_fn)(size_t m, size_t kp, const void *a, const void *b, const float *sa,
                           const float *sb, const float *bias, float *tile, int32_t *raw);

/* One row of A against HX_QUKR_WIDE full W panels at b, b + b_stride, ...
 * (more independent accumulator chains than one panel gives a single row):
 * tile[j] for j < HX_QUKR_WIDE * NR, the same arithmetic as the ukr. */
#define HX_QUKR_WIDE 4
typedef void (*hx_qukr_wide_fn)(size_t kp, const void *a, const void *b, size_t b_stride,
                                const float *bias, float *tile);

/* Packs rows [0, n) (n <= nr) of W (stride ldw, K columns; int8 or bf16
 * bits) into one panel of kp (padded) k steps, zero past row n and column K,
 * then b_extra bytes of its own. */
typedef void (*hx_qpack_b_fn)(const void *W, size_t ldw, size_t n, size_t K, size_t kp, void *dst);

/* Packs rows [0, m) (m <= mr) of A (int8 rows for s8, fp32 rows rounded to
 * bf16 here for bf16) into one micro-panel, zero past row m and column K. */
typedef void (*hx_qpack_a_fn)(const void *A, size_t lda, size_t m, size_t K, size_t kp, void *dst);

/* Quantizes one row with a known scale: q[k] = clamp(rint(x[k] / scale)). */
typedef void (*hx_qquant_row_fn)(size_t K, const float *x, float scale, int8_t *q);

typedef struct {
    const char *name;
    hx_qdtype dtype;
    hx_isa isa;
    bool (*runs)(void);
    bool inexact;          /* bf16 only: sums not in k order (bfdot, bfmmla) */
    size_t mr, nr, kq;     /* micro-tile; K is padded to a multiple of kq */
    size_t a_size, b_size; /* bytes per packed element */
    size_t b_extra;        /* bytes after each W panel's kp*nr elements (VNNI: column sums) */
    size_t mc, nt;         /* task tile (rows, columns) */
    hx_qpack_b_fn pack_b;
    hx_qpack_a_fn pack_a;
    hx_qquant_row_fn quant_row; /* s8 only; NULL: the scalar one */
    hx_qukr_fn ukr;
    hx_qukr_wide_fn ukr_wide1; /* bf16 only, NULL: none */
} hx_qkernel;

/* The scalar quantization of one element (the rule in qgemm.h). */
static inline int8_t hx_q8_value(float x, float scale) {
    if (!(scale > 0.0f) || scale == __builtin_inff()) return 0;
    float r = __builtin_rintf(x / scale);
    if (r > 127.0f) r = 127.0f;
    if (r < -127.0f) r = -127.0f;
    return (int8_t)r;
}


extern const hx_qkernel hx_qk_s8_scalar, hx_qk_bf16_scalar;
#if defined(__x86_64__)
extern const hx_qkernel hx_qk_s8_avx2, hx_qk_s8_avx2_i8, hx_qk_bf16_avx2;
extern const hx_qkernel hx_qk_s8_avx512vnni, hx_qk_s8_avxvnni, hx_qk_bf16_avx512bf16;
#endif
#if defined(__aarch64__)
extern const hx_qkernel hx_qk_s8_neon, hx_qk_s8_sdot, hx_qk_s8_smmla, hx_qk_bf16_neon, hx_qk_bf16_bfdot,
    hx_qk_bf16_bfmmla;
#endif

#endif
