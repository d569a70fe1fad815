/* The shared whole-file reader and path helper (include/helix/file_util.h). */
#include "helix/file_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_of(mode_t m) {
    if (S_ISDIR(m)) return "a directory";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISSOCK(m)) return "a socket";
    if (S_ISCHR(m) || S_ISBLK(m)) return "a device";
    return "not a regular file";
}

hx_status hx_read_file(const char *path, size_t max_bytes, char **out, size_t *len,
                       hx_error *err) {
    *out = NULL;
    *len = 0;
    /* O_NONBLOCK so that opening a FIFO with no writer returns at once and is
     * then refused by fstat instead of hanging the run. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return hx_fail(err, HX_EIO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return hx_fail(err, HX_EIO, "cannot stat %s: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return hx_fail(err, HX_EIO, "%s is %s", path, kind_of(st.st_mode));
    }
    if (st.st_size < 0 || (unsigned long long)st.st_size > max_bytes) {
        close(fd);
        return hx_fail(err, HX_ERANGE, "%s is larger than %zu bytes", path, max_bytes);
    }
    size_t size = (size_t)st.st_size;
    char *buf = malloc(size + 1);
    if (!buf) {
        close(fd);
        return hx_fail(err, HX_ENOMEM, "out of memory reading %s (%zu bytes)", path, size);
    }
    /* The size from fstat is a hint only: a file that grows while being read
     * is refused, and one that shrinks is read as it is. */
    size_t n = 0;
    for (;;) {
        if (n == size) {
            char probe;
            ssize_t extra = read(fd, &probe, 1);
            if (extra == 0) break;
            if (extra < 0 && errno == EINTR) continue;
            free(buf);
            close(fd);
            if (extra < 0) return hx_fail(err, HX_EIO, "error reading %s: %s", path, strerror(errno));
            return hx_fail(err, HX_EIO, "%s changed while it was being read", path);
        }
        ssize_t got = read(fd, buf + n, size - n);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return hx_fail(err, HX_EIO, "error reading %s: %s", path, strerror(e));
        }
        if (got == 0) break;
        n += (size_t)got;
    }
    close(fd);
    buf[n] = 0;
    *out = buf;
    *len = n;
    return HX_OK;
}

hx_status hx_path_beside(const char *base, const char *rel, char *out, size_t cap, hx_error *err) {
    const char *slash = strrchr(base, '/');
    int n;
    if (rel[0] == '/' || !slash) n = snprintf(out, cap, "%s", rel);
    else n = snprintf(out, cap, "%.*s/%s", (int)(slash - base), base, rel);
    if (n < 0 || (size_t)n >= cap) return hx_fail(err, HX_ERANGE, "path too long: %s", rel);
    return HX_OK;
}
