/* Opening a BERT .hlx file: metadata -> hx_bert_config, labels and
 * tokenizer; tensors -> hx_bert (Linear weights packed, the file pages they
 * came from released again so that peak memory stays near the file size plus
 * the packed copy). */
#ifndef HELIX_BERT_FILE_H
#define HELIX_BERT_FILE_H

#include <stddef.h>

#include "helix/bert.h"
#include "helix/hlx.h"
#include "helix/tokenizer.h"

#include "helix/export.h"

HX_API_BEGIN

typedef struct hx_bert_file {
    hx_hlx *file;
    hx_bert *model;
    hx_tokenizer *tok; /* NULL when not asked for */
    hx_bert_config cfg;
    char **labels;     /* cfg.num_labels names ("label_<i>" when the file has none) */
    char *name;        /* the metadata "name", or "" */
} hx_bert_file;

/* Opens path, checks "arch": "bert", builds the model and (with_tokenizer)
 * the tokenizer. On failure everything is released and err names the
 * problem. */
hx_status hx_bert_file_open(const char *path, int with_tokenizer, hx_bert_file *out, hx_error *err);
void hx_bert_file_close(hx_bert_file *f);

HX_API_END
#endif
