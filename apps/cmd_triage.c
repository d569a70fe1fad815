/* `helix triage`: abstract triage (docs/abstract-triage-task.md). Every
 * source votes on every abstract -- labeling functions (keyword/regex rules),
 * random forests on helix-bow-v1 text features, small BERT classifiers --
 * and a generative label model (fitted on the dev split's votes, bundled as
 * LM.json) turns the votes into P(positive).
 *
 * The pipeline is the library's (helix/triage.h); this file reads the JSON
 * Lines records, takes each one's text field and prints what comes back.
 *
 * Output: one JSON line per input line: {"id", "p", "label", "votes":
 * {source: vote}, "source_p": {model source: P(1)}} or an error record. With
 * --evaluate (records carry a gold "label" 0/1): the talk's table instead. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "helix/text_features.h"
#include "helix/triage.h"
#include "cli_util.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: helix triage [--config CONFIG.json] [--evaluate] [-o OUT] < ABSTRACTS.jsonl\n"
            "       helix triage attach-features FOREST.hlx FEATURES.json -o OUT.hlx\n"
            "\n"
            "Abstract triage: labeling functions, random forests and BERT classifiers vote\n"
            "on each abstract; a label model combines the votes (see\n"
            "docs/abstract-triage-task.md). Input: JSON Lines with the text in \"text\" (the\n"
            "config's field) and optionally an id (\"pmid\" or \"id\") and a gold \"label\".\n"
            "Output: one JSON line per input line,\n"
            "  {\"id\", \"p\": P(positive), \"label\": 0|1, \"votes\": {source: -1|0|1},\n"
            "   \"source_p\": {forest or BERT: P(1)}}\n"
            "or {\"error\", \"line\"} for a record that cannot be used.\n"
            "\n"
            "  --config FILE   models (default models/triage.json)\n"
            "  --evaluate      print the talk's table instead of records: for LFs, RFs,\n"
            "                  BERTs, every pair and all three, the label model (fitted on\n"
            "                  these votes, seed %d) and majority vote, with TPR, FPR, FNR,\n"
            "                  TNR, accuracy, F1 and coverage against the gold labels\n"
            "  -o, --output F  write to F instead of stdout\n"
            "  -h, --help      this help\n"
            "\n"
            "Exit status: 0 when every record was processed, 1 if any could not be or the\n"
            "run failed, 2 for a usage error.\n",
            HX_TRIAGE_LM_SEED);
}

static void write_record(FILE *out, const hx_triage *t, const cJSON *rec, const int32_t *L, const double *sp,
                         double p) {
    const int m = hx_triage_n_sources(t), n_lfs = hx_triage_n_lfs(t);
    fputs("{", out);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(rec, "pmid");
    if (!id) id = cJSON_GetObjectItemCaseSensitive(rec, "id");
    if (cJSON_IsString(id)) {
        fputs("\"id\":", out);
        cli_write_json_string(out, id->valuestring, strlen(id->valuestring));
        fputs(",", out);
    } else if (cJSON_IsNumber(id)) {
        fprintf(out, "\"id\":%.17g,", id->valuedouble);
    }
    fprintf(out, "\"p\":%.17g,\"label\":%d,\"votes\":{", p, p >= 0.5);
    for (int c = 0; c < m; c++) {
        const char *n = hx_triage_source_name(t, c);
        if (c) fputs(",", out);
        cli_write_json_string(out, n, strlen(n));
        fprintf(out, ":%d", (int)L[c]);
    }
    fputs("},\"source_p\":{", out);
    for (int c = n_lfs; c < m; c++) {
        const char *n = hx_triage_source_name(t, c);
        if (c > n_lfs) fputs(",", out);
        cli_write_json_string(out, n, strlen(n));
        fprintf(out, ":%.17g", sp[c - n_lfs]);
    }
    fputs("}}\n", out);
}

static void print_rate(FILE *out, double v) {
    if (isnan(v)) fprintf(out, " %8s", "-");
    else fprintf(out, " %8.3f", v);
}

static void print_row(FILE *out, const char *sources, const char *method, const hx_confusion *c) {
    fprintf(out, "%-18s %-14s", sources, method);
    print_rate(out, c->tpr);
    print_rate(out, c->fpr);
    print_rate(out, c->fnr);
    print_rate(out, c->tnr);
    print_rate(out, c->accuracy);
    print_rate(out, c->f1);
    print_rate(out, c->coverage);
    fprintf(out, " %6lld\n", (long long)c->total);
}

static void print_table(FILE *out, const hx_triage_table *tab) {
    fprintf(out, "%-18s %-14s %8s %8s %8s %8s %8s %8s %8s %6s\n", "sources", "method", "TPR", "FPR", "FNR",
            "TNR", "accuracy", "F1", "coverage", "n");
    for (size_t r = 0; r < tab->n_rows; r++) print_row(out, tab->rows[r].sources, tab->rows[r].method, &tab->rows[r].conf);
}

static int cmd_attach(int argc, char **argv) {
    const char *in = NULL, *feat = NULL, *outp = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: helix triage attach-features FOREST.hlx FEATURES.json -o OUT.hlx\n\n"
                   "Copies a forest converted by `helix convert forest` and adds the\n"
                   "helix-bow-v1 featurizer (tools/train/train_forests.py's NAME.features.json:\n"
                   "vocabulary and idf) to its metadata, so that the model file carries what\n"
                   "computes its inputs. The forest's feature names must be the vocabulary.\n");
            return 0;
        } else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
            outp = argv[++i];
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "helix triage attach-features: unknown option %s\n", argv[i]);
            return 2;
        } else if (!in) {
            in = argv[i];
        } else if (!feat) {
            feat = argv[i];
        } else {
            fprintf(stderr, "helix triage attach-features: too many arguments\n");
            return 2;
        }
    }
    if (!in || !feat || !outp) {
        fprintf(stderr, "helix triage attach-features: need FOREST.hlx FEATURES.json -o OUT.hlx\n");
        return 2;
    }
    hx_error err;
    hx_error_clear(&err);
    hx_status st = hx_text_features_attach_hlx_file(in, feat, outp, &err);
    if (st != HX_OK) {
        fprintf(stderr, "helix triage attach-features: %s\n", err.msg);
        return 1;
    }
    return 0;
}

int cmd_triage(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "attach-features")) return cmd_attach(argc - 1, argv + 1);
    const char *config = "models/triage.json", *outp = NULL;
    bool evaluate = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
            config = argv[++i];
        } else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
            outp = argv[++i];
        } else if (!strcmp(argv[i], "--evaluate")) {
            evaluate = true;
        } else {
            fprintf(stderr, "helix triage: unknown or incomplete argument %s\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    hx_error err;
    hx_error_clear(&err);
    hx_triage *t;
    if (hx_triage_open(config, NULL, &t, &err) != HX_OK) {
        fprintf(stderr, "helix triage: %s\n", err.msg);
        return 1;
    }
    FILE *out = outp ? fopen(outp, "w") : stdout;
    if (!out) {
        fprintf(stderr, "helix triage: cannot write %s\n", outp);
        hx_triage_close(t);
        return 1;
    }
    const int m = hx_triage_n_sources(t);
    const char *field = hx_triage_field(t);
    int32_t *row = malloc((size_t)m * sizeof *row);
    double *sp = malloc((size_t)(m - hx_triage_n_lfs(t) + 1) * sizeof *sp);
    hx_triage_eval_set kept = {0};
    long line_no = 0, errors = 0, no_gold = 0;
    char *line = NULL;
    size_t lcap = 0;
    long len;
    int failed = !row || !sp;
    while (!failed && (len = cli_read_line(stdin, &line, &lcap)) >= 0) {
        line_no++;
        cJSON *rec = cJSON_ParseWithLength(line, (size_t)len);
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(rec, field);
        hx_triage_result r = {.status = HX_EFORMAT};
        if (!cJSON_IsObject(rec)) snprintf(r.error, sizeof r.error, "not a JSON object");
        else if (!cJSON_IsString(text)) snprintf(r.error, sizeof r.error, "no \"%s\" string in the record", field);
        else {
            hx_triage_text in = {text->valuestring, strlen(text->valuestring)};
            if (hx_triage_score(t, &in, 1, &r, row, sp, &err) != HX_OK) failed = 1;
        }
        if (failed) {
            /* out of memory: reported below */
        } else if (r.status != HX_OK) {
            errors++;
            if (!evaluate) cli_write_error_record(out, r.error, line_no);
            else fprintf(stderr, "helix triage: line %ld: %s\n", line_no, r.error);
        } else if (!evaluate) {
            write_record(out, t, rec, row, sp, r.p);
        } else {
            const cJSON *g = cJSON_GetObjectItemCaseSensitive(rec, "label");
            if (!cJSON_IsNumber(g) || (g->valuedouble != 0 && g->valuedouble != 1)) no_gold++;
            else if (hx_triage_eval_add(t, &kept, row, (int32_t)g->valuedouble, r.p, &err)) failed = 1;
        }
        cJSON_Delete(rec);
        cli_progress("triage", (size_t)line_no, 0);
    }
    cli_progress_end();
    if (failed) fprintf(stderr, "helix triage: out of memory\n");
    if (!failed && evaluate) {
        hx_triage_table tab;
        if (no_gold) fprintf(stderr, "helix triage: %ld record(s) without a 0/1 \"label\" left out\n", no_gold);
        if (kept.n == 0) {
            fprintf(stderr, "helix triage: no labelled records to evaluate\n");
            failed = 1;
        } else if (hx_triage_evaluate(t, kept.votes, kept.gold, kept.p, kept.n, &tab, &err) != HX_OK) {
            fprintf(stderr, "helix triage: %s\n", err.msg);
            failed = 1;
        } else {
            print_table(out, &tab);
            hx_triage_table_free(&tab);
        }
    }
    free(line);
    free(row);
    free(sp);
    hx_triage_eval_set_free(&kept);
    if (outp && fclose(out) != 0) failed = 1;
    else if (!outp) fflush(out);
    hx_triage_close(t);
    return failed || errors ? 1 : 0;
}
