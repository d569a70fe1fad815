/* CPU feature detection and the instruction-set choice.
 *
 * The active ISA is the best one the CPU supports unless hx_isa_set() forces
 * another (the helix command line does so for HELIX_ISA=...; the library
 * reads no environment variable); forcing an ISA the CPU lacks is an error,
 * never a SIGILL. Every op runs the kernels of the active ISA's kernel table
 * (kernels/dispatch.h), filled once from the CPU's features. Tests switch
 * paths with hx_isa_set(). */
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
    bool avxvnni; /* VEX-encoded vpdpbusd (cpuid 7.1 eax bit 4) */
    bool neon, asimddp, i8mm, bf16; /* bf16: the Armv8.6 BF16 extension (bfdot, bfmmla) */
    char vendor[16];
    char brand[64];
} hx_cpu_features;

/* Detected once (thread-safe); never NULL. */
const hx_cpu_features *hx_cpu_features_get(void);

/* True if this build has code for isa and the CPU (and OS) can run it. */
bool hx_isa_supported(hx_isa isa);

/* Best supported ISA (the default active one). */
hx_isa hx_isa_best(void);

/* Detects the CPU and fills the kernel tables now rather than on the first
 * op (thread-safe, idempotent); always HX_OK. */
hx_status hx_isa_init(hx_error *err);

/* The ISA in use. */
hx_isa hx_isa_active(void);

/* Forces the active ISA for the whole process (an application option, and
 * how tests and benchmarks pick a path); HX_EISA if unsupported. Call it
 * between ops, not while one runs on another thread. */
hx_status hx_isa_set(hx_isa isa, hx_error *err);

const char *hx_isa_name(hx_isa isa);
/* Parses "scalar", "avx2", "avx512", "neon"; false if unknown. */
bool hx_isa_parse(const char *name, hx_isa *out);

HX_API_END
#endif
