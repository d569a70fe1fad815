/* Blocked feature maps, weight packing and the threaded convolutions.
 *
 * Direct convolution: one task per (image, output-channel tile of 32, output
 * row); the ISA's row kernel (conv_row_tmpl.h) does the math.
 *
 * Winograd F(4x4, 3x3) for 3x3 stride-1 pad-1 layers: Y = A^T [ (G g G^T) . (B^T d B) ] A
 * per 4x4 output tile, i.e. 36 multiplies per tile and channel pair instead of
 * 144. Three steps: transform every 6x6 input tile (tasks: image, channel
 * block, tile row); 36 independent channel-mixing products, each a 1x1 conv
 * over the tiles run by the same row kernel; inverse transform with the
 * epilogue (tasks: image, output-channel tile, chunk of tiles). Its weights
 * are 4x larger, so it is built only for layers whose transformed weights
 * stay under WINO_MAX_BYTES, and used when an image batch has enough tiles
 * to reuse them.
 *
 * Every split depends only on the layer's sizes, and each task writes its own
 * outputs with a fixed summation order, so any thread count gives the same
 * bits. */
#include "helix/conv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/dispatch.h"

static int ceil_div(int a, int b) { return (a + b - 1) / b; }

size_t hx_fmap_floats(int n, int c, int h, int w, int cb, int pad) {
    if (n <= 0 || c <= 0 || h <= 0 || w <= 0 || cb <= 0 || cb > HX_CONV_CB || pad < 0 ||
        pad > 64)
        return 0;
    const uint64_t hp = (uint64_t)h + 2u * (uint64_t)pad, wp = (uint64_t)w + 2u * (uint64_t)pad;
    const uint64_t nb = (uint64_t)ceil_div(c, cb);
    /* Each factor is < 2^31, so check products one at a time. */
    uint64_t total = (uint64_t)n;
    const uint64_t f[4] = {nb, hp, wp, (uint64_t)cb};
    for (int i = 0; i < 4; i++) {
        if (total > (SIZE_MAX / 4) / f[i]) return 0;
        total *= f[i];
    }
    return (size_t)total;
}

hx_status hx_fmap_alloc(hx_fmap *m, int n, int c, int h, int w, int cb, int pad, hx_error *err) {
    memset(m, 0, sizeof *m);
    const size_t floats = hx_fmap_floats(n, c, h, w, cb, pad);
    if (!floats)
        return hx_fail(err, HX_ERANGE, "feature map %dx%dx%dx%d (block %d, pad %d) is empty or too large",
                       n, c, h, w, cb, pad);
    const size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
    float *d = aligned_alloc(64, bytes);
    if (!d) return hx_fail(err, HX_ENOMEM, "out of memory for a %zu-byte feature map", bytes);
    memset(d, 0, bytes);
    *m = (hx_fmap){.n = n, .c = c, .h = h, .w = w, .cb = cb, .pad = pad, .data = d};
    return HX_OK;
}

void hx_fmap_free(hx_fmap *m) {
    if (!m) return;
    free(m->data);
    m->data = NULL;
}

/* Floats between consecutive rows / channel blocks / images. */
static size_t row_stride(const hx_fmap *m) { return (size_t)(m->w + 2 * m->pad) * (size_t)m->cb; }
static size_t cb_stride(const hx_fmap *m) { return row_stride(m) * (size_t)(m->h + 2 * m->pad); }
static size_t img_stride(const hx_fmap *m) { return cb_stride(m) * (size_t)ceil_div(m->c, m->cb); }

float *hx_fmap_at(const hx_fmap *m, int n, int c, int y, int x) {
    return m->data + (size_t)n * img_stride(m) + (size_t)(c / m->cb) * cb_stride(m) +
           (size_t)(y + m->pad) * row_stride(m) + (size_t)(x + m->pad) * (size_t)m->cb +
           (size_t)(c % m->cb);
}

