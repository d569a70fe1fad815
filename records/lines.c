/* Line-level reads of a seekable file by offset, for sharded and resumed
 * runs (include/helix/shard.h). Buffers are per call, not static, so that
 * two threads may shard two files at once. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helix/shard.h"

#define CHUNK (1 << 16)

uint64_t hx_fnv1a(uint64_t h, const void *p, size_t n) {
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 0x100000001b3ULL;
    return h;
}

hx_status hx_pread_all(int fd, void *buf, size_t n, int64_t at, hx_error *err) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)at + (off_t)got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return hx_fail(err, HX_EIO, "read error at byte %lld", (long long)(at + (int64_t)got));
        got += (size_t)r;
    }
    return HX_OK;
}

hx_status hx_write_all(int fd, const void *buf, size_t n, hx_error *err) {
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, (const char *)buf + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return hx_fail(err, HX_EIO, "write error");
        done += (size_t)w;
    }
    return HX_OK;
}

hx_status hx_line_start_at(int fd, int64_t size, int64_t x, int64_t *out, hx_error *err) {
    if (x <= 0) { *out = 0; return HX_OK; }
    char buf[4096];
    for (int64_t at = x - 1; at < size;) {
        size_t n = (size_t)(size - at < (int64_t)sizeof buf ? size - at : (int64_t)sizeof buf);
        if (hx_pread_all(fd, buf, n, at, err)) return HX_EIO;
        char *nl = memchr(buf, '\n', n);
        if (nl) { *out = at + (nl - buf) + 1; return HX_OK; }
        at += (int64_t)n;
    }
    *out = size;
    return HX_OK;
}

int64_t hx_shard_split_point(int64_t S, long k, long n) {
    uint64_t s = (uint64_t)S, q = s / (uint64_t)n, r = s % (uint64_t)n;
    return (int64_t)(q * (uint64_t)k + r * (uint64_t)k / (uint64_t)n);
}

hx_status hx_shard_range(int fd, int64_t size, long k, long n, int64_t *start, int64_t *end,
                         hx_error *err) {
    if (n < 1 || n > 1000000000L || k < 1 || k > n)
        return hx_fail(err, HX_EINVAL, "shard %ld/%ld: need 1 <= K <= N <= 1e9", k, n);
    if (hx_line_start_at(fd, size, hx_shard_split_point(size, k - 1, n), start, err)) return HX_EIO;
    return hx_line_start_at(fd, size, hx_shard_split_point(size, k, n), end, err);
}

hx_status hx_count_newlines(int fd, int64_t from, int64_t to, long *count, hx_error *err) {
    char *buf = malloc(CHUNK);
    if (!buf) return hx_fail(err, HX_ENOMEM, "out of memory");
    long c = 0;
    for (int64_t at = from; at < to;) {
        size_t n = (size_t)(to - at < CHUNK ? to - at : CHUNK);
        if (hx_pread_all(fd, buf, n, at, err)) { free(buf); return HX_EIO; }
        for (char *p = buf, *e = buf + n; (p = memchr(p, '\n', (size_t)(e - p))); p++) c++;
        at += (int64_t)n;
    }
    free(buf);
    *count = c;
    return HX_OK;
}

hx_status hx_skip_lines(int fd, int64_t *pos, int64_t end, long lines, long *skipped,
                        hx_error *err) {
    char *buf = malloc(CHUNK);
    if (!buf) return hx_fail(err, HX_ENOMEM, "out of memory");
    long done = 0;
    int64_t at = *pos, line_start = *pos;
    while (done < lines && at < end) {
        size_t n = (size_t)(end - at < CHUNK ? end - at : CHUNK);
        if (hx_pread_all(fd, buf, n, at, err)) { free(buf); return HX_EIO; }
        char *p = buf, *e = buf + n, *nl;
        while (done < lines && (nl = memchr(p, '\n', (size_t)(e - p)))) {
            done++;
            p = nl + 1;
            line_start = at + (p - buf);
        }
        at = done == lines ? line_start : at + (int64_t)n;
    }
    free(buf);
    if (done < lines && line_start < end) { /* a torn last line (no '\n') */
        done++;
        line_start = end;
    }
    *pos = line_start;
    *skipped = done;
    return HX_OK;
}

