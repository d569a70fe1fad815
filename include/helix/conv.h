/* Convolution, pooling and squeeze-excitation on channel-blocked feature maps.
 *
 * Layout (NCHWc): a feature map of C channels is stored as ceil(C/cb) blocks
 * of cb channels, each block an [H][W][cb] image, with a zero border of `pad`
 * pixels on every side:
 *
 *     data[n][cblock][pad + y][pad + x][c % cb]
 *
 * cb is 16 for every map the network makes (one AVX-512 register, two AVX2 or
 * four NEON registers per pixel); only the network input uses cb = 3 so that
 * the 7x7 stem does not multiply 13 padding channels. Channels past C in the
 * last block and the border are zero and stay zero (weights and biases of
 * padding channels are zero), so a 3x3 conv reads its padding instead of
 * testing bounds.
 *
 * The direct convolution computes, for every output pixel and channel,
 *
 *     out = act( bias[o] + sum_{i,ky,kx} w[o,i,ky,kx] * in[i, y*s+ky-p, x*s+kx-p]
 *                + residual )
 *
 * with weights packed once per layer. Results are bit-identical for any thread
 * count; each ISA path agrees with the scalar reference (hx_conv2d_ref) to
 * rounding. */
#ifndef HELIX_CONV_H
#define HELIX_CONV_H

#include <stdbool.h>
#include <stddef.h>
#include "helix/status.h"
#include "helix/threads.h"

#include "helix/export.h"

HX_API_BEGIN

#define HX_CONV_CB 16 /* channels per block of every map the network makes */

typedef struct {
    int n, c, h, w; /* logical sizes */
    int cb;         /* channels per block (1..16) */
    int pad;        /* zero border, pixels per side */
    float *data;    /* 64-byte aligned, owned when allocated by hx_fmap_alloc */
} hx_fmap;

/* Floats needed by a map of these sizes; 0 on overflow or bad sizes. */
size_t hx_fmap_floats(int n, int c, int h, int w, int cb, int pad);
/* Allocates a zeroed map. */
hx_status hx_fmap_alloc(hx_fmap *m, int n, int c, int h, int w, int cb, int pad, hx_error *err);
void hx_fmap_free(hx_fmap *m);
/* Element (n, c, y, x) address; y, x may be in [-pad, h+pad). */
float *hx_fmap_at(const hx_fmap *m, int n, int c, int y, int x);
/* Copies plain NCHW floats in / out of the map's interior. */
void hx_fmap_from_nchw(hx_fmap *m, const float *src);
void hx_fmap_to_nchw(const hx_fmap *m, float *dst);

typedef struct {
    int in_c, out_c;
    int k;      /* square kernel size: 1, 3 or 7 (any odd or even k >= 1 works) */
    int stride; /* >= 1 */
    int pad;    /* >= 0 */
} hx_conv_shape;

/* Output size along one axis; <= 0 when the input is too small. */
int hx_conv_out_size(int in, int k, int stride, int pad);

typedef struct hx_conv hx_conv;

/* Packs OIHW weights [out_c, in_c, k, k] and bias [out_c] (may be NULL) for
 * inputs with in_cb channels per block. Copies; the arrays may be freed. */
hx_status hx_conv_create(const hx_conv_shape *shape, int in_cb, const float *w_oihw,
                         const float *bias, hx_conv **out, hx_error *err);
void hx_conv_free(hx_conv *c);

/* Which algorithm hx_conv_forward uses. AUTO: Winograd F(4x4,3x3) for 3x3
 * stride-1 pad-1 layers whose transformed weights fit (<= 16 MB) when the
 * batch has >= 16 output tiles of 4x4, else direct. */
typedef enum { HX_CONV_AUTO = 0, HX_CONV_DIRECT, HX_CONV_WINOGRAD } hx_conv_algo;
/* HX_EUNSUPPORTED when Winograd is asked of a layer that has no Winograd weights. */
hx_status hx_conv_set_algo(hx_conv *c, hx_conv_algo algo, hx_error *err);
const hx_conv_shape *hx_conv_get_shape(const hx_conv *c);

/* A conv's scratch memory (the Winograd tiles), any alignment (the call
 * aligns inside it). A workspace may serve calls one after another, never
 * two at once. */
typedef struct {
    void *data;
    size_t bytes;
} hx_conv_workspace;

/* Bytes of workspace hx_conv_forward needs for n images of in_h x in_w with
 * a pool of `threads` threads under the conv's current algorithm (same for
 * every ISA); 0 when the call needs none (direct convolution), SIZE_MAX when
 * the sizes are too large. */
size_t hx_conv_workspace_size(const hx_conv *c, int n, int in_h, int in_w, int threads);

/* out = act(conv(in) + bias [+ residual]). in->pad must be >= the conv's pad
 * and in->cb equal to the packing's in_cb; out must be preallocated with
 * cb = 16 and the right sizes; residual (may be NULL) has out's sizes and
 * cb = 16, any pad. relu applies after the residual add. ws: NULL makes
 * the call allocate (and free) its own scratch; otherwise its bytes must
 * cover hx_conv_workspace_size for these sizes and pool (HX_EINVAL if not). */
hx_status hx_conv_forward(const hx_conv *c, const hx_fmap *in, hx_fmap *out,
                          const hx_fmap *residual, bool relu, const hx_conv_workspace *ws,
                          hx_threadpool *pool, hx_error *err);

/* The specification: plain NCHW in/out, OIHW weights, serial, fp32 sums in
 * (i, ky, kx) order. residual (NCHW like out) and bias may be NULL. */
void hx_conv2d_ref(const hx_conv_shape *s, int n, int h, int w, const float *in,
                   const float *w_oihw, const float *bias, const float *residual,
                   bool relu, float *out);

/* Max pooling k x k, stride s, padding p (padding never wins: PyTorch's
 * -inf padding). in and out cb = 16; out preallocated. */
hx_status hx_maxpool(const hx_fmap *in, hx_fmap *out, int k, int stride, int pad,
                     hx_threadpool *pool, hx_error *err);
void hx_maxpool_ref(int n, int c, int h, int w, const float *in, int k, int stride, int pad,
                    float *out);

/* Global average pool: out[n*c] plain, the mean over h*w of each channel. */
void hx_global_avgpool(const hx_fmap *in, float *out);
void hx_global_avgpool_ref(int n, int c, int h, int w, const float *in, float *out);

/* Squeeze-excitation gate, per image: s = sigmoid(W2 relu(W1 pooled + b1) + b2)
 * with W1 [r, c], W2 [c, r] (1x1 convs). pooled [c] in, gate [c] out. */
void hx_se_gate(int c, int r, const float *pooled, const float *w1, const float *b1,
                const float *w2, const float *b2, float *gate);

/* x = act(x * gate[n][c] + residual): the end of an SE basic block, in place.
 * gate is [n][c]; residual has x's sizes (any pad). */
void hx_scale_add_act(hx_fmap *x, const float *gate, const hx_fmap *residual, bool relu,
                      hx_threadpool *pool);

HX_API_END
#endif
