/* "No allocation per inference" for SE-ResNet, measured as tests/test_bert_alloc.c
 * does for BERT: with a session (whose workspace holds the feature maps, the
 * SE vectors and the convs' Winograd scratch) and a thread pool made
 * beforehand, forwards allocate nothing. The allocator is replaced by
 * counting forwarders to glibc's own (not under AddressSanitizer, which owns
 * malloc). */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helix/conv.h"
#include "helix/cpu.h"
#include "helix/seresnet.h"
#include "seresnet_gen.h"

#include "alloc_counter.h"

/* The tiny [1,1,1,1] SE-ResNet of tests/test_seresnet.c, 3 classes. */
static hx_seresnet *tiny_model(void) {
    static gen_model g;
    const int layers[4] = {1, 1, 1, 1};
    gen_model_make(&g, 7, layers, 3);
    hx_tensor_source src = gen_source(&g);
    hx_seresnet_config cfg = {{1, 1, 1, 1}, true, 3};
    hx_seresnet *m = NULL;
    hx_error err;
    cr_assert_eq(hx_seresnet_create(&cfg, &src, &m, &err), HX_OK, "%s", err.msg);
    gen_model_free(&g);
    return m;
}

static float *synthetic_input(int n, int h, int w) {
    float *x = malloc(sizeof(float) * 3 * (size_t)n * h * w);
    gen_model r = {.x = 99};
    for (size_t i = 0; i < (size_t)3 * n * h * w; i++) x[i] = gen_next(&r, 2.0f);
    return x;
}

Test(seresnet_alloc, session_forwards_allocate_nothing) {
#if !defined(HX_MALLOC_COUNT)
    cr_skip_test("allocation counting needs glibc without AddressSanitizer");
#else
    hx_error err;
    cr_assert_eq(hx_isa_init(&err), HX_OK, "%s", err.msg);
    hx_seresnet *m = tiny_model();
    hx_threadpool *pool;
    cr_assert_eq(hx_threadpool_create(2, &pool, NULL), HX_OK);

    /* The counter itself: the allocating forward is seen. */
    float *x = synthetic_input(2, 64, 64), want[2 * 3], got[2 * 3];
    count_from_zero();
    cr_assert_eq(hx_seresnet_forward(m, 2, 64, 64, x, want, pool, &err), HX_OK, "%s", err.msg);
    stop_counting();
    cr_assert_geq(counted(), 1, "the allocation counter saw nothing");

    /* 64 x 64 gives layer1 16 Winograd tiles per image: both conv algorithms run. */
    hx_seresnet_session *s;
    cr_assert_eq(hx_seresnet_session_create(m, 2, 64, 64, pool, &s, &err), HX_OK, "%s", err.msg);
    cr_assert_geq(hx_seresnet_session_bytes(s), hx_seresnet_workspace_size(m, 2, 64, 64, 2));
    float *small = synthetic_input(1, 40, 56), small_want[3], small_got[3];
    cr_assert_eq(hx_seresnet_forward(m, 1, 40, 56, small, small_want, NULL, &err), HX_OK, "%s", err.msg);
    count_from_zero();
    for (int rep = 0; rep < 3; rep++) {
        cr_assert_eq(hx_seresnet_session_forward(s, 2, 64, 64, x, got, &err), HX_OK, "%s", err.msg);
        cr_assert(memcmp(got, want, sizeof got) == 0, "session forward %d differs from hx_seresnet_forward", rep);
        /* a smaller batch and image in the same workspace, after a larger one */
        cr_assert_eq(hx_seresnet_session_forward(s, 1, 40, 56, small, small_got, &err), HX_OK, "%s", err.msg);
        cr_assert(memcmp(small_got, small_want, sizeof small_got) == 0, "smaller input %d differs", rep);
    }
    stop_counting();
    cr_expect_eq(counted(), 0, "%ld allocations in six session forwards", counted());

    /* Past the session's maxima is refused, not overrun. */
    cr_assert_eq(hx_seresnet_session_forward(s, 3, 64, 64, x, got, &err), HX_EINVAL);
    cr_assert_eq(hx_seresnet_session_forward(s, 1, 65, 64, x, got, &err), HX_EINVAL);
    free(x);
    free(small);
    hx_seresnet_session_free(s);
    hx_threadpool_destroy(pool);
    hx_seresnet_free(m);
#endif
}

/* A caller's workspace too small for the forward is refused, not overrun;
 * an exact one, at any alignment, gives hx_seresnet_forward's bits. */
Test(seresnet_alloc, small_workspace_is_refused) {
    hx_seresnet *m = tiny_model();
    hx_error err;
    float *x = synthetic_input(1, 64, 64), want[3], got[3];
    cr_assert_eq(hx_seresnet_forward(m, 1, 64, 64, x, want, NULL, &err), HX_OK, "%s", err.msg);
    const size_t need = hx_seresnet_workspace_size(m, 1, 64, 64, 1);
    cr_assert(need > 0 && need < SIZE_MAX);
    cr_assert_eq(hx_seresnet_workspace_size(m, 0, 64, 64, 1), 0);
    char *buf = malloc(need + 8);
    hx_seresnet_workspace ws = {buf + 8, need - 1};
    cr_assert_eq(hx_seresnet_forward_ws(m, 1, 64, 64, x, got, &ws, NULL, &err), HX_EINVAL);
    cr_assert(strstr(err.msg, "workspace"), "%s", err.msg);
    ws.bytes = need;
    cr_assert_eq(hx_seresnet_forward_ws(m, 1, 64, 64, x, got, &ws, NULL, &err), HX_OK, "%s", err.msg);
    cr_assert(memcmp(got, want, sizeof got) == 0);
    free(buf);
    free(x);
    hx_seresnet_free(m);

    /* The conv layer alone: a Winograd conv refuses a short workspace. */
    const hx_conv_shape cs = {16, 16, 3, 1, 1};
    float w[16 * 16 * 9] = {0};
    hx_conv *conv;
    cr_assert_eq(hx_conv_create(&cs, 16, w, NULL, &conv, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_conv_set_algo(conv, HX_CONV_WINOGRAD, &err), HX_OK, "%s", err.msg);
    const size_t cneed = hx_conv_workspace_size(conv, 1, 8, 8, 1);
    cr_assert(cneed > 0 && cneed < SIZE_MAX);
    hx_fmap in, out;
    cr_assert_eq(hx_fmap_alloc(&in, 1, 16, 8, 8, 16, 1, NULL), HX_OK);
    cr_assert_eq(hx_fmap_alloc(&out, 1, 16, 8, 8, 16, 1, NULL), HX_OK);
    char *cbuf = malloc(cneed);
    hx_conv_workspace cws = {cbuf, cneed - 1};
    cr_assert_eq(hx_conv_forward(conv, &in, &out, NULL, false, &cws, NULL, &err), HX_EINVAL);
    cr_assert(strstr(err.msg, "workspace"), "%s", err.msg);
    cws.bytes = cneed;
    cr_assert_eq(hx_conv_forward(conv, &in, &out, NULL, false, &cws, NULL, &err), HX_OK, "%s", err.msg);
    free(cbuf);
    hx_fmap_free(&in);
    hx_fmap_free(&out);
    hx_conv_free(conv);
}
