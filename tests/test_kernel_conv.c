/* Every conv path (scalar blocked, AVX2, AVX-512, NEON) against the NCHW
 * specification hx_conv2d_ref, on the network's kernel shapes with odd sizes:
 * 1x1 images, channel counts that are not multiples of the 16-block, odd
 * widths, the 3-channel stem input; plus thread-count bit-identity. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helix/conv.h"
#include "helix/cpu.h"
#include "helix/threads.h"

static uint32_t rng = 12345u;
static float frand(void) { /* xorshift32 in [-1, 1) */
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return (float)(rng >> 8) * 0x1p-23f - 1.0f;
}
static void fill(float *p, size_t n, float scale) {
    for (size_t i = 0; i < n; i++) p[i] = frand() * scale;
}

typedef struct {
    int n, in_c, out_c, h, w, k, stride, pad, in_cb, residual, relu;
} conv_case;

static const conv_case cases[] = {
    /* n  ic  oc   h   w  k  s  p  cb res relu */
    {1, 3, 64, 23, 17, 7, 2, 3, 3, 0, 1},     /* stem: 3-channel input block */
    {2, 3, 20, 9, 11, 7, 2, 3, 3, 0, 1},
    {1, 16, 16, 1, 1, 3, 1, 1, 16, 1, 1},     /* 1x1 image */
    {1, 17, 33, 5, 7, 3, 1, 1, 16, 1, 1},     /* channels past a block, odd width */
    {2, 64, 64, 13, 15, 3, 1, 1, 16, 1, 0},
    {1, 40, 48, 9, 29, 3, 1, 1, 16, 0, 1},    /* wide row: several tiles */
    {1, 64, 128, 14, 13, 3, 2, 1, 16, 0, 1},  /* 3x3 stride 2 */
    {1, 5, 7, 1, 1, 3, 2, 1, 16, 0, 0},
    {1, 64, 128, 14, 13, 1, 2, 0, 16, 0, 0},  /* 1x1 stride 2 (downsample) */
    {2, 31, 47, 7, 7, 1, 1, 0, 16, 1, 1},     /* 1x1 stride 1 */
    {1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0},
    {2, 32, 40, 37, 35, 3, 1, 1, 16, 1, 1},   /* Winograd: 90 tiles, 2 chunks, ragged edges */
    {1, 128, 96, 14, 14, 3, 1, 1, 16, 0, 1},
};

/* Runs case c on the active ISA with the given pool; returns NCHW output. */
static float *run_blocked(const conv_case *c, const float *in, const float *w, const float *b,
                          const float *res, hx_threadpool *pool, hx_conv_algo algo, int *oh, int *ow) {
    hx_conv_shape s = {c->in_c, c->out_c, c->k, c->stride, c->pad};
    *oh = hx_conv_out_size(c->h, c->k, c->stride, c->pad);
    *ow = hx_conv_out_size(c->w, c->k, c->stride, c->pad);
    hx_conv *conv;
    hx_error e;
    cr_assert_eq(hx_conv_create(&s, c->in_cb, w, b, &conv, &e), HX_OK, "%s", e.msg);
    cr_assert_eq(hx_conv_set_algo(conv, algo, &e), HX_OK, "%s", e.msg);
    hx_fmap fi, fo, fr;
    cr_assert_eq(hx_fmap_alloc(&fi, c->n, c->in_c, c->h, c->w, c->in_cb, c->pad + 1, NULL), HX_OK);
    cr_assert_eq(hx_fmap_alloc(&fo, c->n, c->out_c, *oh, *ow, 16, 1, NULL), HX_OK);
    cr_assert_eq(hx_fmap_alloc(&fr, c->n, c->out_c, *oh, *ow, 16, 2, NULL), HX_OK);
    hx_fmap_from_nchw(&fi, in);
    if (res) hx_fmap_from_nchw(&fr, res);
    /* An exactly sized workspace, misaligned by 4 bytes: the call aligns inside it. */
    const size_t ws_bytes = hx_conv_workspace_size(conv, c->n, c->h, c->w, hx_threadpool_size(pool));
    cr_assert_neq(ws_bytes, SIZE_MAX);
    char *ws_buf = malloc(ws_bytes + 4);
    hx_conv_workspace ws = {ws_buf + 4, ws_bytes};
    cr_assert_eq(hx_conv_forward(conv, &fi, &fo, res ? &fr : NULL, c->relu, ws_bytes ? &ws : NULL, pool, &e),
                 HX_OK, "%s", e.msg);
    free(ws_buf);
    /* The border and padding channels must still be zero. */
    const int nb = (c->out_c + 15) / 16;
    for (int n = 0; n < c->n; n++)
        for (int blk = 0; blk < nb; blk++)
            for (int y = -1; y <= *oh; y++)
                for (int x = -1; x <= *ow; x++)
                    for (int l = 0; l < 16; l++) {
                        const int ch = blk * 16 + l;
                        const int inside = y >= 0 && y < *oh && x >= 0 && x < *ow && ch < c->out_c;
                        if (!inside)
                            cr_assert(hx_fmap_at(&fo, n, blk * 16, y, x)[l] == 0.0f,
                                      "border or padding channel written at (%d,%d,%d)", ch, y, x);
                    }
    float *out = malloc(sizeof(float) * (size_t)c->n * c->out_c * *oh * *ow);
    hx_fmap_to_nchw(&fo, out);
    hx_fmap_free(&fi);
    hx_fmap_free(&fo);
    hx_fmap_free(&fr);
    hx_conv_free(conv);
    return out;
}

