/* Abstract triage (docs/abstract-triage-task.md): labeling functions
 * (keyword/regex rules), random forests on helix-bow-v1 text features and
 * small BERT classifiers each vote on an abstract; a generative label model
 * (fitted on the dev split's votes) turns the votes into P(positive).
 *
 * The models come from a config JSON, paths relative to it:
 *   {"format": "helix-triage-v1", "field": "text", "vote_threshold": 0.5,
 *    "lfs": "lf_rules.json",
 *    "forests": [{"name", "model": FOREST.hlx with "text_features"}],
 *    "berts": [{"name", "model": BERT.hlx, "max_len": N}],
 *    "label_model": "LM.json"}
 * Sources (columns of the label matrix): the LFs in file order, then the
 * forests, then the BERTs. A forest or BERT votes 1 when its P(1) >=
 * vote_threshold, else 0; an LF votes its label or abstains (-1). */
#ifndef HELIX_TRIAGE_H
#define HELIX_TRIAGE_H

#include <stddef.h>
#include <stdint.h>

#include "helix/label_model.h"
#include "helix/status.h"
#include "helix/threads.h"

#include "helix/export.h"

HX_API_BEGIN

typedef struct hx_triage hx_triage;

#define HX_TRIAGE_DEFAULT_BATCH 8

typedef struct {
    hx_threadpool *pool; /* runs the BERTs; NULL = serial. Results do not depend on it. */
    size_t batch;        /* texts per BERT call in hx_triage_score (0: HX_TRIAGE_DEFAULT_BATCH) */
} hx_triage_options;

/* Reads the config and opens every model it names (opts may be NULL). The
 * LFs must all read the config's "field": the pipeline scores texts, not
 * records. */
hx_status hx_triage_open(const char *config_path, const hx_triage_options *opts, hx_triage **out,
                         hx_error *err);
void hx_triage_close(hx_triage *t);

/* The record field the config names for the text (default "text"). */
const char *hx_triage_field(const hx_triage *t);
/* Sources: n_sources columns, of which the first n_lfs are LFs and the
 * rest models (forests, then BERTs) that also give a P(1). */
int hx_triage_n_sources(const hx_triage *t);
int hx_triage_n_lfs(const hx_triage *t);
const char *hx_triage_source_name(const hx_triage *t, int col);

typedef struct {
    const char *text; /* UTF-8, need not be NUL-terminated */
    size_t len;
} hx_triage_text;

typedef struct {
    hx_status status;              /* HX_OK, or why this text has no score */
    char error[HX_ERROR_MSG_MAX];  /* the reason (never quotes the text) */
    double p;                      /* P(positive) by the config's label model */
    int label;                     /* p >= 0.5 */
} hx_triage_result;

/* Scores n texts (each BERT runs on up to opts->batch of them at once; the
 * results do not depend on how texts are grouped into calls). results[i]
 * says per text whether it was scored; votes
 * (n x n_sources, row-major) and source_p (n x (n_sources - n_lfs): each
 * model's P(1)) are filled for the texts scored and may be NULL. Returns
 * non-OK only when the whole call failed (out of memory). */
hx_status hx_triage_score(hx_triage *t, const hx_triage_text *texts, size_t n, hx_triage_result *results,
                          int32_t *votes, double *source_p, hx_error *err);

/* The talk's table from the votes of n scored texts with gold labels 0/1:
 * for LFs, RFs, BERTs, each pair and all three (the kinds present), the
 * label model fitted on these votes (seed HX_TRIAGE_LM_SEED) and majority
 * vote; then the config's label model on every source, from p (its
 * P(positive) of each text). Rows a method abstains on (ties) are left out
 * of the rates and counted in coverage. */
#define HX_TRIAGE_LM_SEED 123

typedef struct {
    char sources[32]; /* "LFs", "RFs+BERTs", "all three", ... */
    char method[16];  /* "label model", "majority vote", "bundled LM" */
    hx_confusion conf;
} hx_triage_row;

typedef struct {
    size_t n_rows;
    hx_triage_row *rows;
} hx_triage_table;

hx_status hx_triage_evaluate(const hx_triage *t, const int32_t *votes, const int32_t *gold, const double *p,
                             size_t n, hx_triage_table *table, hx_error *err);
void hx_triage_table_free(hx_triage_table *table);

/* The labelled records of a run, collected for hx_triage_evaluate: each
 * one's votes (hx_triage_n_sources of them), gold label (0/1) and P. */
typedef struct {
    int32_t *votes, *gold;
    double *p;
    size_t n, cap;
} hx_triage_eval_set;

hx_status hx_triage_eval_add(const hx_triage *t, hx_triage_eval_set *e, const int32_t *votes,
                             int32_t gold, double p, hx_error *err);
void hx_triage_eval_set_free(hx_triage_eval_set *e);

HX_API_END
#endif