void hx_fmap_from_nchw(hx_fmap *m, const float *src) {
    for (int n = 0; n < m->n; n++)
        for (int c = 0; c < m->c; c++)
            for (int y = 0; y < m->h; y++) {
                float *d = hx_fmap_at(m, n, c, y, 0);
                const float *s = src + (((size_t)n * m->c + c) * m->h + y) * m->w;
                for (int x = 0; x < m->w; x++) d[(size_t)x * m->cb] = s[x];
            }
}

void hx_fmap_to_nchw(const hx_fmap *m, float *dst) {
    for (int n = 0; n < m->n; n++)
        for (int c = 0; c < m->c; c++)
            for (int y = 0; y < m->h; y++) {
                const float *s = hx_fmap_at(m, n, c, y, 0);
                float *d = dst + (((size_t)n * m->c + c) * m->h + y) * m->w;
                for (int x = 0; x < m->w; x++) d[x] = s[(size_t)x * m->cb];
            }
}

int hx_conv_out_size(int in, int k, int stride, int pad) {
    if (in <= 0 || k <= 0 || stride <= 0 || pad < 0) return 0;
    const long span = (long)in + 2L * pad - k;
    return span < 0 ? 0 : (int)(span / stride + 1);
}

#define WINO_MAX_BYTES ((size_t)16 << 20)
#define WINO_MIN_TILES 16 /* tiles per batch below which direct conv wins */
#define WINO_CHUNK 64     /* at most this many tiles per product task */

struct hx_conv {
    hx_conv_shape shape;
    int in_cb, n_icb, n_ocb, n_tiles;
    size_t tile_floats; /* packed weights per 32-channel tile */
    float *w;           /* [tile][icb][ky][kx][in_cb][oct], oct = 32 (16 for an odd last block) */
    float *bias;        /* [n_ocb * 16], zero past out_c */
    float *wino;        /* [tile][36][icb][16][oct]: G g G^T, or NULL */
    size_t wino_tile_floats;
    hx_conv_algo algo;
};

static const float zeros32[32];

/* Output channels held by tile t: 32, or 16 for the last tile of an odd count. */
static int tile_oct(const hx_conv *c, int t) {
    return (t == c->n_tiles - 1 && c->n_ocb % 2) ? 16 : 32;
}

