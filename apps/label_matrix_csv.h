/* Reading label matrices (L.csv) and gold columns: one row per item, one
 * comma-separated integer per source, -1 = abstain. An optional first line of
 * column names is recognised by a field that is not an integer. Strict: a
 * ragged row, an empty field, a blank line, a value outside -1..k-1 or a
 * matrix without rows is an error naming the line. */
#ifndef HELIX_APPS_LABEL_MATRIX_CSV_H
#define HELIX_APPS_LABEL_MATRIX_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "helix/status.h"

typedef struct {
    int32_t *L;    /* n x m row-major */
    size_t n;
    int m;
    char **names;  /* m column names from the header, or NULL */
} cli_label_csv;

/* Parses len bytes. k >= 2 checks every value is in -1..k-1; k == 0 skips the
 * range check but still requires values >= -1. what names the input in
 * messages ("L.csv"). */
hx_status cli_label_csv_parse(const char *buf, size_t len, int k, const char *what,
                             cli_label_csv *out, hx_error *err);

/* Reads the whole file (path "-" = stdin) and parses it. */
hx_status cli_label_csv_read(const char *path, int k, cli_label_csv *out, hx_error *err);

/* Reads a gold column: like a label matrix with exactly one column (or the
 * column named `column` if the file has a header and several columns). */
hx_status cli_gold_csv_read(const char *path, int k, const char *column, int32_t **gold,
                           size_t *n, hx_error *err);

void cli_label_csv_free(cli_label_csv *c);

/* Writes L as CSV, with a header line when names is non-NULL. */
void cli_label_csv_write(FILE *out, const int32_t *L, size_t n, int m, char *const *names);

#endif
