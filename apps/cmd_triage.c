/* `helix triage`: abstract triage (docs/abstract-triage-task.md). Every
 * source votes on every abstract -- labeling functions (keyword/regex rules),
 * random forests on helix-bow-v1 text features, small BERT classifiers --
 * and a generative label model (fitted on the dev split's votes, bundled as
 * LM.json) turns the votes into P(positive).
 *
 * Models come from a config JSON (default models/triage.json), paths
 * relative to it:
 *   {"format": "helix-triage-v1", "field": "text", "vote_threshold": 0.5,
 *    "lfs": "lf_rules.json",
 *    "forests": [{"name", "model": FOREST.hlx with "text_features"}],
 *    "berts": [{"name", "model": BERT.hlx, "max_len": N}],
 *    "label_model": "LM.json"}
 * Columns of the label matrix: the LFs in file order, then the forests, then
 * the BERTs. A forest or BERT votes 1 when its P(1) >= vote_threshold, else 0.
 *
 * Output: one JSON line per input line: {"id", "p", "label", "votes":
 * {source: vote}, "source_p": {model source: P(1)}} or an error record. With
 * --evaluate (records carry a gold "label" 0/1): the talk's table instead --
 * for LFs, RFs, BERTs, each pair and all three, the label model fitted on
 * the evaluated votes and majority vote, with TPR, FPR, FNR, TNR, accuracy,
 * F1 and coverage; and the bundled label model on all sources. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "helix.h"
#include "helix/bert.h"
#include "helix/forest_file.h"
#include "helix/hlx.h"
#include "helix/label_model.h"
#include "helix/tokenizer.h"
#include "bert_load.h"
#include "cli_util.h"
#include "helix/label_model_file.h"
#include "lf_rules.h"
#include "text_features.h"

#define MAX_MODELS 16
#define LM_SEED 123

typedef struct {
    char name[64];
    hx_forest *forest;
    hx_text_features *tf;
    int positive;
} triage_forest;

typedef struct {
    char name[64];
    hx_bert_app app;
    hx_bert_session *session;
    size_t max_len;
    int positive;
} triage_bert;

typedef struct {
    char field[64];
    double threshold;
    hx_lf_set lfs;
    int have_lfs;
    int n_forests, n_berts;
    triage_forest rf[MAX_MODELS];
    triage_bert bert[MAX_MODELS];
    hx_lm_file lm;
    int have_lm;
    int m; /* columns */
} triage_models;

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
            LM_SEED);
}

static void models_free(triage_models *t) {
    if (t->have_lfs) hx_lf_set_free(&t->lfs);
    for (int i = 0; i < t->n_forests; i++) {
        hx_forest_free(t->rf[i].forest);
        hx_text_features_free(t->rf[i].tf);
    }
    for (int i = 0; i < t->n_berts; i++) {
        hx_bert_session_free(t->bert[i].session);
        hx_bert_app_free(&t->bert[i].app);
    }
    if (t->have_lm) hx_lm_file_free(&t->lm);
    memset(t, 0, sizeof *t);
}

