/* Forest feature rows from CSV lines (include/helix/forest_file.h). */
#include <stdlib.h>
#include <string.h>

#include "helix/csv.h"
#include "helix/forest_file.h"

/* -2 when out of memory, as hx_csv_split. */
static long split(hx_forest_csv *c, int nf, char *line, size_t len) {
    if (!c->row && !(c->row = malloc((size_t)(nf > 0 ? nf : 1) * sizeof *c->row))) return -2;
    return hx_csv_split(line, len, &c->fields, &c->cap);
}

hx_status hx_forest_csv_header(hx_forest_csv *c, const hx_forest_file *f, char *line, size_t len,
                               hx_error *err) {
    const int nf = hx_forest_n_features(f->forest);
    if (len >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) { /* a UTF-8 byte order mark */
        memmove(line, line + 3, len - 2);
        len -= 3;
    }
    long n = split(c, nf, line, len);
    if (n == -2) return hx_fail(err, HX_ENOMEM, "out of memory");
    if (n != nf) return hx_fail(err, HX_EFORMAT, "the header has %ld columns, the model %d features", n, nf);
    for (int j = 0; f->feature_names && j < nf; j++)
        if (strcmp(c->fields[j], f->feature_names[j]) != 0)
            return hx_fail(err, HX_EFORMAT, "header column %d is not the model's feature \"%s\"", j + 1,
                           f->feature_names[j]);
    return HX_OK;
}

hx_status hx_forest_csv_row(hx_forest_csv *c, const hx_forest_file *f, char *line, size_t len,
                            float *x32, hx_error *err) {
    const int nf = hx_forest_n_features(f->forest);
    if (memchr(line, '\0', len)) return hx_fail(err, HX_EFORMAT, "NUL byte in the line");
    long n = split(c, nf, line, len);
    if (n == -2) return hx_fail(err, HX_ENOMEM, "out of memory");
    if (n < 0) return hx_fail(err, HX_EFORMAT, "bad CSV quoting");
    if (n != nf) return hx_fail(err, HX_EFORMAT, "%ld columns, expected %d", n, nf);
    for (int j = 0; j < nf; j++)
        if (hx_csv_number(c->fields[j], &c->row[j]) == HX_CSV_CELL_BAD)
            return hx_fail(err, HX_EFORMAT, "column %d is not a number", j + 1);
    return hx_forest_cast_row(f->forest, c->row, x32, err);
}

void hx_forest_csv_free(hx_forest_csv *c) {
    if (!c) return;
    free(c->fields);
    free(c->row);
    memset(c, 0, sizeof *c);
}
