/* Row softmax through the kernel table. */
#include "kernels/dispatch.h"

void hx_softmax_rows(size_t rows, size_t n, const float *x, size_t ldx, float *y, size_t ldy) {
    hx_kernels_active()->softmax(rows, n, x, ldx, y, ldy);
}
