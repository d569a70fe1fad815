/* attention for avx2: the shared SIMD body (transformer_ops_simd.h) over the
 * avx2 vector vocabulary. */
#include "transformer_vec_avx2.h"
#define HX_SIMD_WANT_ATTENTION
#include "transformer_ops_simd.h"
