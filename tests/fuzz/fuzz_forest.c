/* Fuzz target: the forest dump parser, the model validation and a walk of
 * every tree with an all-zero row and an all-NaN row, raw scores and labels
 * (gradient boosting's link and label rule) (must never crash,
 * loop or read out of bounds, whatever the JSON says). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "helix/forest_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    hx_forest_arrays a;
    if (hx_forest_dump_parse((const char *)data, size, &a, NULL) != HX_OK) return 0;
    hx_forest *f = NULL;
    if (hx_forest_build(&a, &f, NULL) == HX_OK) {
        int nf = hx_forest_n_features(f), k = hx_forest_n_values(f);
        float *x = calloc((size_t)nf * 20, sizeof *x);
        double *out = malloc((size_t)k * 20 * sizeof *out);
        if (x && out && nf <= 100000) {
            hx_forest_predict(f, x, 20, out, NULL, NULL); /* rows-in-flight path */
            hx_forest_predict(f, x, 1, out, NULL, NULL);  /* trees-in-flight path */
            /* raw scores (n_raw <= n_values) and labels: the GB paths */
            hx_forest_predict_raw(f, x, 20, out, NULL, NULL);
            int32_t labels[20];
            hx_forest_predict_labels(f, x, 20, labels, NULL, NULL);
            for (int j = 0; j < nf; j++) x[j] = NAN;
            hx_forest_predict(f, x, 1, out, NULL, NULL);
        }
        free(x);
        free(out);
        hx_forest_free(f);
    }
    hx_forest_arrays_free(&a);
    return 0;
}
