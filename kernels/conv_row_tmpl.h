/* The direct-convolution row kernel, written once in the SIMD vocabulary
 * (simd_avx2.h lists it) and compiled once per ISA.
 *
 * The including file includes its simd_*.h, defines the register blocking
 * TMAX1 / TMAX2 (pixels held at once for 16 / 32 output channels), then
 * names the function with CONV_ROW_FN. The Winograd transforms are in
 * conv_wino_tmpl.h.
 *
 * Register blocking: T output pixels x (oct / VW) vectors of accumulators stay
 * in registers over the whole reduction (all input channels and taps). Each
 * step loads one weight vector per accumulator column and broadcasts one input
 * value per pixel, so a weight load feeds T FMAs and a broadcast feeds oct/VW
 * FMAs. Weights are packed so that the reduction walks them contiguously. */
#include "kernels/conv_internal.h"

#define VPB (16 / VW) /* vectors per 16-channel block */

static inline __attribute__((always_inline)) void conv_tile(const hx_conv_row_args *a, int x0,
                                                            const int T, const int NB) {
    vf acc[TMAX1 > TMAX2 ? TMAX1 : TMAX2][2 * VPB];
#pragma GCC unroll 32
    for (int t = 0; t < T; t++)
#pragma GCC unroll 32
        for (int j = 0; j < NB * VPB; j++) acc[t][j] = vzero();

    const int cb = a->in_cb, k = a->k, oct = a->oct;
    const size_t pix = (size_t)a->stride * (size_t)cb; /* floats between pixels' inputs */
    const float *in0 = a->in + (size_t)x0 * pix;
    const float *w = a->w;
    for (int icb = 0; icb < a->n_icb; icb++) {
        for (int ky = 0; ky < k; ky++) {
            const float *row = in0 + (size_t)icb * a->in_cb_stride + (size_t)ky * a->in_row_stride;
            for (int kx = 0; kx < k; kx++) {
                const float *ip = row + (size_t)kx * (size_t)cb;
                for (int i = 0; i < cb; i++, w += oct) {
                    vf wv[2 * VPB];
#pragma GCC unroll 32
                    for (int j = 0; j < NB * VPB; j++) wv[j] = vload(w + j * VW);
#pragma GCC unroll 32
                    for (int t = 0; t < T; t++) {
                        vf b = vbcast(ip + (size_t)t * pix + i);
#pragma GCC unroll 32
                        for (int j = 0; j < NB * VPB; j++) acc[t][j] = vfma(b, wv[j], acc[t][j]);
                    }
                }
            }
        }
    }

    /* Epilogue: bias, residual, activation, in that order. */
#pragma GCC unroll 32
    for (int j = 0; j < NB * VPB; j++) {
        const int blk = j / VPB, lane = (j % VPB) * VW;
        vf bias = vload(a->bias + j * VW);
        float *o = a->out + (size_t)blk * a->out_cb_stride + (size_t)x0 * 16 + lane;
        const float *r = a->res ? a->res + (size_t)blk * a->res_cb_stride + (size_t)x0 * 16 + lane : NULL;
#pragma GCC unroll 32
        for (int t = 0; t < T; t++) {
            vf v = vadd(acc[t][j], bias);
            if (r) v = vadd(v, vload(r + (size_t)t * 16));
            if (a->relu) v = vmax(v, vzero());
            vstore(o + (size_t)t * 16, v);
        }
    }
}

/* Runs one tile of T pixels, T a compile-time constant in each case. */
#define CONV_CASE(N, NB, TM) \
    case N: conv_tile(a, x, (N) < (TM) ? (N) : (TM), NB); break;
#define CONV_SWITCH(T, NB, TM)                                                              \
    switch (T) {                                                                            \
        CONV_CASE(1, NB, TM) CONV_CASE(2, NB, TM) CONV_CASE(3, NB, TM) CONV_CASE(4, NB, TM) \
        CONV_CASE(5, NB, TM) CONV_CASE(6, NB, TM) CONV_CASE(7, NB, TM) CONV_CASE(8, NB, TM) \
        CONV_CASE(9, NB, TM) CONV_CASE(10, NB, TM) CONV_CASE(11, NB, TM)                    \
        default: conv_tile(a, x, TM, NB); break;                                            \
    }

void CONV_ROW_FN(const hx_conv_row_args *a) {
    /* Split the row into the fewest tiles of at most TM pixels, of nearly
     * equal width (56 -> 11,11,11,11,12 rather than 12,12,12,12,8). */
    const int tm = a->oct == 32 ? TMAX2 : TMAX1;
    const int n_tiles = (a->npix + tm - 1) / tm;
    int x = 0;
    for (int i = 0; i < n_tiles; i++) {
        const int T = a->npix / n_tiles + (i >= n_tiles - a->npix % n_tiles ? 1 : 0);
        if (a->oct == 32) {
            CONV_SWITCH(T, 2, TMAX2)
        } else {
            CONV_SWITCH(T, 1, TMAX1)
        }
        x += T;
    }
}

