/* CSV lines of numbers, as `helix forest predict` reads them: fields split
 * with RFC 4180 quoting (within one line), cells parsed as float64. */
#ifndef HELIX_CSV_NUMERIC_H
#define HELIX_CSV_NUMERIC_H

#include <stddef.h>
#include <stdio.h>

/* Splits line (length len, modified in place) into NUL-terminated fields,
 * quotes removed and "" unescaped; *fields grows as needed (*cap entries).
 * Returns the field count, or -1 for a quote that is not closed or text
 * after a closing quote, -2 when out of memory. */
long cli_csv_split(char *line, size_t len, char ***fields, size_t *cap);

typedef enum {
    CLI_CELL_NUMBER = 0, /* *out set */
    CLI_CELL_MISSING,    /* empty, or NaN in any letter case: *out = NaN */
    CLI_CELL_BAD         /* not a decimal number */
} cli_cell_kind;

/* A decimal number (optional sign, digits, '.', exponent; surrounding
 * spaces allowed), parsed correctly rounded to double. "inf", hex floats
 * and other strtod extensions are BAD; values beyond the double range come
 * back as +-inf (the caller rejects them after the float32 cast). */
cli_cell_kind cli_csv_number(const char *s, double *out);

/* Writes s as one CSV field, quoted when it holds , " CR or LF. */
void cli_csv_write_field(FILE *out, const char *s);

#endif
