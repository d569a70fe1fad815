/* Predict one row with a random-forest .hlx file (scikit-learn's numerics).
 *
 *   cc forest_predict.c $(pkg-config --cflags --libs helix) -o forest_predict
 *   ./forest_predict models/udp/male.hlx HP:0000348=1 HP:0011220=1
 *
 * The row is given as FEATURE=VALUE pairs (a feature name from the model, or
 * a 0-based column number); features not given are 0. Prints the predicted
 * class, then every class=probability (or the value of a regressor). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <helix.h>

/* Column of a feature given by name or number; -1 if there is none. */
static int feature_column(const hx_forest_file *ff, const char *name, size_t len) {
    int n = hx_forest_n_features(ff->forest);
    for (int j = 0; ff->feature_names && j < n; j++)
        if (strlen(ff->feature_names[j]) == len && !memcmp(ff->feature_names[j], name, len)) return j;
    char *end;
    long j = strtol(name, &end, 10);
    return end == name + len && len > 0 && j >= 0 && j < n ? (int)j : -1;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s MODEL.hlx [FEATURE=VALUE]...\n", argv[0]);
        return 2;
    }
    hx_error err;
    hx_forest_file ff; /* evaluator plus feature and class names */
    if (hx_forest_file_open(argv[1], &ff, &err) != HX_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], err.msg);
        return 1;
    }
    int n_features = hx_forest_n_features(ff.forest);
    int n_values = hx_forest_n_values(ff.forest); /* classes, or 1 for a regressor */
    double *row = calloc((size_t)n_features, sizeof *row);
    float *row32 = malloc(sizeof(float) * (size_t)n_features);
    double *out = malloc(sizeof(double) * (size_t)n_values);
    int rc = 0;
    if (!row || !row32 || !out) {
        fprintf(stderr, "out of memory\n");
        rc = 1;
    }

    for (int i = 2; i < argc && rc == 0; i++) {
        const char *eq = strchr(argv[i], '=');
        int j = eq ? feature_column(&ff, argv[i], (size_t)(eq - argv[i])) : -1;
        char *end = NULL;
        if (j >= 0) row[j] = strtod(eq + 1, &end);
        if (j < 0 || end == eq + 1 || *end) {
            fprintf(stderr, "%s: not FEATURE=NUMBER with a feature of the model\n", argv[i]);
            rc = 2;
        }
    }

    /* Forests compare float32 inputs, as scikit-learn does: cast and check
     * the row, then evaluate it (NULL pool: on this thread). */
    if (rc == 0 && (hx_forest_cast_row(ff.forest, row, row32, &err) != HX_OK ||
                    hx_forest_predict(ff.forest, row32, 1, out, NULL, &err) != HX_OK)) {
        fprintf(stderr, "%s\n", err.msg);
        rc = 1;
    }
    if (rc == 0) {
        if (hx_forest_task_of(ff.forest) == HX_FOREST_REGRESSOR) {
            printf("%.9g\n", out[0]);
        } else {
            int best = hx_forest_argmax(out, n_values);
            printf("%s", ff.classes[best]);
            for (int k = 0; k < n_values; k++) printf(" %s=%.6f", ff.classes[k], out[k]);
            printf("\n");
        }
    }

    free(out);
    free(row32);
    free(row);
    hx_forest_file_close(&ff);
    return rc;
}
