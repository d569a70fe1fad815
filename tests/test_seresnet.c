/* SE-ResNet against timm/PyTorch (tests/oracle/make_seresnet_fixtures.py):
 * a tiny [1,1,1,1] variant on synthetic inputs and the full SE-ResNet34 on two
 * real images, both with seeded weights made by bench/seresnet_gen.h. Every
 * ISA path must give probabilities within 1e-4 and the same argmax, and 1 and
 * 2 threads must give the same bits. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helix/cpu.h"
#include "helix/seresnet.h"
#include "helix/transformer_ops.h"
#include "seresnet_gen.h"

#if defined(__SANITIZE_ADDRESS__)
#define HX_SLOW_BUILD 1 /* the full model runs on the best ISA only */
#else
#define HX_SLOW_BUILD 0
#endif

/* Reads "TAG IDX p0 p1 p2" lines for one tag into probs[idx*3 + k]. */
static int read_probs(const char *file, const char *tag, float *probs, int max_rows) {
    char path[512], line[512];
    snprintf(path, sizeof path, "%s/seresnet/%s", HX_TEST_FIXTURES, file);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        char t[64];
        int idx;
        float p[3];
        if (sscanf(line, "%63s %d %f %f %f", t, &idx, &p[0], &p[1], &p[2]) != 5) continue;
        if (strcmp(t, tag) || idx < 0 || idx >= max_rows) continue;
        memcpy(probs + idx * 3, p, sizeof p);
        rows++;
    }
    fclose(f);
    return rows;
}

static int argmax3(const float *p) { return p[1] > p[0] ? (p[2] > p[1] ? 2 : 1) : (p[2] > p[0] ? 2 : 0); }

/* Runs the model on every supported ISA with 1 and 2 threads and checks
 * against want (n rows of 3 probabilities). */
static void check_all_paths(const hx_seresnet *m, int n, int h, int w, const float *x,
                            const float *want, int best_only) {
    hx_threadpool *pool;
    cr_assert_eq(hx_threadpool_create(2, &pool, NULL), HX_OK);
    float logits1[8 * 3], logits2[8 * 3], probs[3];
    for (int isa = 0; isa < HX_ISA_COUNT; isa++) {
        if (!hx_isa_supported((hx_isa)isa) || (best_only && isa != (int)hx_isa_best())) continue;
        cr_assert_eq(hx_isa_set((hx_isa)isa, NULL), HX_OK);
        hx_error e;
        cr_assert_eq(hx_seresnet_forward(m, n, h, w, x, logits1, NULL, &e), HX_OK, "%s", e.msg);
        cr_assert_eq(hx_seresnet_forward(m, n, h, w, x, logits2, pool, &e), HX_OK, "%s", e.msg);
        cr_assert(memcmp(logits1, logits2, sizeof(float) * 3 * n) == 0,
                  "isa %s: 1 and 2 threads differ", hx_isa_name((hx_isa)isa));
        float worst = 0.0f;
        for (int i = 0; i < n; i++) {
            hx_softmax_rows(1, 3, logits1 + 3 * i, 3, probs, 3);
            for (int k = 0; k < 3; k++) worst = fmaxf(worst, fabsf(probs[k] - want[3 * i + k]));
            for (int k = 0; k < 3; k++)
                cr_assert(fabsf(probs[k] - want[3 * i + k]) <= 1e-4f,
                          "isa %s image %d class %d: %.7f vs PyTorch %.7f", hx_isa_name((hx_isa)isa),
                          i, k, probs[k], want[3 * i + k]);
            cr_assert_eq(argmax3(probs), argmax3(want + 3 * i));
        }
        cr_log_info("isa %s: max |p - p_torch| = %.3g", hx_isa_name((hx_isa)isa), worst);
    }
    hx_isa_set(hx_isa_best(), NULL);
    hx_threadpool_destroy(pool);
}

