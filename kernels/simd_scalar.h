/* Private: the one-float "vector" vocabulary, for the templates the scalar
 * path shares with the SIMD ones (today the Winograd transforms,
 * conv_wino_tmpl.h): the simd_avx2.h names those templates use, on a float.
 * vfma is a*b + c with two roundings: ISO C compiles no FMA contraction. */
#ifndef HELIX_SIMD_SCALAR_H
#define HELIX_SIMD_SCALAR_H

#define HX_SIMD_ISA scalar
#define VW 1
typedef float vf;

static inline vf vzero(void) { return 0.0f; }
static inline vf vset1(float x) { return x; }
static inline vf vload(const float *p) { return *p; }
static inline void vstore(float *p, vf v) { *p = v; }
static inline vf vadd(vf a, vf b) { return a + b; }
static inline vf vsub(vf a, vf b) { return a - b; }
static inline vf vfma(vf a, vf b, vf c) { return a * b + c; }
static inline vf vmax(vf a, vf b) { return a > b ? a : b; }

#endif
