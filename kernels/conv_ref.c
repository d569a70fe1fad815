/* The convolution specification: plain NCHW, OIHW weights, no blocking.
 *
 *   out[n,o,y,x] = act( bias[o] + sum_i sum_ky sum_kx w[o,i,ky,kx] * in[n,i,y*s+ky-p,x*s+kx-p]
 *                       + residual[n,o,y,x] )
 *
 * taps outside the image count as zero; sums are fp32 in (i, ky, kx) order. */
#include "helix/conv.h"

void hx_conv2d_ref(const hx_conv_shape *s, int n, int h, int w, const float *in,
                   const float *w_oihw, const float *bias, const float *residual,
                   bool relu, float *out) {
    const int oh = hx_conv_out_size(h, s->k, s->stride, s->pad);
    const int ow = hx_conv_out_size(w, s->k, s->stride, s->pad);
    if (oh <= 0 || ow <= 0) return;
    const int k = s->k;
    for (int b = 0; b < n; b++)
        for (int o = 0; o < s->out_c; o++)
            for (int y = 0; y < oh; y++)
                for (int x = 0; x < ow; x++) {
                    float acc = 0.0f;
                    for (int i = 0; i < s->in_c; i++)
                        for (int ky = 0; ky < k; ky++) {
                            const int iy = y * s->stride + ky - s->pad;
                            if (iy < 0 || iy >= h) continue;
                            for (int kx = 0; kx < k; kx++) {
                                const int ix = x * s->stride + kx - s->pad;
                                if (ix < 0 || ix >= w) continue;
                                acc += w_oihw[(((size_t)o * s->in_c + i) * k + ky) * k + kx] *
                                       in[(((size_t)b * s->in_c + i) * h + iy) * w + ix];
                            }
                        }
                    const size_t oi = (((size_t)b * s->out_c + o) * oh + y) * ow + x;
                    float v = acc + (bias ? bias[o] : 0.0f);
                    if (residual) v += residual[oi];
                    if (relu && v < 0.0f) v = 0.0f;
                    out[oi] = v;
                }
}
