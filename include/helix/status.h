/* Status codes and error messages shared by every helix layer.
 *
 * Every fallible function returns an hx_status and, when given a non-NULL
 * hx_error, fills it with a one-line message naming what was wrong (a field,
 * a tensor, a line number) -- never the contents of a user record. */
#ifndef HELIX_STATUS_H
#define HELIX_STATUS_H

#include <stddef.h>

#include "helix/export.h"

HX_API_BEGIN

typedef enum {
    HX_OK = 0,
    HX_EINVAL,       /* bad argument or option */
    HX_ENOMEM,       /* allocation failed */
    HX_EIO,          /* open/read/write/mmap failed */
    HX_EFORMAT,      /* malformed or damaged input file or record */
    HX_ECHECKSUM,    /* checksum mismatch */
    HX_EVERSION,     /* file version this reader cannot read */
    HX_EUNSUPPORTED, /* valid input that helix does not support */
    HX_ERANGE,       /* value or size out of range / overflow */
    HX_EISA,         /* requested instruction set not available */
    HX_ENOTFOUND,    /* named item (tensor, field, label) missing */
    HX_EINTERNAL     /* a bug in helix */
} hx_status;

#define HX_ERROR_MSG_MAX 512

typedef struct {
    hx_status code;
    char msg[HX_ERROR_MSG_MAX];
} hx_error;

/* Records code and a printf-style message in err (if non-NULL); returns code,
 * so callers can write `return hx_fail(err, HX_EFORMAT, "...", ...);`. */
hx_status hx_fail(hx_error *err, hx_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Short stable name of a status, e.g. "format". */
const char *hx_status_name(hx_status code);

/* Resets err to HX_OK with an empty message. */
void hx_error_clear(hx_error *err);

HX_API_END
#endif
