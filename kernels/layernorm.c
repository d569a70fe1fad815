/* LayerNorm: rows split into tasks of a fixed count, each run by the active
 * table's kernel. */
#include "kernels/dispatch.h"

#define LN_ROWS_PER_TASK 16

typedef struct {
    size_t rows, n, ldx, ldy;
    const float *x, *gamma, *beta;
    float eps;
    float *y;
    hx_layernorm_rows_fn rows_fn;
} ln_job;

static void ln_task(void *ctx, size_t t, int thread) {
    const ln_job *j = ctx;
    size_t r0 = t * LN_ROWS_PER_TASK;
    size_t nr = j->rows - r0 < LN_ROWS_PER_TASK ? j->rows - r0 : LN_ROWS_PER_TASK;
    j->rows_fn(nr, j->n, j->x + r0 * j->ldx, j->ldx, j->gamma, j->beta, j->eps,
               j->y + r0 * j->ldy, j->ldy);
}

void hx_layernorm(size_t rows, size_t n, const float *x, size_t ldx, const float *gamma,
                  const float *beta, float eps, float *y, size_t ldy, hx_threadpool *pool) {
    if (rows == 0 || n == 0) return;
    ln_job j = {rows, n, ldx, ldy, x, gamma, beta, eps, y, hx_kernels_active()->layernorm};
    hx_parallel_for(pool, (rows + LN_ROWS_PER_TASK - 1) / LN_ROWS_PER_TASK, ln_task, &j);
}
