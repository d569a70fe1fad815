/* Private: the per-ISA variants of the transformer ops declared in
 * include/helix/transformer_ops.h (the kernel table, dispatch.c, points at
 * them; the ops call them through it). */
#ifndef HELIX_TRANSFORMER_OPS_ISA_H
#define HELIX_TRANSFORMER_OPS_ISA_H

#include "helix/transformer_ops.h"

#define HX_TOPS_DECLARE(isa)                                                               \
    void hx_attention_block_##isa(const hx_attention_head *h, size_t q0, size_t nq,        \
                                  float *scratch);                                         \
    void hx_layernorm_rows_##isa(size_t rows, size_t n, const float *x, size_t ldx,        \
                                 const float *gamma, const float *beta, float eps,         \
                                 float *y, size_t ldy);                                    \
    void hx_softmax_rows_##isa(size_t rows, size_t n, const float *x, size_t ldx, float *y,     \
                          size_t ldy);

#if defined(__x86_64__)
HX_TOPS_DECLARE(avx2)
HX_TOPS_DECLARE(avx512)
#endif
#if defined(__aarch64__)
HX_TOPS_DECLARE(neon)
#endif

/* Scratch layout shared by every attention variant (floats, 64-byte aligned
 * sections): Qᵀ tile [d][BQ], score tile [BK][BQ], accumulator [BQ][dpad],
 * running max, running sum and correction [BQ] each. dpad rounds head_dim up
 * to 16 so SIMD rows need no tail handling in scratch. */
static inline size_t hx_attn_dpad(size_t d) { return (d + 15) & ~(size_t)15; }

static inline float *hx_attn_align(float *p) {
    return (float *)(((size_t)p + 63) & ~(size_t)63);
}

#endif
