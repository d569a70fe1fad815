/* The non-GEMM operations of a transformer encoder: scaled dot-product
 * attention, LayerNorm, softmax and the GELU / tanh activations.
 *
 * Every op has a plain-C reference (the kernels/ files ending in _ref.c: the specification) and
 * AVX2, AVX-512 and NEON variants chosen at call time from hx_isa_active().
 * Results never depend on the thread count: work is split into tasks by sizes
 * fixed by the problem, and each output element is written by one task. */
#ifndef HELIX_TRANSFORMER_OPS_H
#define HELIX_TRANSFORMER_OPS_H

#include <stddef.h>
#include "helix/status.h"
#include "helix/threads.h"

#include "helix/export.h"

HX_API_BEGIN

/* ---- attention ----------------------------------------------------------
 *
 *   out = softmax(scale * Q Kᵀ + key_bias) V      for every head
 *
 * computed one block of HX_ATTN_BLOCK_Q queries at a time against blocks of
 * HX_ATTN_BLOCK_K keys with an online (running max, running sum) softmax, so
 * that no more than one score tile per thread is ever materialised.
 *
 * One head of one sequence is described by hx_attention_head: rows are
 * tokens, q/k/v/out point at the head's first column, ld* are row strides in
 * floats. key_bias (seq_len values, e.g. 0 or -inf for padding) may be NULL. */
#define HX_ATTN_BLOCK_Q 32
#define HX_ATTN_BLOCK_K 64

typedef struct {
    size_t seq_len, head_dim;
    const float *q, *k, *v;
    size_t ldq, ldk, ldv;
    float *out;
    size_t ldo;
    const float *key_bias;
    float scale;
} hx_attention_head;

/* Floats of per-thread scratch the block kernels need for head_dim. */
size_t hx_attention_scratch_floats(size_t head_dim);

/* Queries [q0, q0 + nq) of one head, nq <= HX_ATTN_BLOCK_Q; scratch holds
 * hx_attention_scratch_floats(head_dim) floats. Active ISA. */
void hx_attention_block(const hx_attention_head *h, size_t q0, size_t nq, float *scratch);
/* The scalar reference of the same thing. */
void hx_attention_block_ref(const hx_attention_head *h, size_t q0, size_t nq, float *scratch);

/* Multi-head attention over a batch of sequences packed without padding:
 * sequence s owns token rows [offsets[s], offsets[s+1]). Head h of token t
 * reads q + t*ldq + h*head_dim (likewise k, v) and writes out + t*ldo +
 * h*head_dim. Tokens of different sequences never see each other. scratch
 * holds hx_threadpool_size(pool) * hx_attention_scratch_floats(head_dim)
 * floats. Tasks are (sequence, head, query block). */
typedef struct {
    size_t n_seqs;
    const size_t *offsets; /* n_seqs + 1 token offsets, increasing */
    size_t n_heads, head_dim;
    const float *q, *k, *v;
    size_t ldq, ldk, ldv;
    float *out;
    size_t ldo;
    float scale;
} hx_attention_batch;

hx_status hx_attention(const hx_attention_batch *b, float *scratch, hx_threadpool *pool,
                       hx_error *err);

/* ---- LayerNorm ------------------------------------------------------------
 *
 *   y[r] = (x[r] - mean(x[r])) / sqrt(var(x[r]) + eps) * gamma + beta
 *
 * over rows of n floats (biased variance, two passes as PyTorch does). y may
 * equal x. Rows are split into tasks of fixed size. */
void hx_layernorm(size_t rows, size_t n, const float *x, size_t ldx, const float *gamma,
                  const float *beta, float eps, float *y, size_t ldy, hx_threadpool *pool);
void hx_layernorm_ref(size_t rows, size_t n, const float *x, size_t ldx, const float *gamma,
                      const float *beta, float eps, float *y, size_t ldy);

/* ---- softmax --------------------------------------------------------------
 *   y[r] = exp(x[r] - max x[r]) / sum exp(x[r] - max x[r]);  y may equal x. */
void hx_softmax_rows(size_t rows, size_t n, const float *x, size_t ldx, float *y, size_t ldy);
void hx_softmax_rows_ref(size_t rows, size_t n, const float *x, size_t ldx, float *y, size_t ldy);

/* ---- activations (y may equal x) ------------------------------------------
 *   gelu(x) = 0.5 x (1 + erf(x / sqrt 2))   (exact-erf GELU, as BERT uses)
 *   tanh(x)                                   (the BERT pooler) */
void hx_gelu(size_t n, const float *x, float *y);
void hx_gelu_ref(size_t n, const float *x, float *y);
void hx_tanh(size_t n, const float *x, float *y);
void hx_tanh_ref(size_t n, const float *x, float *y);

HX_API_END
#endif
