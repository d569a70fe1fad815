/* Tokenizer settings as stored in a .hlx file's metadata ("tokenizer" object,
 * docs/architecture.md), built from a vocab.txt (+ tokenizer_config.json) or
 * a Hugging Face tokenizer.json, and turned back into an hx_tokenizer.
 *
 * THIS API IS STABLE (additive changes only). Lives in weights/ because it
 * needs cJSON; the tokenizer itself does not. */
#ifndef HELIX_TOKENIZER_META_H
#define HELIX_TOKENIZER_META_H

#include <stdbool.h>
#include <stddef.h>
#include "helix/status.h"
#include "helix/tokenizer.h"

#include "helix/export.h"

HX_API_BEGIN

struct cJSON;
typedef struct hx_hlx hx_hlx;

/* Reads vocab.txt (one token per line, id = line number; "\n" and one
 * optional "\r" stripped) and, when config_path is not NULL, a
 * tokenizer_config.json for do_lower_case, strip_accents,
 * tokenize_chinese_chars and model_max_length.
 * lowercase: 1 or 0 forces the casing (e.g. --cased), -1 takes
 * do_lower_case from the config, else true (bert-base-uncased).
 * *out is a new cJSON object (the "tokenizer" metadata); free with
 * cJSON_Delete. */
hx_status hx_tokenizer_meta_from_vocab_file(const char *vocab_path, const char *config_path,
                                            int lowercase, struct cJSON **out, hx_error *err);

/* Same from a Hugging Face tokenizer.json (file, or text of len bytes):
 * BertNormalizer, BertPreTokenizer (or none of other kinds: unsupported),
 * WordPiece model and the BERT template. Run-time truncation and padding
 * stored in it are ignored. */
hx_status hx_tokenizer_meta_from_json_file(const char *path, struct cJSON **out, hx_error *err);
hx_status hx_tokenizer_meta_from_json_text(const char *text, size_t len, struct cJSON **out,
                                           hx_error *err);

/* Creates a tokenizer from a "tokenizer" metadata object. */
hx_status hx_tokenizer_from_meta(const struct cJSON *meta, hx_tokenizer **out, hx_error *err);

/* Creates a tokenizer from the "tokenizer" object of an open .hlx file's
 * metadata (HX_ENOTFOUND when the file has none). */
hx_status hx_tokenizer_from_hlx(const hx_hlx *f, hx_tokenizer **out, hx_error *err);

/* Convenience for the CLI and tests: path ending in ".json" is a
 * tokenizer.json, anything else a vocab.txt (lowercase as above). */
hx_status hx_tokenizer_load_file(const char *path, int lowercase, hx_tokenizer **out,
                                 hx_error *err);

HX_API_END
#endif
