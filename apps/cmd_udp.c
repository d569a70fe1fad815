/* `helix udp`: undiagnosed-disease triage (docs/udp-task.md). Each
 * phenopacket's observed HPO terms are resolved in the ontology (alternative
 * ids, replacements), closed upwards over is_a, and turned into one 0/1
 * feature per HPO term a target's forest was trained on (the forest's
 * feature names); every target's forest then gives P(target = 1).
 *
 * Models come from a config JSON (default models/udp.json):
 *   {"format": "helix-udp-v1", "ontology": "hpo.hlx" | "hp.json",
 *    "targets": [{"name": "male", "model": "udp_male.hlx"}, ...]}
 * with paths relative to the config file. `helix udp ontology hp.json -o
 * hpo.hlx` packs an obographs file into the compact form.
 *
 * Output: one JSON line per record, {"id", "p": {target: P(1)},
 * "unresolved_hpo": {id: "unknown"|"obsolete"|"malformed"}} or an error
 * record; with --evaluate, instead, the talk's table (target, correct,
 * incorrect, accuracy, majority-class rate) over the records whose target
 * is known. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "helix.h"
#include "helix/forest_file.h"
#include "helix/hlx.h"
#include "cli_util.h"
#include "hpo_ontology.h"
#include "phenopacket.h"

#define MAX_TARGETS 32

typedef struct {
    char name[64];
    int target;         /* index into hx_udp_target_names */
    hx_forest *forest;
    int positive;       /* index of class "1" */
    int n_features;
    int32_t *term;      /* n_features ontology term indices */
} udp_target;

typedef struct {
    hx_hpo *hpo;
    int n_targets;
    udp_target t[MAX_TARGETS];
} udp_models;

typedef struct {
    long n, correct, ones;
} udp_tally;

static void usage(FILE *out) {
    fprintf(out,
            "usage: helix udp [--config CONFIG.json] [--evaluate] [-o OUT] [FILE...]\n"
            "       helix udp ontology HP.json -o HPO.hlx\n"
            "\n"
            "Undiagnosed-disease triage: from each GA4GH phenopacket's observed HPO terms,\n"
            "the probability of every target (male, pediatric, structural_variant,\n"
            "biallelic; see docs/udp-task.md), one random forest per target.\n"
            "\n"
            "Input: FILE arguments, each one phenopacket JSON document (a file ending in\n"
            ".jsonl holds one phenopacket per line); with no FILE or '-', JSON Lines on stdin.\n"
            "Output: one JSON line per record, {\"id\", \"p\": {target: P(1)},\n"
            "\"unresolved_hpo\": {id: why}} (terms the ontology lacks are reported, not\n"
            "dropped silently), or {\"error\", \"line\"} for a malformed record.\n"
            "\n"
            "  --config FILE   models (default models/udp.json): {\"ontology\": HPO.hlx or\n"
            "                  hp.json, \"targets\": [{\"name\", \"model\": FOREST.hlx}]}\n"
            "  --evaluate      print, instead of records, per target: correct, incorrect,\n"
            "                  accuracy (P >= 0.5) and the majority-class rate, over the\n"
            "                  records whose target is known from the record itself\n"
            "  -o, --output F  write to F instead of stdout\n"
            "  -h, --help      this help\n"
            "\n"
            "Exit status: 0 when every record was processed, 1 if any was malformed or\n"
            "the run failed, 2 for a usage error.\n");
}

static void models_free(udp_models *m) {
    for (int i = 0; i < m->n_targets; i++) {
        hx_forest_free(m->t[i].forest);
        free(m->t[i].term);
    }
    hx_hpo_free(m->hpo);
    memset(m, 0, sizeof *m);
}

