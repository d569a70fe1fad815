/* Direct convolution row kernel and Winograd transforms, AVX2 + FMA: a 16-channel block is two ymm;
 * 12 accumulators (6 pixels x 1 block, or 3 pixels x 2 blocks) of 16 ymm. */
#include "kernels/simd_avx2.h"

#define TMAX1 6
#define TMAX2 3
#define CONV_ROW_FN hx_conv_row_avx2
#define WINO_IN_FN hx_wino_in_avx2
#define WINO_OUT_FN hx_wino_out_avx2
#include "kernels/conv_row_tmpl.h"
#include "kernels/conv_wino_tmpl.h"
