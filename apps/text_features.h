/* Bag-of-words / TF-IDF features of a text, as the abstract-triage forests
 * were trained on them ("helix-bow-v1", defined in docs/abstract-triage-task.md
 * and in tools/train/common.py; the two must give the same float32 values).
 *
 *   tokens: ASCII A-Z lowered to a-z; a token is a maximal run of bytes in
 *           [a-z0-9]; every other byte (all bytes >= 0x80 too) separates;
 *           runs shorter than 2 bytes are dropped.
 *   counts: x_j = (float) c_j, c_j = occurrences of vocab[j].
 *   tfidf:  v_j = c_j * idf_j (double); n = sqrt(sum_j v_j^2), summed in
 *           increasing j; x_j = (float)(v_j / n), all zero when n == 0. */
#ifndef HELIX_APPS_TEXT_FEATURES_H
#define HELIX_APPS_TEXT_FEATURES_H

#include <stddef.h>

#include <cJSON.h>

#include "helix/status.h"

typedef enum { HX_TEXT_COUNTS = 0, HX_TEXT_TFIDF = 1 } hx_text_feature_kind;

typedef struct hx_text_features hx_text_features;

/* vocab: n distinct tokens (each a valid token: >= 2 bytes of [a-z0-9]);
 * idf: n finite positive values for HX_TEXT_TFIDF, ignored (may be NULL) for
 * counts. Everything is copied. */
hx_status hx_text_features_create(hx_text_feature_kind kind, const char *const *vocab,
                                  const double *idf, size_t n, hx_text_features **out,
                                  hx_error *err);

/* From the JSON object the training script writes:
 * {"type": "helix-bow-v1", "kind": "counts"|"tfidf", "vocab": [...], "idf": [...]}. */
hx_status hx_text_features_from_json(const cJSON *obj, hx_text_features **out, hx_error *err);

size_t hx_text_features_dim(const hx_text_features *tf);
hx_text_feature_kind hx_text_features_kind(const hx_text_features *tf);

/* x: dim floats, overwritten. text need not be NUL-terminated. */
hx_status hx_text_features_compute(const hx_text_features *tf, const char *text, size_t len,
                                   float *x, hx_error *err);

void hx_text_features_free(hx_text_features *tf);

#endif
