/* Max pooling, global average pooling and the squeeze-excitation pieces on
 * blocked maps against their NCHW references, on odd sizes and negative
 * inputs (so that padding must never win a max). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helix/conv.h"
#include "helix/threads.h"

static uint32_t rng = 777u;
static float frand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return (float)(rng >> 8) * 0x1p-23f - 1.0f;
}

Test(pool, maxpool_matches_reference) {
    const int sizes[][4] = {{1, 16, 1, 1}, {2, 17, 7, 9}, {1, 64, 112, 112}, {1, 5, 2, 3}};
    hx_threadpool *pool;
    cr_assert_eq(hx_threadpool_create(2, &pool, NULL), HX_OK);
    for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++) {
        const int n = sizes[t][0], c = sizes[t][1], h = sizes[t][2], w = sizes[t][3];
        const size_t nin = (size_t)n * c * h * w;
        float *in = malloc(nin * sizeof(float));
        for (size_t i = 0; i < nin; i++) in[i] = frand() - 0.5f; /* mostly negative */
        const int oh = hx_conv_out_size(h, 3, 2, 1), ow = hx_conv_out_size(w, 3, 2, 1);
        const size_t nout = (size_t)n * c * oh * ow;
        float *ref = malloc(nout * sizeof(float)), *got = malloc(nout * sizeof(float));
        hx_maxpool_ref(n, c, h, w, in, 3, 2, 1, ref);
        hx_fmap fi, fo;
        cr_assert_eq(hx_fmap_alloc(&fi, n, c, h, w, 16, 1, NULL), HX_OK);
        cr_assert_eq(hx_fmap_alloc(&fo, n, c, oh, ow, 16, 1, NULL), HX_OK);
        hx_fmap_from_nchw(&fi, in);
        cr_assert_eq(hx_maxpool(&fi, &fo, 3, 2, 1, pool, NULL), HX_OK);
        hx_fmap_to_nchw(&fo, got);
        cr_assert(memcmp(ref, got, nout * sizeof(float)) == 0, "size %zu differs", t);
        /* an independent spot check: output (0,0) is the max of the top-left 2x2 */
        float m = in[0];
        if (w > 1 && in[1] > m) m = in[1];
        if (h > 1 && in[w] > m) m = in[w];
        if (h > 1 && w > 1 && in[w + 1] > m) m = in[w + 1];
        cr_assert_eq(got[0], m);
        hx_fmap_free(&fi);
        hx_fmap_free(&fo);
        free(in);
        free(ref);
        free(got);
    }
    hx_threadpool_destroy(pool);
}

Test(pool, global_avgpool_matches_reference) {
    const int n = 2, c = 37, h = 7, w = 5;
    const size_t nin = (size_t)n * c * h * w;
    float *in = malloc(nin * sizeof(float));
    for (size_t i = 0; i < nin; i++) in[i] = frand();
    float ref[2 * 37], got[2 * 37];
    hx_global_avgpool_ref(n, c, h, w, in, ref);
    hx_fmap fi;
    cr_assert_eq(hx_fmap_alloc(&fi, n, c, h, w, 16, 1, NULL), HX_OK);
    hx_fmap_from_nchw(&fi, in);
    hx_global_avgpool(&fi, got);
    for (int i = 0; i < n * c; i++) {
        double s = 0;
        for (int j = 0; j < h * w; j++) s += in[(size_t)i * h * w + j];
        cr_assert(fabsf(got[i] - ref[i]) < 1e-6f && fabs(got[i] - s / (h * w)) < 1e-6,
                  "channel %d: %g vs %g", i, got[i], ref[i]);
    }
    hx_fmap_free(&fi);
    free(in);
}

Test(se, gate_and_scale_add_relu) {
    /* c = 3, r = 2, hand-computed: hidden = relu(W1 p + b1), gate = sigmoid(W2 h + b2). */
    const float p[3] = {1, 2, 3};
    const float w1[6] = {1, 0, -1, 0.5f, 0.5f, 0.5f}, b1[2] = {0.5f, -1};
    const float w2[6] = {1, 0, 0, 1, -1, 2}, b2[3] = {0, 0.25f, 0};
    float g[3];
    hx_se_gate(3, 2, p, w1, b1, w2, b2, g);
    /* hidden = relu(1-3+0.5, 3-1) = (0, 2); logits = (0, 2.25, 4) */
    const float want[3] = {0.5f, 1.0f / (1.0f + expf(-2.25f)), 1.0f / (1.0f + expf(-4.0f))};
    for (int i = 0; i < 3; i++) cr_assert(fabsf(g[i] - want[i]) < 1e-6f, "gate %d", i);

    hx_fmap x, r;
    cr_assert_eq(hx_fmap_alloc(&x, 1, 3, 2, 3, 16, 1, NULL), HX_OK);
    cr_assert_eq(hx_fmap_alloc(&r, 1, 3, 2, 3, 16, 0, NULL), HX_OK);
    float xv[18], rv[18], out[18];
    for (int i = 0; i < 18; i++) xv[i] = frand(), rv[i] = frand();
    hx_fmap_from_nchw(&x, xv);
    hx_fmap_from_nchw(&r, rv);
    hx_scale_add_act(&x, g, &r, true, NULL);
    hx_fmap_to_nchw(&x, out);
    for (int i = 0; i < 18; i++) {
        float v = xv[i] * g[i / 6] + rv[i];
        cr_assert_eq(out[i], v < 0 ? 0.0f : v, "element %d", i);
    }
    hx_fmap_free(&x);
    hx_fmap_free(&r);
}
