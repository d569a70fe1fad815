/* Forest model files (weights/forest_*.c): the JSON dump written by
 * tools/export_sklearn_forest.py, the forest .hlx file, and opening an .hlx
 * into a ready evaluator with the names a caller prints (docs/forest-format.md). */
#ifndef HELIX_FOREST_FILE_H
#define HELIX_FOREST_FILE_H

#include <stddef.h>
#include "helix/forest.h"
#include "helix/hlx.h"
#include "helix/status.h"

#include "helix/export.h"

HX_API_BEGIN

/* Parses the JSON written by tools/export_sklearn_forest.py (schema in
 * docs/forest-format.md); checks types, sizes and counts. The node
 * structure itself is checked by hx_forest_build. */
hx_status hx_forest_dump_parse(const char *json, size_t len, hx_forest_arrays *out,
                               hx_error *err);
hx_status hx_forest_dump_load(const char *path, hx_forest_arrays *out, hx_error *err);

/* Writes a as an .hlx file ("arch": "forest"); source is a free-text
 * description of what it was converted from. */
hx_status hx_forest_hlx_write(const hx_forest_arrays *a, const char *source, const char *path,
                              hx_error *err);
/* Reads the forest of an open .hlx file (arrays are copied out of it). */
hx_status hx_forest_hlx_read(const hx_hlx *f, hx_forest_arrays *out, hx_error *err);

/* A forest .hlx opened for prediction: the evaluator plus the metadata a
 * caller needs to check its input and name its output. The node arrays are
 * not kept (the evaluator has its own layout). */
typedef struct {
    hx_forest *forest;
    char **feature_names;  /* hx_forest_n_features(forest) strings, or NULL */
    char **classes;        /* hx_forest_n_values(forest) labels (classifier), else NULL */
    char *estimator;       /* e.g. "RandomForestClassifier" */
    char *sklearn_version;
} hx_forest_file;

/* Opens, validates and builds; the file is closed again. On error *out is
 * zeroed. */
hx_status hx_forest_file_open(const char *path, hx_forest_file *out, hx_error *err);
/* Same from an .hlx the caller has open (to read other metadata from it too). */
hx_status hx_forest_file_from_hlx(const hx_hlx *f, hx_forest_file *out, hx_error *err);
/* The index of the class labelled `label` (e.g. "1", the positive class of
 * a binary classifier), or -1 when the forest has no such class. */
int hx_forest_file_class_index(const hx_forest_file *f, const char *label);

/* Frees everything; f itself is not freed. NULL or a zeroed f is fine. */
void hx_forest_file_close(hx_forest_file *f);

/* Feature rows from CSV lines (`helix forest predict`'s input): a header
 * naming the features, then one row of numbers per line (helix/csv.h cells;
 * an empty or NaN cell is missing). The reader keeps the split fields and a
 * float64 row between calls. */
typedef struct {
    char **fields;
    size_t cap;
    double *row;
} hx_forest_csv;

/* Checks the header line (a UTF-8 byte order mark is skipped; line is
 * modified): as many columns as the forest has features, and the model's
 * feature names when it has them. */
hx_status hx_forest_csv_header(hx_forest_csv *c, const hx_forest_file *f, char *line, size_t len,
                               hx_error *err);

/* Parses one data line (modified) into x32 (hx_forest_n_features floats):
 * a NUL byte, bad quoting, a wrong column count, a cell that is not a number
 * or a value the forest cannot take is an error naming the column. */
hx_status hx_forest_csv_row(hx_forest_csv *c, const hx_forest_file *f, char *line, size_t len,
                            float *x32, hx_error *err);

void hx_forest_csv_free(hx_forest_csv *c);

HX_API_END
#endif
