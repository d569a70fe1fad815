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

/* Winograd F(4x4,3x3) input / output transforms of one 16-channel block
 * (conv_row_tmpl.h says what they compute). */
typedef void (*hx_wino_in_fn)(const float *in, size_t row_stride, float *v, size_t v_stride);
typedef void (*hx_wino_out_fn)(const float *m, size_t m_stride, const float *bias, float *out,
                               size_t out_row_stride, const float *res, size_t res_row_stride,
                               int relu, int rows, int cols);

#define HX_CONV_ISA_DECL(isa)                                                                    \
    void hx_conv_row_##isa(const hx_conv_row_args *a);                                           \
    void hx_wino_in_##isa(const float *in, size_t row_stride, float *v, size_t v_stride);        \
    void hx_wino_out_##isa(const float *m, size_t m_stride, const float *bias, float *out,       \
                           size_t out_row_stride, const float *res, size_t res_row_stride,       \
                           int relu, int rows, int cols);
HX_CONV_ISA_DECL(scalar)
#if defined(__x86_64__)
HX_CONV_ISA_DECL(avx2)
HX_CONV_ISA_DECL(avx512)
#endif
#if defined(__aarch64__)
HX_CONV_ISA_DECL(neon)
#endif

#endif
