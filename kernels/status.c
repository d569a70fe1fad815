/* Error reporting: one fixed-size message buffer per call chain, no globals. */
#include "helix/status.h"

#include <stdarg.h>
#include <stdio.h>

hx_status hx_fail(hx_error *err, hx_status code, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void hx_error_clear(hx_error *err) {
    if (err) {
        err->code = HX_OK;
        err->msg[0] = '\0';
    }
}

const char *hx_status_name(hx_status code) {
    switch (code) {
    case HX_OK: return "ok";
    case HX_EINVAL: return "invalid argument";
    case HX_ENOMEM: return "out of memory";
    case HX_EIO: return "i/o error";
    case HX_EFORMAT: return "bad format";
    case HX_ECHECKSUM: return "checksum mismatch";
    case HX_EVERSION: return "unsupported version";
    case HX_EUNSUPPORTED: return "unsupported";
    case HX_ERANGE: return "out of range";
    case HX_EISA: return "instruction set unavailable";
    case HX_ENOTFOUND: return "not found";
    case HX_EINTERNAL: return "internal error";
    }
    return "unknown error";
}
