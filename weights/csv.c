/* CSV splitting and number cells for the numeric-table commands. */
#include "helix/csv.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

long hx_csv_split(char *line, size_t len, char ***fields, size_t *cap) {
    size_t n = 0, r = 0;
    for (;;) {
        if (n == *cap) {
            size_t ncap = *cap ? *cap * 2 : 64;
            char **nf = realloc(*fields, ncap * sizeof *nf);
            if (!nf) return -2;
            *fields = nf;
            *cap = ncap;
        }
        /* The field is rebuilt in place at w (never ahead of r). */
        char *start = line + r;
        size_t w = r;
        if (r < len && line[r] == '"') {
            r++;
            for (;;) {
                if (r >= len) return -1; /* unclosed quote */
                if (line[r] == '"') {
                    if (r + 1 < len && line[r + 1] == '"') {
                        line[w++] = '"';
                        r += 2;
                        continue;
                    }
                    r++;
                    break;
                }
                line[w++] = line[r++];
            }
            if (r < len && line[r] != ',') return -1; /* text after the closing quote */
        } else {
            while (r < len && line[r] != ',') line[w++] = line[r++];
        }
        (*fields)[n++] = start;
        if (r >= len) {
            line[w] = '\0';
            return (long)n;
        }
        line[w] = '\0'; /* w <= r, and line[r] is the ',' being consumed */
        r++;
    }
}

hx_csv_cell_kind hx_csv_number(const char *s, double *out) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    if (n == 0 || (n == 3 && !strncasecmp(s, "nan", 3))) {
        *out = NAN;
        return HX_CSV_CELL_MISSING;
    }
    /* Grammar: [+-] digits [. digits] [(e|E) [+-] digits], at least one digit
     * in the mantissa. */
    size_t i = 0, digits = 0;
    if (s[i] == '+' || s[i] == '-') i++;
    while (i < n && isdigit((unsigned char)s[i])) i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && isdigit((unsigned char)s[i])) i++, digits++;
    }
    if (digits == 0) return HX_CSV_CELL_BAD;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        size_t e = 0;
        while (i < n && isdigit((unsigned char)s[i])) i++, e++;
        if (e == 0) return HX_CSV_CELL_BAD;
    }
    if (i != n) return HX_CSV_CELL_BAD;
    char buf[128];
    const char *p = s;
    char *tmp = NULL;
    if (n < sizeof buf) {
        memcpy(buf, s, n);
        buf[n] = '\0';
        p = buf;
    } else {
        tmp = malloc(n + 1);
        if (!tmp) return HX_CSV_CELL_BAD;
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        p = tmp;
    }
    /* Overflow gives +-HUGE_VAL and underflow a correctly rounded tiny value
     * or 0, both as NumPy's float() would: errno is not an error here. */
    *out = strtod(p, NULL);
    free(tmp);
    return HX_CSV_CELL_NUMBER;
}

void hx_csv_write_field(FILE *out, const char *s) {
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}
