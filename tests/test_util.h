/* Small helpers shared by the test files: read a whole file (or a command's
 * standard output) into a NUL-terminated buffer, and build a path under
 * tests/fixtures. A file that cannot be opened or read fails the test, naming
 * the path. Uses only cr_assert with a message, so it compiles against real
 * Criterion and the minimal shim in tests/shim/ alike. */
#ifndef HX_TEST_UTIL_H
#define HX_TEST_UTIL_H

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

/* Reads f to its end (a file or a pipe); `what` names it in failures.
 * Returns a malloc'd buffer with a NUL after the last byte; *len (if given)
 * is the byte count without that NUL. */
static inline char *tu_read_stream(FILE *f, const char *what, size_t *len) {
    size_t cap = (size_t)1 << 16, n = 0;
    char *buf = malloc(cap);
    cr_assert(buf, "out of memory reading %s", what);
    for (;;) {
        if (cap - n < 2) { /* keep room for the NUL */
            cap *= 2;
            char *grown = realloc(buf, cap);
            cr_assert(grown, "out of memory reading %s", what);
            buf = grown;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        if (got == 0) break;
        n += got;
    }
    cr_assert(!ferror(f), "cannot read %s", what);
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

/* The whole file at path, NUL-terminated; *len (if given) its size. */
static inline char *tu_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s", path);
    char *buf = tu_read_stream(f, path, len);
    fclose(f);
    return buf;
}

/* Writes HX_TEST_FIXTURES "/" followed by the formatted name into buf;
 * a path that does not fit fails the test. Returns buf. */
__attribute__((format(printf, 3, 4)))
static inline char *tu_fixture_path(char *buf, size_t cap, const char *fmt, ...) {
    int head = snprintf(buf, cap, "%s/", HX_TEST_FIXTURES);
    cr_assert(head > 0 && (size_t)head < cap, "fixture path too long");
    va_list ap;
    va_start(ap, fmt);
    int tail = vsnprintf(buf + head, cap - (size_t)head, fmt, ap);
    va_end(ap);
    cr_assert(tail >= 0 && (size_t)tail < cap - (size_t)head, "fixture path too long: %s", buf);
    return buf;
}

/* The whole fixture file HX_TEST_FIXTURES/rel, NUL-terminated. */
static inline char *tu_read_fixture(const char *rel, size_t *len) {
    char path[1024];
    return tu_read_file(tu_fixture_path(path, sizeof path, "%s", rel), len);
}

/* Runs cmd through the shell and returns its standard output (malloc'd,
 * NUL-terminated; *len if given); *status gets the exit status, or -1 when
 * the command did not exit normally. */
static inline char *tu_run_capture(const char *cmd, size_t *len, int *status) {
    FILE *p = popen(cmd, "r");
    cr_assert(p, "cannot run: %s", cmd);
    char *out = tu_read_stream(p, cmd, len);
    int st = pclose(p);
    *status = (st != -1 && WIFEXITED(st)) ? WEXITSTATUS(st) : -1;
    return out;
}

#endif
