/* The abstract-triage pipeline (see helix/triage.h): config -> models ->
 * votes -> label model -> table. */
#include "helix/triage.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "helix/label_model_file.h"
#include "helix/bert_file.h"
#include "helix/bert_text_batch.h"
#include "helix/file_util.h"
#include "helix/forest.h"
#include "helix/forest_file.h"
#include "helix/hlx.h"
#include "helix/lf_rules.h"
#include "helix/text_features.h"
#include "pipelines/pipelines_internal.h"

#define MAX_MODELS 16
#define CONFIG_MAX ((size_t)1 << 24)

typedef struct {
    char name[64];
    hx_forest_file file; /* the evaluator and its class labels */
    hx_forest *forest;   /* = file.forest */
    hx_text_features *tf;
    float *x; /* its features of one text */
    int positive;
} triage_forest;

typedef struct {
    char name[64];
    hx_bert_file file;
    hx_bert_session *session;
    hx_bert_text_batch texts; /* one text at a time, as the label model was fitted */
    int positive;
} triage_bert;

struct hx_triage {
    char field[64];
    double threshold;
    hx_lf_set lfs;
    int have_lfs;
    int n_forests, n_berts;
    triage_forest rf[MAX_MODELS];
    triage_bert bert[MAX_MODELS];
    hx_lm_file lm;
    int have_lm;
    int m;        /* columns */
    size_t batch; /* texts per BERT call */
};

void hx_triage_close(hx_triage *t) {
    if (!t) return;
    if (t->have_lfs) hx_lf_set_free(&t->lfs);
    for (int i = 0; i < t->n_forests; i++) {
        hx_forest_file_close(&t->rf[i].file);
        hx_text_features_free(t->rf[i].tf);
        free(t->rf[i].x);
    }
    for (int i = 0; i < t->n_berts; i++) {
        hx_bert_text_batch_free(&t->bert[i].texts);
        hx_bert_session_free(t->bert[i].session);
        hx_bert_file_close(&t->bert[i].file);
    }
    if (t->have_lm) hx_lm_file_free(&t->lm);
    free(t);
}

static hx_status load_forest(triage_forest *r, const char *name, const char *path, hx_error *err) {
    snprintf(r->name, sizeof r->name, "%s", name);
    hx_hlx *f;
    hx_status st = hx_hlx_open(path, &f, err);
    if (st != HX_OK) return st;
    size_t mlen = 0;
    const char *meta = hx_hlx_metadata(f, &mlen);
    st = hx_text_features_from_hlx_metadata(meta, mlen, &r->tf, err);
    if (st == HX_OK) st = hx_forest_file_from_hlx(f, &r->file, err);
    hx_hlx_close(f);
    if (st != HX_OK) return st;
    r->forest = r->file.forest;
    if (hx_forest_task_of(r->forest) != HX_FOREST_CLASSIFIER ||
        (size_t)hx_forest_n_features(r->forest) != hx_text_features_dim(r->tf))
        return hx_fail(err, HX_EFORMAT, "%s: not a classifier over its %zu text features", path,
                       hx_text_features_dim(r->tf));
    if ((r->positive = hx_forest_file_class_index(&r->file, "1")) < 0)
        return hx_fail(err, HX_EFORMAT, "%s: no class \"1\"", path);
    if (hx_forest_n_values(r->forest) > 8) return hx_fail(err, HX_EFORMAT, "%s: too many classes", path);
    if (!(r->x = malloc(hx_text_features_dim(r->tf) * sizeof *r->x)))
        return hx_fail(err, HX_ENOMEM, "out of memory");
    return HX_OK;
}

static hx_status load_bert(triage_bert *b, const char *name, const char *path, size_t max_len, size_t batch,
                           hx_threadpool *pool, hx_error *err) {
    snprintf(b->name, sizeof b->name, "%s", name);
    hx_status st = hx_bert_file_open(path, 1, &b->file, err);
    if (st != HX_OK) return st;
    if (b->file.cfg.num_labels != 2) return hx_fail(err, HX_EFORMAT, "%s: a triage BERT has two labels", path);
    b->positive = 1; /* id2label 1 = the positive class (tools/train/bert_model.py) */
    if (max_len == 0 || max_len > b->file.cfg.max_position) max_len = b->file.cfg.max_position;
    if ((st = hx_bert_session_create(b->file.model, batch, max_len, pool, &b->session, err)) != HX_OK) return st;
    return hx_bert_text_batch_init(&b->texts, batch, max_len, err);
}

