/* helix: the command-line entry point. Each subcommand lives in its own
 * apps/cmd_*.c (or bench/bench_*.c) as `int hx_cmd_NAME(int argc, char **argv)`
 * taking argv[0] = the subcommand name, and returns the process exit status. */
#include <stdio.h>
#include <string.h>

#include "helix.h"
#include "cli_shard.h"
#include "cli_util.h"

/* Declared weak so that a build missing one command still links and says so. */
#define HX_CMD(fn) int fn(int argc, char **argv) __attribute__((weak))
HX_CMD(hx_cmd_info);
HX_CMD(hx_cmd_info_cpu);
HX_CMD(hx_cmd_convert);
HX_CMD(hx_cmd_tokenize);
HX_CMD(hx_cmd_classify_text);
HX_CMD(hx_cmd_embed);
HX_CMD(hx_cmd_classify_image);
HX_CMD(hx_cmd_forest);
HX_CMD(hx_cmd_label_model);
HX_CMD(hx_cmd_lf);
HX_CMD(hx_cmd_bench);
HX_CMD(hx_cmd_triage);
HX_CMD(hx_cmd_udp);

static int info_dispatch(int argc, char **argv);

static const struct {
    const char *name;
    const char *summary;
} commands[] = {
    {"info", "describe a model file (--verify, --json), or this CPU (--cpu)"},
    {"convert", "convert bert|seresnet|forest sources into one .hlx file"},
    {"tokenize", "BERT WordPiece tokenization, text/JSONL in, JSONL ids out"},
    {"classify-text", "BERT text classification, JSONL in, JSONL out"},
    {"embed", "BERT sentence embeddings (CLS or mean pooling)"},
    {"classify-image", "SE-ResNet image classification of JPEG files"},
    {"forest", "random-forest prediction on CSV rows"},
    {"lf", "apply labeling functions to JSONL records"},
    {"label-model", "fit / predict / analyze a generative label model"},
    {"triage", "abstract triage: LFs + forests + BERTs combined by a label model"},
    {"udp", "undiagnosed-disease triage from phenopackets"},
    {"merge", "put the outputs of --shard K/N runs back together (docs/cluster.md)"},
    {"bench", "benchmarks: gemm, attention, conv, bert, seresnet, tokenizer, forest"},
};

static int (*command_fn(const char *name))(int, char **) {
    if (!strcmp(name, "info")) return info_dispatch;
    if (!strcmp(name, "convert")) return hx_cmd_convert;
    if (!strcmp(name, "tokenize")) return hx_cmd_tokenize;
    if (!strcmp(name, "classify-text")) return hx_cmd_classify_text;
    if (!strcmp(name, "embed")) return hx_cmd_embed;
    if (!strcmp(name, "classify-image")) return hx_cmd_classify_image;
    if (!strcmp(name, "forest")) return hx_cmd_forest;
    if (!strcmp(name, "lf")) return hx_cmd_lf;
    if (!strcmp(name, "label-model")) return hx_cmd_label_model;
    if (!strcmp(name, "triage")) return hx_cmd_triage;
    if (!strcmp(name, "udp")) return hx_cmd_udp;
    if (!strcmp(name, "bench")) return hx_cmd_bench;
    if (!strcmp(name, "merge")) return cli_cmd_merge;
    return NULL;
}

/* `helix info --cpu` describes the machine; any other `helix info` a model. */
static int info_dispatch(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--cpu")) {
            if (!hx_cmd_info_cpu) break;
            return hx_cmd_info_cpu(argc, argv);
        }
    }
    if (!hx_cmd_info) {
        fprintf(stderr, "helix info: model files are not supported by this build\n");
        return 2;
    }
    return hx_cmd_info(argc, argv);
}

static void usage(FILE *out) {
    fprintf(out,
            "usage: helix COMMAND [ARGS...]\n"
            "\n"
            "CPU inference for deep learning in medical genetics. Records go in on\n"
            "stdin and out on stdout; diagnostics go to stderr.\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        int available = command_fn(commands[i].name) != NULL;
        fprintf(out, "  %-15s %s%s\n", commands[i].name, commands[i].summary,
                available ? "" : " (not in this build)");
    }
    fprintf(out,
            "\n"
            "`helix COMMAND --help` describes a command. Environment: HELIX_THREADS=N,\n"
            "HELIX_ISA=scalar|avx2|avx512|neon, HELIX_GEMM=helix|openblas.\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(name, "--version")) {
        printf("helix %s\n", HX_VERSION_STRING);
        return 0;
    }
    int (*fn)(int, char **) = command_fn(name);
    if (!fn) {
        int known = 0;
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            known |= !strcmp(commands[i].name, name);
        if (known)
            fprintf(stderr, "helix: '%s' is not available in this build\n", name);
        else
            fprintf(stderr, "helix: unknown command '%s' (see helix --help)\n", name);
        return 2;
    }
    hx_error err;
    hx_error_clear(&err);
    if (hx_isa_init(&err) != HX_OK) {
        fprintf(stderr, "helix: %s\n", err.msg);
        return 2;
    }
    return cli_shard_main(fn, argc - 1, argv + 1); /* --shard/--resume/-o of record commands */
}