hx_status hx_conv_create(const hx_conv_shape *s, int in_cb, const float *w_oihw,
                         const float *bias, hx_conv **out, hx_error *err) {
    *out = NULL;
    if (s->in_c <= 0 || s->out_c <= 0 || s->k <= 0 || s->k > 15 || s->stride <= 0 ||
        s->stride > 8 || s->pad < 0 || s->pad >= s->k || in_cb <= 0 || in_cb > HX_CONV_CB ||
        s->in_c > (1 << 16) || s->out_c > (1 << 16))
        return hx_fail(err, HX_EINVAL, "unsupported conv shape %d->%d k%d s%d p%d (input block %d)",
                       s->in_c, s->out_c, s->k, s->stride, s->pad, in_cb);
    hx_conv *c = calloc(1, sizeof *c);
    if (!c) return hx_fail(err, HX_ENOMEM, "out of memory for a conv layer");
    c->shape = *s;
    c->in_cb = in_cb;
    c->n_icb = ceil_div(s->in_c, in_cb);
    c->n_ocb = ceil_div(s->out_c, HX_CONV_CB);
    c->n_tiles = ceil_div(c->n_ocb, 2);
    const int k = s->k;
    c->tile_floats = (size_t)c->n_icb * k * k * in_cb * 32;
    c->w = aligned_alloc(64, ((size_t)c->n_tiles * c->tile_floats * sizeof(float) + 63) / 64 * 64);
    c->bias = aligned_alloc(64, (size_t)c->n_ocb * HX_CONV_CB * sizeof(float) + 64);
    if (!c->w || !c->bias) {
        hx_conv_free(c);
        return hx_fail(err, HX_ENOMEM, "out of memory packing a %d->%d conv", s->in_c, s->out_c);
    }
    memset(c->bias, 0, (size_t)c->n_ocb * HX_CONV_CB * sizeof(float));
    for (int o = 0; o < s->out_c; o++) c->bias[o] = bias ? bias[o] : 0.0f;
    for (int t = 0; t < c->n_tiles; t++) {
        const int oct = tile_oct(c, t);
        float *p = c->w + (size_t)t * c->tile_floats;
        for (int icb = 0; icb < c->n_icb; icb++)
            for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++)
                    for (int ii = 0; ii < in_cb; ii++)
                        for (int oo = 0; oo < oct; oo++) {
                            const int i = icb * in_cb + ii, o = t * 32 + oo;
                            *p++ = (i < s->in_c && o < s->out_c)
                                       ? w_oihw[(((size_t)o * s->in_c + i) * k + ky) * k + kx]
                                       : 0.0f;
                        }
    }
    c->algo = HX_CONV_AUTO;
    const size_t wino_floats = (size_t)c->n_tiles * 36 * c->n_icb * 16 * 32;
    if (k == 3 && s->stride == 1 && s->pad == 1 && in_cb == HX_CONV_CB &&
        wino_floats * sizeof(float) <= WINO_MAX_BYTES) {
        c->wino_tile_floats = (size_t)36 * c->n_icb * 16 * 32;
        c->wino = aligned_alloc(64, wino_floats * sizeof(float));
        if (!c->wino) {
            hx_conv_free(c);
            return hx_fail(err, HX_ENOMEM, "out of memory for Winograd weights of a %d->%d conv",
                           s->in_c, s->out_c);
        }
        /* U = G g G^T in double, G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6;
         * 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]. */
        static const double G[6][3] = {{0.25, 0, 0},          {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                       {-1.0 / 6, 1.0 / 6, -1.0 / 6}, {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                       {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}};
        memset(c->wino, 0, wino_floats * sizeof(float));
        for (int o = 0; o < s->out_c; o++) {
            const int t = o / 32, oo = o % 32, oct = tile_oct(c, t);
            float *tile = c->wino + (size_t)t * c->wino_tile_floats;
            for (int i = 0; i < s->in_c; i++) {
                const float *g = w_oihw + ((size_t)o * s->in_c + i) * 9;
                double gg[6][3]; /* G g */
                for (int r = 0; r < 6; r++)
                    for (int b = 0; b < 3; b++)
                        gg[r][b] = G[r][0] * g[b] + G[r][1] * g[3 + b] + G[r][2] * g[6 + b];
                for (int r = 0; r < 6; r++)
                    for (int q = 0; q < 6; q++) { /* (G g) G^T, stored at [xi][i][oo] */
                        const double u = gg[r][0] * G[q][0] + gg[r][1] * G[q][1] + gg[r][2] * G[q][2];
                        tile[((size_t)(6 * r + q) * c->n_icb * 16 + i) * oct + oo] = (float)u;
                    }
            }
        }
    }
    *out = c;
    return HX_OK;
}

hx_status hx_conv_set_algo(hx_conv *c, hx_conv_algo algo, hx_error *err) {
    if (algo == HX_CONV_WINOGRAD && !c->wino)
        return hx_fail(err, HX_EUNSUPPORTED, "this conv has no Winograd weights (3x3 stride 1 pad 1 only)");
    c->algo = algo;
    return HX_OK;
}

void hx_conv_free(hx_conv *c) {
    if (!c) return;
    free(c->wino);
    free(c->w);
    free(c->bias);
    free(c);
}

const hx_conv_shape *hx_conv_get_shape(const hx_conv *c) { return &c->shape; }

typedef struct {
    const hx_conv *c;
    const hx_fmap *in, *res;
    hx_fmap *out;
    int relu, oh, ow;
    hx_conv_row_fn row;
} conv_job;

static void conv_task(void *ctx, size_t task, int thread) {
    (void)thread;
    const conv_job *j = ctx;
    const hx_conv *c = j->c;
    const int y = (int)(task % (size_t)j->oh);
    const int t = (int)(task / (size_t)j->oh % (size_t)c->n_tiles);
    const int n = (int)(task / ((size_t)j->oh * c->n_tiles));
    const hx_conv_shape *s = &c->shape;
    const int off = j->in->pad - s->pad; /* where tap (0,0) of pixel 0 sits in the padded input */
    hx_conv_row_args a = {
        .in = j->in->data + (size_t)n * img_stride(j->in) +
              (size_t)(y * s->stride + off) * row_stride(j->in) + (size_t)off * j->in->cb,
        .in_cb_stride = cb_stride(j->in),
        .in_row_stride = row_stride(j->in),
        .in_cb = j->in->cb,
        .n_icb = c->n_icb,
        .k = s->k,
        .stride = s->stride,
        .w = c->w + (size_t)t * c->tile_floats,
        .oct = tile_oct(c, t),
        .bias = c->bias + (size_t)t * 32,
        .out = hx_fmap_at(j->out, n, t * 32, y, 0),
        .out_cb_stride = cb_stride(j->out),
        .res = j->res ? hx_fmap_at(j->res, n, t * 32, y, 0) : NULL,
        .res_cb_stride = j->res ? cb_stride(j->res) : 0,
        .relu = j->relu,
        .npix = j->ow,
    };
    j->row(&a);
}

typedef struct {
    const hx_conv *c;
    const hx_fmap *in, *res;
    hx_fmap *out;
    int relu, oh, ow, tiles_y, tiles_x, ntiles, n_chunks;
    float *v;       /* [n][36][icb][tile][16] */
    float *m;       /* per thread: [36][2][WINO_CHUNK][16] */
    const hx_kernels *k;
} wino_job;

/* Step 1: task = (image, input block, tile row). */
static void wino_in_task(void *ctx, size_t task, int thread) {
    (void)thread;
    const wino_job *j = ctx;
    const hx_fmap *in = j->in;
    const int ty = (int)(task % (size_t)j->tiles_y);
    const int icb = (int)(task / (size_t)j->tiles_y % (size_t)j->c->n_icb);
    const int n = (int)(task / ((size_t)j->tiles_y * j->c->n_icb));
    const size_t v_stride = (size_t)j->c->n_icb * j->ntiles * 16;
    const size_t rs = row_stride(in);
    float local[6 * 6 * 16];
    for (int tx = 0; tx < j->tiles_x; tx++) {
        const int y0 = 4 * ty - 1, x0 = 4 * tx - 1; /* window origin in image coordinates */
        float *v = j->v + (((size_t)n * 36 * j->c->n_icb + icb) * j->ntiles + (size_t)ty * j->tiles_x + tx) * 16;
        if (y0 + 6 <= in->h + in->pad && x0 + 6 <= in->w + in->pad) {
            j->k->conv.wino_in(hx_fmap_at(in, n, icb * 16, y0, x0), rs, v, v_stride);
        } else { /* the window leaves the buffer: gather the image part, zeros elsewhere */
            memset(local, 0, sizeof local);
            for (int r = 0; r < 6; r++)
                for (int q = 0; q < 6; q++) {
                    const int y = y0 + r, x = x0 + q;
                    if (y >= 0 && y < in->h && x >= 0 && x < in->w)
                        memcpy(local + (r * 6 + q) * 16, hx_fmap_at(in, n, icb * 16, y, x), 16 * sizeof(float));
                }
            j->k->conv.wino_in(local, 6 * 16, v, v_stride);
        }
    }
}

/* Steps 2 and 3: task = (image, output tile of 32 channels, chunk of tiles). */
static void wino_out_task(void *ctx, size_t task, int thread) {
    const wino_job *j = ctx;
    const hx_conv *c = j->c;
    const int chunk = (int)(task % (size_t)j->n_chunks);
    const int t = (int)(task / (size_t)j->n_chunks % (size_t)c->n_tiles);
    const int n = (int)(task / ((size_t)j->n_chunks * c->n_tiles));
    const int t0 = (int)((long)j->ntiles * chunk / j->n_chunks);
    const int ct = (int)((long)j->ntiles * (chunk + 1) / j->n_chunks) - t0;
    const int oct = tile_oct(c, t);
    float *m = j->m + (size_t)thread * 36 * 2 * WINO_CHUNK * 16;
    const size_t m_stride = (size_t)2 * ct * 16; /* between positions */
    for (int xi = 0; xi < 36; xi++) {
        hx_conv_row_args a = {
            .in = j->v + (((size_t)n * 36 + xi) * c->n_icb * j->ntiles + t0) * 16,
            .in_cb_stride = (size_t)j->ntiles * 16,
            .in_row_stride = 0,
            .in_cb = 16,
            .n_icb = c->n_icb,
            .k = 1,
            .stride = 1,
            .w = c->wino + (size_t)t * c->wino_tile_floats + (size_t)xi * c->n_icb * 16 * oct,
            .oct = oct,
            .bias = zeros32,
            .out = m + (size_t)xi * m_stride,
            .out_cb_stride = (size_t)ct * 16,
            .res = NULL,
            .relu = 0,
            .npix = ct,
        };
        j->k->conv.row(&a);
    }
    for (int i = 0; i < ct; i++) {
        const int tile = t0 + i, ty = tile / j->tiles_x, tx = tile % j->tiles_x;
        const int rows = j->oh - 4 * ty < 4 ? j->oh - 4 * ty : 4;
        const int cols = j->ow - 4 * tx < 4 ? j->ow - 4 * tx : 4;
        for (int b = 0; b < oct / 16; b++) {
            const int ch = t * 32 + b * 16;
            j->k->conv.wino_out(m + ((size_t)b * ct + i) * 16, m_stride, c->bias + ch,
                     hx_fmap_at(j->out, n, ch, 4 * ty, 4 * tx), row_stride(j->out),
                     j->res ? hx_fmap_at(j->res, n, ch, 4 * ty, 4 * tx) : NULL,
                     j->res ? row_stride(j->res) : 0, j->relu, rows, cols);
        }
    }
}

/* Winograd scratch: the transformed input tiles v, then one product buffer
 * m per thread; bytes include the slack to align an unaligned workspace. */
static size_t wino_v_floats(const hx_conv *c, int n, int ntiles) {
    return (size_t)n * 36 * c->n_icb * (size_t)ntiles * 16;
}
static size_t wino_bytes(const hx_conv *c, int n, int ntiles, int threads) {
    const size_t v_bytes = (wino_v_floats(c, n, ntiles) * sizeof(float) + 63) / 64 * 64;
    return 64 + v_bytes + (size_t)threads * 36 * 2 * WINO_CHUNK * 16 * sizeof(float);
}

/* The algorithm hx_conv_forward picks for an output of oh x ow. */
static bool use_wino(const hx_conv *c, int n, int oh, int ow) {
    return c->wino && c->algo != HX_CONV_DIRECT &&
           (c->algo == HX_CONV_WINOGRAD || (size_t)n * ((oh + 3) / 4) * ((ow + 3) / 4) >= WINO_MIN_TILES);
}

size_t hx_conv_workspace_size(const hx_conv *c, int n, int in_h, int in_w, int threads) {
    const hx_conv_shape *s = &c->shape;
    const int oh = hx_conv_out_size(in_h, s->k, s->stride, s->pad);
    const int ow = hx_conv_out_size(in_w, s->k, s->stride, s->pad);
    if (n <= 0 || oh <= 0 || ow <= 0 || !use_wino(c, n, oh, ow)) return 0;
    if (n > 4096 || oh > 16384 || ow > 16384) return SIZE_MAX; /* keeps the products below in range */
    return wino_bytes(c, n, ((oh + 3) / 4) * ((ow + 3) / 4), threads < 1 ? 1 : threads);
}

static hx_status wino_forward(const hx_conv *c, const hx_fmap *in, hx_fmap *out,
                              const hx_fmap *res, bool relu, const hx_conv_workspace *ws,
                              hx_threadpool *pool, hx_error *err) {
    wino_job j = {.c = c, .in = in, .res = res, .out = out, .relu = relu, .oh = out->h, .ow = out->w,
                  .k = hx_kernels_active()};
    j.tiles_y = (out->h + 3) / 4;
    j.tiles_x = (out->w + 3) / 4;
    j.ntiles = j.tiles_y * j.tiles_x;
    j.n_chunks = (j.ntiles + WINO_CHUNK - 1) / WINO_CHUNK;
    const size_t v_floats = wino_v_floats(c, in->n, j.ntiles);
    const int threads = hx_threadpool_size(pool);
    void *owned = NULL;
    if (ws) {
        const size_t need = wino_bytes(c, in->n, j.ntiles, threads);
        if (!ws->data || ws->bytes < need)
            return hx_fail(err, HX_EINVAL,
                           "conv: the workspace holds %zu bytes, this layer needs %zu (hx_conv_workspace_size)",
                           ws->data ? ws->bytes : 0, need);
        const uintptr_t base = ((uintptr_t)ws->data + 63) / 64 * 64;
        j.v = (float *)base;
        j.m = j.v + (v_floats * sizeof(float) + 63) / 64 * 64 / sizeof(float);
    } else {
        j.v = aligned_alloc(64, (v_floats * sizeof(float) + 63) / 64 * 64);
        j.m = aligned_alloc(64, (size_t)threads * 36 * 2 * WINO_CHUNK * 16 * sizeof(float));
        if (!j.v || !j.m) {
            free(j.v);
            free(j.m);
            return hx_fail(err, HX_ENOMEM, "out of memory for Winograd tiles of a %dx%d map", in->h, in->w);
        }
        owned = j.v;
    }
    hx_parallel_for(pool, (size_t)in->n * c->n_icb * j.tiles_y, wino_in_task, &j);
    hx_parallel_for(pool, (size_t)in->n * c->n_tiles * j.n_chunks, wino_out_task, &j);
    if (owned) {
        free(j.v);
        free(j.m);
    }
    return HX_OK;
}

hx_status hx_conv_forward(const hx_conv *c, const hx_fmap *in, hx_fmap *out,
                          const hx_fmap *residual, bool relu, const hx_conv_workspace *ws,
                          hx_threadpool *pool, hx_error *err) {
    const hx_conv_shape *s = &c->shape;
    const int oh = hx_conv_out_size(in->h, s->k, s->stride, s->pad);
    const int ow = hx_conv_out_size(in->w, s->k, s->stride, s->pad);
    if (in->c != s->in_c || in->cb != c->in_cb || in->pad < s->pad)
        return hx_fail(err, HX_EINVAL, "conv input has %d channels (block %d, pad %d), layer wants %d (block %d, pad >= %d)",
                       in->c, in->cb, in->pad, s->in_c, c->in_cb, s->pad);
    if (oh <= 0 || ow <= 0 || out->n != in->n || out->c != s->out_c || out->h != oh ||
        out->w != ow || out->cb != HX_CONV_CB)
        return hx_fail(err, HX_EINVAL, "conv output map is %dx%dx%dx%d, expected %dx%dx%dx%d",
                       out->n, out->c, out->h, out->w, in->n, s->out_c, oh, ow);
    if (residual && (residual->n != out->n || residual->c != out->c || residual->h != oh ||
                     residual->w != ow || residual->cb != HX_CONV_CB))
        return hx_fail(err, HX_EINVAL, "conv residual map does not match the output");
    if (use_wino(c, in->n, oh, ow)) return wino_forward(c, in, out, residual, relu, ws, pool, err);
    conv_job j = {.c = c, .in = in, .res = residual, .out = out, .relu = relu, .oh = oh, .ow = ow,
                  .row = hx_kernels_active()->conv.row};
    hx_parallel_for(pool, (size_t)in->n * c->n_tiles * oh, conv_task, &j);
    return HX_OK;
}
