/* HELIX_ISA, HELIX_THREADS, HELIX_GEMM: parsed strictly, refused with a
 * message rather than ignored, so a typo never silently runs another path. */
#include "cli_env.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "helix/cpu.h"
#include "helix/gemm.h"
#include "helix/threads.h"

static const char *env(const char *name) {
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static hx_status apply_isa(hx_error *err) {
    const char *v = env("HELIX_ISA");
    if (!v) return HX_OK;
    hx_isa isa;
    if (!hx_isa_parse(v, &isa))
        return hx_fail(err, HX_EISA,
                       "HELIX_ISA=%s is not an instruction set helix knows (scalar, avx2, avx512, neon)", v);
    if (!hx_isa_supported(isa))
        return hx_fail(err, HX_EISA, "HELIX_ISA=%s: this CPU or this build cannot run %s (best available: %s)",
                       v, v, hx_isa_name(hx_isa_best()));
    return hx_isa_set(isa, err);
}

static hx_status apply_threads(hx_error *err) {
    const char *v = env("HELIX_THREADS");
    if (!v) return HX_OK;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < 1 || n > 1024)
        return hx_fail(err, HX_EINVAL, "HELIX_THREADS=%s is not a thread count (an integer in 1..1024)", v);
    return hx_threads_set_default((int)n, err);
}

static hx_status apply_gemm(hx_error *err) {
    const char *v = env("HELIX_GEMM");
    if (!v) return HX_OK;
    hx_gemm_backend b;
    if (!strcmp(v, "helix"))
        b = HX_GEMM_HELIX;
    else if (!strcmp(v, "openblas"))
        b = HX_GEMM_OPENBLAS;
    else
        return hx_fail(err, HX_EINVAL, "HELIX_GEMM=%s is not a GEMM backend (helix, openblas)", v);
    if (hx_gemm_set_backend(b, NULL) != HX_OK)
        return hx_fail(err, HX_EUNSUPPORTED, "HELIX_GEMM=%s: this build has no OpenBLAS backend", v);
    return HX_OK;
}

hx_status cli_apply_environment(hx_error *err) {
    hx_status st;
    if ((st = apply_isa(err)) != HX_OK || (st = apply_threads(err)) != HX_OK || (st = apply_gemm(err)) != HX_OK)
        return st;
    return HX_OK;
}
