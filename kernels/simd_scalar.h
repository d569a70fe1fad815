/* Private: the one-float "vector" vocabulary, for the templates the scalar
 * path shares with the SIMD ones (today the Winograd transforms,
 * conv_wino_tmpl.h): the simd_avx2.h names those templates use, on a float.
 * vfma is a*b + c with two roundings: ISO C compiles no FMA contraction. */
#ifndef HELIX_SIMD_SCALAR_H
#define HELIX_SIMD_SCALAR_H

/* always_inline: as macros did, so the unroll pragmas of the templates see
 * the intrinsics themselves (plain inline changes GCC's unrolling). */
#ifndef HX_SIMD_FN
#define HX_SIMD_FN static inline __attribute__((always_inline))
#endif
#define HX_SIMD_ISA scalar
#define VW 1
typedef float vf;

HX_SIMD_FN vf vzero(void) { return 0.0f; }
HX_SIMD_FN vf vset1(float x) { return x; }
HX_SIMD_FN vf vload(const float *p) { return *p; }
HX_SIMD_FN void vstore(float *p, vf v) { *p = v; }
HX_SIMD_FN vf vadd(vf a, vf b) { return a + b; }
HX_SIMD_FN vf vsub(vf a, vf b) { return a - b; }
HX_SIMD_FN vf vfma(vf a, vf b, vf c) { return a * b + c; }
HX_SIMD_FN vf vmax(vf a, vf b) { return a > b ? a : b; }

#endif
