/* Internal to the conv kernels: the row-segment job every ISA variant of the
 * direct convolution runs, and the variants themselves. */
#ifndef HELIX_CONV_INTERNAL_H
#define HELIX_CONV_INTERNAL_H

#include <stddef.h>

/* One output row segment of npix pixels and oct (16 or 32) output channels:
 * for pixel t, channel o of the tile,
 *   out = act(bias[o] + sum_{icb,ky,kx,i} w[icb][ky][kx][i][o] * in[icb][ky][t*stride+kx][i] + res)
 * where in[icb][ky][x][i] = in[icb*in_cb_stride + ky*in_row_stride + x*in_cb + i]. */
typedef struct {
    const float *in;      /* input block 0, row of tap ky = 0, column of tap kx = 0 for pixel 0 */
    size_t in_cb_stride;  /* floats between input channel blocks */
    size_t in_row_stride; /* floats between input rows */
    int in_cb;            /* channels per input block */
    int n_icb;            /* input channel blocks */
    int k;                /* kernel size (square) */
    int stride;
    const float *w;       /* packed weights of this tile: [icb][ky][kx][in_cb][oct] */
    int oct;              /* 16 or 32 */
    const float *bias;    /* oct values */
    float *out;           /* output block of the tile's first 16 channels, pixel 0 */
    size_t out_cb_stride; /* floats between output blocks */
    const float *res;     /* residual like out, or NULL */
    size_t res_cb_stride;
    int relu;
    int npix;
} hx_conv_row_args;

void hx_conv_row_scalar(const hx_conv_row_args *a);
#if defined(__x86_64__)
void hx_conv_row_avx2(const hx_conv_row_args *a);
void hx_conv_row_avx512(const hx_conv_row_args *a);
#endif
#if defined(__aarch64__)
void hx_conv_row_neon(const hx_conv_row_args *a);
#endif

#endif
