/* Direct convolution row kernel, AVX2 + FMA: a 16-channel block is two ymm;
 * 12 accumulators (6 pixels x 1 block, or 3 pixels x 2 blocks) of 16 ymm. */
#include <immintrin.h>

#define VEC __m256
#define VW 8
#define VZERO() _mm256_setzero_ps()
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps((p), (v))
#define VBCAST(p) _mm256_broadcast_ss(p)
#define VFMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define VADD(a, b) _mm256_add_ps((a), (b))
#define VMAX0(v) _mm256_max_ps((v), _mm256_setzero_ps())
#define TMAX1 6
#define TMAX2 3
#define VSUB(a, b) _mm256_sub_ps((a), (b))
#define VSET1(x) _mm256_set1_ps(x)
#define CONV_ROW_FN hx_conv_row_avx2
#define WINO_IN_FN hx_wino_in_avx2
#define WINO_OUT_FN hx_wino_out_avx2
#include "kernels/conv_row_tmpl.h"
#include "kernels/conv_wino_tmpl.h"
