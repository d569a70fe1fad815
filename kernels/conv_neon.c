/* Direct convolution row kernel, NEON: a 16-channel block is four q
 * registers; 20 accumulators (5 pixels x 1 block) or 16 (2 x 2 blocks). */
#include <arm_neon.h>

#define VEC float32x4_t
#define VW 4
#define VZERO() vdupq_n_f32(0.0f)
#define VLOAD(p) vld1q_f32(p)
#define VSTORE(p, v) vst1q_f32((p), (v))
#define VBCAST(p) vld1q_dup_f32(p)
#define VFMA(a, b, c) vfmaq_f32((c), (a), (b))
#define VADD(a, b) vaddq_f32((a), (b))
#define VMAX0(v) vmaxq_f32((v), vdupq_n_f32(0.0f))
#define TMAX1 5
#define TMAX2 2
#define VSUB(a, b) vsubq_f32((a), (b))
#define VSET1(x) vdupq_n_f32(x)
#define CONV_ROW_FN hx_conv_row_neon
#define WINO_IN_FN hx_wino_in_neon
#define WINO_OUT_FN hx_wino_out_neon
#include "kernels/conv_row_tmpl.h"
#include "kernels/conv_wino_tmpl.h"
