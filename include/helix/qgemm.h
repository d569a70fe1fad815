/* Reduced-precision GEMM for Linear layers: int8 and bf16 weights.
 *
 * Both compute, row-major, with the weight W stored as PyTorch keeps a
 * Linear weight ([N, K] = [out, in]):
 *
 *     C[M,N] = act( dot(A[m,:], W[n,:]) (dequantized) + bias[n] )
 *
 * W is packed once into the chosen micro-kernel's panel layout
 * (hx_gemm_s8_pack_b, hx_gemm_bf16_pack_b); A is quantized or rounded on
 * every call. Results are bit-identical for every thread count.
 *
 * ---- int8 (exact rule, so that an independent oracle can reproduce it) ----
 * Quantizing a row x[0..K) (weights per output channel, activations per row
 * of A on every call; hx_quantize_s8_rows):
 *     amax  = max_k |x[k]|                          (fp32, exact)
 *     scale = amax / 127.0f                         (one fp32 division, RNE)
 *     q[k]  = clamp(rint(x[k] / scale), -127, 127)  (fp32 division, then round
 *                                                    half to even)
 *   A row of zeros, or one whose scale underflows to 0, gets scale 0 and
 *   q = 0; a row holding NaN or +-Inf gets scale NaN and q = 0 (so its
 *   outputs are NaN). PyTorch: s = x.abs().amax(1) / 127;
 *   q = torch.round(x / s[:, None]).clamp(-127, 127) (float32 throughout).
 * Product (exact): acc[m,n] = sum_k qa[m,k] * qw[n,k] in int32. Weights must
 *   lie in [-127, 127] (symmetric; -128 is refused) and K <= HX_GEMM_S8_MAX_K,
 *   so no sum can overflow.
 * Dequantize, in this order, each step one fp32 rounding (no FMA):
 *     s = sa[m] * sw[n];  v = s * (float)acc[m,n];  v = v + bias[n];  C = act(v)
 *   (float)acc rounds to nearest even. Every variant computes exactly this, so
 *   every variant's output equals hx_gemm_s8_ref's bit for bit before the
 *   activation; act is the active ISA's vector activation (hx_act_inplace),
 *   which is within an ulp or two of hx_act_apply.
 *
 * ---- bf16 ----
 * bf16 is the top half of an fp32 (hx_bf16_from_f32 rounds to nearest even;
 * NaN stays NaN). A is rounded to bf16 on every call; products of two bf16
 * values are exact in fp32 and are summed in fp32:
 *     C = act( sum_k bf16(A[m,k]) * W[n,k] + bias[n] )
 * The reference sums in k order; the scalar and AVX2/NEON-FMA variants do
 * too (bit-identical to it), bfdot/bfmmla sum pairs and quadruples in
 * hardware order (within K eps sum|a||w| of it).
 *
 * ---- variants ----
 * Each dtype has several micro-kernels (hx_gemm_q_variants lists them). A
 * pack call with variant NULL takes the best one for hx_isa_active() and this
 * CPU's features; a named variant the CPU cannot run is HX_EISA. The packed
 * handle fixes the variant for every later call. */
#ifndef HELIX_QGEMM_H
#define HELIX_QGEMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "helix/cpu.h"
#include "helix/gemm.h"
#include "helix/status.h"
#include "helix/threads.h"

#include "helix/export.h"

HX_API_BEGIN

/* 127 * 127 * K stays below 2^31. */
#define HX_GEMM_S8_MAX_K ((size_t)131072)

typedef enum { HX_QDTYPE_S8 = 0, HX_QDTYPE_BF16 = 1 } hx_qdtype;

typedef struct {
    const char *name; /* e.g. "avx2-pmaddwd-i8", "neon-smmla", "scalar" */
    hx_qdtype dtype;
    hx_isa isa;       /* the hx_isa it belongs to (tests iterate by ISA) */
    bool runs;        /* this CPU (and build) can run it */
    bool exact;       /* output equals the reference's bit for bit (before act) */
} hx_gemm_q_variant;

/* The variants of dtype compiled into this build (runs says which work on
 * this CPU); writes up to cap entries, returns the total count. */
