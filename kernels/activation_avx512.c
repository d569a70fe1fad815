/* activation for avx512: the shared SIMD body (transformer_ops_simd.h) over the
 * avx512 vector vocabulary. */
#include "transformer_vec_avx512.h"
#define HX_SIMD_WANT_ACTIVATION
#include "transformer_ops_simd.h"