Test(conv, every_isa_matches_reference_on_odd_shapes) {
    hx_threadpool *pool;
    cr_assert_eq(hx_threadpool_create(3, &pool, NULL), HX_OK);
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        const conv_case *c = &cases[ci];
        const size_t nin = (size_t)c->n * c->in_c * c->h * c->w;
        const size_t nw = (size_t)c->out_c * c->in_c * c->k * c->k;
        float *in = malloc(sizeof(float) * nin), *w = malloc(sizeof(float) * nw);
        float *b = malloc(sizeof(float) * c->out_c);
        fill(in, nin, 1.0f);
        fill(w, nw, 1.0f / sqrtf((float)(c->in_c * c->k * c->k)));
        fill(b, (size_t)c->out_c, 0.5f);
        hx_conv_shape s = {c->in_c, c->out_c, c->k, c->stride, c->pad};
        const int oh = hx_conv_out_size(c->h, c->k, c->stride, c->pad);
        const int ow = hx_conv_out_size(c->w, c->k, c->stride, c->pad);
        const size_t nout = (size_t)c->n * c->out_c * oh * ow;
        float *res = NULL;
        if (c->residual) {
            res = malloc(sizeof(float) * nout);
            fill(res, nout, 1.0f);
        }
        float *ref = malloc(sizeof(float) * nout);
        hx_conv2d_ref(&s, c->n, c->h, c->w, in, w, b, res, c->relu, ref);
        const int wino_ok = c->k == 3 && c->stride == 1 && c->pad == 1 && c->in_cb == 16;
        for (int isa = 0; isa < HX_ISA_COUNT; isa++)
        for (int algo = HX_CONV_DIRECT; algo <= (wino_ok ? HX_CONV_WINOGRAD : HX_CONV_DIRECT); algo++) {
            if (!hx_isa_supported((hx_isa)isa)) continue;
            cr_assert_eq(hx_isa_set((hx_isa)isa, NULL), HX_OK);
            int h1, w1, h2, w2;
            float *o1 = run_blocked(c, in, w, b, res, NULL, (hx_conv_algo)algo, &h1, &w1);
            float *o3 = run_blocked(c, in, w, b, res, pool, (hx_conv_algo)algo, &h2, &w2);
            cr_assert_eq(h1, oh);
            cr_assert_eq(w1, ow);
            cr_assert(memcmp(o1, o3, sizeof(float) * nout) == 0,
                      "case %zu isa %s: 1 and 3 threads differ", ci, hx_isa_name((hx_isa)isa));
            for (size_t i = 0; i < nout; i++)
                cr_assert(fabsf(o1[i] - ref[i]) <= 1e-5f * (1.0f + fabsf(ref[i])) * sqrtf((float)(c->in_c * c->k * c->k)),
                          "case %zu isa %s algo %d: out[%zu] = %g, reference %g", ci,
                          hx_isa_name((hx_isa)isa), algo, i, o1[i], ref[i]);
            free(o1);
            free(o3);
        }
        free(in);
        free(w);
        free(b);
        free(res);
        free(ref);
    }
    hx_isa_set(hx_isa_best(), NULL);
    hx_threadpool_destroy(pool);
}

Test(conv, rejects_mismatched_maps) {
    hx_conv_shape s = {8, 16, 3, 1, 1};
    float w[16 * 8 * 9] = {0};
    hx_conv *conv;
    cr_assert_eq(hx_conv_create(&s, 16, w, NULL, &conv, NULL), HX_OK);
    hx_fmap in, out;
    cr_assert_eq(hx_fmap_alloc(&in, 1, 8, 5, 5, 16, 0, NULL), HX_OK); /* pad 0 < conv pad 1 */
    cr_assert_eq(hx_fmap_alloc(&out, 1, 16, 5, 5, 16, 1, NULL), HX_OK);
    hx_error e;
    cr_assert_eq(hx_conv_forward(conv, &in, &out, NULL, false, NULL, NULL, &e), HX_EINVAL);
    hx_fmap_free(&in);
    hx_fmap_free(&out);
    hx_conv_free(conv);
    hx_conv_shape bad = {8, 16, 3, 0, 1};
    cr_assert_eq(hx_conv_create(&bad, 16, w, NULL, &conv, NULL), HX_EINVAL);
    hx_conv_shape s2 = {8, 16, 3, 2, 1}; /* stride 2: no Winograd */
    cr_assert_eq(hx_conv_create(&s2, 16, w, NULL, &conv, NULL), HX_OK);
    cr_assert_eq(hx_conv_set_algo(conv, HX_CONV_WINOGRAD, NULL), HX_EUNSUPPORTED);
    hx_conv_free(conv);
}
