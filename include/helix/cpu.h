/* CPU feature detection and the instruction-set choice made once per process.
 *
 * The active ISA is the best one the CPU supports, unless the environment
 * variable HELIX_ISA=scalar|avx2|avx512|neon forces one; forcing an ISA the
 * CPU lacks is an error (hx_isa_init reports it), never a SIGILL. Every op
 * module dispatches on hx_isa_active(). Tests switch paths with hx_isa_set(). */
#ifndef HELIX_CPU_H
#define HELIX_CPU_H

#include <stdbool.h>
#include "helix/status.h"

#include "helix/export.h"

HX_API_BEGIN

typedef enum {
    HX_ISA_SCALAR = 0,
    HX_ISA_AVX2 = 1,   /* AVX2 + FMA */
    HX_ISA_AVX512 = 2, /* AVX-512 F/BW/VL/DQ */
    HX_ISA_NEON = 3,
    HX_ISA_COUNT
} hx_isa;

typedef struct {
    bool avx2, fma, avx512f, avx512bw, avx512vl, avx512dq, avx512vnni, avx512bf16, avx512vbmi;
    bool neon, asimddp;
    char vendor[16];
    char brand[64];
} hx_cpu_features;

/* Detected once (thread-safe); never NULL. */
const hx_cpu_features *hx_cpu_features_get(void);

/* True if this build has code for isa and the CPU (and OS) can run it. */
bool hx_isa_supported(hx_isa isa);

/* Best supported ISA, ignoring HELIX_ISA. */
hx_isa hx_isa_best(void);

/* Reads HELIX_ISA once and fixes the active ISA; an unknown name or an ISA the
 * CPU lacks is HX_EISA with a message. Safe to call many times. */
hx_status hx_isa_init(hx_error *err);

/* The ISA in use (calls hx_isa_init on first use, falling back to the best
 * ISA if HELIX_ISA is invalid). */
hx_isa hx_isa_active(void);

/* Forces the active ISA (for tests and benchmarks); HX_EISA if unsupported. */
hx_status hx_isa_set(hx_isa isa, hx_error *err);

const char *hx_isa_name(hx_isa isa);
/* Parses "scalar", "avx2", "avx512", "neon"; false if unknown. */
bool hx_isa_parse(const char *name, hx_isa *out);

HX_API_END
#endif