/* dir of the config + rel, unless rel is absolute */
static void join_path(const char *config, const char *rel, char *out, size_t cap) {
    const char *slash = strrchr(config, '/');
    if (rel[0] == '/' || !slash) snprintf(out, cap, "%s", rel);
    else snprintf(out, cap, "%.*s/%s", (int)(slash - config), config, rel);
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

static hx_status load_target(udp_models *m, const char *name, const char *path, hx_error *err) {
    udp_target *t = &m->t[m->n_targets];
    memset(t, 0, sizeof *t);
    t->target = -1;
    for (int k = 0; k < HX_UDP_N_TARGETS; k++)
        if (!strcmp(name, hx_udp_target_names[k])) t->target = k;
    if (t->target < 0) return hx_fail(err, HX_EINVAL, "udp config: unknown target \"%s\"", name);
    snprintf(t->name, sizeof t->name, "%s", name);
    hx_hlx *f;
    hx_status st = hx_hlx_open(path, &f, err);
    if (st != HX_OK) return st;
    hx_forest_arrays a;
    memset(&a, 0, sizeof a);
    st = hx_forest_hlx_read(f, &a, err);
    hx_hlx_close(f);
    if (st == HX_OK) st = hx_forest_build(&a, &t->forest, err);
    if (st == HX_OK && (a.task != HX_FOREST_CLASSIFIER || !a.classes || !a.feature_names))
        st = hx_fail(err, HX_EFORMAT, "%s: a udp model is a classifier with feature names (HPO ids)", path);
    if (st == HX_OK) {
        t->positive = -1;
        for (int c = 0; c < a.n_values; c++)
            if (!strcmp(a.classes[c], "1")) t->positive = c;
        if (t->positive < 0) st = hx_fail(err, HX_EFORMAT, "%s: no class \"1\"", path);
    }
    if (st == HX_OK) {
        t->n_features = a.n_features;
        t->term = malloc((size_t)a.n_features * sizeof *t->term);
        if (!t->term) st = hx_fail(err, HX_ENOMEM, "udp: out of memory");
    }
    for (int j = 0; st == HX_OK && j < a.n_features; j++) {
        /* a feature must be a live term of this ontology: otherwise the
         * model and the ontology do not belong together */
        if (hx_hpo_resolve(m->hpo, a.feature_names[j], &t->term[j]) != HX_HPO_CURRENT)
            st = hx_fail(err, HX_EFORMAT, "%s: feature %d is not a current term of the ontology", path, j);
    }
    hx_forest_arrays_free(&a);
    m->n_targets++; /* freed by models_free even on failure */
    return st;
}

static char *read_whole(FILE *f, size_t *len) {
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    while (b) {
        if (n == cap) {
            char *nb = realloc(b, cap * 2);
            if (!nb) break;
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            *len = n;
            return b;
        }
    }
    free(b);
    return NULL;
}

static hx_status load_models(const char *config, udp_models *m, hx_error *err) {
    memset(m, 0, sizeof *m);
    FILE *f = fopen(config, "rb");
    if (!f) return hx_fail(err, HX_EIO, "cannot open %s", config);
    size_t len = 0;
    char *text = read_whole(f, &len);
    fclose(f);
    cJSON *root = text ? cJSON_ParseWithLength(text, len) : NULL;
    free(text);
    if (!root) return hx_fail(err, HX_EFORMAT, "%s: not valid JSON", config);
    hx_status st = HX_OK;
    const cJSON *onto = cJSON_GetObjectItemCaseSensitive(root, "ontology");
    const cJSON *targets = cJSON_GetObjectItemCaseSensitive(root, "targets");
    char path[4096];
    if (!cJSON_IsString(onto) || !cJSON_IsArray(targets) || cJSON_GetArraySize(targets) < 1 ||
        cJSON_GetArraySize(targets) > MAX_TARGETS) {
        st = hx_fail(err, HX_EFORMAT, "%s: needs \"ontology\" and 1..%d \"targets\"", config, MAX_TARGETS);
    } else {
        join_path(config, onto->valuestring, path, sizeof path);
        st = ends_with(path, ".json") ? hx_hpo_load_file(path, &m->hpo, err) : hx_hpo_open_hlx(path, &m->hpo, err);
    }
    const cJSON *t, *tlist = st == HX_OK ? targets : NULL;
    cJSON_ArrayForEach(t, tlist) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(t, "name");
        const cJSON *model = cJSON_GetObjectItemCaseSensitive(t, "model");
        if (!cJSON_IsString(name) || !cJSON_IsString(model)) {
            st = hx_fail(err, HX_EFORMAT, "%s: each target needs \"name\" and \"model\"", config);
            break;
        }
        join_path(config, model->valuestring, path, sizeof path);
        if ((st = load_target(m, name->valuestring, path, err)) != HX_OK) break;
    }
    cJSON_Delete(root);
    if (st != HX_OK) models_free(m);
    return st;
}

