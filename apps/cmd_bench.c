/* `helix bench WHAT`: dispatches to the benchmarks in bench/. Each benchmark
 * is `int bench_WHAT(int argc, char **argv)` with argv[0] = WHAT. */
#include <stdio.h>
#include <string.h>

#define HX_BENCH(fn) int fn(int argc, char **argv) __attribute__((weak))
HX_BENCH(bench_gemm);
HX_BENCH(bench_attention);
HX_BENCH(bench_conv);
HX_BENCH(bench_bert);
HX_BENCH(bench_seresnet);
HX_BENCH(bench_tokenizer);
HX_BENCH(bench_forest);
HX_BENCH(bench_label_model);

static const struct {
    const char *name;
    const char *summary;
} benches[] = {
    {"gemm", "SGEMM on BERT shapes vs OpenBLAS, with the FMA peak"},
    {"attention", "scaled dot-product attention kernel"},
    {"conv", "convolution kernels of SE-ResNet34"},
    {"bert", "whole BERT model latency (-m MODEL.hlx)"},
    {"seresnet", "whole SE-ResNet latency (-m MODEL.hlx)"},
    {"tokenizer", "WordPiece tokenizer throughput"},
    {"forest", "random-forest prediction throughput"},
    {"label-model", "label-model fit time"},
};

static int (*bench_fn(const char *name))(int, char **) {
    if (!strcmp(name, "gemm")) return bench_gemm;
    if (!strcmp(name, "attention")) return bench_attention;
    if (!strcmp(name, "conv")) return bench_conv;
    if (!strcmp(name, "bert")) return bench_bert;
    if (!strcmp(name, "seresnet")) return bench_seresnet;
    if (!strcmp(name, "tokenizer")) return bench_tokenizer;
    if (!strcmp(name, "forest")) return bench_forest;
    if (!strcmp(name, "label-model")) return bench_label_model;
    return NULL;
}

static void usage(FILE *out) {
    fprintf(out, "usage: helix bench WHAT [OPTIONS]   (helix bench WHAT --help for options)\n\n");
    for (size_t i = 0; i < sizeof benches / sizeof benches[0]; i++)
        fprintf(out, "  %-12s %s%s\n", benches[i].name, benches[i].summary,
                bench_fn(benches[i].name) ? "" : " (not in this build)");
}

int cmd_bench(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return 0;
    }
    int (*fn)(int, char **) = bench_fn(argv[1]);
    if (!fn) {
        fprintf(stderr, "helix bench: unknown or unavailable benchmark '%s'\n", argv[1]);
        usage(stderr);
        return 2;
    }
    return fn(argc - 1, argv + 1);
}
