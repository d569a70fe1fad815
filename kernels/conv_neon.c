/* Direct convolution row kernel and Winograd transforms, NEON: a 16-channel block is four q
 * registers; 20 accumulators (5 pixels x 1 block) or 16 (2 x 2 blocks). */
#include "kernels/simd_neon.h"

#define TMAX1 5
#define TMAX2 2
#define CONV_ROW_FN hx_conv_row_neon
#define WINO_IN_FN hx_wino_in_neon
#define WINO_OUT_FN hx_wino_out_neon
#include "kernels/conv_row_tmpl.h"
#include "kernels/conv_wino_tmpl.h"
