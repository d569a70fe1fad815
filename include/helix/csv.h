/* CSV lines of numbers, as forest feature tables are read: fields split
 * with RFC 4180 quoting (within one line), cells parsed as float64. */
#ifndef HELIX_CSV_H
#define HELIX_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "helix/export.h"

HX_API_BEGIN

/* Splits line (length len, modified in place) into NUL-terminated fields,
 * quotes removed and "" unescaped; *fields grows as needed (*cap entries).
 * Returns the field count, or -1 for a quote that is not closed or text
 * after a closing quote, -2 when out of memory. */
long hx_csv_split(char *line, size_t len, char ***fields, size_t *cap);

typedef enum {
    HX_CSV_CELL_NUMBER = 0, /* *out set */
    HX_CSV_CELL_MISSING,    /* empty, or NaN in any letter case: *out = NaN */
    HX_CSV_CELL_BAD         /* not a decimal number */
} hx_csv_cell_kind;

/* A decimal number (optional sign, digits, '.', exponent; surrounding
 * spaces allowed), parsed correctly rounded to double. "inf", hex floats
 * and other strtod extensions are BAD; values beyond the double range come
 * back as +-inf (the caller rejects them after the float32 cast). */
hx_csv_cell_kind hx_csv_number(const char *s, double *out);

/* Writes s as one CSV field, quoted when it holds , " CR or LF. */
void hx_csv_write_field(FILE *out, const char *s);

HX_API_END

#endif
