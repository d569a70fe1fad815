/* What the GEMM driver (gemm.c) and its per-ISA micro-kernels share.
 *
 * BLIS structure: C is cut into fixed task tiles of MC x NT; a task walks K
 * in blocks of KC, packs its MC x KC block of A into MR-row micro-panels and
 * calls the micro-kernel on every MR x NR tile, reading B from NR-column
 * panels (packed once, hx_gemm_pack_b). The blocking is a property of the
 * kernel, not of the thread count, and every C element is summed in the same
 * order whatever the tiling: results are bit-identical for any thread count. */
#ifndef HELIX_GEMM_INTERNAL_H
#define HELIX_GEMM_INTERNAL_H

#include <stddef.h>
#include "helix/gemm.h"

/* What one micro-kernel call does besides the product. On every K block but
 * the first, beta is 1 (accumulate into C); bias and act are set only on the
 * last K block, so the epilogue runs while the tile is still in L1. */
typedef struct {
    float alpha;
    float beta;        /* 0: C is written, never read */
    const float *bias; /* bias of the tile's first column, or NULL */
    hx_act act;
} hx_ukr_args;

/* C[m,n] (m <= MR, n <= NR, row stride ldc) gets alpha * A_panel * B_panel
 * (+ beta C, + bias, then act) where a holds kc steps of MR values (rows
 * beyond m are never used) and b holds kc steps of NR values. */
typedef void (*hx_gemm_ukr)(size_t m, size_t n, size_t kc, const float *a, const float *b,
                            float *c, size_t ldc, const hx_ukr_args *args);

/* For m = 1 or 2 rows: the same product over several full-width panels of
 * B at once (b, b + b_stride, ...), for more independent FMA chains; returns
 * the number of panels done (a fixed count per kernel), or 0 to decline. */
typedef size_t (*hx_gemm_ukr_wide)(size_t m, size_t kc, const float *a, const float *b,
                                   size_t b_stride, float *c, size_t ldc, const hx_ukr_args *args);

/* Applies act in place to x[0..n) with the ISA's vector erf/tanh. */
typedef void (*hx_act_rows_fn)(hx_act act, float *x, size_t n);

/* Unpacked small M: C[0:m, 0:n] (m <= 2) from rows of A (stride lda) and B
 * stored n x K (stride ldb) by dot products; the whole epilogue included. */
typedef void (*hx_gemm_dot_fn)(size_t m, size_t n, size_t K, const float *a, size_t lda,
                               const float *b, size_t ldb, float *c, size_t ldc,
                               const hx_ukr_args *args);

/* Packs rows [0, rows) of a row-major A (stride lda, K columns) into one
 * micro-panel: for every k, mr values (rows past `rows` left to the caller). */
typedef void (*hx_gemm_pack_a_fn)(const float *A, size_t lda, size_t rows, size_t K, size_t mr,
                                  float *dst);

/* A GEMM kernel family: its block sizes and micro-kernels. One per ISA, held
 * in the kernel table (kernels/dispatch.h); a packed B keeps a pointer to
 * the one it was packed for. */
typedef struct {
    size_t mr, nr;   /* micro-tile */
    size_t kc;       /* K block: an MR x KC micro-panel of A stays in L1 */
    size_t mc, nt;   /* task tile: a KC x NT block of B stays in L2 */
    hx_gemm_pack_a_fn pack_a;  /* NULL: the generic packing in gemm.c */
    hx_gemm_ukr ukr;
    hx_gemm_ukr_wide ukr_wide; /* NULL: none */
    hx_gemm_dot_fn dot;        /* NULL: none */
    size_t wide;               /* panels one ukr_wide call covers */
} hx_gemm_kernel;

/* The per-ISA pieces (the tables in dispatch.c point at them). */
#define HX_GEMM_ISA_DECL(isa)                                                                   \
    extern const hx_gemm_kernel hx_gemm_kernel_##isa;                                           \
    void hx_gemm_ukr_##isa(size_t m, size_t n, size_t kc, const float *a, const float *b,       \
                           float *c, size_t ldc, const hx_ukr_args *p);                         \
    size_t hx_gemm_ukr_wide_##isa(size_t m, size_t kc, const float *a, const float *b,          \
                                  size_t b_stride, float *c, size_t ldc, const hx_ukr_args *p); \
    void hx_gemm_dot_##isa(size_t m, size_t n, size_t K, const float *a, size_t lda,            \
                           const float *b, size_t ldb, float *c, size_t ldc,                    \
                           const hx_ukr_args *p);                                               \
    void hx_act_rows_##isa(hx_act act, float *x, size_t n);

extern const hx_gemm_kernel hx_gemm_kernel_scalar;
void hx_act_rows_scalar(hx_act act, float *x, size_t n);
#if defined(__x86_64__)
HX_GEMM_ISA_DECL(avx2)
HX_GEMM_ISA_DECL(avx512)
void hx_gemm_pack_a_x86(const float *A, size_t lda, size_t rows, size_t K, size_t mr, float *dst);
#endif
#if defined(__aarch64__)
HX_GEMM_ISA_DECL(neon)
#endif

/* Largest micro-tile any kernel uses (edge tiles go through a buffer this big). */
#define HX_GEMM_MAX_MR 16
#define HX_GEMM_MAX_NR 64

#endif
