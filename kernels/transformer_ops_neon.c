/* Softmax, LayerNorm and the attention block for NEON: the shared SIMD
 * bodies (transformer_ops_simd.h) over the neon vocabulary. */
#include "kernels/simd_neon.h"

#define SCORE_NK 2 /* keys per score micro-tile: 2 x 8 accumulators */
#define PV_ROWS 4  /* P·V micro-tile: 4 query rows x 4 vectors (16 columns) */
#define PV_CV 4
#include "transformer_ops_simd.h"
