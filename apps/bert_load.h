/* Loading a BERT .hlx file for the CLI: metadata -> hx_bert_config, labels
 * and tokenizer; tensors -> hx_bert (Linear weights packed, the file pages
 * they came from released again so that peak memory stays near the file
 * size plus the packed copy). */
#ifndef HELIX_APPS_BERT_LOAD_H
#define HELIX_APPS_BERT_LOAD_H

#include <stddef.h>

#include "helix/bert.h"
#include "helix/hlx.h"
#include "helix/tokenizer.h"

struct cJSON;

typedef struct {
    hx_hlx *file;
    hx_bert *model;
    hx_tokenizer *tok; /* NULL when not asked for */
    hx_bert_config cfg;
    char **labels;     /* cfg.num_labels names ("label_<i>" when the file has none) */
    char *name;        /* the metadata "name", or "" */
} hx_bert_app;

/* Parses the metadata's "bert" object (docs/architecture.md). */
hx_status hx_bert_config_from_json(const struct cJSON *bert, hx_bert_config *cfg, hx_error *err);

/* Opens path, checks "arch": "bert", builds the model and (with_tokenizer)
 * the tokenizer. On failure everything is released and err names the
 * problem. */
hx_status hx_bert_app_load(const char *path, int with_tokenizer, hx_bert_app *out, hx_error *err);
void hx_bert_app_free(hx_bert_app *a);

#endif
