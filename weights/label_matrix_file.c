/* The strict L.csv reader: integers only, every row the same width
 * (include/helix/label_matrix_file.h). */
#include "helix/label_matrix_file.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "helix/file_util.h"

#define MAX_COLUMNS 100000

void hx_label_csv_free(hx_label_csv *c) {
    if (!c) return;
    free(c->L);
    if (c->names)
        for (int j = 0; j < c->m; j++) free(c->names[j]);
    free(c->names);
    memset(c, 0, sizeof *c);
}

/* One line [s, e) split at commas; fields trimmed of spaces and tabs. */
static int is_int_field(const char *s, const char *e) {
    if (s < e && (*s == '-' || *s == '+')) s++;
    if (s == e) return 0;
    for (; s < e; s++)
        if (*s < '0' || *s > '9') return 0;
    return 1;
}

static void trim(const char **s, const char **e) {
    while (*s < *e && (**s == ' ' || **s == '\t')) (*s)++;
    while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r')) (*e)--;
}

static int count_fields(const char *s, const char *e) {
    int c = 1;
    for (; s < e; s++) c += *s == ',';
    return c;
}

hx_status hx_label_csv_parse(const char *buf, size_t len, int k, const char *what,
                             hx_label_csv *out, hx_error *err) {
    memset(out, 0, sizeof *out);
    const char *p = buf, *end = buf + len;
    size_t line_no = 0, cap = 0;
    int m = -1;
    hx_status st = HX_OK;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line_no++;
        const char *ls = p, *lt = le;
        p = nl ? nl + 1 : end;
        trim(&ls, &lt);
        if (ls == lt) {
            if (p == end) break; /* a blank last line is tolerated */
            st = hx_fail(err, HX_EFORMAT, "%s line %zu is empty", what, line_no);
            goto fail;
        }
        if (memchr(ls, '\0', (size_t)(lt - ls))) {
            st = hx_fail(err, HX_EFORMAT, "%s line %zu contains a NUL byte", what, line_no);
            goto fail;
        }
        int nf = count_fields(ls, lt);
        if (nf > MAX_COLUMNS) {
            st = hx_fail(err, HX_EFORMAT, "%s line %zu has more than %d columns", what, line_no, MAX_COLUMNS);
            goto fail;
        }
        /* Header: only the first line, recognised by a non-integer field. */
        if (line_no == 1) {
            int header = 0;
            const char *f = ls;
            for (int i = 0; i < nf; i++) {
                const char *fe = memchr(f, ',', (size_t)(lt - f));
                if (!fe) fe = lt;
                const char *a = f, *b = fe;
                trim(&a, &b);
                if (!is_int_field(a, b)) header = 1;
                f = fe + 1;
            }
            if (header) {
                m = nf;
                out->names = calloc((size_t)m, sizeof *out->names);
                if (!out->names) { st = hx_fail(err, HX_ENOMEM, "out of memory"); goto fail; }
                out->m = m;
                f = ls;
                for (int i = 0; i < nf; i++) {
                    const char *fe = memchr(f, ',', (size_t)(lt - f));
                    if (!fe) fe = lt;
                    const char *a = f, *b = fe;
                    trim(&a, &b);
                    out->names[i] = strndup(a, (size_t)(b - a));
                    if (!out->names[i]) { st = hx_fail(err, HX_ENOMEM, "out of memory"); goto fail; }
                    f = fe + 1;
                }
                continue;
            }
        }
        if (m < 0) m = nf;
        else if (nf != m) {
            st = hx_fail(err, HX_EFORMAT, "%s line %zu has %d fields, expected %d", what, line_no, nf, m);
            goto fail;
        }
        out->m = m;
        if (out->n == cap) {
            size_t ncap = cap ? cap * 2 : 1024;
            if (ncap > SIZE_MAX / ((size_t)m * sizeof(int32_t))) {
                st = hx_fail(err, HX_ERANGE, "%s is too large", what);
                goto fail;
            }
            int32_t *nL = realloc(out->L, ncap * (size_t)m * sizeof *nL);
            if (!nL) { st = hx_fail(err, HX_ENOMEM, "out of memory reading %s", what); goto fail; }
            out->L = nL;
            cap = ncap;
        }
        int32_t *row = out->L + out->n * (size_t)m;
        const char *f = ls;
        for (int i = 0; i < nf; i++) {
            const char *fe = memchr(f, ',', (size_t)(lt - f));
            if (!fe) fe = lt;
            const char *a = f, *b = fe;
            trim(&a, &b);
            if (a == b) {
                st = hx_fail(err, HX_EFORMAT, "%s line %zu: field %d is empty", what, line_no, i + 1);
                goto fail;
            }
            if (!is_int_field(a, b) || b - a > 12) {
                st = hx_fail(err, HX_EFORMAT, "%s line %zu: field %d is not an integer label", what,
                             line_no, i + 1);
                goto fail;
            }
            char tmp[16];
            memcpy(tmp, a, (size_t)(b - a));
            tmp[b - a] = '\0';
            long v = strtol(tmp, NULL, 10);
            if (v < -1 || (k >= 2 && v >= k) || v > INT32_MAX) {
                if (k >= 2)
                    st = hx_fail(err, HX_EFORMAT, "%s line %zu: field %d is %ld, outside -1..%d", what,
                                 line_no, i + 1, v, k - 1);
                else
                    st = hx_fail(err, HX_EFORMAT, "%s line %zu: field %d is %ld, below -1", what,
                                 line_no, i + 1, v);
                goto fail;
            }
            row[i] = (int32_t)v;
            f = fe + 1;
        }
        out->n++;
    }
    if (out->n == 0) {
        st = hx_fail(err, HX_EFORMAT, "%s has no data rows (empty label matrix)", what);
        goto fail;
    }
    return HX_OK;
