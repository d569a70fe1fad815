/* Softmax, LayerNorm and the attention block for AVX-512: the shared SIMD
 * bodies (transformer_ops_simd.h) over the avx512 vocabulary. */
#include "kernels/simd_avx512.h"

#define SCORE_NK 4 /* keys per score micro-tile: 4 x 2 accumulators */
#define PV_ROWS 4  /* P·V micro-tile: 4 query rows x 4 vectors (64 columns) */
#define PV_CV 4
#include "transformer_ops_simd.h"
