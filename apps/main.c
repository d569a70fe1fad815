/* helix: the command-line entry point. Each subcommand lives in its own
 * apps/cmd_*.c (or bench/bench_*.c) as `int cmd_NAME(int argc, char **argv)`
 * taking argv[0] = the subcommand name, and returns the process exit status. */
#include <stdio.h>
#include <string.h>

#include "helix.h"
#include "cli_env.h"
#include "cli_shard.h"
#include "cli_util.h"

/* Declared weak so that a build missing one command still links and says so. */
#define HX_CMD(fn) int fn(int argc, char **argv) __attribute__((weak))
HX_CMD(cmd_info);
HX_CMD(cmd_info_cpu);
HX_CMD(cmd_convert);
HX_CMD(cmd_tokenize);
HX_CMD(cmd_classify_text);
HX_CMD(cmd_embed);
HX_CMD(cmd_classify_image);
HX_CMD(cmd_forest);
HX_CMD(cmd_label_model);
HX_CMD(cmd_lf);
HX_CMD(cmd_bench);
HX_CMD(cmd_triage);
HX_CMD(cmd_udp);

static int info_dispatch(int argc, char **argv);

/* The one list of commands: name, summary for `helix --help`, entry point
 * (NULL when the build lacks it). */
static const struct {
    const char *name;
    const char *summary;
    int (*fn)(int, char **);
} commands[] = {
    {"info", "describe a model file (--verify, --json), or this CPU (--cpu)", info_dispatch},
    {"convert", "convert bert|seresnet|forest sources into one .hlx file", cmd_convert},
    {"tokenize", "BERT WordPiece tokenization, text/JSONL in, JSONL ids out", cmd_tokenize},
    {"classify-text", "BERT text classification, JSONL in, JSONL out", cmd_classify_text},
    {"embed", "BERT sentence embeddings (CLS or mean pooling)", cmd_embed},
    {"classify-image", "SE-ResNet image classification of JPEG files", cmd_classify_image},
    {"forest", "random-forest prediction on CSV rows", cmd_forest},
    {"lf", "apply labeling functions to JSONL records", cmd_lf},
    {"label-model", "fit / predict / analyze a generative label model", cmd_label_model},
    {"triage", "abstract triage: LFs + forests + BERTs combined by a label model", cmd_triage},
    {"udp", "undiagnosed-disease triage from phenopackets", cmd_udp},
    {"merge", "put the outputs of --shard K/N runs back together (docs/cluster.md)", cli_cmd_merge},
    {"bench", "benchmarks: gemm, attention, conv, bert, seresnet, tokenizer, forest", cmd_bench},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

/* `helix info --cpu` describes the machine; any other `helix info` a model. */
static int info_dispatch(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--cpu")) {
            if (!cmd_info_cpu) break;
            return cmd_info_cpu(argc, argv);
        }
    }
    if (!cmd_info) {
        fprintf(stderr, "helix info: model files are not supported by this build\n");
        return 2;
    }
    return cmd_info(argc, argv);
}

static void usage(FILE *out) {
    fprintf(out,
            "usage: helix COMMAND [ARGS...]\n"
            "\n"
            "CPU inference for deep learning in medical genetics. Records go in on\n"
            "stdin and out on stdout; diagnostics go to stderr.\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        int available = commands[i].fn != NULL;
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
        printf("helix %s\n", CLI_VERSION_STRING);
        return 0;
    }
    int known = 0;
    int (*fn)(int, char **) = NULL;
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(commands[i].name, name)) {
            known = 1;
            fn = commands[i].fn;
        }
    if (!fn) {
        if (known)
            fprintf(stderr, "helix: '%s' is not available in this build\n", name);
        else
            fprintf(stderr, "helix: unknown command '%s' (see helix --help)\n", name);
        return 2;
    }
    hx_error err;
    hx_error_clear(&err);
    if (cli_apply_environment(&err) != HX_OK) {
        fprintf(stderr, "helix: %s\n", err.msg);
        return 2;
    }
    int rc = cli_shard_main(fn, argc - 1, argv + 1); /* --shard/--resume/-o of record commands */
    /* One check for every command's stdout: a write that failed anywhere (a
     * full disk, a closed pipe) fails the run, even where the command itself
     * did not look. */
    if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
        fprintf(stderr, "helix %s: error writing the output (stdout)\n", name);
        if (rc == 0) rc = 1;
    }
    return rc;
}
