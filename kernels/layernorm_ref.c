/* LayerNorm over rows, scalar reference:
 *   mean = Σx / n,  var = Σ(x - mean)² / n,
 *   y = (x - mean) / sqrt(var + eps) * gamma + beta
 * Two passes over the row (as PyTorch computes it), so a large mean does not
 * cancel the variance away. */
#include <math.h>

#include "transformer_ops_isa.h"

void hx_layernorm_ref(size_t rows, size_t n, const float *x, size_t ldx, const float *gamma,
                      const float *beta, float eps, float *y, size_t ldy) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * ldx;
        float *yr = y + r * ldy;
        float sum = 0.0f;
        for (size_t i = 0; i < n; i++) sum += xr[i];
        float mean = sum / (float)n;
        float ss = 0.0f;
        for (size_t i = 0; i < n; i++) ss += (xr[i] - mean) * (xr[i] - mean);
        float rstd = 1.0f / sqrtf(ss / (float)n + eps);
        for (size_t i = 0; i < n; i++) yr[i] = (xr[i] - mean) * rstd * gamma[i] + beta[i];
    }
}