static hx_status check_lf_fields(const hx_triage *t, const char *path, hx_error *err) {
    if (t->lfs.k != 2) return hx_fail(err, HX_EFORMAT, "%s: the labeling functions must have cardinality 2", path);
    for (int j = 0; j < t->lfs.n_lfs; j++)
        if (strcmp(t->lfs.lfs[j].field, t->field))
            return hx_fail(err, HX_EFORMAT, "%s: LF %d reads a field other than the text field \"%s\"", path, j,
                           t->field);
    return HX_OK;
}

static hx_status load_models(const char *config, const cJSON *root, hx_threadpool *pool, hx_triage *t,
                             hx_error *err) {
    hx_status st;
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
        cJSON_GetArraySize(berts) > MAX_MODELS || !cJSON_IsString(lm))
        return hx_fail(err, HX_EFORMAT,
                       "%s: needs \"lfs\", \"forests\" and \"berts\" (at most %d each), \"label_model\" "
                       "and a vote_threshold in (0, 1)", config, MAX_MODELS);
    if ((st = hx_path_beside(config, lfs->valuestring, path, sizeof path, err)) ||
        (st = hx_lf_set_load(path, &t->lfs, err)))
        return st;
    t->have_lfs = 1;
    if ((st = check_lf_fields(t, path, err)) != HX_OK) return st;
    const cJSON *it;
    cJSON_ArrayForEach(it, forests) {
        const char *name;
        if ((st = pl_model_entry(it, config, "a forest needs \"name\" and \"model\"", &name, path, sizeof path,
                                 err)) ||
            (st = load_forest(&t->rf[t->n_forests++], name, path, err)))
            return st;
    }
    cJSON_ArrayForEach(it, berts) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
        const cJSON *model = cJSON_GetObjectItemCaseSensitive(it, "model");
        const cJSON *ml = cJSON_GetObjectItemCaseSensitive(it, "max_len");
        if (!cJSON_IsString(name) || !cJSON_IsString(model) ||
            (ml && (!cJSON_IsNumber(ml) || ml->valuedouble < 3 || ml->valuedouble > 65536)))
            return hx_fail(err, HX_EFORMAT, "%s: a BERT needs \"name\", \"model\" and max_len in 3..65536", config);
        if ((st = hx_path_beside(config, model->valuestring, path, sizeof path, err)) ||
            (st = load_bert(&t->bert[t->n_berts++], name->valuestring, path, ml ? (size_t)ml->valuedouble : 0,
                            t->batch, pool, err)))
            return st;
    }
    t->m = t->lfs.n_lfs + t->n_forests + t->n_berts;
    if ((st = hx_path_beside(config, lm->valuestring, path, sizeof path, err)) ||
        (st = hx_lm_file_read(path, &t->lm, err)))
        return st;
    t->have_lm = 1;
    if (t->lm.m != t->m || t->lm.k != 2)
        return hx_fail(err, HX_EFORMAT,
                       "%s: a label model over %d sources and 2 classes is needed, it has %d and %d", path, t->m,
                       t->lm.m, t->lm.k);
    return HX_OK;
}

hx_status hx_triage_open(const char *config, const hx_triage_options *opts, hx_triage **out, hx_error *err) {
    *out = NULL;
    char *text;
    size_t len;
    hx_status st = hx_read_file(config, CONFIG_MAX, &text, &len, err);
    if (st != HX_OK) return st;
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    if (!root) return hx_fail(err, HX_EFORMAT, "%s: not valid JSON", config);
    size_t batch = opts && opts->batch ? opts->batch : HX_TRIAGE_DEFAULT_BATCH;
    if (batch > 4096) {
        cJSON_Delete(root);
        return hx_fail(err, HX_EINVAL, "triage: batch %zu is more than 4096 texts", batch);
    }
    hx_triage *t = calloc(1, sizeof *t);
    if (t) t->batch = batch;
    st = t ? load_models(config, root, opts ? opts->pool : NULL, t, err) : hx_fail(err, HX_ENOMEM, "out of memory");
    cJSON_Delete(root);
    if (st != HX_OK) {
        hx_triage_close(t);
        return st;
    }
    *out = t;
    return HX_OK;
}

const char *hx_triage_field(const hx_triage *t) { return t->field; }
int hx_triage_n_sources(const hx_triage *t) { return t->m; }
int hx_triage_n_lfs(const hx_triage *t) { return t->lfs.n_lfs; }

const char *hx_triage_source_name(const hx_triage *t, int col) {
    if (col < 0 || col >= t->m) return NULL;
    if (col < t->lfs.n_lfs) return t->lfs.lfs[col].name;
    col -= t->lfs.n_lfs;
    if (col < t->n_forests) return t->rf[col].name;
    return t->bert[col - t->n_forests].name;
}

