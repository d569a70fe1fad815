/* Direct convolution row kernel, AVX-512: one zmm holds a 16-channel block;
 * 12 pixels x 2 blocks = 24 accumulators. */
#include <immintrin.h>

#define VEC __m512
#define VW 16
#define VZERO() _mm512_setzero_ps()
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps((p), (v))
#define VBCAST(p) _mm512_set1_ps(*(p))
#define VFMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define VADD(a, b) _mm512_add_ps((a), (b))
#define VMAX0(v) _mm512_max_ps((v), _mm512_setzero_ps())
#define TMAX1 12
#define TMAX2 12
#define VSUB(a, b) _mm512_sub_ps((a), (b))
#define VSET1(x) _mm512_set1_ps(x)
#define CONV_ROW_FN hx_conv_row_avx512
#define WINO_IN_FN hx_wino_in_avx512
#define WINO_OUT_FN hx_wino_out_avx512
#include "kernels/conv_row_tmpl.h"
#include "kernels/conv_wino_tmpl.h"
