/* layernorm for neon: the shared SIMD body (transformer_ops_simd.h) over the
 * neon vector vocabulary. */
#include "transformer_vec_neon.h"
#define HX_SIMD_WANT_LAYERNORM
#include "transformer_ops_simd.h"
