/* Fuzz target: arbitrary bytes as an L.csv (cardinality from the first byte)
 * never crash the reader; an accepted matrix satisfies its contract (n, m > 0,
 * every value in -1..k-1) and goes through LF analysis, a short label-model
 * fit and predict_proba, whose rows must be finite and sum to 1. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "helix/label_model.h"
#include "helix/label_matrix_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    int k = 2 + data[0] % 4;
    hx_label_csv c;
    if (hx_label_csv_parse((const char *)data + 1, size - 1, k, "L.csv", &c, NULL) != HX_OK) return 0;
    if (c.n == 0 || c.m <= 0) abort();
    for (size_t i = 0; i < c.n * (size_t)c.m; i++)
        if (c.L[i] < -1 || c.L[i] >= k) abort();
    hx_lf_analysis a;
    if (hx_lf_analyze(c.L, c.n, c.m, k, NULL, &a, NULL) != HX_OK) abort();
    hx_lf_analysis_free(&a);
    if (c.m >= 3 && c.m * k <= 64 && c.n <= 4096) {
        hx_lm_config cfg;
        hx_lm_config_init(&cfg);
        cfg.n_epochs = 5;
        hx_label_model lm;
        if (hx_lm_fit(c.L, c.n, c.m, k, &cfg, &lm, NULL) == HX_OK) {
            double *p = malloc(c.n * (size_t)k * sizeof *p);
            if (p && hx_lm_predict_proba(&lm, c.L, c.n, c.m, p, NULL) == HX_OK) {
                for (size_t r = 0; r < c.n; r++) {
                    double s = 0;
                    for (int y = 0; y < k; y++) {
                        if (!isfinite(p[r * k + y])) abort();
                        s += p[r * k + y];
                    }
                    if (fabs(s - 1.0) > 1e-9) abort();
                }
            }
            free(p);
            hx_lm_free(&lm);
        }
    }
    hx_label_csv_free(&c);
    return 0;
}