fail:
    hx_label_csv_free(out);
    return st;
}

#define LABEL_CSV_MAX_BYTES ((size_t)1 << 34)

/* A stream (a pipe, stdin) has no size to check first: read it in growing
 * chunks, up to the same limit as a file. */
static hx_status read_stream(FILE *in, const char *what, char **buf, size_t *len, hx_error *err) {
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    if (!b) return hx_fail(err, HX_ENOMEM, "out of memory");
    size_t got;
    while ((got = fread(b + n, 1, cap - n, in)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = cap < LABEL_CSV_MAX_BYTES ? realloc(b, cap * 2) : NULL;
            if (!nb) {
                free(b);
                return hx_fail(err, HX_ENOMEM, "out of memory reading %s", what);
            }
            b = nb;
            cap *= 2;
        }
    }
    if (ferror(in)) {
        free(b);
        return hx_fail(err, HX_EIO, "error reading %s", what);
    }
    *buf = b;
    *len = n;
    return HX_OK;
}

static hx_status parse_owned(char *buf, size_t len, int k, const char *what, hx_label_csv *out,
                             hx_error *err) {
    hx_status st = hx_label_csv_parse(buf, len, k, what, out, err);
    free(buf);
    return st;
}

hx_status hx_label_csv_read(const char *path, int k, hx_label_csv *out, hx_error *err) {
    char *buf = NULL;
    size_t len = 0;
    memset(out, 0, sizeof *out);
    hx_status st = hx_read_file(path, LABEL_CSV_MAX_BYTES, &buf, &len, err);
    return st != HX_OK ? st : parse_owned(buf, len, k, path, out, err);
}

hx_status hx_label_csv_read_stream(FILE *in, const char *what, int k, hx_label_csv *out,
                                   hx_error *err) {
    char *buf = NULL;
    size_t len = 0;
    memset(out, 0, sizeof *out);
    hx_status st = read_stream(in, what, &buf, &len, err);
    return st != HX_OK ? st : parse_owned(buf, len, k, what, out, err);
}

hx_status hx_label_csv_column(const hx_label_csv *c, const char *what, const char *column,
                              int32_t **gold, size_t *n, hx_error *err) {
    int col = 0;
    if (c->m != 1) {
        col = -1;
        if (column && c->names)
            for (int j = 0; j < c->m; j++)
                if (!strcmp(c->names[j], column)) col = j;
        if (col < 0)
            return hx_fail(err, HX_EFORMAT, "%s has %d columns; name the gold column with a header", what, c->m);
    }
    int32_t *g = malloc(c->n * sizeof *g);
    if (!g) return hx_fail(err, HX_ENOMEM, "out of memory");
    for (size_t r = 0; r < c->n; r++) g[r] = c->L[r * (size_t)c->m + col];
    *gold = g;
    *n = c->n;
    return HX_OK;
}

hx_status hx_gold_csv_read(const char *path, int k, const char *column, int32_t **gold, size_t *n,
                           hx_error *err) {
    hx_label_csv c;
    hx_status st = hx_label_csv_read(path, k, &c, err);
    if (st != HX_OK) return st;
    st = hx_label_csv_column(&c, path, column, gold, n, err);
    hx_label_csv_free(&c);
    return st;
}

int hx_label_csv_cardinality(const hx_label_csv *c, int max_k) {
    int32_t mx = 1;
    for (size_t i = 0; i < c->n * (size_t)c->m; i++)
        if (c->L[i] > mx) mx = c->L[i];
    return mx >= max_k ? max_k : (int)mx + 1; /* not mx + 1 > max_k: mx may be INT32_MAX */
}

void hx_label_csv_write(FILE *out, const int32_t *L, size_t n, int m, char *const *names) {
    if (names)
        for (int j = 0; j < m; j++) fprintf(out, "%s%c", names[j], j + 1 < m ? ',' : '\n');
    for (size_t r = 0; r < n; r++)
        for (int j = 0; j < m; j++) fprintf(out, "%d%c", (int)L[r * (size_t)m + j], j + 1 < m ? ',' : '\n');
}
