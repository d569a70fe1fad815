/* `helix bench seresnet`: whole-network latency of an SE-ResNet, either from
 * a model file (-m MODEL.hlx) or from the seeded SE-ResNet34 weights of
 * bench/seresnet_gen.h (--synthetic SEED; bench/seresnet_peers.py makes the
 * same weights for ONNX Runtime and PyTorch). Input: random normalised images
 * of the model's size. Reports the median, min and max of R timed runs after
 * warm-up, and the conv GFLOP/s at the median. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "helix.h"
#include "helix/seresnet.h"
#include "helix/seresnet_file.h"
#include "seresnet_gen.h"

int bench_seresnet(int argc, char **argv);

static void usage(FILE *out) {
    fprintf(out,
            "usage: helix bench seresnet (-m MODEL.hlx | --synthetic SEED) [--batch B] [--threads N]\n"
            "                            [--runs R] [--warmup W] [--size S] [--json]\n"
            "\n"
            "SE-ResNet latency per batch: median/min/max over R timed runs after W warm-up runs.\n"
            "  -m MODEL.hlx     model file (its input size)\n"
            "  --synthetic SEED seeded SE-ResNet34, 3 classes (tests/oracle/seresnet_gen.py)\n"
            "  --batch B        images per call (default 1)\n"
            "  --threads N      threads (default: HELIX_THREADS or all cores)\n"
            "  --runs R         timed runs, >= 10 (default 20)\n"
            "  --warmup W       untimed runs first (default 3)\n"
            "  --size S         input size for --synthetic (default 224)\n"
            "  --json           one line {\"model\",\"batch\",\"threads\",\"median_ms\",\"min_ms\",\"max_ms\",...}\n"
            "The ISA follows HELIX_ISA (default: the best this CPU has).\n");
}

static int cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Multiply-adds of the convs and the classifier for one image of size s. */
static double seresnet34_flops(int s) {
    static const int layers[4] = {3, 4, 6, 3}, widths[4] = {64, 128, 256, 512};
    double macs = 0;
    int h = (s + 6 - 7) / 2 + 1;
    macs += (double)h * h * 64 * 3 * 49;
    h = (h + 2 - 3) / 2 + 1;
    int c = 64;
    for (int L = 0; L < 4; L++)
        for (int b = 0; b < layers[L]; b++) {
            const int st = (L > 0 && b == 0) ? 2 : 1, w = widths[L];
            const int oh = (h + 2 - 3) / st + 1;
            macs += (double)oh * oh * w * c * 9 + (double)oh * oh * w * w * 9;
            if (st == 2 || c != w) macs += (double)oh * oh * w * c;
            h = oh;
            c = w;
        }
    return 2.0 * macs;
}

