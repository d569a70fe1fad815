/* Direct convolution row kernel and Winograd transforms, AVX-512: one zmm holds a 16-channel block;
 * 12 pixels x 2 blocks = 24 accumulators. */
#include "kernels/simd_avx512.h"

#define TMAX1 12
#define TMAX2 12
#define CONV_ROW_FN hx_conv_row_avx512
#define WINO_IN_FN hx_wino_in_avx512
#define WINO_OUT_FN hx_wino_out_avx512
#include "kernels/conv_row_tmpl.h"
#include "kernels/conv_wino_tmpl.h"
