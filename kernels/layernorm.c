/* LayerNorm dispatch: rows split into tasks of a fixed count, each run by the
 * active ISA's kernel. */
#include "transformer_ops_isa.h"
#include "helix/cpu.h"

#define LN_ROWS_PER_TASK 16

typedef struct {
    size_t rows, n, ldx, ldy;
    const float *x, *gamma, *beta;
    float eps;
    float *y;
    hx_isa isa;
} ln_job;

static void ln_rows(hx_isa isa, size_t rows, size_t n, const float *x, size_t ldx,
                    const float *gamma, const float *beta, float eps, float *y, size_t ldy) {
    switch (isa) {
#if defined(__x86_64__)
    case HX_ISA_AVX2: hx_layernorm_rows_avx2(rows, n, x, ldx, gamma, beta, eps, y, ldy); return;
    case HX_ISA_AVX512: hx_layernorm_rows_avx512(rows, n, x, ldx, gamma, beta, eps, y, ldy); return;
#endif
#if defined(__aarch64__)
    case HX_ISA_NEON: hx_layernorm_rows_neon(rows, n, x, ldx, gamma, beta, eps, y, ldy); return;
#endif
    default: hx_layernorm_ref(rows, n, x, ldx, gamma, beta, eps, y, ldy); return;
    }
}

static void ln_task(void *ctx, size_t t, int thread) {
    const ln_job *j = ctx;
    size_t r0 = t * LN_ROWS_PER_TASK;
    size_t nr = j->rows - r0 < LN_ROWS_PER_TASK ? j->rows - r0 : LN_ROWS_PER_TASK;
    ln_rows(j->isa, nr, j->n, j->x + r0 * j->ldx, j->ldx, j->gamma, j->beta, j->eps,
            j->y + r0 * j->ldy, j->ldy);
}

void hx_layernorm(size_t rows, size_t n, const float *x, size_t ldx, const float *gamma,
                  const float *beta, float eps, float *y, size_t ldy, hx_threadpool *pool) {
    if (rows == 0 || n == 0) return;
    ln_job j = {rows, n, ldx, ldy, x, gamma, beta, eps, y, hx_isa_active()};
    hx_parallel_for(pool, (rows + LN_ROWS_PER_TASK - 1) / LN_ROWS_PER_TASK, ln_task, &j);
}