int bench_seresnet(int argc, char **argv) {
    const char *model_path = NULL;
    long seed = -1, batch = 1, threads = 0, runs = 20, warmup = 3, size = 224;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-m") && i + 1 < argc) {
            model_path = argv[++i];
        } else if (!strcmp(a, "--synthetic") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], 1, 0xFFFFFFFFL, &seed)) goto bad;
        } else if (!strcmp(a, "--batch") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], 1, 256, &batch)) goto bad;
        } else if (!strcmp(a, "--threads") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], 1, 1024, &threads)) goto bad;
        } else if (!strcmp(a, "--runs") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], 10, 100000, &runs)) goto bad;
        } else if (!strcmp(a, "--warmup") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], 0, 100000, &warmup)) goto bad;
        } else if (!strcmp(a, "--size") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], 32, 2048, &size)) goto bad;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else {
            goto bad;
        }
    }
    if (!model_path == (seed < 0)) {
        fprintf(stderr, "helix bench seresnet: give exactly one of -m MODEL.hlx or --synthetic SEED\n");
        return 2;
    }
    hx_error err;
    if (hx_isa_init(&err) != HX_OK) {
        fprintf(stderr, "helix bench seresnet: %s\n", err.msg);
        return 1;
    }
    hx_seresnet_file model = {0};
    hx_seresnet *net = NULL;
    const char *name = model_path;
    char synth_name[64];
    if (model_path) {
        if (hx_seresnet_file_open(model_path, &model, &err) != HX_OK) {
            fprintf(stderr, "helix bench seresnet: %s\n", err.msg);
            return 1;
        }
        net = model.net;
        size = model.pre.height;
    } else {
        static gen_model g;
        const int layers[4] = {3, 4, 6, 3};
        gen_model_make(&g, (uint32_t)seed, layers, 3);
        hx_tensor_source src = gen_source(&g);
        hx_seresnet_config cfg = {{3, 4, 6, 3}, true, 3};
        hx_status st = hx_seresnet_create(&cfg, &src, &net, &err);
        gen_model_free(&g);
        if (st != HX_OK) {
            fprintf(stderr, "helix bench seresnet: %s\n", err.msg);
            return 1;
        }
        snprintf(synth_name, sizeof synth_name, "seresnet34-synthetic-%ld", seed);
        name = synth_name;
    }
    hx_threadpool *pool;
    if (hx_threadpool_create((int)threads, &pool, &err) != HX_OK) {
        fprintf(stderr, "helix bench seresnet: %s\n", err.msg);
        return 1;
    }
    const size_t nin = (size_t)batch * 3 * size * size;
    float *x = malloc(sizeof(float) * nin);
    float *logits = malloc(sizeof(float) * (size_t)batch * hx_seresnet_num_classes(net));
    double *t = malloc(sizeof(double) * (size_t)runs);
    int rc = 0;
    hx_seresnet_session *sess = NULL;
    if (!x || !logits || !t) {
        fprintf(stderr, "helix bench seresnet: out of memory\n");
        rc = 1;
        goto out;
    }
    if (hx_seresnet_session_create(net, (int)batch, (int)size, (int)size, pool, &sess, &err) != HX_OK) {
        fprintf(stderr, "helix bench seresnet: %s\n", err.msg);
        rc = 1;
        goto out;
    }
    gen_model in = {.x = 12345};
    for (size_t i = 0; i < nin; i++) x[i] = gen_next(&in, 2.0f);
    for (long r = 0; r < warmup + runs; r++) {
        const double t0 = cli_now();
        if (hx_seresnet_session_forward(sess, (int)batch, (int)size, (int)size, x, logits, &err) != HX_OK) {
            fprintf(stderr, "helix bench seresnet: %s\n", err.msg);
            rc = 1;
            goto out;
        }
        if (r >= warmup) t[r - warmup] = (cli_now() - t0) * 1e3;
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    const double med = runs % 2 ? t[runs / 2] : 0.5 * (t[runs / 2 - 1] + t[runs / 2]);
    const double gflops = seresnet34_flops((int)size) * batch / (med * 1e-3) / 1e9;
    if (json) {
        printf("{\"model\": ");
        cli_write_json_string(stdout, name, strlen(name));
        printf(", \"batch\": %ld, \"threads\": %d, \"isa\": \"%s\", \"median_ms\": %.3f, \"min_ms\": %.3f, "
               "\"max_ms\": %.3f, \"runs\": %ld, \"gflops\": %.1f}\n",
               batch, hx_threadpool_size(pool), hx_isa_name(hx_isa_active()), med, t[0], t[runs - 1],
               runs, gflops);
    } else {
        printf("model %s  batch %ld  threads %d  isa %s\n", name, batch, hx_threadpool_size(pool),
               hx_isa_name(hx_isa_active()));
        printf("median %.2f ms  min %.2f ms  max %.2f ms  (%ld runs)  %.1f GFLOP/s (SE-ResNet34 conv+fc FLOPs)\n",
               med, t[0], t[runs - 1], runs, gflops);
    }
out:
    hx_seresnet_session_free(sess);
    free(x);
    free(logits);
    free(t);
    hx_threadpool_destroy(pool);
    if (model_path) hx_seresnet_file_close(&model);
    else hx_seresnet_free(net);
    return rc;
bad:
    fprintf(stderr, "helix bench seresnet: bad or unknown option (see --help)\n");
    return 2;
}
