/* Fuzz target: the numeric CSV reader of `helix forest predict`
 * (apps/csv_numeric.c): each input line is split with RFC 4180 quoting and
 * every field parsed as a number. Never crashes; field counts are sane; a
 * number cell is never NaN; a missing cell always is. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helix/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    char **fields = NULL;
    size_t cap = 0;
    size_t pos = 0;
    while (pos <= size) {
        char *nl = memchr(buf + pos, '\n', size - pos);
        size_t len = nl ? (size_t)(nl - (buf + pos)) : size - pos;
        buf[pos + len] = 0;
        long n = hx_csv_split(buf + pos, len, &fields, &cap);
        if (n > (long)len + 1) abort();
        for (long i = 0; i < n; i++) {
            double v = 0;
            hx_csv_cell_kind k = hx_csv_number(fields[i], &v);
            if (k == HX_CSV_CELL_NUMBER && isnan(v)) abort();
            if (k == HX_CSV_CELL_MISSING && !isnan(v)) abort();
        }
        if (!nl) break;
        pos += len + 1;
    }
    free(fields);
    free(buf);
    return 0;
}
