/* The HX_ISA_SCALAR path over the blocked layout (the layout-free
 * specification is hx_conv2d_ref): the direct-conv row kernel as plain loops
 * with the same summation order as the SIMD template (input block, ky, kx,
 * channel), and the Winograd transforms from conv_wino_tmpl.h with a
 * one-float "vector". */
#include "kernels/conv_internal.h"

void hx_conv_row_scalar(const hx_conv_row_args *a) {
    const int cb = a->in_cb, k = a->k, oct = a->oct;
    const size_t pix = (size_t)a->stride * (size_t)cb;
    for (int x = 0; x < a->npix; x++) {
        float acc[32] = {0};
        const float *w = a->w;
        for (int icb = 0; icb < a->n_icb; icb++)
            for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++) {
                    const float *ip = a->in + (size_t)x * pix + (size_t)icb * a->in_cb_stride +
                                      (size_t)ky * a->in_row_stride + (size_t)kx * cb;
                    for (int i = 0; i < cb; i++, w += oct) {
                        const float v = ip[i];
                        for (int o = 0; o < oct; o++) acc[o] = v * w[o] + acc[o];
                    }
                }
        for (int o = 0; o < oct; o++) {
            const size_t off = (size_t)(o / 16) * a->out_cb_stride + (size_t)x * 16 + (size_t)(o % 16);
            float v = acc[o] + a->bias[o];
            if (a->res) v += a->res[(size_t)(o / 16) * a->res_cb_stride + (size_t)x * 16 + (size_t)(o % 16)];
            if (a->relu && v < 0.0f) v = 0.0f;
            a->out[off] = v;
        }
    }
}

#include "kernels/simd_scalar.h"
#define WINO_IN_FN hx_wino_in_scalar
#define WINO_OUT_FN hx_wino_out_scalar
#include "kernels/conv_wino_tmpl.h"
