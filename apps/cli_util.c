/* Shared CLI plumbing. Kept deliberately small: each command parses its own
 * options with these primitives. */
#include "cli_util.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

long cli_line_base = 0;

long cli_read_line(FILE *in, char **buf, size_t *cap) {
    size_t len = 0;
    int c;
    int got = 0;
    while ((c = getc(in)) != EOF) {
        got = 1;
        if (c == '\n') break;
        if (len + 2 > *cap) {
            size_t ncap = *cap ? *cap * 2 : 4096;
            char *nb = realloc(*buf, ncap);
            if (!nb) return -1;
            *buf = nb;
            *cap = ncap;
        }
        (*buf)[len++] = (char)c;
    }
    if (!got) return -1;
    if (!*buf) {
        *buf = malloc(1);
        if (!*buf) return -1;
        *cap = 1;
    }
    if (len > 0 && (*buf)[len - 1] == '\r') len--;
    (*buf)[len] = '\0';
    return (long)len;
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0 if invalid. */
static size_t utf8_valid_len(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    size_t need;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) { need = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { need = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { need = 4; cp = c & 0x07; }
    else return 0;
    if (n < need) return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need;
}

void cli_write_json_string(FILE *out, const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    putc('"', out);
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c < 0x80) {
            switch (c) {
            case '"': fputs("\\\"", out); break;
            case '\\': fputs("\\\\", out); break;
            case '\n': fputs("\\n", out); break;
            case '\r': fputs("\\r", out); break;
            case '\t': fputs("\\t", out); break;
            default:
                if (c < 0x20 || c == 0x7F) fprintf(out, "\\u%04x", c);
                else putc(c, out);
            }
            i++;
            continue;
        }
        size_t n = utf8_valid_len(p + i, len - i);
        if (n == 0) {
            fputs("\\ufffd", out);
            i++;
        } else {
            fwrite(p + i, 1, n, out);
            i += n;
        }
    }
    putc('"', out);
}

void cli_write_error_record(FILE *out, const char *msg, long line_no) {
    fputs("{\"error\":", out);
    cli_write_json_string(out, msg, strlen(msg));
    fprintf(out, ",\"line\":%ld}\n", line_no + cli_line_base);
}

bool cli_parse_int(const char *s, long lo, long hi, long *out) {
    if (!s || !*s) return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return false;
    *out = v;
    return true;
}

bool cli_parse_float(const char *s, double *out) {
    if (!s || !*s) return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v)) return false;
    *out = v;
    return true;
}

double cli_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

bool cli_progress_enabled(void) {
    static int enabled = -1;
    if (enabled < 0) enabled = isatty(STDERR_FILENO) ? 1 : 0;
    return enabled == 1;
}

static double last_progress;
static int progress_shown;

void cli_progress(const char *label, size_t done, size_t total) {
    if (!cli_progress_enabled()) return;
    double t = cli_now();
    if (progress_shown && t - last_progress < 0.1 && done != total) return;
    last_progress = t;
    progress_shown = 1;
    if (total)
        fprintf(stderr, "\r%s: %zu/%zu (%.0f%%)", label, done, total, 100.0 * (double)done / (double)total);
    else
        fprintf(stderr, "\r%s: %zu", label, done);
    fflush(stderr);
}

void cli_progress_end(void) {
    if (!cli_progress_enabled() || !progress_shown) return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    progress_shown = 0;
}
