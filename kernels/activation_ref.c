/* Activations, scalar reference: hx_act_apply (gemm_ref.c, libm erff /
 * tanhf), the definition every epilogue follows:
 *   gelu(x) = 0.5 x (1 + erf(x / sqrt 2)),   tanh(x). */
#include "helix/gemm.h"
#include "transformer_ops_isa.h"

void hx_gelu_ref(size_t n, const float *x, float *y) {
    for (size_t i = 0; i < n; i++) y[i] = hx_act_apply(HX_ACT_GELU, x[i]);
}

void hx_tanh_ref(size_t n, const float *x, float *y) {
    for (size_t i = 0; i < n; i++) y[i] = hx_act_apply(HX_ACT_TANH, x[i]);
}
