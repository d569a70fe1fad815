/* Softmax, LayerNorm and the attention block for AVX2 + FMA: the shared SIMD
 * bodies (transformer_ops_simd.h) over the avx2 vocabulary. */
#include "kernels/simd_avx2.h"

#define SCORE_NK 2 /* keys per score micro-tile: 2 x 4 accumulators */
#define PV_ROWS 2  /* P·V micro-tile: 2 query rows x 4 vectors (32 columns) */
#define PV_CV 4
#include "transformer_ops_simd.h"
