/* Fuzz target: a label-model file (apps/label_model_json.c, LM.json). The
 * reader takes a path, so each input is written to a private temporary
 * file. A model that loads predicts on a small vote matrix; every row must
 * be finite probabilities summing to 1. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "helix/label_model_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char path[64];
    if (!path[0]) snprintf(path, sizeof path, "/tmp/fuzz_lm_%d.json", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    if (size) fwrite(data, 1, size, f);
    fclose(f);
    hx_lm_file lm;
    if (hx_lm_file_read(path, &lm, NULL) == HX_OK) {
        const size_t n = 3;
        int32_t *L = malloc(n * (size_t)lm.m * sizeof *L);
        double *p = malloc(n * (size_t)lm.k * sizeof *p);
        if (L && p && lm.m > 0 && lm.k > 0 && lm.m <= 4096 && lm.k <= 4096) {
            for (size_t i = 0; i < n * (size_t)lm.m; i++) L[i] = (int32_t)(i % (size_t)(lm.k + 1)) - 1;
            if (hx_lm_file_predict_proba(&lm, L, n, lm.m, p, NULL) == HX_OK)
                for (size_t i = 0; i < n; i++) {
                    double s = 0;
                    for (int c = 0; c < lm.k; c++) {
                        if (!isfinite(p[i * (size_t)lm.k + (size_t)c])) abort();
                        s += p[i * (size_t)lm.k + (size_t)c];
                    }
                    if (fabs(s - 1) > 1e-6) abort();
                }
        }
        free(L);
        free(p);
        hx_lm_file_free(&lm);
    }
    unlink(path);
    return 0;
}
