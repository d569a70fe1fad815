/* Direct convolution row kernel in plain C: the HX_ISA_SCALAR path over the
 * blocked layout (the layout-free specification is hx_conv2d_ref). */
#define VEC float
#define VW 1
#define VZERO() 0.0f
#define VLOAD(p) (*(p))
#define VSTORE(p, v) (*(p) = (v))
#define VBCAST(p) (*(p))
#define VFMA(a, b, c) ((a) * (b) + (c))
#define VADD(a, b) ((a) + (b))
#define VMAX0(v) ((v) > 0.0f ? (v) : 0.0f)
#define TMAX1 4
#define TMAX2 2
#define VSUB(a, b) ((a) - (b))
#define VSET1(x) (x)
#define CONV_ROW_FN hx_conv_row_scalar
#define WINO_IN_FN hx_wino_in_scalar
#define WINO_OUT_FN hx_wino_out_scalar
#include "kernels/conv_row_tmpl.h"
