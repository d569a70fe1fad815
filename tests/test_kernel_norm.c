/* LayerNorm, softmax, GELU and tanh: each reference against double-precision
 * math, each SIMD path against the reference on odd lengths, and LayerNorm
 * bit-identical for 1 and 3 threads. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "helix/cpu.h"
#include "helix/threads.h"
#include "helix/transformer_ops.h"

static unsigned long long rng_state = 0x2545F4914F6CDD1Dull;
static float frand(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (float)((rng_state >> 40) * (1.0 / 8388608.0)) - 1.0f;
}
static float *rand_buf(size_t n, float amp, float offset) {
    float *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; i++) p[i] = offset + amp * frand();
    return p;
}

static const size_t lens[] = {1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 63, 65, 127, 768, 769};
#define NLENS (sizeof lens / sizeof *lens)

static void set_isa(int isa) { cr_assert_eq(hx_isa_set((hx_isa)isa, NULL), HX_OK); }

Test(layernorm, reference_matches_double) {
    for (size_t li = 0; li < NLENS; li++) {
        size_t n = lens[li], rows = 3;
        float *x = rand_buf(rows * n, 3.0f, 50.0f); /* a large mean */
        float *g = rand_buf(n, 1.0f, 1.0f), *b = rand_buf(n, 0.5f, 0.0f);
        float *y = malloc(rows * n * sizeof *y);
        hx_layernorm_ref(rows, n, x, n, g, b, 1e-12f, y, n);
        for (size_t r = 0; r < rows; r++) {
            double mean = 0, var = 0;
            for (size_t i = 0; i < n; i++) mean += x[r * n + i];
            mean /= n;
            for (size_t i = 0; i < n; i++) var += (x[r * n + i] - mean) * (x[r * n + i] - mean);
            var /= n;
            for (size_t i = 0; i < n; i++) {
                double w = (x[r * n + i] - mean) / sqrt(var + 1e-12) * g[i] + b[i];
                cr_assert(fabs(y[r * n + i] - w) <= 2e-4 * (1 + fabs(w)), "n=%zu [%zu,%zu]: %g vs %g",
                          n, r, i, y[r * n + i], w);
            }
        }
        free(x); free(g); free(b); free(y);
    }
}

Test(layernorm, simd_matches_reference_and_threads_agree) {
    hx_threadpool *pool3;
    cr_assert_eq(hx_threadpool_create(3, &pool3, NULL), HX_OK);
    for (int isa = 1; isa < HX_ISA_COUNT; isa++) {
        if (!hx_isa_supported((hx_isa)isa)) continue;
        set_isa(isa);
        for (size_t li = 0; li < NLENS; li++) {
            size_t n = lens[li], rows = 37, ld = n + 5;
            float *x = rand_buf(rows * ld, 2.0f, 1.0f);
            float *g = rand_buf(n, 1.0f, 1.0f), *b = rand_buf(n, 0.5f, 0.0f);
            float *want = malloc(rows * ld * sizeof *want);
            float *y1 = malloc(rows * ld * sizeof *y1), *y3 = malloc(rows * ld * sizeof *y3);
            for (size_t i = 0; i < rows * ld; i++) y1[i] = y3[i] = 7.0f;
            hx_layernorm_ref(rows, n, x, ld, g, b, 1e-5f, want, ld);
            hx_layernorm(rows, n, x, ld, g, b, 1e-5f, y1, ld, NULL);
            hx_layernorm(rows, n, x, ld, g, b, 1e-5f, y3, ld, pool3);
            cr_assert(memcmp(y1, y3, rows * ld * sizeof *y1) == 0, "%s n=%zu: threads differ",
                      hx_isa_name((hx_isa)isa), n);
            for (size_t r = 0; r < rows; r++) {
                for (size_t i = 0; i < n; i++) {
                    float gv = y1[r * ld + i], w = want[r * ld + i];
                    cr_assert(fabsf(gv - w) <= 1e-5f * (1 + fabsf(w)), "%s n=%zu [%zu,%zu]: %g vs %g",
                              hx_isa_name((hx_isa)isa), n, r, i, gv, w);
                }
                cr_assert(y1[r * ld + n] == 7.0f, "%s wrote past the row", hx_isa_name((hx_isa)isa));
            }
            /* In place (y == x) gives the same values. */
            hx_layernorm(rows, n, x, ld, g, b, 1e-5f, x, ld, pool3);
            for (size_t r = 0; r < rows; r++)
                cr_assert(memcmp(x + r * ld, y1 + r * ld, n * sizeof *x) == 0, "in place differs");
            free(x); free(g); free(b); free(want); free(y1); free(y3);
        }
    }
    hx_threadpool_destroy(pool3);
    hx_isa_set(hx_isa_best(), NULL);
}

