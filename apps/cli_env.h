/* The environment variables of the helix command line, read once at startup
 * (the library reads none; it takes the values as options). */
#ifndef HELIX_CLI_ENV_H
#define HELIX_CLI_ENV_H

#include "helix/status.h"

/* Applies HELIX_ISA (hx_isa_set), HELIX_THREADS (hx_threads_set_default) and
 * HELIX_GEMM (hx_gemm_set_backend); unset or empty means the default. A bad
 * value is HX_EINVAL / HX_EISA / HX_EUNSUPPORTED with a message naming the
 * variable, and nothing after it is applied. */
hx_status cli_apply_environment(hx_error *err);

#endif
