/* `helix bench conv`: GFLOP/s of the direct conv kernels on every distinct
 * conv shape of SE-ResNet34 at 224x224 (stem 7x7/2, 3x3 s1/s2, 1x1 s2), with
 * the FLOP-weighted total, on the active ISA. Median of R runs per shape. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "helix.h"
#include "helix/conv.h"

int bench_conv(int argc, char **argv);

typedef struct {
    const char *name;
    int in_c, out_c, h, k, stride, count; /* count: how many such convs in SE-ResNet34 */
} shape;

static const shape shapes[] = {
    {"stem 7x7/2", 3, 64, 224, 7, 2, 1},
    {"l1 3x3 64", 64, 64, 56, 3, 1, 6},
    {"l2 3x3/2 64-128", 64, 128, 56, 3, 2, 1},
    {"l2 3x3 128", 128, 128, 28, 3, 1, 7},
    {"l2 1x1/2 ds", 64, 128, 56, 1, 2, 1},
    {"l3 3x3/2 128-256", 128, 256, 28, 3, 2, 1},
    {"l3 3x3 256", 256, 256, 14, 3, 1, 11},
    {"l3 1x1/2 ds", 128, 256, 28, 1, 2, 1},
    {"l4 3x3/2 256-512", 256, 512, 14, 3, 2, 1},
    {"l4 3x3 512", 512, 512, 7, 3, 1, 5},
    {"l4 1x1/2 ds", 256, 512, 14, 1, 2, 1},
};

static int cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int bench_conv(int argc, char **argv) {
    long threads = 0, runs = 9, batch = 1;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: helix bench conv [--threads N] [--batch B] [--runs R] [--json]\n\n"
                   "GFLOP/s of the direct conv on SE-ResNet34's conv shapes (224x224 input),\n"
                   "median of R runs, and the time-weighted total for one forward pass.\n");
            return 0;
        } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], 1, 1024, &threads)) goto bad;
        } else if (!strcmp(argv[i], "--batch") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], 1, 64, &batch)) goto bad;
        } else if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], 1, 1000, &runs)) goto bad;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else {
            goto bad;
        }
    }
    hx_error err;
    hx_threadpool *pool;
    if (hx_isa_init(&err) != HX_OK || hx_threadpool_create((int)threads, &pool, &err) != HX_OK) {
        fprintf(stderr, "helix bench conv: %s\n", err.msg);
        return 1;
    }
    double total_ms = 0, total_min_ms = 0, total_flops = 0;
    if (!json) printf("%-20s %10s %10s %10s %10s %6s  (isa %s, threads %d, batch %ld)\n", "shape", "median ms", "GFLOP/s", "min ms", "GFLOP/s", "count",
                      hx_isa_name(hx_isa_active()), hx_threadpool_size(pool), batch);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const shape *p = &shapes[s];
        hx_conv_shape cs = {p->in_c, p->out_c, p->k, p->stride, p->k / 2};
        const int in_cb = p->in_c < HX_CONV_CB ? p->in_c : HX_CONV_CB;
        const int oh = hx_conv_out_size(p->h, p->k, p->stride, p->k / 2);
        float *w = calloc((size_t)p->out_c * p->in_c * p->k * p->k, sizeof(float));
        hx_conv *conv = NULL;
        hx_fmap in = {0}, out = {0};
        double *t = malloc(sizeof(double) * (size_t)runs);
        if (!w || !t || hx_conv_create(&cs, in_cb, w, NULL, &conv, &err) != HX_OK ||
            hx_fmap_alloc(&in, (int)batch, p->in_c, p->h, p->h, in_cb, p->k / 2 > 1 ? p->k / 2 : 1, &err) != HX_OK ||
            hx_fmap_alloc(&out, (int)batch, p->out_c, oh, oh, HX_CONV_CB, 1, &err) != HX_OK) {
            fprintf(stderr, "helix bench conv: setup failed\n");
            return 1;
        }
        /* The scratch is sized and allocated once, as a model session does. */
        const size_t ws_bytes = hx_conv_workspace_size(conv, (int)batch, p->h, p->h, hx_threadpool_size(pool));
        void *ws_buf = ws_bytes && ws_bytes != SIZE_MAX ? malloc(ws_bytes) : NULL;
        hx_conv_workspace ws = {ws_buf, ws_bytes};
        const hx_conv_workspace *wsp = ws_buf ? &ws : NULL;
        hx_conv_forward(conv, &in, &out, NULL, true, wsp, pool, NULL); /* warm-up */
        for (long r = 0; r < runs; r++) {
            const double t0 = cli_now();
            hx_conv_forward(conv, &in, &out, NULL, true, wsp, pool, NULL);
            t[r] = (cli_now() - t0) * 1e3;
        }
        qsort(t, (size_t)runs, sizeof *t, cmp_double);
        const double med = t[runs / 2];
        const double flops = 2.0 * batch * oh * oh * p->out_c * (double)p->in_c * p->k * p->k;
        total_ms += med * p->count;
        total_flops += flops * p->count;
        if (json)
            printf("{\"shape\": \"%s\", \"isa\": \"%s\", \"threads\": %d, \"batch\": %ld, \"median_ms\": %.4f, \"min_ms\": %.4f, \"gflops\": %.1f, \"count\": %d}\n",
                   p->name, hx_isa_name(hx_isa_active()), hx_threadpool_size(pool), batch, med, t[0], flops / med / 1e6, p->count);
        else
            printf("%-20s %10.3f %10.1f %10.3f %10.1f %6d\n", p->name, med, flops / med / 1e6, t[0], flops / t[0] / 1e6, p->count);
        total_min_ms += t[0] * p->count;
        free(ws_buf);
        hx_fmap_free(&in);
        hx_fmap_free(&out);
        hx_conv_free(conv);
        free(w);
        free(t);
    }
    if (!json)
        printf("%-20s %10.3f %10.1f %10.3f %10.1f   (all convs of one forward pass)\n", "total", total_ms,
               total_flops / total_ms / 1e6, total_min_ms, total_flops / total_min_ms / 1e6);
    hx_threadpool_destroy(pool);
    return 0;
bad:
    fprintf(stderr, "helix bench conv: bad or unknown option (see --help)\n");
    return 2;
}