Test(seresnet, tiny_matches_timm_on_every_isa) {
    static gen_model g;
    const int layers[4] = {1, 1, 1, 1};
    gen_model_make(&g, 1, layers, 3);
    hx_tensor_source src = gen_source(&g);
    hx_seresnet_config cfg = {{1, 1, 1, 1}, true, 3};
    hx_seresnet *m;
    hx_error e;
    cr_assert_eq(hx_seresnet_create(&cfg, &src, &m, &e), HX_OK, "%s", e.msg);
    const int n = 2, h = 40, w = 36;
    float *x = malloc(sizeof(float) * n * 3 * h * w);
    gen_model in = {.x = 99};
    for (int i = 0; i < n * 3 * h * w; i++) x[i] = gen_next(&in, 2.0f);
    float want[6];
    cr_assert_eq(read_probs("tiny_probs.txt", "tiny", want, 2), 2);
    check_all_paths(m, n, h, w, x, want, 0);
    free(x);
    hx_seresnet_free(m);
    gen_model_free(&g);
}

Test(seresnet, full_seresnet34_matches_timm_on_real_images) {
    static gen_model g;
    const int layers[4] = {3, 4, 6, 3};
    gen_model_make(&g, 7, layers, 3);
    hx_tensor_source src = gen_source(&g);
    hx_seresnet_config cfg = {{3, 4, 6, 3}, true, 3};
    hx_seresnet *m;
    hx_error e;
    cr_assert_eq(hx_seresnet_create(&cfg, &src, &m, &e), HX_OK, "%s", e.msg);
    gen_model_free(&g); /* the model holds packed copies */
    static const char *names[2] = {"tower", "lung"};
    static const float mean[3] = {0.485f, 0.456f, 0.406f}, std[3] = {0.229f, 0.224f, 0.225f};
    const int S = 224;
    float *x = malloc(sizeof(float) * 2 * 3 * S * S), want[6];
    unsigned char *u8 = malloc((size_t)S * S * 3);
    for (int i = 0; i < 2; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/seresnet/full_%s.u8", HX_TEST_FIXTURES, names[i]);
        FILE *f = fopen(path, "rb");
        cr_assert_not_null(f, "cannot open %s", path);
        cr_assert_eq(fread(u8, 1, (size_t)S * S * 3, f), (size_t)S * S * 3);
        fclose(f);
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < S * S; p++)
                x[((size_t)i * 3 + c) * S * S + p] = ((float)u8[(size_t)p * 3 + c] / 255.0f - mean[c]) / std[c];
        cr_assert_eq(read_probs("full_probs.txt", names[i], want + 3 * i, 1), 1);
    }
    check_all_paths(m, 2, S, S, x, want, HX_SLOW_BUILD);
    free(x);
    free(u8);
    hx_seresnet_free(m);
}

Test(seresnet, missing_or_misshapen_tensors_are_errors) {
    static gen_model g;
    const int layers[4] = {1, 1, 1, 1};
    gen_model_make(&g, 1, layers, 3);
    hx_tensor_source src = gen_source(&g);
    hx_seresnet *m;
    hx_error e;
    hx_seresnet_config two = {{2, 1, 1, 1}, true, 3}; /* layer1.1 does not exist */
    cr_assert_eq(hx_seresnet_create(&two, &src, &m, &e), HX_ENOTFOUND);
    cr_assert(strstr(e.msg, "layer1.1.conv1.weight"), "%s", e.msg);
    hx_seresnet_config wrong_k = {{1, 1, 1, 1}, true, 5};
    cr_assert_eq(hx_seresnet_create(&wrong_k, &src, &m, &e), HX_EFORMAT);
    g.t[2].dims[1] = 65; /* layer1.0.conv1.weight in-channels */
    hx_seresnet_config cfg = {{1, 1, 1, 1}, true, 3};
    cr_assert_eq(hx_seresnet_create(&cfg, &src, &m, &e), HX_EFORMAT);
    gen_model_free(&g);
}
