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
#ifndef HELIX_TEXT_FEATURES_H
#define HELIX_TEXT_FEATURES_H

#include <stddef.h>

struct cJSON;

#include "helix/status.h"

#include "helix/export.h"

HX_API_BEGIN

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
hx_status hx_text_features_from_json(const struct cJSON *obj, hx_text_features **out, hx_error *err);

size_t hx_text_features_dim(const hx_text_features *tf);
hx_text_feature_kind hx_text_features_kind(const hx_text_features *tf);

/* x: dim floats, overwritten. text need not be NUL-terminated. */
hx_status hx_text_features_compute(const hx_text_features *tf, const char *text, size_t len,
                                   float *x, hx_error *err);

void hx_text_features_free(hx_text_features *tf);


/* Copies the .hlx file in_path (any model, typically a forest whose feature
 * names are the vocabulary) to out_path with the featurizer object added to
 * its metadata under "text_features", so that the model file carries what
 * computes its inputs. The model's "forest" feature names, when present,
 * must equal the vocabulary (checked whenever it has them). */
hx_status hx_text_features_attach_hlx(const char *in_path, const struct cJSON *features, const char *out_path,
                                      hx_error *err);
/* The same with the featurizer read from a JSON file (the training script's
 * NAME.features.json). */
hx_status hx_text_features_attach_hlx_file(const char *in_path, const char *features_path, const char *out_path,
                                           hx_error *err);
/* The featurizer stored in an .hlx file's metadata; HX_ENOTFOUND if none. */
hx_status hx_text_features_from_hlx_metadata(const char *metadata, size_t len, hx_text_features **out,
                                             hx_error *err);
const char *hx_text_features_token(const hx_text_features *tf, size_t j);

HX_API_END
#endif
