/* The undiagnosed-disease triage pipeline (see helix/udp.h): config ->
 * ontology and per-target forests -> features of a patient -> P per target
 * -> the talk's table. */
#include "helix/udp.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "helix/file_util.h"
#include "helix/forest.h"
#include "helix/forest_file.h"
#include "helix/hlx.h"
#include "pipelines/pipelines_internal.h"

#define CONFIG_MAX ((size_t)1 << 24)

typedef struct {
    char name[64];
    int target;         /* index into hx_udp_target_names */
    hx_forest_file file; /* the evaluator, class labels and feature names */
    hx_forest *forest;  /* = file.forest */
    int positive;       /* index of class "1" */
    int n_features;
    int32_t *term;      /* n_features ontology term indices */
} udp_target;

struct hx_udp {
    hx_hpo *hpo;
    int n_targets;
    udp_target t[HX_UDP_MAX_TARGETS];
};

void hx_udp_close(hx_udp *m) {
    if (!m) return;
    for (int i = 0; i < m->n_targets; i++) {
        hx_forest_file_close(&m->t[i].file);
        free(m->t[i].term);
    }
    hx_hpo_free(m->hpo);
    free(m);
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

static hx_status load_target(hx_udp *m, const char *name, const char *path, hx_error *err) {
    udp_target *t = &m->t[m->n_targets];
    memset(t, 0, sizeof *t);
    t->target = -1;
    for (int k = 0; k < HX_UDP_N_TARGETS; k++)
        if (!strcmp(name, hx_udp_target_names[k])) t->target = k;
    if (t->target < 0) return hx_fail(err, HX_EINVAL, "udp config: unknown target \"%s\"", name);
    snprintf(t->name, sizeof t->name, "%s", name);
    hx_status st = hx_forest_file_open(path, &t->file, err);
    t->forest = t->file.forest;
    if (st == HX_OK && (hx_forest_task_of(t->forest) != HX_FOREST_CLASSIFIER || !t->file.classes ||
                        !t->file.feature_names))
        st = hx_fail(err, HX_EFORMAT, "%s: a udp model is a classifier with feature names (HPO ids)", path);
    if (st == HX_OK && (t->positive = hx_forest_file_class_index(&t->file, "1")) < 0)
        st = hx_fail(err, HX_EFORMAT, "%s: no class \"1\"", path);
    if (st == HX_OK) {
        t->n_features = hx_forest_n_features(t->forest);
        t->term = malloc((size_t)t->n_features * sizeof *t->term);
        if (!t->term) st = hx_fail(err, HX_ENOMEM, "udp: out of memory");
    }
    for (int j = 0; st == HX_OK && j < t->n_features; j++) {
        /* a feature must be a live term of this ontology: otherwise the
         * model and the ontology do not belong together */
        if (hx_hpo_resolve(m->hpo, t->file.feature_names[j], &t->term[j]) != HX_HPO_CURRENT)
            st = hx_fail(err, HX_EFORMAT, "%s: feature %d is not a current term of the ontology", path, j);
    }
    m->n_targets++; /* freed by hx_udp_close even on failure */
    return st;
}

static hx_status load_models(const char *config, const cJSON *root, hx_udp *m, hx_error *err) {
    const cJSON *onto = cJSON_GetObjectItemCaseSensitive(root, "ontology");
    const cJSON *targets = cJSON_GetObjectItemCaseSensitive(root, "targets");
    char path[4096];
    if (!cJSON_IsString(onto) || !cJSON_IsArray(targets) || cJSON_GetArraySize(targets) < 1 ||
        cJSON_GetArraySize(targets) > HX_UDP_MAX_TARGETS)
        return hx_fail(err, HX_EFORMAT, "%s: needs \"ontology\" and 1..%d \"targets\"", config, HX_UDP_MAX_TARGETS);
    hx_status st = hx_path_beside(config, onto->valuestring, path, sizeof path, err);
    if (st != HX_OK) return st;
    st = ends_with(path, ".json") ? hx_hpo_load_file(path, &m->hpo, err) : hx_hpo_open_hlx(path, &m->hpo, err);
    if (st != HX_OK) return st;
    const cJSON *t;
    cJSON_ArrayForEach(t, targets) {
        const char *name;
        if ((st = pl_model_entry(t, config, "each target needs \"name\" and \"model\"", &name, path,
                                 sizeof path, err)) ||
            (st = load_target(m, name, path, err)))
            return st;
    }
    return HX_OK;
}

hx_status hx_udp_open(const char *config, const hx_udp_options *opts, hx_udp **out, hx_error *err) {
    (void)opts;
    *out = NULL;
    char *text;
    size_t len;
    hx_status st = hx_read_file(config, CONFIG_MAX, &text, &len, err);
    if (st != HX_OK) return st;
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    if (!root) return hx_fail(err, HX_EFORMAT, "%s: not valid JSON", config);
    hx_udp *m = calloc(1, sizeof *m);
    st = m ? load_models(config, root, m, err) : hx_fail(err, HX_ENOMEM, "udp: out of memory");
    cJSON_Delete(root);
    if (st != HX_OK) {
        hx_udp_close(m);
        return st;
    }
    *out = m;
    return HX_OK;
}

int hx_udp_n_targets(const hx_udp *u) { return u->n_targets; }
const char *hx_udp_target_name(const hx_udp *u, int k) { return k >= 0 && k < u->n_targets ? u->t[k].name : NULL; }
int hx_udp_target(const hx_udp *u, int k) { return k >= 0 && k < u->n_targets ? u->t[k].target : -1; }
const hx_hpo *hx_udp_ontology(const hx_udp *u) { return u->hpo; }

hx_status hx_udp_score(const hx_udp *m, const hx_phenopacket *p, double *prob, hx_hpo_resolution *why,
                       hx_error *err) {
    hx_status st = HX_OK;
    size_t nt = hx_hpo_n_terms(m->hpo);
    uint8_t *mark = calloc(nt ? nt : 1, 1);
    if (!mark) return hx_fail(err, HX_ENOMEM, "udp: out of memory");
    for (size_t i = 0; st == HX_OK && i < p->n_observed; i++) {
        int32_t t;
        hx_hpo_resolution r = hx_hpo_resolve(m->hpo, p->observed[i], &t);
        if (why) why[i] = r;
        if (t >= 0) st = hx_hpo_mark_ancestors(m->hpo, t, mark, err);
    }
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
    free(mark);
    return st;
}

void hx_udp_table_init(const hx_udp *u, hx_udp_table *table) {
    memset(table, 0, sizeof *table);
    table->n_targets = u->n_targets;
}

void hx_udp_evaluate(const hx_udp *u, const hx_phenopacket *p, const double *prob, hx_udp_table *table) {
    int truth[HX_UDP_N_TARGETS];
    hx_phenopacket_targets(p, truth);
    for (int k = 0; k < u->n_targets; k++) {
        int y = truth[u->t[k].target];
        if (y < 0) continue;
        hx_udp_tally *t = &table->tally[k];
        t->n++;
        t->ones += y;
        t->correct += (prob[k] >= 0.5) == (y == 1);
    }
}

double hx_udp_tally_accuracy(const hx_udp_tally *t) {
    return t->n ? (double)t->correct / (double)t->n : NAN;
}

double hx_udp_tally_majority_rate(const hx_udp_tally *t) {
    long maj = t->ones * 2 >= t->n ? t->ones : t->n - t->ones;
    return t->n ? (double)maj / (double)t->n : NAN;
}
