/* Row softmax, scalar reference: y = exp(x - max x) / Σ exp(x - max x).
 * Subtracting the row max keeps every exp() in (0, 1]. */
#include <math.h>

#include "transformer_ops_isa.h"

void hx_softmax_rows_ref(size_t rows, size_t n, const float *x, size_t ldx, float *y, size_t ldy) {
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * ldx;
        float *yr = y + r * ldy;
        if (n == 0) continue;
        float mx = xr[0];
        for (size_t i = 1; i < n; i++) mx = xr[i] > mx ? xr[i] : mx;
        float sum = 0.0f;
        for (size_t i = 0; i < n; i++) {
            yr[i] = expf(xr[i] - mx);
            sum += yr[i];
        }
        float inv = 1.0f / sum;
        for (size_t i = 0; i < n; i++) yr[i] *= inv;
    }
}