static void join_path(const char *config, const char *rel, char *out, size_t cap) {
    const char *slash = strrchr(config, '/');
    if (rel[0] == '/' || !slash) snprintf(out, cap, "%s", rel);
    else snprintf(out, cap, "%.*s/%s", (int)(slash - config), config, rel);
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    while (b) {
        if (n == cap) {
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    fclose(f);
    if (b) *len = n;
    return b;
}

static int class_index(char **classes, int n, const char *want) {
    for (int c = 0; c < n; c++)
        if (classes && classes[c] && !strcmp(classes[c], want)) return c;
    return -1;
}

static hx_status load_forest(triage_forest *r, const char *name, const char *path, hx_error *err) {
    snprintf(r->name, sizeof r->name, "%s", name);
    hx_hlx *f;
    hx_status st = hx_hlx_open(path, &f, err);
    if (st != HX_OK) return st;
    hx_forest_arrays a;
    memset(&a, 0, sizeof a);
    size_t mlen = 0;
    const char *meta = hx_hlx_metadata(f, &mlen);
    st = hx_text_features_from_hlx_metadata(meta, mlen, &r->tf, err);
    if (st == HX_OK) st = hx_forest_hlx_read(f, &a, err);
    hx_hlx_close(f);
    if (st == HX_OK) st = hx_forest_build(&a, &r->forest, err);
    if (st == HX_OK && (a.task != HX_FOREST_CLASSIFIER || (size_t)a.n_features != hx_text_features_dim(r->tf)))
        st = hx_fail(err, HX_EFORMAT, "%s: not a classifier over its %zu text features", path,
                     hx_text_features_dim(r->tf));
    if (st == HX_OK && (r->positive = class_index(a.classes, a.n_values, "1")) < 0)
        st = hx_fail(err, HX_EFORMAT, "%s: no class \"1\"", path);
    hx_forest_arrays_free(&a);
    return st;
}

static hx_status load_bert(triage_bert *b, const char *name, const char *path, size_t max_len, hx_error *err) {
    snprintf(b->name, sizeof b->name, "%s", name);
    hx_status st = hx_bert_app_load(path, 1, &b->app, err);
    if (st != HX_OK) return st;
    if (b->app.cfg.num_labels != 2)
        return hx_fail(err, HX_EFORMAT, "%s: a triage BERT has two labels", path);
    b->positive = 1; /* id2label 1 = the positive class (tools/train/bert_model.py) */
    if (max_len == 0 || max_len > b->app.cfg.max_position) max_len = b->app.cfg.max_position;
    b->max_len = max_len;
    return hx_bert_session_create(b->app.model, 1, max_len, NULL, &b->session, err);
}

static hx_status load_models(const char *config, triage_models *t, hx_error *err) {
    memset(t, 0, sizeof *t);
    size_t len = 0;
    char *text = read_file(config, &len);
    if (!text) return hx_fail(err, HX_EIO, "cannot read %s", config);
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    if (!root) return hx_fail(err, HX_EFORMAT, "%s: not valid JSON", config);
    hx_status st = HX_OK;
    char path[4096];
    const cJSON *field = cJSON_GetObjectItemCaseSensitive(root, "field");
    const cJSON *thr = cJSON_GetObjectItemCaseSensitive(root, "vote_threshold");
    const cJSON *lfs = cJSON_GetObjectItemCaseSensitive(root, "lfs");
    const cJSON *forests = cJSON_GetObjectItemCaseSensitive(root, "forests");
    const cJSON *berts = cJSON_GetObjectItemCaseSensitive(root, "berts");
    const cJSON *lm = cJSON_GetObjectItemCaseSensitive(root, "label_model");
    snprintf(t->field, sizeof t->field, "%s", cJSON_IsString(field) ? field->valuestring : "text");
    t->threshold = cJSON_IsNumber(thr) ? thr->valuedouble : 0.5;
    if (!(t->threshold > 0 && t->threshold < 1) || !cJSON_IsString(lfs) || !cJSON_IsArray(forests) ||
        !cJSON_IsArray(berts) || cJSON_GetArraySize(forests) > MAX_MODELS ||
        cJSON_GetArraySize(berts) > MAX_MODELS || !cJSON_IsString(lm)) {
        st = hx_fail(err, HX_EFORMAT,
                     "%s: needs \"lfs\", \"forests\" and \"berts\" (at most %d each), \"label_model\" "
                     "and a vote_threshold in (0, 1)", config, MAX_MODELS);
        goto done;
    }
    join_path(config, lfs->valuestring, path, sizeof path);
    if ((st = hx_lf_set_load(path, &t->lfs, err)) != HX_OK) goto done;
    t->have_lfs = 1;
    if (t->lfs.k != 2) {
        st = hx_fail(err, HX_EFORMAT, "%s: the labeling functions must have cardinality 2", path);
        goto done;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, forests) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
        const cJSON *model = cJSON_GetObjectItemCaseSensitive(it, "model");
        if (!cJSON_IsString(name) || !cJSON_IsString(model)) {
            st = hx_fail(err, HX_EFORMAT, "%s: a forest needs \"name\" and \"model\"", config);
            goto done;
        }
        join_path(config, model->valuestring, path, sizeof path);
        st = load_forest(&t->rf[t->n_forests++], name->valuestring, path, err);
        if (st != HX_OK) goto done;
    }
    cJSON_ArrayForEach(it, berts) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
        const cJSON *model = cJSON_GetObjectItemCaseSensitive(it, "model");
        const cJSON *ml = cJSON_GetObjectItemCaseSensitive(it, "max_len");
        if (!cJSON_IsString(name) || !cJSON_IsString(model) ||
            (ml && (!cJSON_IsNumber(ml) || ml->valuedouble < 3 || ml->valuedouble > 65536))) {
            st = hx_fail(err, HX_EFORMAT, "%s: a BERT needs \"name\", \"model\" and max_len in 3..65536", config);
            goto done;
        }
        join_path(config, model->valuestring, path, sizeof path);
        st = load_bert(&t->bert[t->n_berts++], name->valuestring, path, ml ? (size_t)ml->valuedouble : 0, err);
        if (st != HX_OK) goto done;
    }
    t->m = t->lfs.n_lfs + t->n_forests + t->n_berts;
    join_path(config, lm->valuestring, path, sizeof path);
    if ((st = hx_lm_file_read(path, &t->lm, err)) != HX_OK) goto done;
    t->have_lm = 1;
    if (t->lm.m != t->m || t->lm.k != 2)
        st = hx_fail(err, HX_EFORMAT, "%s: a label model over %d sources and 2 classes is needed, it has %d and %d",
                     path, t->m, t->lm.m, t->lm.k);
done:
    cJSON_Delete(root);
    if (st != HX_OK) models_free(t);
    return st;
}

