/* Line-level reads of a seekable file by offset, for sharded and resumed
 * runs (include/helix/shard.h). Buffers are per call, not static, so that
 * two threads may shard two files at once. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
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

hx_status hx_shard_plan_make(int fd, int64_t size, int64_t a, int64_t b, long k, int sharded,
                             long out_lines, const hx_shard_layout *lay, hx_shard_plan *plan,
                             hx_error *err) {
    memset(plan, 0, sizeof *plan);
    /* The part that owns line 1, part 1 of an empty input, or any unsharded run begins
     * the merged output. */
    plan->first_part = (a == 0 && b > 0) || (size == 0 && k == 1) || !sharded;
    plan->start = a;
    /* A resumed output's lines are records, but for its header line when it has one
     * (that the command writes itself, not copied from a header input line). */
    long skip = out_lines - (lay->out_header && !lay->in_header && plan->first_part && out_lines > 0);
    if (skip > 0) {
        long got;
        if (hx_skip_lines(fd, &plan->start, b, skip, &got, err)) return HX_EIO;
        if (got < skip) return hx_fail(err, HX_ERANGE, "the output has more records than the input range");
    }
    plan->drop_header = lay->out_header && !(plan->first_part && out_lines == 0);
    if (lay->in_header && size > 0 && plan->start > 0 &&
        hx_read_line_at(fd, size, 0, &plan->header, &plan->header_len, err))
        return HX_EIO;
    long base = 0;
    if (size > 0 && hx_count_newlines(fd, 0, plan->start, &base, err)) {
        hx_shard_plan_free(plan);
        return HX_EIO;
    }
    plan->line_base = base - (plan->header ? 1 : 0);
    return HX_OK;
}

void hx_shard_plan_free(hx_shard_plan *plan) {
    if (!plan) return;
    free(plan->header);
    plan->header = NULL;
    plan->header_len = 0;
}

void hx_shard_run_id(const char *const *args, int n_args, const char *skip_opt, int in_fd,
                     int64_t in_size, char out[32]) {
    uint64_t h = HX_FNV_SEED;
    for (int i = 0; i < n_args; i++) {
        if (skip_opt && !strcmp(args[i], skip_opt) && i + 1 < n_args) { i++; continue; }
        h = hx_fnv1a(h, args[i], strlen(args[i]) + 1);
        struct stat st;
        if (i > 0 && stat(args[i], &st) == 0 && S_ISREG(st.st_mode)) {
            int64_t v[3] = {(int64_t)st.st_size, (int64_t)st.st_mtim.tv_sec, (int64_t)st.st_mtim.tv_nsec};
            h = hx_fnv1a(h, v, sizeof v);
        }
    }
    int64_t sz = in_size;
    h = hx_fnv1a(h, &sz, sizeof sz);
    char *buf = malloc(CHUNK);
    size_t n = (size_t)(in_size < CHUNK ? in_size : CHUNK);
    if (buf && n && hx_pread_all(in_fd, buf, n, 0, NULL) == HX_OK) h = hx_fnv1a(h, buf, n);
    if (buf && n && hx_pread_all(in_fd, buf, n, in_size - (int64_t)n, NULL) == HX_OK) h = hx_fnv1a(h, buf, n);
    free(buf);
    snprintf(out, 32, "%016" PRIx64, h);
}
