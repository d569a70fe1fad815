/* Label matrices (L.csv) and gold columns, the label model's input files:
 * one row per item, one comma-separated integer per source, -1 = abstain. An
 * optional first line of column names is recognised by a field that is not an
 * integer. Strict: a ragged row, an empty field, a blank line, a value outside
 * -1..k-1 or a matrix without rows is an error naming the line. */
#ifndef HELIX_LABEL_MATRIX_FILE_H
#define HELIX_LABEL_MATRIX_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "helix/status.h"

#include "helix/export.h"

HX_API_BEGIN

typedef struct {
    int32_t *L;    /* n x m row-major */
    size_t n;
    int m;
    char **names;  /* m column names from the header, or NULL */
} hx_label_csv;

/* Parses len bytes. k >= 2 checks every value is in -1..k-1; k == 0 skips the
 * range check but still requires values >= -1. what names the input in
 * messages ("L.csv"). */
hx_status hx_label_csv_parse(const char *buf, size_t len, int k, const char *what,
                             hx_label_csv *out, hx_error *err);

/* Reads the regular file at path (hx_read_file) and parses it. */
hx_status hx_label_csv_read(const char *path, int k, hx_label_csv *out, hx_error *err);

/* Reads a stream of unknown size (a pipe, stdin) to its end and parses it;
 * what names it in messages. */
hx_status hx_label_csv_read_stream(FILE *in, const char *what, int k, hx_label_csv *out,
                                   hx_error *err);

/* The gold column of a parsed matrix: its only column, or the column named
 * `column` if it has a header and several columns. *gold is malloc'ed. */
hx_status hx_label_csv_column(const hx_label_csv *c, const char *what, const char *column,
                              int32_t **gold, size_t *n, hx_error *err);

/* hx_label_csv_read, then hx_label_csv_column. */
hx_status hx_gold_csv_read(const char *path, int k, const char *column, int32_t **gold,
                           size_t *n, hx_error *err);

/* The cardinality the labels imply when none is given: the largest label
 * + 1, at least 2 and at most max_k. */
int hx_label_csv_cardinality(const hx_label_csv *c, int max_k);

void hx_label_csv_free(hx_label_csv *c);

/* Writes L as CSV to out, with a header line when names is non-NULL. */
void hx_label_csv_write(FILE *out, const int32_t *L, size_t n, int m, char *const *names);

HX_API_END

#endif
