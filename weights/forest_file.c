/* Opening a forest .hlx into a ready evaluator (include/helix/forest_file.h). */
#include "helix/forest_file.h"

#include <stdlib.h>
#include <string.h>

hx_status hx_forest_file_from_hlx(const hx_hlx *f, hx_forest_file *out, hx_error *err) {
    memset(out, 0, sizeof *out);
    hx_forest_arrays a;
    hx_status st = hx_forest_hlx_read(f, &a, err);
    if (st != HX_OK) return st;
    st = hx_forest_build(&a, &out->forest, err);
    if (st == HX_OK) {
        /* The names move over; the node arrays go with a. */
        out->feature_names = a.feature_names;
        out->classes = a.classes;
        out->estimator = a.estimator;
        out->sklearn_version = a.sklearn_version;
        a.feature_names = a.classes = NULL;
        a.estimator = a.sklearn_version = NULL;
    }
    hx_forest_arrays_free(&a);
    return st;
}

hx_status hx_forest_file_open(const char *path, hx_forest_file *out, hx_error *err) {
    memset(out, 0, sizeof *out);
    hx_hlx *f = NULL;
    hx_status st = hx_hlx_open(path, &f, err);
    if (st != HX_OK) return st;
    st = hx_forest_file_from_hlx(f, out, err);
    hx_hlx_close(f);
    return st;
}

int hx_forest_file_class_index(const hx_forest_file *f, const char *label) {
    const int n = f->forest && f->classes ? hx_forest_n_values(f->forest) : 0;
    for (int c = 0; c < n; c++)
        if (f->classes[c] && !strcmp(f->classes[c], label)) return c;
    return -1;
}

static void free_strings(char **v, int n) {
    for (int i = 0; v && i < n; i++) free(v[i]);
    free(v);
}

void hx_forest_file_close(hx_forest_file *f) {
    if (!f) return;
    if (f->forest) {
        free_strings(f->feature_names, hx_forest_n_features(f->forest));
        free_strings(f->classes, hx_forest_n_values(f->forest));
    }
    hx_forest_free(f->forest);
    free(f->estimator);
    free(f->sklearn_version);
    memset(f, 0, sizeof *f);
}
