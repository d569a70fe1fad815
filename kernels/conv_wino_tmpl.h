/* The Winograd F(4x4, 3x3) transforms, written once in the SIMD vocabulary
 * (simd_avx2.h lists it; simd_scalar.h has the subset used here) and
 * compiled once per ISA: the including file includes its simd_*.h and names
 * the functions WINO_IN_FN and WINO_OUT_FN. */
#include "kernels/conv_internal.h"

#ifndef VPB
#define VPB (16 / VW) /* vectors per 16-channel block */
#endif

/* Winograd F(4x4, 3x3) transforms of one 16-channel block (Lavin & Gray):
 *   V = B^T d B  for a 6x6 input tile d,   Y = A^T M A  for a 6x6 product M,
 * with B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0;
 *             0 2 -1 -2 1 0; 0 4 0 -5 0 1]
 * and  A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]. */
static inline __attribute__((always_inline)) void wino_bt(const vf d[6], vf o[6]) {
    const vf c4 = vset1(4.0f), cm4 = vset1(-4.0f), cm5 = vset1(-5.0f), c2 = vset1(2.0f);
    o[0] = vfma(c4, d[0], vfma(cm5, d[2], d[4]));
    o[1] = vfma(cm4, vadd(d[1], d[2]), vadd(d[3], d[4]));
    o[2] = vfma(c4, vsub(d[1], d[2]), vsub(d[4], d[3]));
    o[3] = vfma(c2, vsub(d[3], d[1]), vsub(d[4], d[2]));
    o[4] = vfma(c2, vsub(d[1], d[3]), vsub(d[4], d[2]));
    o[5] = vfma(c4, d[1], vfma(cm5, d[3], d[5]));
}

static inline __attribute__((always_inline)) void wino_at(const vf m[6], vf o[4]) {
    const vf a = vadd(m[1], m[2]), b = vsub(m[1], m[2]), c = vadd(m[3], m[4]), d = vsub(m[3], m[4]);
    o[0] = vadd(vadd(m[0], a), c);
    o[1] = vfma(vset1(2.0f), d, b);
    o[2] = vfma(vset1(4.0f), c, a);
    o[3] = vadd(vfma(vset1(8.0f), d, b), m[5]);
}

/* in: 6x6 pixels of 16 floats, pixel (r, c) at in + r*row_stride + c*16;
 * v: 36 vectors of 16 floats, position 6i+j at v + (6i+j)*v_stride. */
void WINO_IN_FN(const float *in, size_t row_stride, float *v, size_t v_stride) {
    for (int q = 0; q < VPB; q++) {
        vf t[6][6]; /* t = B^T d, column by column */
        for (int c = 0; c < 6; c++) {
            vf d[6], o[6];
            for (int k = 0; k < 6; k++) d[k] = vload(in + (size_t)k * row_stride + (size_t)c * 16 + q * VW);
            wino_bt(d, o);
            for (int i = 0; i < 6; i++) t[i][c] = o[i];
        }
        for (int i = 0; i < 6; i++) {
            vf o[6];
            wino_bt(t[i], o);
            for (int j = 0; j < 6; j++) vstore(v + (size_t)(6 * i + j) * v_stride + q * VW, o[j]);
        }
    }
}

/* m: 36 vectors of 16 floats at m + p*m_stride; writes the rows x cols valid
 * pixels of the 4x4 output tile: act(A^T m A + bias [+ res]). */
void WINO_OUT_FN(const float *m, size_t m_stride, const float *bias, float *out, size_t out_row_stride,
                 const float *res, size_t res_row_stride, int relu, int rows, int cols) {
    for (int q = 0; q < VPB; q++) {
        vf t[4][6]; /* t = A^T m, column by column */
        for (int c = 0; c < 6; c++) {
            vf x[6], o[4];
            for (int k = 0; k < 6; k++) x[k] = vload(m + (size_t)(6 * k + c) * m_stride + q * VW);
            wino_at(x, o);
            for (int i = 0; i < 4; i++) t[i][c] = o[i];
        }
        const vf b = vload(bias + q * VW);
        for (int i = 0; i < rows; i++) {
            vf o[4];
            wino_at(t[i], o);
            for (int j = 0; j < cols; j++) {
                vf y = vadd(o[j], b);
                if (res) y = vadd(y, vload(res + (size_t)i * res_row_stride + (size_t)j * 16 + q * VW));
                if (relu) y = vmax(y, vzero());
                vstore(out + (size_t)i * out_row_stride + (size_t)j * 16 + q * VW, y);
            }
        }
    }
}