/* One record: writes its output line (or adds to the tallies). */
static hx_status run_record(const udp_models *m, const char *json, size_t len, FILE *out, bool evaluate,
                            udp_tally *tally, hx_error *err) {
    hx_phenopacket p;
    hx_status st = hx_phenopacket_parse(json, len, &p, err);
    if (st != HX_OK) return st;
    size_t nt = hx_hpo_n_terms(m->hpo);
    uint8_t *mark = calloc(nt, 1);
    hx_hpo_resolution *why = calloc(p.n_observed ? p.n_observed : 1, sizeof *why);
    if (!mark || !why) st = hx_fail(err, HX_ENOMEM, "udp: out of memory");
    for (size_t i = 0; st == HX_OK && i < p.n_observed; i++) {
        int32_t t;
        why[i] = hx_hpo_resolve(m->hpo, p.observed[i], &t);
        if (t >= 0) st = hx_hpo_mark_ancestors(m->hpo, t, mark, err);
    }
    double prob[MAX_TARGETS];
    for (int k = 0; st == HX_OK && k < m->n_targets; k++) {
        const udp_target *t = &m->t[k];
        float *x = malloc((size_t)t->n_features * sizeof *x);
        double *pr = malloc((size_t)hx_forest_n_values(t->forest) * sizeof *pr);
        if (!x || !pr) st = hx_fail(err, HX_ENOMEM, "udp: out of memory");
        for (int j = 0; st == HX_OK && j < t->n_features; j++) x[j] = mark[t->term[j]] ? 1.0f : 0.0f;
        if (st == HX_OK) st = hx_forest_predict(t->forest, x, 1, pr, NULL, err);
        if (st == HX_OK) prob[k] = pr[t->positive];
        free(x);
        free(pr);
    }
    if (st == HX_OK && evaluate) {
        int truth[HX_UDP_N_TARGETS];
        hx_phenopacket_targets(&p, truth);
        for (int k = 0; k < m->n_targets; k++) {
            int y = truth[m->t[k].target];
            if (y < 0) continue;
            tally[k].n++;
            tally[k].ones += y;
            tally[k].correct += (prob[k] >= 0.5) == (y == 1);
        }
    } else if (st == HX_OK) {
        fputs("{\"id\":", out);
        cli_write_json_string(out, p.id, strlen(p.id));
        fputs(",\"p\":{", out);
        for (int k = 0; k < m->n_targets; k++)
            fprintf(out, "%s\"%s\":%.17g", k ? "," : "", m->t[k].name, prob[k]);
        fputs("},\"unresolved_hpo\":{", out);
        int first = 1;
        for (size_t i = 0; i < p.n_observed; i++) {
            if (why[i] == HX_HPO_CURRENT || why[i] == HX_HPO_ALT_ID || why[i] == HX_HPO_REPLACED) continue;
            fputs(first ? "" : ",", out);
            first = 0;
            cli_write_json_string(out, p.observed[i], strlen(p.observed[i]));
            fprintf(out, ":\"%s\"", hx_hpo_resolution_name(why[i]));
        }
        fputs("}}\n", out);
    }
    free(mark);
    free(why);
    hx_phenopacket_free(&p);
    return st;
}

typedef struct {
    const udp_models *m;
    FILE *out;
    bool evaluate;
    udp_tally tally[MAX_TARGETS];
    long record;   /* 1-based count of records over all inputs */
    long errors;
    long done;
} udp_run;

static void one(udp_run *r, const char *json, size_t len, long line_no) {
    hx_error err;
    hx_error_clear(&err);
    r->record++;
    hx_status st = run_record(r->m, json, len, r->out, r->evaluate, r->tally, &err);
    if (st != HX_OK) {
        r->errors++;
        if (!r->evaluate) cli_write_error_record(r->out, err.msg, line_no);
        else fprintf(stderr, "helix udp: record %ld: %s\n", line_no, err.msg);
    }
    cli_progress("udp", (size_t)++r->done, 0);
}

static int run_jsonl(udp_run *r, FILE *in) {
    char *line = NULL;
    size_t cap = 0;
    long len, line_no = 0;
    while ((len = cli_read_line(in, &line, &cap)) >= 0) {
        line_no++;
        one(r, line, (size_t)len, line_no);
    }
    free(line);
    return ferror(in) ? -1 : 0;
}

static void print_table(const udp_run *r, FILE *out) {
    fprintf(out, "%-20s %8s %8s %10s %9s %14s\n", "target", "records", "correct", "incorrect", "accuracy",
            "majority_rate");
    for (int k = 0; k < r->m->n_targets; k++) {
        const udp_tally *t = &r->tally[k];
        long maj = t->ones * 2 >= t->n ? t->ones : t->n - t->ones;
        if (t->n == 0) {
            fprintf(out, "%-20s %8d %8s %10s %9s %14s\n", r->m->t[k].name, 0, "-", "-", "-", "-");
            continue;
        }
        fprintf(out, "%-20s %8ld %8ld %10ld %9.3f %14.3f\n", r->m->t[k].name, t->n, t->correct,
                t->n - t->correct, (double)t->correct / (double)t->n, (double)maj / (double)t->n);
    }
}

