/* `helix bench attention`: the attention kernel alone on one sequence of S
 * tokens with BERT's packed-QKV layout, for every ISA this CPU supports
 * (and the scalar reference), reporting the median time and GFLOP/s
 * (4 S² d per head: QKᵀ and P·V). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "helix.h"
#include "helix/transformer_ops.h"

int bench_attention(int argc, char **argv);

static void usage(FILE *out) {
    fprintf(out,
            "usage: helix bench attention [--seq S] [--heads H] [--head-dim D] [--threads N]\n"
            "                             [--runs R] [--json]\n"
            "\n"
            "softmax(QKᵀ/√d)·V for one sequence of S tokens and H heads of size D (packed\n"
            "QKV rows as in BERT), on every supported ISA; median of R runs (default 20).\n"
            "Defaults: S 512, H 12, D 64 (BERT-base), threads HELIX_THREADS or all cores.\n"
            "--json writes one line per ISA.\n");
}

static int cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int bench_attention(int argc, char **argv) {
    long S = 512, heads = 12, d = 64, threads = 0, runs = 20;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long *dst = NULL, lo = 1, hi = 1 << 16;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            json = 1;
            continue;
        } else if (!strcmp(a, "--seq")) dst = &S;
        else if (!strcmp(a, "--heads")) dst = &heads, hi = 1024;
        else if (!strcmp(a, "--head-dim")) dst = &d, hi = 4096;
        else if (!strcmp(a, "--threads")) dst = &threads, hi = 1024;
        else if (!strcmp(a, "--runs")) dst = &runs, hi = 100000;
        if (!dst || i + 1 >= argc || !cli_parse_int(argv[i + 1], lo, hi, dst)) {
            fprintf(stderr, "helix bench attention: bad or unknown option %s (see --help)\n", a);
            return 2;
        }
        i++;
    }
    hx_error err;
    hx_threadpool *pool;
    if (hx_threadpool_create((int)threads, &pool, &err) != HX_OK) {
        fprintf(stderr, "helix bench attention: %s\n", err.msg);
        return 1;
    }
    const size_t H = (size_t)(heads * d), T = (size_t)S;
    float *qkv = malloc(T * 3 * H * sizeof *qkv), *out = malloc(T * H * sizeof *out);
    float *scratch = malloc((size_t)hx_threadpool_size(pool) * hx_attention_scratch_floats((size_t)d) * sizeof *scratch);
    double *t = malloc((size_t)runs * sizeof *t);
    if (!qkv || !out || !scratch || !t) {
        fprintf(stderr, "helix bench attention: out of memory\n");
        return 1;
    }
    unsigned x = 12345;
    for (size_t i = 0; i < T * 3 * H; i++) qkv[i] = (float)((x = x * 1664525u + 1013904223u) >> 8) / 16777216.0f - 0.5f;
    size_t offsets[2] = {0, T};
    hx_attention_batch b = {.n_seqs = 1, .offsets = offsets, .n_heads = (size_t)heads, .head_dim = (size_t)d,
                            .q = qkv, .k = qkv + H, .v = qkv + 2 * H, .ldq = 3 * H, .ldk = 3 * H,
                            .ldv = 3 * H, .out = out, .ldo = H, .scale = 1.0f / sqrtf((float)d)};
    const double flops = 4.0 * (double)S * (double)S * (double)d * (double)heads;
    hx_isa keep = hx_isa_active();
    double ref_ms = 0;
    for (int isa = 0; isa < HX_ISA_COUNT; isa++) {
        if (!hx_isa_supported((hx_isa)isa)) continue;
        hx_isa_set((hx_isa)isa, NULL);
        hx_attention(&b, scratch, pool, &err); /* warm-up */
        for (long r = 0; r < runs; r++) {
            double t0 = cli_now();
            hx_attention(&b, scratch, pool, &err);
            t[r] = (cli_now() - t0) * 1e3;
        }
        qsort(t, (size_t)runs, sizeof *t, cmp_double);
        double med = t[runs / 2];
        if (isa == HX_ISA_SCALAR) ref_ms = med;
        if (json)
            printf("{\"bench\": \"attention\", \"isa\": \"%s\", \"seq\": %ld, \"heads\": %ld, \"head_dim\": %ld,"
                   " \"threads\": %d, \"median_ms\": %.3f, \"min_ms\": %.3f, \"max_ms\": %.3f, \"gflops\": %.2f}\n",
                   hx_isa_name((hx_isa)isa), S, heads, d, hx_threadpool_size(pool), med, t[0],
                   t[runs - 1], flops / (med * 1e6));
        else
            printf("attention %-7s seq %ld, %ld heads x %ld, %d thread(s): median %.3f ms (min %.3f)  %.1f GFLOP/s  %.1fx scalar\n",
                   hx_isa_name((hx_isa)isa), S, heads, d, hx_threadpool_size(pool), med, t[0],
                   flops / (med * 1e6), ref_ms / med);
    }
    hx_isa_set(keep, NULL);
    free(qkv);
    free(out);
    free(scratch);
    free(t);
    hx_threadpool_destroy(pool);
    return 0;
}