hx_status hx_read_line_at(int fd, int64_t size, int64_t at, char **line, size_t *len,
                          hx_error *err) {
    int64_t end;
    if (hx_line_start_at(fd, size, at + 1, &end, err)) return HX_EIO;
    size_t n = (size_t)(end - at);
    char *s = malloc(n + 2);
    if (!s) return hx_fail(err, HX_ENOMEM, "out of memory");
    if (hx_pread_all(fd, s, n, at, err)) { free(s); return HX_EIO; }
    if (n == 0 || s[n - 1] != '\n') s[n++] = '\n';
    *line = s;
    *len = n;
    return HX_OK;
}

int hx_detect_format(int fd, int64_t size, int rule) {
    char buf[4096];
    int at_line_start = 1;
    for (int64_t at = 0; at < size;) {
        size_t n = (size_t)(size - at < (int64_t)sizeof buf ? size - at : (int64_t)sizeof buf);
        if (hx_pread_all(fd, buf, n, at, NULL)) return -1;
        for (size_t i = 0; i < n; i++) {
            char c = buf[i];
            if (c == '\n') { at_line_start = 1; continue; }
            if (rule == 1) {
                if (c == ' ' || c == '\t') continue;
                if (c == '\r' && (i + 1 < n ? buf[i + 1] == '\n' : at + (int64_t)n == size)) continue;
                return c == '{';
            }
            /* rule 2: the CLI's line reader strips one '\r' before '\n' */
            if (at_line_start) {
                if (c == '\r' && (i + 1 < n ? buf[i + 1] == '\n' : at + (int64_t)n == size)) continue;
                return c == '{';
            }
        }
        at += (int64_t)n;
    }
    return -1;
}

hx_status hx_keep_complete_lines(int fd, long *lines, uint64_t *bytes, uint64_t *hash,
                                 hx_error *err) {
    struct stat st;
    if (fstat(fd, &st)) return hx_fail(err, HX_EIO, "cannot stat the output");
    char *buf = malloc(CHUNK);
    if (!buf) return hx_fail(err, HX_ENOMEM, "out of memory");
    int64_t keep = 0;
    for (int64_t at = 0; at < st.st_size;) { /* the end of the last line before any NUL */
        size_t n = (size_t)(st.st_size - at < CHUNK ? st.st_size - at : CHUNK);
        if (hx_pread_all(fd, buf, n, at, err)) goto fail;
        char *nul = memchr(buf, '\0', n);
        size_t m = nul ? (size_t)(nul - buf) : n;
        for (size_t i = m; i-- > 0;)
            if (buf[i] == '\n') { keep = at + (int64_t)i + 1; break; }
        if (nul) break;
        at += (int64_t)n;
    }
    long count = 0;
    uint64_t h = HX_FNV_SEED;
    for (int64_t at = 0; at < keep;) {
        size_t n = (size_t)(keep - at < CHUNK ? keep - at : CHUNK);
        if (hx_pread_all(fd, buf, n, at, err)) goto fail;
        h = hx_fnv1a(h, buf, n);
        for (char *p = buf, *e = buf + n; (p = memchr(p, '\n', (size_t)(e - p))); p++) count++;
        at += (int64_t)n;
    }
    free(buf);
    if (ftruncate(fd, (off_t)keep) || lseek(fd, (off_t)keep, SEEK_SET) < 0)
        return hx_fail(err, HX_EIO, "cannot truncate the output to %lld bytes", (long long)keep);
    *lines = count;
    *bytes = (uint64_t)keep;
    *hash = h;
    return HX_OK;
fail:
    free(buf);
    return HX_EIO;
}