/* The LF and forest votes on one text; sp[i] = P(1) of forest i. */
static hx_status vote_text(hx_triage *t, const char *s, size_t len, int32_t *L, double *sp, hx_error *err) {
    hx_status st = hx_lf_set_apply_text(&t->lfs, t->field, s, len, L, err);
    for (int i = 0; st == HX_OK && i < t->n_forests; i++) {
        triage_forest *r = &t->rf[i];
        double pr[8];
        if ((st = hx_text_features_compute(r->tf, s, len, r->x, err)) ||
            (st = hx_forest_predict(r->forest, r->x, 1, pr, NULL, err)))
            break;
        sp[i] = pr[r->positive];
        L[t->lfs.n_lfs + i] = sp[i] >= t->threshold;
    }
    return st;
}

static void set_result(hx_triage_result *r, hx_status st, const char *msg) {
    r->status = st;
    snprintf(r->error, sizeof r->error, "%s", st == HX_OK ? "" : msg);
}

/* BERT b on the texts of one chunk still without an error, packed in one
 * batch: column col of L, model source src of sp. */
static hx_status vote_bert(hx_triage *t, triage_bert *b, const hx_triage_text *texts, size_t nc,
                           hx_triage_result *res, int32_t *L, double *sp, int col, int src, float *logits,
                           size_t *slot_of, hx_error *err) {
    const int m = t->m, n_models = t->n_forests + t->n_berts;
    hx_bert_text_batch *tb = &b->texts;
    hx_bert_text_batch_clear(tb);
    for (size_t j = 0; j < nc; j++) {
        slot_of[j] = SIZE_MAX;
        if (res[j].status != HX_OK) continue;
        size_t slot;
        hx_status st = hx_bert_text_batch_add(tb, b->file.tok, texts[j].text ? texts[j].text : "", texts[j].len,
                                              NULL, 0, &slot, err);
        if (st != HX_OK) return st; /* out of memory */
        if (tb->error[slot][0]) set_result(&res[j], HX_EFORMAT, tb->error[slot]);
        else slot_of[j] = slot;
    }
    if (tb->batch.n_seqs == 0) return HX_OK;
    hx_error e;
    hx_error_clear(&e);
    hx_status st = hx_bert_classify(b->session, &tb->batch, logits, &e);
    if (st == HX_ENOMEM) return hx_fail(err, st, "%s", e.msg);
    for (size_t j = 0; j < nc; j++) {
        if (slot_of[j] == SIZE_MAX) continue;
        if (st != HX_OK) {
            set_result(&res[j], st, e.msg);
            continue;
        }
        const float *lg = logits + tb->seq_of_slot[slot_of[j]] * 2;
        /* softmax of two logits: P(1) = 1 / (1 + exp(l0 - l1)) */
        double p1 = 1.0 / (1.0 + exp((double)lg[1 - b->positive] - (double)lg[b->positive]));
        sp[j * (size_t)n_models + (size_t)src] = p1;
        L[j * (size_t)m + (size_t)col] = p1 >= t->threshold;
    }
    return HX_OK;
}

/* One chunk of at most t->batch texts: LFs and forests text by text, each
 * BERT on the chunk at once, then the label model text by text. */
static hx_status score_chunk(hx_triage *t, const hx_triage_text *texts, size_t nc, hx_triage_result *res,
                             int32_t *L, double *sp, float *logits, size_t *slot_of, hx_error *err) {
    const int m = t->m, n_models = t->n_forests + t->n_berts;
    for (size_t j = 0; j < nc; j++) {
        hx_error e;
        hx_error_clear(&e);
        hx_status st = texts[j].text || !texts[j].len
                           ? vote_text(t, texts[j].text ? texts[j].text : "", texts[j].len, L + j * (size_t)m,
                                       sp + j * (size_t)n_models, &e)
                           : hx_fail(&e, HX_EINVAL, "a NULL text");
        if (st == HX_ENOMEM) return hx_fail(err, st, "%s", e.msg);
        set_result(&res[j], st, e.msg);
    }
    for (int i = 0; i < t->n_berts; i++) {
        hx_status st = vote_bert(t, &t->bert[i], texts, nc, res, L, sp, t->lfs.n_lfs + t->n_forests + i,
                                 t->n_forests + i, logits, slot_of, err);
        if (st != HX_OK) return st;
    }
    for (size_t j = 0; j < nc; j++) {
        double p[2] = {0, 0};
        hx_error e;
        hx_error_clear(&e);
        if (res[j].status == HX_OK) {
            hx_status st = hx_lm_file_predict_proba(&t->lm, L + j * (size_t)m, 1, m, p, &e);
            if (st == HX_ENOMEM) return hx_fail(err, st, "%s", e.msg);
            set_result(&res[j], st, e.msg);
        }
        res[j].p = res[j].status == HX_OK ? p[1] : 0;
        res[j].label = res[j].status == HX_OK && p[1] >= 0.5;
    }
    return HX_OK;
}

