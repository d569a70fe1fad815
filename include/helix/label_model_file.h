/* LM.json: a fitted label model (snorkel-style or Dawid-Skene) as JSON, so
 * that `helix label-model predict` and `helix triage` can reuse it.
 *   {"format": "helix-label-model", "version": 1, "method": "snorkel"|"dawid-skene",
 *    "cardinality": k, "n_sources": m, "sources": [names]?,
 *    "class_balance": [k], "mu": [[k] x m*k], "coverage": [m]      (snorkel)
 *    "pi": [k], "model_abstain": bool, "theta": [[k+1] x m*k]  (dawid-skene;
 *    column 0 = abstain)
 *    "fit": {...settings, informative only}} */
#ifndef HELIX_LABEL_MODEL_FILE_H
#define HELIX_LABEL_MODEL_FILE_H

#include <stdio.h>

#include "helix/label_model.h"
#include "helix/status.h"

#include "helix/export.h"

HX_API_BEGIN

typedef struct {
    int is_dawid_skene;
    hx_label_model lm;  /* when !is_dawid_skene */
    hx_dawid_skene ds;  /* when is_dawid_skene */
    char **sources;     /* m names or NULL */
    int m, k;
} hx_lm_file;

/* Writes the model to path; fit_json is an optional preformatted JSON object
 * text describing the settings (may be NULL). */
hx_status hx_lm_file_write(const char *path, const hx_lm_file *f, const char *fit_json,
                           hx_error *err);
/* Same onto an open stream (flushed, not closed); the caller names it in
 * messages with what. */
hx_status hx_lm_file_write_stream(FILE *out, const char *what, const hx_lm_file *f,
                                  const char *fit_json, hx_error *err);
/* Reads and validates every field (hostile input: shapes, ranges, finiteness). */
hx_status hx_lm_file_read(const char *path, hx_lm_file *f, hx_error *err);
void hx_lm_file_free(hx_lm_file *f);

/* P(Y | votes) for either method. */
hx_status hx_lm_file_predict_proba(const hx_lm_file *f, const int32_t *L, size_t n, int m,
                                   double *probs, hx_error *err);

HX_API_END
#endif
