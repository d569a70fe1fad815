/* hx_gelu / hx_tanh: the kernel table's vector activations, the same code
 * as the GEMM epilogue's (gemm_act_impl.h), so helix has one vector GELU. */
#include <string.h>

#include "kernels/dispatch.h"

static void act_copy(hx_act act, size_t n, const float *x, float *y) {
    if (y != x) memmove(y, x, n * sizeof *y);
    hx_kernels_active()->act(act, y, n);
}

void hx_gelu(size_t n, const float *x, float *y) { act_copy(HX_ACT_GELU, n, x, y); }

void hx_tanh(size_t n, const float *x, float *y) { act_copy(HX_ACT_TANH, n, x, y); }