size_t hx_gemm_q_variants(hx_qdtype dtype, hx_gemm_q_variant *out, size_t cap);

/* The variant a pack call with variant NULL would take now. */
const char *hx_gemm_q_variant_best(hx_qdtype dtype);

/* ---- conversions ---- */

/* The int8 rule above, for rows [0, rows) of X (stride ldx, K columns) into Q
 * (stride ldq) and scales[rows]. */
void hx_quantize_s8_rows(size_t rows, size_t K, const float *X, size_t ldx, int8_t *Q, size_t ldq,
                         float *scales);

uint16_t hx_bf16_from_f32(float x);  /* round to nearest even; NaN stays (quiet) NaN */
float hx_bf16_to_f32(uint16_t b);    /* exact */
void hx_bf16_from_f32_n(size_t n, const float *x, uint16_t *y);

/* ---- packed weights ---- */

typedef struct hx_qpacked_b hx_qpacked_b;

/* W: N rows of K int8 (stride ldw), all in [-127, 127]; scales: N fp32, the
 * per-output-channel weight scales (finite). */
hx_status hx_gemm_s8_pack_b(size_t N, size_t K, const int8_t *W, size_t ldw, const float *scales,
                            const char *variant, hx_qpacked_b **out, hx_error *err);

/* W: N rows of K bf16 values (raw bits, stride ldw). */
hx_status hx_gemm_bf16_pack_b(size_t N, size_t K, const uint16_t *W, size_t ldw,
                              const char *variant, hx_qpacked_b **out, hx_error *err);

void hx_qpacked_free(hx_qpacked_b *pb);
size_t hx_qpacked_n(const hx_qpacked_b *pb);
size_t hx_qpacked_k(const hx_qpacked_b *pb);
size_t hx_qpacked_bytes(const hx_qpacked_b *pb);
hx_qdtype hx_qpacked_dtype(const hx_qpacked_b *pb);
const char *hx_qpacked_variant(const hx_qpacked_b *pb);

/* ---- products ---- */

/* C[M,N] (stride ldc) = the int8 product above of fp32 A (stride lda),
 * quantized per row on this call, with W packed by hx_gemm_s8_pack_b. ep may
 * be NULL (no bias, no activation). */
hx_status hx_gemm_s8(size_t M, const float *A, size_t lda, const hx_qpacked_b *W, float *C,
                     size_t ldc, const hx_epilogue *ep, hx_threadpool *pool, hx_error *err);

/* The integer part alone: C[M,N] (int32, stride ldc) = sum_k Aq[m,k] W[n,k]
 * for an already quantized Aq (values in [-127, 127]). */
hx_status hx_gemm_s8_i32(size_t M, const int8_t *Aq, size_t lda, const hx_qpacked_b *W, int32_t *C,
                         size_t ldc, hx_threadpool *pool, hx_error *err);

/* C[M,N] = act(bf16(A) W^T + bias), W packed by hx_gemm_bf16_pack_b. */
hx_status hx_gemm_bf16(size_t M, const float *A, size_t lda, const hx_qpacked_b *W, float *C,
                       size_t ldc, const hx_epilogue *ep, hx_threadpool *pool, hx_error *err);

/* ---- references (the specification; serial, unpacked) ---- */

/* Quantizes A per row as above, then the exact product and dequantization;
 * activation by hx_act_apply. W: N x K int8 (stride ldw), sw: N scales. */
void hx_gemm_s8_ref(size_t M, size_t N, size_t K, const float *A, size_t lda, const int8_t *W,
                    size_t ldw, const float *sw, float *C, size_t ldc, const hx_epilogue *ep);
void hx_gemm_s8_ref_i32(size_t M, size_t N, size_t K, const int8_t *Aq, size_t lda,
                        const int8_t *W, size_t ldw, int32_t *C, size_t ldc);
/* fp32 sum in k order of bf16(A[m,k]) * W[n,k]; + bias; hx_act_apply. */
void hx_gemm_bf16_ref(size_t M, size_t N, size_t K, const float *A, size_t lda, const uint16_t *W,
                      size_t ldw, float *C, size_t ldc, const hx_epilogue *ep);

HX_API_END
#endif
