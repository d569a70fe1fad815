/* Line-level reads of a seekable file by offset (see cli_file_lines.h). */
#include "cli_file_lines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_shard.h"

#define CHUNK (1 << 16)

int cli_pread_all(int fd, void *buf, size_t n, off_t at) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, (char *)buf + got, n - got, at + (off_t)got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        got += (size_t)r;
    }
    return 0;
}

int cli_write_all(int fd, const void *buf, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, (const char *)buf + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        done += (size_t)w;
    }
    return 0;
}

#define CHUNK (1 << 16)

/* Offset of the first line start >= x: 0, or just after a '\n' at >= x-1. */
int cli_line_start_at(int fd, off_t size, off_t x, off_t *out) {
    if (x <= 0) { *out = 0; return 0; }
    char buf[4096];
    for (off_t at = x - 1; at < size;) {
        size_t n = (size_t)(size - at < (off_t)sizeof buf ? size - at : (off_t)sizeof buf);
        if (cli_pread_all(fd, buf, n, at)) return -1;
        char *nl = memchr(buf, '\n', n);
        if (nl) { *out = at + (nl - buf) + 1; return 0; }
        at += (off_t)n;
    }
    *out = size;
    return 0;
}

/* Counts '\n' in [from, to). */
int cli_count_newlines(int fd, off_t from, off_t to, long *count) {
    static char buf[CHUNK];
    long c = 0;
    for (off_t at = from; at < to;) {
        size_t n = (size_t)(to - at < CHUNK ? to - at : CHUNK);
        if (cli_pread_all(fd, buf, n, at)) return -1;
        for (char *p = buf, *e = buf + n; (p = memchr(p, '\n', (size_t)(e - p))); p++) c++;
        at += (off_t)n;
    }
    *count = c;
    return 0;
}

/* Moves *pos past `lines` lines within [*pos, end); a last line without '\n'
 * counts. Returns the number of lines skipped. */
long cli_skip_lines(int fd, off_t *pos, off_t end, long lines) {
    static char buf[CHUNK];
    long done = 0;
    off_t at = *pos, line_start = *pos;
    while (done < lines && at < end) {
        size_t n = (size_t)(end - at < CHUNK ? end - at : CHUNK);
        if (cli_pread_all(fd, buf, n, at)) return -1;
        char *p = buf, *e = buf + n, *nl;
        while (done < lines && (nl = memchr(p, '\n', (size_t)(e - p)))) {
            done++;
            p = nl + 1;
            line_start = at + (p - buf);
        }
        at = done == lines ? line_start : at + (off_t)n;
    }
    if (done < lines && line_start < end) { /* a torn last line (no '\n') */
        done++;
        line_start = end;
    }
    *pos = line_start;
    return done;
}

/* Reads the line at `at` (with its '\n'; one is added if the file lacks it). */
char *cli_read_line_at(int fd, off_t size, off_t at, size_t *len) {
    off_t end;
    if (cli_line_start_at(fd, size, at + 1, &end)) return NULL;
    size_t n = (size_t)(end - at);
    char *s = malloc(n + 2);
    if (!s || cli_pread_all(fd, s, n, at)) { free(s); return NULL; }
    if (n == 0 || s[n - 1] != '\n') s[n++] = '\n';
    *len = n;
    return s;
}

/* JSONL or text, decided from the whole input as the command would from its
 * first line(s): returns 1 JSONL, 0 text, -1 undecided (no such line). */
int cli_detect_format(int fd, off_t size, int rule) {
    char buf[4096];
    int at_line_start = 1;
    for (off_t at = 0; at < size;) {
        size_t n = (size_t)(size - at < (off_t)sizeof buf ? size - at : (off_t)sizeof buf);
        if (cli_pread_all(fd, buf, n, at)) return -1;
        for (size_t i = 0; i < n; i++) {
            char c = buf[i];
            if (c == '\n') { at_line_start = 1; continue; }
            if (rule == 1) {
                if (c == ' ' || c == '\t') continue;
                if (c == '\r' && (i + 1 < n ? buf[i + 1] == '\n' : at + (off_t)n == size)) continue;
                return c == '{';
            }
            /* rule 2: cli_read_line strips one '\r' before '\n' */
            if (at_line_start) {
                if (c == '\r' && (i + 1 < n ? buf[i + 1] == '\n' : at + (off_t)n == size)) continue;
                return c == '{';
            }
        }
        at += (off_t)n;
    }
    return -1;
}

/* Keeps the complete lines of an interrupted output (and nothing after a NUL
 * byte, which a crashed file system may leave): truncates FILE after them and
 * returns their number, byte count and hash. */
int cli_keep_complete_lines(int fd, long *lines, uint64_t *bytes, uint64_t *hash) {
    struct stat st;
    if (fstat(fd, &st)) return -1;
    static char buf[CHUNK];
    off_t keep = 0;
    for (off_t at = 0; at < st.st_size;) { /* the end of the last line before any NUL */
        size_t n = (size_t)(st.st_size - at < CHUNK ? st.st_size - at : CHUNK);
        if (cli_pread_all(fd, buf, n, at)) return -1;
        char *nul = memchr(buf, '\0', n);
        size_t m = nul ? (size_t)(nul - buf) : n;
        for (size_t i = m; i-- > 0;)
            if (buf[i] == '\n') { keep = at + (off_t)i + 1; break; }
        if (nul) break;
        at += (off_t)n;
    }
    long count = 0;
    uint64_t h = CLI_FNV_SEED;
    for (off_t at = 0; at < keep;) {
        size_t n = (size_t)(keep - at < CHUNK ? keep - at : CHUNK);
        if (cli_pread_all(fd, buf, n, at)) return -1;
        h = cli_fnv1a(h, buf, n);
        for (char *p = buf, *e = buf + n; (p = memchr(p, '\n', (size_t)(e - p))); p++) count++;
        at += (off_t)n;
    }
    if (ftruncate(fd, keep) || lseek(fd, keep, SEEK_SET) < 0) return -1;
    *lines = count;
    *bytes = (uint64_t)keep;
    *hash = h;
    return 0;
}

/* floor(k * S / n) without overflow (S < 2^63, n <= 1e9). */
off_t cli_split_point(off_t S, long k, long n) {
    uint64_t s = (uint64_t)S, q = s / (uint64_t)n, r = s % (uint64_t)n;
    return (off_t)(q * (uint64_t)k + r * (uint64_t)k / (uint64_t)n);
}

