/* Private: the kernel table, the one place where an instruction set becomes
 * code (as BLIS's context or ONNX Runtime MLAS's platform struct).
 *
 * One hx_kernels per ISA of this build, filled once (the first time any op
 * runs) from the CPU's features: function pointers and block sizes for every
 * op family. hx_isa_set() makes another of them the active one; an op reads
 * hx_kernels_active() once per call and uses only what it finds there, so no
 * op switches on the ISA or tests a CPU feature itself. The tables never
 * change after filling, so a pointer into one (a packed GEMM B keeps its
 * kernel's) stays valid whatever ISA is chosen later. */
#ifndef HELIX_KERNELS_DISPATCH_H
#define HELIX_KERNELS_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "helix/cpu.h"
#include "kernels/conv_internal.h"
#include "kernels/gemm_internal.h"
#include "kernels/qgemm_internal.h"
#include "kernels/transformer_ops_isa.h"

typedef void (*hx_conv_row_fn)(const hx_conv_row_args *a);
typedef void (*hx_softmax_rows_fn)(size_t rows, size_t n, const float *x, size_t ldx, float *y,
                                   size_t ldy);
typedef void (*hx_layernorm_rows_fn)(size_t rows, size_t n, const float *x, size_t ldx,
                                     const float *gamma, const float *beta, float eps, float *y,
                                     size_t ldy);
typedef void (*hx_attention_block_fn)(const hx_attention_head *h, size_t q0, size_t nq,
                                      float *scratch);
/* popcount(a[w] & b[w]) summed over w < words. */
typedef uint64_t (*hx_popcount_and_fn)(const uint64_t *a, const uint64_t *b, size_t words);
/* bits[w] bit b = (col[64 w + b] == y), w < words (col holds 64 * words bytes). */
typedef void (*hx_byte_eq_bits_fn)(const uint8_t *col, size_t words, uint8_t y, uint64_t *bits);

typedef struct {
    hx_isa isa;
    hx_gemm_kernel gemm; /* micro-kernels, A packing, MR/NR/KC/MC/NT */
    hx_act_rows_fn act;  /* the vector GELU / tanh / ReLU (GEMM epilogue, hx_gelu, ...) */
    struct {
        hx_conv_row_fn row; /* direct convolution, one output row segment */
        hx_wino_in_fn wino_in;
        hx_wino_out_fn wino_out;
    } conv;
    hx_softmax_rows_fn softmax;
    hx_layernorm_rows_fn layernorm;
    hx_attention_block_fn attention;
    struct { /* reduced precision: the default variant of each dtype (qgemm.c) */
        const hx_qkernel *s8, *bf16;
    } qgemm;
    struct { /* bitsets: the label model's overlap counts */
        hx_popcount_and_fn popcount_and;
        hx_byte_eq_bits_fn byte_eq;
    } bits;
    /* The forest walkers live in nn/ (above this layer), so the table names
     * the variant the nn code runs instead of pointing at it. */
    struct {
        hx_isa scan; /* binned-row walker: HX_ISA_AVX512, HX_ISA_AVX2 or HX_ISA_SCALAR */
        hx_isa bits; /* bit-form walker: HX_ISA_AVX512 (VBMI), AVX2, NEON, or SCALAR = none */
    } forest;
} hx_kernels;

/* The active table (the best ISA unless hx_isa_set chose another). */
const hx_kernels *hx_kernels_active(void);
/* The table of an ISA (the scalar one for an ISA this build lacks). */
const hx_kernels *hx_kernels_for(hx_isa isa);

/* The bitset kernels. */
uint64_t hx_popcount_and_ref(const uint64_t *a, const uint64_t *b, size_t words);
void hx_byte_eq_bits_ref(const uint8_t *col, size_t words, uint8_t y, uint64_t *bits);
#if defined(__x86_64__)
uint64_t hx_popcount_and_avx2(const uint64_t *a, const uint64_t *b, size_t words);
void hx_byte_eq_bits_avx2(const uint8_t *col, size_t words, uint8_t y, uint64_t *bits);
#endif

#endif
