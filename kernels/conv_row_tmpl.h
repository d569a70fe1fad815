/* The direct-convolution row kernel, written once and compiled once per ISA.
 *
 * The including file defines a vector type and its operations (VEC, VW floats
 * per vector, VZERO, VLOAD, VSTORE, VBCAST from a pointer, VFMA(a, b, c) =
 * a*b + c, VADD, VMAX0) and the register blocking TMAX1 / TMAX2 (pixels held
 * at once for 16 / 32 output channels), then names the function with
 * CONV_ROW_FN, WINO_IN_FN and WINO_OUT_FN (also needed: VSUB, VSET1).
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
    VEC acc[TMAX1 > TMAX2 ? TMAX1 : TMAX2][2 * VPB];
#pragma GCC unroll 32
    for (int t = 0; t < T; t++)
#pragma GCC unroll 32
        for (int j = 0; j < NB * VPB; j++) acc[t][j] = VZERO();

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
                    VEC wv[2 * VPB];
#pragma GCC unroll 32
                    for (int j = 0; j < NB * VPB; j++) wv[j] = VLOAD(w + j * VW);
#pragma GCC unroll 32
                    for (int t = 0; t < T; t++) {
                        VEC b = VBCAST(ip + (size_t)t * pix + i);
#pragma GCC unroll 32
                        for (int j = 0; j < NB * VPB; j++) acc[t][j] = VFMA(b, wv[j], acc[t][j]);
                    }
                }
            }
        }
    }

    /* Epilogue: bias, residual, activation, in that order. */
#pragma GCC unroll 32
    for (int j = 0; j < NB * VPB; j++) {
        const int blk = j / VPB, lane = (j % VPB) * VW;
        VEC bias = VLOAD(a->bias + j * VW);
        float *o = a->out + (size_t)blk * a->out_cb_stride + (size_t)x0 * 16 + lane;
        const float *r = a->res ? a->res + (size_t)blk * a->res_cb_stride + (size_t)x0 * 16 + lane : NULL;
#pragma GCC unroll 32
        for (int t = 0; t < T; t++) {
            VEC v = VADD(acc[t][j], bias);
            if (r) v = VADD(v, VLOAD(r + (size_t)t * 16));
            if (a->relu) v = VMAX0(v);
            VSTORE(o + (size_t)t * 16, v);
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

/* Winograd F(4x4, 3x3) transforms of one 16-channel block (Lavin & Gray):
 *   V = B^T d B  for a 6x6 input tile d,   Y = A^T M A  for a 6x6 product M,
 * with B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0;
 *             0 2 -1 -2 1 0; 0 4 0 -5 0 1]
 * and  A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]. */
static inline __attribute__((always_inline)) void wino_bt(const VEC d[6], VEC o[6]) {
    const VEC c4 = VSET1(4.0f), cm4 = VSET1(-4.0f), cm5 = VSET1(-5.0f), c2 = VSET1(2.0f);
    o[0] = VFMA(c4, d[0], VFMA(cm5, d[2], d[4]));
    o[1] = VFMA(cm4, VADD(d[1], d[2]), VADD(d[3], d[4]));
    o[2] = VFMA(c4, VSUB(d[1], d[2]), VSUB(d[4], d[3]));
    o[3] = VFMA(c2, VSUB(d[3], d[1]), VSUB(d[4], d[2]));
    o[4] = VFMA(c2, VSUB(d[1], d[3]), VSUB(d[4], d[2]));
    o[5] = VFMA(c4, d[1], VFMA(cm5, d[3], d[5]));
}

static inline __attribute__((always_inline)) void wino_at(const VEC m[6], VEC o[4]) {
    const VEC a = VADD(m[1], m[2]), b = VSUB(m[1], m[2]), c = VADD(m[3], m[4]), d = VSUB(m[3], m[4]);
    o[0] = VADD(VADD(m[0], a), c);
    o[1] = VFMA(VSET1(2.0f), d, b);
    o[2] = VFMA(VSET1(4.0f), c, a);
    o[3] = VADD(VFMA(VSET1(8.0f), d, b), m[5]);
}

/* in: 6x6 pixels of 16 floats, pixel (r, c) at in + r*row_stride + c*16;
 * v: 36 vectors of 16 floats, position 6i+j at v + (6i+j)*v_stride. */
void WINO_IN_FN(const float *in, size_t row_stride, float *v, size_t v_stride) {
    for (int q = 0; q < VPB; q++) {
        VEC t[6][6]; /* t = B^T d, column by column */
        for (int c = 0; c < 6; c++) {
            VEC d[6], o[6];
            for (int k = 0; k < 6; k++) d[k] = VLOAD(in + (size_t)k * row_stride + (size_t)c * 16 + q * VW);
            wino_bt(d, o);
            for (int i = 0; i < 6; i++) t[i][c] = o[i];
        }
        for (int i = 0; i < 6; i++) {
            VEC o[6];
            wino_bt(t[i], o);
            for (int j = 0; j < 6; j++) VSTORE(v + (size_t)(6 * i + j) * v_stride + q * VW, o[j]);
        }
    }
}

/* m: 36 vectors of 16 floats at m + p*m_stride; writes the rows x cols valid
 * pixels of the 4x4 output tile: act(A^T m A + bias [+ res]). */
void WINO_OUT_FN(const float *m, size_t m_stride, const float *bias, float *out, size_t out_row_stride,
                 const float *res, size_t res_row_stride, int relu, int rows, int cols) {
    for (int q = 0; q < VPB; q++) {
        VEC t[4][6]; /* t = A^T m, column by column */
        for (int c = 0; c < 6; c++) {
            VEC x[6], o[4];
            for (int k = 0; k < 6; k++) x[k] = VLOAD(m + (size_t)(6 * k + c) * m_stride + q * VW);
            wino_at(x, o);
            for (int i = 0; i < 4; i++) t[i][c] = o[i];
        }
        const VEC b = VLOAD(bias + q * VW);
        for (int i = 0; i < rows; i++) {
            VEC o[4];
            wino_at(t[i], o);
            for (int j = 0; j < cols; j++) {
                VEC y = VADD(o[j], b);
                if (res) y = VADD(y, VLOAD(res + (size_t)i * res_row_stride + (size_t)j * 16 + q * VW));
                if (relu) y = VMAX0(y);
                VSTORE(out + (size_t)i * out_row_stride + (size_t)j * 16 + q * VW, y);
            }
        }
    }
}
