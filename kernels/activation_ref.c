/* Activations, scalar reference (libm erff / tanhf):
 *   gelu(x) = 0.5 x (1 + erf(x / sqrt 2)),   tanh(x). */
#include <math.h>

#include "transformer_ops_isa.h"

void hx_gelu_ref(size_t n, const float *x, float *y) {
    for (size_t i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.0f + erff(x[i] * 0.70710678118654752f));
}

void hx_tanh_ref(size_t n, const float *x, float *y) {
    for (size_t i = 0; i < n; i++) y[i] = tanhf(x[i]);
}
