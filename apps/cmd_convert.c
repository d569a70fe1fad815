/* `helix convert bert|seresnet|forest`: one checkpoint in, one .hlx out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "helix.h"
#include "helix/convert.h"

/* Written by the forest owner in apps/cmd_convert_forest.c. */
int cmd_convert_forest(int argc, char **argv) __attribute__((weak));

static void usage(FILE *out) {
    fprintf(out,
            "usage: helix convert bert HF_DIR -o OUT.hlx [--name NAME] [--cased|--uncased]\n"
            "       helix convert seresnet TIMM_DIR -o OUT.hlx [--labels a,b,c] [--name NAME]\n"
            "             [--input-size N] [--crop-pct F] [--interpolation bilinear|bicubic]\n"
            "             [--mean R,G,B] [--std R,G,B] [--bn-eps E]\n"
            "       helix convert forest FOREST.json -o OUT.hlx   (see helix convert forest --help)\n"
            "\n"
            "bert: HF_DIR holds config.json, model.safetensors (or model.safetensors.index.json\n"
            "  with its shards) and tokenizer.json or vocab.txt (+ tokenizer_config.json), with\n"
            "  the key names of BertForSequenceClassification or BertModel. Labels come from\n"
            "  config.json's id2label. --cased/--uncased override the tokenizer's casing.\n"
            "seresnet: TIMM_DIR holds model.safetensors with timm key names of seresnet18/34 or\n"
            "  resnet18/34 and optionally timm's config.json (pretrained_cfg: input size, crop,\n"
            "  interpolation, mean, std; label_names). BatchNorm is folded into the convs.\n"
            "  Without a config, timm's seresnet34 defaults apply (224, 0.875, bicubic,\n"
            "  ImageNet mean/std); flags override either. --bn-eps defaults to 1e-5.\n");
}

static int parse_triple(const char *s, double v[3]) {
    char *copy = strdup(s), *save = NULL;
    int n = 0, ok = copy != NULL;
    for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; ok && t; t = strtok_r(NULL, ",", &save))
        ok = n < 3 && cli_parse_float(t, &v[n++]);
    free(copy);
    return ok && n == 3;
}

static void report(const char *out, const hx_convert_report *r) {
    fprintf(stderr, "helix convert: wrote %s: %zu tensors, %llu parameters\n", out,
            r->tensors_written, (unsigned long long)r->parameters);
    if (r->tensors_unused)
        fprintf(stderr, "helix convert: note: %zu float tensor(s) of the checkpoint not used (e.g. %s)\n",
                r->tensors_unused, r->first_unused);
    if (r->tensors_skipped_int)
        fprintf(stderr, "helix convert: %zu integer buffer(s) skipped (such as position_ids or num_batches_tracked)\n",
                r->tensors_skipped_int);
}

int cmd_convert(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *kind = argv[1];
    if (!strcmp(kind, "--help") || !strcmp(kind, "-h")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(kind, "forest")) {
        if (!cmd_convert_forest) {
            fprintf(stderr, "helix convert: forest conversion is not in this build\n");
            return 2;
        }
        return cmd_convert_forest(argc - 1, argv + 1);
    }
    int bert = !strcmp(kind, "bert");
    if (!bert && strcmp(kind, "seresnet") && strcmp(kind, "resnet")) {
        fprintf(stderr, "helix convert: unknown kind '%s' (bert, seresnet, forest)\n", kind);
        return 2;
    }
    const char *in = NULL, *out = NULL;
    hx_convert_bert_opts bo = {NULL, -1};
    hx_convert_image_opts io;
    memset(&io, 0, sizeof io);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        if (a[0] != '-' || !a[1]) {
            if (in) {
                fprintf(stderr, "helix convert: unexpected argument '%s'\n", a);
                return 2;
            }
            in = a;
            continue;
        }
        int takes_value = !strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--name") ||
                          (!bert && (!strcmp(a, "--labels") || !strcmp(a, "--input-size") ||
                                     !strcmp(a, "--crop-pct") || !strcmp(a, "--interpolation") ||
                                     !strcmp(a, "--mean") || !strcmp(a, "--std") ||
                                     !strcmp(a, "--bn-eps")));
        if (takes_value && !val) {
            fprintf(stderr, "helix convert: %s needs a value\n", a);
            return 2;
        }
        if (takes_value) i++;
        if (!strcmp(a, "-o") || !strcmp(a, "--output")) out = val;
        else if (!strcmp(a, "--name")) bo.name = io.name = val;
        else if (bert && !strcmp(a, "--cased")) bo.lowercase = 0;
        else if (bert && !strcmp(a, "--uncased")) bo.lowercase = 1;
        else if (!bert && !strcmp(a, "--labels")) io.labels = val;
        else if (!bert && !strcmp(a, "--interpolation")) io.interpolation = val;
        else if (!bert && !strcmp(a, "--input-size")) {
            if (!cli_parse_int(val, 8, 4096, &n)) {
                fprintf(stderr, "helix convert: --input-size must be an integer in 8..4096\n");
                return 2;
            }
            io.input_size = (int)n;
        } else if (!bert && (!strcmp(a, "--crop-pct") || !strcmp(a, "--bn-eps"))) {
            double d;
            if (!cli_parse_float(val, &d) || !(d > 0) || (a[2] == 'c' && d > 1)) {
                fprintf(stderr, "helix convert: %s must be a number in %s\n", a,
                        a[2] == 'c' ? "(0, 1]" : "(0, inf)");
                return 2;
            }
            if (a[2] == 'c') io.crop_pct = d;
            else io.bn_eps = d;
        } else if (!bert && (!strcmp(a, "--mean") || !strcmp(a, "--std"))) {
            int is_mean = a[2] == 'm';
            if (!parse_triple(val, is_mean ? io.mean : io.std)) {
                fprintf(stderr, "helix convert: %s needs three comma-separated numbers\n", a);
                return 2;
            }
            if (is_mean) io.has_mean = true;
            else io.has_std = true;
        } else {
            fprintf(stderr, "helix convert %s: unknown option '%s' (see --help)\n", kind, a);
            return 2;
        }
    }
    if (!in || !out) {
        fprintf(stderr, "helix convert %s: need an input folder and -o OUT.hlx (see --help)\n", kind);
        return 2;
    }
    hx_error err;
    hx_error_clear(&err);
    hx_convert_report rep;
    hx_status s = bert ? hx_convert_bert(in, out, &bo, &rep, &err)
                       : hx_convert_seresnet(in, out, &io, &rep, &err);
    if (s != HX_OK) {
        fprintf(stderr, "helix convert %s: %s\n", kind, err.msg);
        return s == HX_EINVAL ? 2 : 1;
    }
    report(out, &rep);
    return 0;
}