hx_status hx_triage_score(hx_triage *t, const hx_triage_text *texts, size_t n, hx_triage_result *results,
                          int32_t *votes, double *source_p, hx_error *err) {
    const size_t m = (size_t)t->m, n_models = (size_t)(t->n_forests + t->n_berts), B = t->batch;
    int32_t *L = malloc(B * m * sizeof *L);
    double *sp = malloc(B * (n_models + 1) * sizeof *sp);
    float *logits = malloc(B * 2 * sizeof *logits);
    size_t *slot_of = malloc(B * sizeof *slot_of);
    hx_status st = L && sp && logits && slot_of ? HX_OK : hx_fail(err, HX_ENOMEM, "out of memory");
    for (size_t c0 = 0; st == HX_OK && c0 < n; c0 += B) {
        size_t nc = n - c0 < B ? n - c0 : B;
        st = score_chunk(t, texts + c0, nc, results + c0, L, sp, logits, slot_of, err);
        for (size_t j = 0; st == HX_OK && j < nc; j++) {
            if (results[c0 + j].status != HX_OK) continue;
            if (votes) memcpy(votes + (c0 + j) * m, L + j * m, m * sizeof *L);
            if (source_p) memcpy(source_p + (c0 + j) * n_models, sp + j * n_models, n_models * sizeof *sp);
        }
    }
    free(L);
    free(sp);
    free(logits);
    free(slot_of);
    return st;
}

static hx_status add_row(hx_triage_table *tab, const char *sources, const char *method, const hx_confusion *c,
                         hx_error *err) {
    hx_triage_row *nr = realloc(tab->rows, (tab->n_rows + 1) * sizeof *nr);
    if (!nr) return hx_fail(err, HX_ENOMEM, "out of memory");
    tab->rows = nr;
    hx_triage_row *r = &nr[tab->n_rows++];
    snprintf(r->sources, sizeof r->sources, "%s", sources);
    snprintf(r->method, sizeof r->method, "%s", method);
    r->conf = *c;
    return HX_OK;
}

/* The talk's order: single kinds, then pairs, then all of them. */
static hx_status subset_rows(const hx_eval_row *rows, size_t n_rows, int n_groups, const char *const *gname,
                             hx_triage_table *tab, hx_error *err) {
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
                    if (rows[r].group_mask == mask && (int)rows[r].method == method && rows[r].fitted) {
                        hx_status st = add_row(tab, name, method == HX_EVAL_LABEL_MODEL ? "label model" : "majority vote",
                                               &rows[r].conf, err);
                        if (st != HX_OK) return st;
                    }
        }
    return HX_OK;
}

hx_status hx_triage_evaluate(const hx_triage *t, const int32_t *L, const int32_t *gold, const double *p_bundled,
                             size_t n, hx_triage_table *tab, hx_error *err) {
    memset(tab, 0, sizeof *tab);
    if (n == 0) return hx_fail(err, HX_EINVAL, "no labelled records to evaluate");
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
    int32_t *pred = malloc(n * sizeof *pred);
    if (!group || !pred) {
        free(group);
        free(pred);
        return hx_fail(err, HX_ENOMEM, "out of memory");
    }
    for (int c = 0; c < t->m; c++)
        group[c] = group_of_kind[c < t->lfs.n_lfs ? 0 : c < t->lfs.n_lfs + t->n_forests ? 1 : 2];
    hx_eval_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_groups = n_groups;
    cfg.group_of_column = group;
    cfg.positive = 1;
    hx_lm_config_init(&cfg.lm);
    cfg.lm.seed = HX_TRIAGE_LM_SEED;
    cfg.tie_policy = HX_TIE_ABSTAIN;
    hx_eval_row *rows = NULL;
    size_t n_rows = 0;
    hx_status st = hx_eval_source_subsets(L, n, t->m, 2, gold, &cfg, &rows, &n_rows, err);
    if (st == HX_OK) st = subset_rows(rows, n_rows, n_groups, gname, tab, err);
    if (st == HX_OK) {
        /* the bundled label model (fitted on the dev split) on every source */
        for (size_t i = 0; i < n; i++) pred[i] = p_bundled[i] >= 0.5;
        hx_confusion c;
        hx_confusion_from_preds(pred, gold, n, 1, &c);
        st = add_row(tab, n_groups == 3 ? "all three" : "all", "bundled LM", &c, err);
    }
    free(rows);
    free(group);
    free(pred);
    if (st != HX_OK) hx_triage_table_free(tab);
    return st;
}

void hx_triage_table_free(hx_triage_table *tab) {
    free(tab->rows);
    memset(tab, 0, sizeof *tab);
}