/* The votes of every source on one record; sp[i] = P(1) of model source i
 * (forests then BERTs). */
static hx_status vote(triage_models *t, const cJSON *rec, int32_t *L, double *sp, hx_encoding *enc,
                      hx_error *err) {
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(rec, t->field);
    if (!cJSON_IsString(text)) return hx_fail(err, HX_EFORMAT, "no \"%s\" string in the record", t->field);
    const char *s = text->valuestring;
    size_t len = strlen(s);
    hx_lf_set_apply(&t->lfs, rec, L);
    int col = t->lfs.n_lfs, src = 0;
    for (int i = 0; i < t->n_forests; i++, col++, src++) {
        triage_forest *r = &t->rf[i];
        size_t dim = hx_text_features_dim(r->tf);
        float *x = malloc(dim * sizeof *x);
        double pr[8];
        hx_status st = x ? HX_OK : hx_fail(err, HX_ENOMEM, "out of memory");
        if (st == HX_OK && hx_forest_n_values(r->forest) > 8) st = hx_fail(err, HX_EFORMAT, "too many classes");
        if (st == HX_OK) st = hx_text_features_compute(r->tf, s, len, x, err);
        if (st == HX_OK) st = hx_forest_predict(r->forest, x, 1, pr, NULL, err);
        free(x);
        if (st != HX_OK) return st;
        sp[src] = pr[r->positive];
        L[col] = sp[src] >= t->threshold;
    }
    for (int i = 0; i < t->n_berts; i++, col++, src++) {
        triage_bert *b = &t->bert[i];
        hx_encode_options opt;
        memset(&opt, 0, sizeof opt);
        opt.max_length = b->max_len;
        hx_status st = hx_tokenizer_encode(b->app.tok, s, len, NULL, 0, &opt, enc, err);
        if (st != HX_OK) return st;
        hx_bert_batch batch = {1, &enc->length, enc->ids, NULL};
        float logits[2];
        if ((st = hx_bert_classify(b->session, &batch, logits, err)) != HX_OK) return st;
        /* softmax of two logits: P(1) = 1 / (1 + exp(l0 - l1)) */
        sp[src] = 1.0 / (1.0 + exp((double)logits[1 - b->positive] - (double)logits[b->positive]));
        L[col] = sp[src] >= t->threshold;
    }
    return HX_OK;
}

static const char *source_name(const triage_models *t, int col) {
    if (col < t->lfs.n_lfs) return t->lfs.lfs[col].name;
    col -= t->lfs.n_lfs;
    if (col < t->n_forests) return t->rf[col].name;
    return t->bert[col - t->n_forests].name;
}

