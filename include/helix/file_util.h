/* Reading whole input files and naming files beside a config file: the one
 * reader every helix parser uses, so each of them refuses a directory, a FIFO
 * or device, and an oversized file the same way, before allocating. */
#ifndef HELIX_FILE_UTIL_H
#define HELIX_FILE_UTIL_H

#include <stddef.h>

#include "helix/status.h"

HX_API_BEGIN

/* Reads the regular file at path into a new buffer of *len bytes plus a
 * terminating NUL (the content may hold NULs of its own; use *len). Refuses,
 * with a message naming path: a missing or unreadable file (HX_EIO), a
 * directory, FIFO, socket or device (HX_EIO), a file larger than max_bytes
 * (HX_ERANGE). An empty file is read as "" (len 0); callers that need
 * content say so themselves. Free *out with free(). */
hx_status hx_read_file(const char *path, size_t max_bytes, char **out, size_t *len,
                       hx_error *err);

/* out = rel when rel is absolute or base has no folder, else
 * dirname(base) + "/" + rel. HX_ERANGE when it does not fit in cap. */
hx_status hx_path_beside(const char *base, const char *rel, char *out, size_t cap, hx_error *err);

HX_API_END
#endif