static int cmd_ontology(int argc, char **argv) {
    const char *in = NULL, *outp = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: helix udp ontology HP.json -o HPO.hlx\n\n"
                   "Packs an HPO obographs file (unpacked hp.json) into the compact .hlx form\n"
                   "`helix udp` loads: terms, obsolete flags, replacements, alternative ids\n"
                   "and is_a parents, without labels or definitions.\n");
            return 0;
        } else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
            outp = argv[++i];
        } else if (argv[i][0] == '-' || in) {
            fprintf(stderr, "helix udp ontology: unexpected argument %s\n", argv[i]);
            return 2;
        } else {
            in = argv[i];
        }
    }
    if (!in || !outp) {
        fprintf(stderr, "helix udp ontology: need HP.json and -o HPO.hlx\n");
        return 2;
    }
    hx_error err;
    hx_error_clear(&err);
    hx_hpo *h;
    hx_status st = hx_hpo_load_file(in, &h, &err);
    if (st == HX_OK) {
        char source[512];
        snprintf(source, sizeof source, "obographs JSON, version %s", hx_hpo_version(h));
        st = hx_hpo_write_hlx(h, source, outp, &err);
        if (st == HX_OK)
            fprintf(stderr, "helix udp ontology: wrote %s (%zu terms)\n", outp, hx_hpo_n_terms(h));
        hx_hpo_free(h);
    }
    if (st != HX_OK) {
        fprintf(stderr, "helix udp ontology: %s\n", err.msg);
        return 1;
    }
    return 0;
}

int cmd_udp(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "ontology")) return cmd_ontology(argc - 1, argv + 1);
    const char *config = "models/udp.json", *outp = NULL;
    bool evaluate = false;
    const char **files = calloc((size_t)argc, sizeof *files);
    int n_files = 0;
    if (!files) return 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            free(files);
            return 0;
        } else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
            config = argv[++i];
        } else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
            outp = argv[++i];
        } else if (!strcmp(argv[i], "--evaluate")) {
            evaluate = true;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "helix udp: unknown or incomplete option %s\n", argv[i]);
            usage(stderr);
            free(files);
            return 2;
        } else {
            files[n_files++] = argv[i];
        }
    }
    hx_error err;
    hx_error_clear(&err);
    udp_models m;
    if (load_models(config, &m, &err) != HX_OK) {
        fprintf(stderr, "helix udp: %s\n", err.msg);
        free(files);
        return 1;
    }
    FILE *out = outp ? fopen(outp, "w") : stdout;
    if (!out) {
        fprintf(stderr, "helix udp: cannot write %s\n", outp);
        models_free(&m);
        free(files);
        return 1;
    }
    udp_run r;
    memset(&r, 0, sizeof r);
    r.m = &m;
    r.out = out;
    r.evaluate = evaluate;
    int failed = 0;
    if (n_files == 0) failed |= run_jsonl(&r, stdin) != 0;
    for (int i = 0; i < n_files && !failed; i++) {
        if (!strcmp(files[i], "-")) {
            failed |= run_jsonl(&r, stdin) != 0;
            continue;
        }
        FILE *f = fopen(files[i], "rb");
        if (!f) {
            fprintf(stderr, "helix udp: cannot open %s\n", files[i]);
            failed = 1;
            break;
        }
        if (ends_with(files[i], ".jsonl")) {
            failed |= run_jsonl(&r, f) != 0;
        } else {
            size_t len = 0;
            char *doc = read_whole(f, &len);
            if (!doc) {
                fprintf(stderr, "helix udp: cannot read %s\n", files[i]);
                failed = 1;
            } else {
                one(&r, doc, len, r.record + 1);
            }
            free(doc);
        }
        fclose(f);
    }
    cli_progress_end();
    if (evaluate && !failed) print_table(&r, out);
    if (outp && fclose(out) != 0) failed = 1;
    else if (!outp) fflush(out);
    models_free(&m);
    free(files);
    if (failed) fprintf(stderr, "helix udp: input error\n");
    return failed || r.errors ? 1 : 0;
}