Test(softmax, every_path_matches_double) {
    for (int isa = 0; isa < HX_ISA_COUNT; isa++) {
        if (!hx_isa_supported((hx_isa)isa)) continue;
        set_isa(isa);
        for (size_t li = 0; li < NLENS; li++) {
            size_t n = lens[li], rows = 4;
            float *x = rand_buf(rows * n, 30.0f, 500.0f); /* exp(500) would overflow */
            float *y = malloc(rows * n * sizeof *y), *yr = malloc(rows * n * sizeof *yr);
            hx_softmax_rows(rows, n, x, n, y, n);
            hx_softmax_rows_ref(rows, n, x, n, yr, n);
            for (size_t r = 0; r < rows; r++) {
                double mx = -INFINITY, sum = 0;
                for (size_t i = 0; i < n; i++)
                    if (x[r * n + i] > mx) mx = x[r * n + i];
                for (size_t i = 0; i < n; i++) sum += exp(x[r * n + i] - mx);
                for (size_t i = 0; i < n; i++) {
                    double w = exp(x[r * n + i] - mx) / sum;
                    cr_assert(fabs(y[r * n + i] - w) <= 1e-6 * (1 + w) && fabs(yr[r * n + i] - w) <= 1e-6 * (1 + w),
                              "%s n=%zu [%zu]: %g / %g vs %g", hx_isa_name((hx_isa)isa), n, i,
                              y[r * n + i], yr[r * n + i], w);
                }
            }
            free(x); free(y); free(yr);
        }
    }
    hx_isa_set(hx_isa_best(), NULL);
}

/* GELU and tanh on a sweep covering the small, the middle and the saturated
 * range, and on odd lengths (tails). */
Test(activation, gelu_and_tanh_match_double_on_every_path) {
    size_t n = 4001;
    float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) x[i] = -12.0f + 24.0f * (float)i / (float)(n - 1);
    x[7] = 0.0f; x[8] = 1e-6f; x[9] = -3e-3f; x[10] = 0.03f; x[11] = -0.05f;
    for (int isa = 0; isa < HX_ISA_COUNT; isa++) {
        if (!hx_isa_supported((hx_isa)isa)) continue;
        set_isa(isa);
        for (size_t li = 0; li < NLENS; li++) {
            size_t m = lens[li] < n ? lens[li] : n;
            const float *xs = x + (li * 263) % (n - m + 1);
            for (size_t i = 0; i < n; i++) y[i] = 99.0f;
            hx_gelu(m, xs, y);
            for (size_t i = 0; i < m; i++) {
                double w = 0.5 * xs[i] * (1 + erf(xs[i] / sqrt(2.0)));
                cr_assert(fabs(y[i] - w) <= 3e-7 * (1 + fabs(w)), "%s gelu(%g) = %g, want %g",
                          hx_isa_name((hx_isa)isa), xs[i], y[i], w);
            }
            cr_assert(y[m] == 99.0f, "gelu wrote past n");
            hx_tanh(m, xs, y);
            for (size_t i = 0; i < m; i++) {
                double w = tanh(xs[i]);
                cr_assert(fabs(y[i] - w) <= 2e-7 * (1 + fabs(w)) && (w == 0 || y[i] * w > 0),
                          "%s tanh(%g) = %g, want %g", hx_isa_name((hx_isa)isa), xs[i], y[i], w);
            }
        }
        /* The whole sweep in one call, and in place. */
        memcpy(y, x, n * sizeof *y);
        hx_gelu(n, y, y);
        for (size_t i = 0; i < n; i++) {
            double w = 0.5 * x[i] * (1 + erf(x[i] / sqrt(2.0)));
            cr_assert(fabs(y[i] - w) <= 3e-7 * (1 + fabs(w)), "%s gelu(%g) = %g, want %g",
                      hx_isa_name((hx_isa)isa), x[i], y[i], w);
        }
    }
    free(x); free(y);
    hx_isa_set(hx_isa_best(), NULL);
}
