/* Parsing the "bert" metadata object, shared by weights/bert_file.c and its
 * tests; not part of the public API. */
#ifndef HELIX_WEIGHTS_BERT_FILE_INTERNAL_H
#define HELIX_WEIGHTS_BERT_FILE_INTERNAL_H

#include "helix/bert.h"

struct cJSON;

/* Parses the metadata's "bert" object (docs/architecture.md). */
hx_status hx_bert_config_from_json(const struct cJSON *bert, hx_bert_config *cfg, hx_error *err);

#endif