static void write_record(FILE *out, const triage_models *t, const cJSON *rec, const int32_t *L, const double *sp,
                         double p) {
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
    for (int c = 0; c < t->m; c++) {
        const char *n = source_name(t, c);
        if (c) fputs(",", out);
        cli_write_json_string(out, n, strlen(n));
        fprintf(out, ":%d", (int)L[c]);
    }
    fputs("},\"source_p\":{", out);
    for (int c = t->lfs.n_lfs; c < t->m; c++) {
        const char *n = source_name(t, c);
        if (c > t->lfs.n_lfs) fputs(",", out);
        cli_write_json_string(out, n, strlen(n));
        fprintf(out, ":%.17g", sp[c - t->lfs.n_lfs]);
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

static hx_status evaluate_table(FILE *out, const triage_models *t, const int32_t *L, const int32_t *gold,
                                const double *p_bundled, size_t n, hx_error *err) {
    /* groups: the kinds of source present, in the order LFs, RFs, BERTs */
    static const char *const kind_names[3] = {"LFs", "RFs", "BERTs"};
    const int kind_count[3] = {t->lfs.n_lfs, t->n_forests, t->n_berts};
    int group_of_kind[3], n_groups = 0;
    const char *gname[3];
    for (int k = 0; k < 3; k++) {
        group_of_kind[k] = kind_count[k] > 0 ? n_groups : -1;
        if (kind_count[k] > 0) gname[n_groups++] = kind_names[k];
    }
    int *group = malloc((size_t)t->m * sizeof *group);
    if (!group) return hx_fail(err, HX_ENOMEM, "out of memory");
    for (int c = 0; c < t->m; c++)
        group[c] = group_of_kind[c < t->lfs.n_lfs ? 0 : c < t->lfs.n_lfs + t->n_forests ? 1 : 2];
    hx_eval_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_groups = n_groups;
    cfg.group_of_column = group;
    cfg.positive = 1;
    hx_lm_config_init(&cfg.lm);
    cfg.lm.seed = LM_SEED;
    cfg.tie_policy = HX_TIE_ABSTAIN;
    hx_eval_row *rows = NULL;
    size_t n_rows = 0;
    hx_status st = hx_eval_source_subsets(L, n, t->m, 2, gold, &cfg, &rows, &n_rows, err);
    free(group);
    if (st != HX_OK) return st;
    fprintf(out, "%-18s %-14s %8s %8s %8s %8s %8s %8s %8s %6s\n", "sources", "method", "TPR", "FPR", "FNR",
            "TNR", "accuracy", "F1", "coverage", "n");
    /* the talk's order: single kinds, then pairs, then all of them */
    uint32_t full = (1u << n_groups) - 1;
    for (int size = 1; size <= n_groups; size++)
        for (uint32_t mask = 1; mask <= full; mask++) {
            if (__builtin_popcount(mask) != size) continue;
            char name[32] = "";
            for (int g = 0; g < n_groups; g++)
                if (mask >> g & 1) {
                    if (name[0]) strcat(name, "+");
                    strcat(name, gname[g]);
                }
            if (n_groups == 3 && mask == full) snprintf(name, sizeof name, "all three");
            for (int method = HX_EVAL_LABEL_MODEL; method <= HX_EVAL_MAJORITY; method++)
                for (size_t r = 0; r < n_rows; r++)
                    if (rows[r].group_mask == mask && (int)rows[r].method == method && rows[r].fitted)
                        print_row(out, name, method == HX_EVAL_LABEL_MODEL ? "label model" : "majority vote",
                                  &rows[r].conf);
        }
    free(rows);
    /* the bundled label model (fitted on the dev split) on every source */
    int32_t *pred = malloc(n * sizeof *pred);
    if (!pred) return hx_fail(err, HX_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) pred[i] = p_bundled[i] >= 0.5;
    hx_confusion c;
    hx_confusion_from_preds(pred, gold, n, 1, &c);
    print_row(out, n_groups == 3 ? "all three" : "all", "bundled LM", &c);
    free(pred);
    return HX_OK;
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
    size_t len = 0;
    char *text = read_file(feat, &len);
    cJSON *j = text ? cJSON_ParseWithLength(text, len) : NULL;
    free(text);
    if (!j) {
        fprintf(stderr, "helix triage attach-features: %s: cannot read or not JSON\n", feat);
        return 1;
    }
    hx_error err;
    hx_error_clear(&err);
    hx_status st = hx_text_features_attach_hlx(in, j, outp, &err);
    cJSON_Delete(j);
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
    triage_models t;
    if (load_models(config, &t, &err) != HX_OK) {
        fprintf(stderr, "helix triage: %s\n", err.msg);
        return 1;
    }
    FILE *out = outp ? fopen(outp, "w") : stdout;
    if (!out) {
        fprintf(stderr, "helix triage: cannot write %s\n", outp);
        models_free(&t);
        return 1;
    }
    const int m = t.m;
    int32_t *row = malloc((size_t)m * sizeof *row);
    double *sp = malloc((size_t)(t.n_forests + t.n_berts + 1) * sizeof *sp);
    /* --evaluate keeps every labelled record's votes */
    int32_t *L = NULL, *gold = NULL;
    double *pb = NULL;
    size_t n = 0, cap = 0;
    long line_no = 0, errors = 0, no_gold = 0;
    char *line = NULL;
    size_t lcap = 0;
    long len;
    hx_encoding enc;
    hx_encoding_init(&enc);
    int failed = !row || !sp;
    while (!failed && (len = cli_read_line(stdin, &line, &lcap)) >= 0) {
        line_no++;
        hx_error_clear(&err);
        cJSON *rec = cJSON_ParseWithLength(line, (size_t)len);
        hx_status st = cJSON_IsObject(rec) ? vote(&t, rec, row, sp, &enc, &err)
                                            : hx_fail(&err, HX_EFORMAT, "not a JSON object");
        double p[2] = {0, 0};
        if (st == HX_OK) st = hx_lm_file_predict_proba(&t.lm, row, 1, m, p, &err);
        if (st != HX_OK) {
            errors++;
            if (!evaluate) cli_write_error_record(out, err.msg, line_no);
            else fprintf(stderr, "helix triage: line %ld: %s\n", line_no, err.msg);
        } else if (!evaluate) {
            write_record(out, &t, rec, row, sp, p[1]);
        } else {
            const cJSON *g = cJSON_GetObjectItemCaseSensitive(rec, "label");
            if (!cJSON_IsNumber(g) || (g->valuedouble != 0 && g->valuedouble != 1)) {
                no_gold++;
            } else {
                if (n == cap) {
                    cap = cap ? cap * 2 : 256;
                    int32_t *nL = realloc(L, cap * (size_t)m * sizeof *L);
                    if (nL) L = nL;
                    int32_t *ng = realloc(gold, cap * sizeof *gold);
                    if (ng) gold = ng;
                    double *np_ = realloc(pb, cap * sizeof *pb);
                    if (np_) pb = np_;
                    if (!nL || !ng || !np_) {
                        failed = 1;
                        cJSON_Delete(rec);
                        break;
                    }
                }
                memcpy(L + n * (size_t)m, row, (size_t)m * sizeof *row);
                gold[n] = (int32_t)g->valuedouble;
                pb[n] = p[1];
                n++;
            }
        }
        cJSON_Delete(rec);
        cli_progress("triage", (size_t)line_no, 0);
    }
    cli_progress_end();
    if (failed) fprintf(stderr, "helix triage: out of memory\n");
    if (!failed && evaluate) {
        if (no_gold) fprintf(stderr, "helix triage: %ld record(s) without a 0/1 \"label\" left out\n", no_gold);
        if (n == 0) {
            fprintf(stderr, "helix triage: no labelled records to evaluate\n");
            failed = 1;
        } else if (evaluate_table(out, &t, L, gold, pb, n, &err) != HX_OK) {
            fprintf(stderr, "helix triage: %s\n", err.msg);
            failed = 1;
        }
    }
    hx_encoding_free(&enc);
    free(line);
    free(row);
    free(sp);
    free(L);
    free(gold);
    free(pb);
    if (outp && fclose(out) != 0) failed = 1;
    else if (!outp) fflush(out);
    models_free(&t);
    return failed || errors ? 1 : 0;
}
