/* Seeded SE-ResNet weights, bit-identical to tests/oracle/seresnet_gen.py
 * (the spec is written there), served as an hx_tensor_source. Used by
 * `helix bench seresnet --synthetic` and by the SE-ResNet tests. */
#ifndef HX_TEST_SERESNET_GEN_H
#define HX_TEST_SERESNET_GEN_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helix/tensor.h"

typedef struct {
    char name[96];
    int rank;
    int64_t dims[4];
    float *data;
    size_t n;
} gen_tensor;

typedef struct {
    gen_tensor t[256];
    int count;
    uint32_t x; /* xorshift32 state */
} gen_model;

static inline float gen_next(gen_model *g, float s) {
    g->x ^= g->x << 13;
    g->x ^= g->x >> 17;
    g->x ^= g->x << 5;
    const float u = (float)((int32_t)(g->x >> 8) - (1 << 23)) * 0x1p-23f;
    return u * s;
}

/* g2 < 0 marks a bias. */
static inline void gen_add(gen_model *g, const char *name, int rank, const int64_t *dims, double g2) {
    gen_tensor *t = &g->t[g->count++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->rank = rank;
    t->n = 1;
    for (int i = 0; i < rank; i++) t->dims[i] = dims[i], t->n *= (size_t)dims[i];
    const size_t fan_in = rank > 1 ? t->n / (size_t)dims[0] : 1;
    const float s = g2 < 0 ? 0.1f : (float)sqrt(3.0 * g2 / (double)fan_in);
    t->data = malloc(t->n * sizeof(float));
    for (size_t i = 0; i < t->n; i++) t->data[i] = gen_next(g, s);
}

static inline int gen_se_hidden(int c) { return (int)((double)c / 16 + 4) / 8 * 8 < 8 ? 8 : (int)((double)c / 16 + 4) / 8 * 8; }

static inline void gen_conv(gen_model *g, const char *prefix, int o, int i, int k, double g2) {
    char n[96];
    const int64_t wd[4] = {o, i, k, k}, bd[1] = {o};
    snprintf(n, sizeof n, "%s.weight", prefix);
    gen_add(g, n, 4, wd, g2);
    snprintf(n, sizeof n, "%s.bias", prefix);
    gen_add(g, n, 1, bd, -1);
}

static inline void gen_model_make(gen_model *g, uint32_t seed, const int layers[4], int num_classes) {
    static const int widths[4] = {64, 128, 256, 512};
    memset(g, 0, sizeof *g);
    g->x = seed;
    gen_conv(g, "conv1", 64, 3, 7, 2.0);
    int c = 64;
    for (int L = 0; L < 4; L++)
        for (int b = 0; b < layers[L]; b++) {
            const int w = widths[L];
            char p[64];
            snprintf(p, sizeof p, "layer%d.%d.conv1", L + 1, b);
            gen_conv(g, p, w, c, 3, 2.0);
            snprintf(p, sizeof p, "layer%d.%d.conv2", L + 1, b);
            gen_conv(g, p, w, w, 3, 0.5);
            const int r = gen_se_hidden(w);
            snprintf(p, sizeof p, "layer%d.%d.se.fc1", L + 1, b);
            gen_conv(g, p, r, w, 1, 2.0);
            snprintf(p, sizeof p, "layer%d.%d.se.fc2", L + 1, b);
            gen_conv(g, p, w, r, 1, 1.0);
            if (b == 0 && (L > 0 || c != w)) {
                snprintf(p, sizeof p, "layer%d.%d.downsample.0", L + 1, b);
                gen_conv(g, p, w, c, 1, 1.0);
            }
            c = w;
        }
    const int64_t fd[2] = {num_classes, c}, fb[1] = {num_classes};
    gen_add(g, "fc.weight", 2, fd, 1.0);
    gen_add(g, "fc.bias", 1, fb, -1);
}

static inline void gen_model_free(gen_model *g) {
    for (int i = 0; i < g->count; i++) free(g->t[i].data);
    g->count = 0;
}

static inline hx_status gen_lookup(void *ctx, const char *name, hx_tensor_view *out, hx_error *err) {
    gen_model *g = ctx;
    for (int i = 0; i < g->count; i++)
        if (!strcmp(g->t[i].name, name)) {
            memset(out, 0, sizeof *out);
            out->name = g->t[i].name;
            out->dtype = HX_DT_F32;
            out->rank = g->t[i].rank;
            memcpy(out->dims, g->t[i].dims, sizeof g->t[i].dims);
            out->data = g->t[i].data;
            out->nbytes = g->t[i].n * sizeof(float);
            return HX_OK;
        }
    return hx_fail(err, HX_ENOTFOUND, "tensor %s not found", name);
}

static inline hx_tensor_source gen_source(gen_model *g) { return (hx_tensor_source){gen_lookup, g}; }

#endif
