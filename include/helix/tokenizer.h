/* BERT WordPiece tokenizer, exact to Hugging Face `tokenizers` 0.23 (the
 * Rust "fast" tokenizer: BertNormalizer + BertPreTokenizer + WordPiece +
 * the BERT template), see ../shared/specs/tokenizer.md.
 *
 * THIS API IS STABLE: other parts of helix (BERT, the CLI) build on it; only
 * additive changes.
 *
 * The tokenizer is immutable once created, so one hx_tokenizer may be used by
 * many threads at once; each thread owns its hx_encoding, whose buffers are
 * reused from call to call (no allocation after warm-up).
 *
 * Input text is UTF-8. Invalid-UTF-8 policy: every maximal invalid
 * subsequence (Unicode "maximal subpart" practice, as Python's
 * bytes.decode(errors="replace")) counts as one U+FFFD code point, which
 * clean_text then deletes. Offsets count that U+FFFD as one code point.
 *
 * Offsets are reported twice: in Unicode code points of the sequence's own
 * text (what Hugging Face reports to Python) and in bytes of the UTF-8 input.
 * Special tokens added by the template and padding have offsets (0,0). */
#ifndef HELIX_TOKENIZER_H
#define HELIX_TOKENIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "helix/status.h"

#include "helix/export.h"

HX_API_BEGIN

typedef struct hx_tokenizer hx_tokenizer;

/* strip_accents as in tokenizer.json: true, false, or null (= follow
 * lowercase). */
typedef enum {
    HX_STRIP_ACCENTS_AUTO = -1, /* null */
    HX_STRIP_ACCENTS_OFF = 0,
    HX_STRIP_ACCENTS_ON = 1
} hx_strip_accents;

typedef struct {
    /* BertNormalizer */
    bool clean_text;
    bool handle_chinese_chars;
    bool lowercase;
    hx_strip_accents strip_accents;
    /* WordPiece */
    const char *unk_token;                 /* must be in the vocabulary */
    const char *continuing_subword_prefix; /* "##" */
    int max_input_chars_per_word;          /* 100; longer words become unk */
    /* Template [CLS] A [SEP] (B [SEP]) and padding */
    const char *cls_token;
    const char *sep_token;
    const char *pad_token;
    /* Added (special) tokens matched case-sensitively in the raw text before
     * normalization (normalized=false, no lstrip/rstrip/single_word).
     * NULL/0 means the five defaults: unk, cls, sep, pad and mask_token. */
    const char *mask_token;
    const char *const *added_tokens;
    size_t n_added_tokens;
    /* Informational: the checkpoint's model_max_length (512). */
    int model_max_length;
} hx_tokenizer_config;

/* bert-base-uncased settings when lowercase, bert-base-cased otherwise. */
void hx_tokenizer_config_default(hx_tokenizer_config *cfg, bool lowercase);

/* Builds a tokenizer from cfg and the vocabulary (token strings in id order,
 * UTF-8; a duplicate string maps to its last id, as Hugging Face does).
 * Copies everything it keeps; vocab may be freed afterwards. */
hx_status hx_tokenizer_create(const hx_tokenizer_config *cfg, const char *const *vocab,
                              size_t n_vocab, hx_tokenizer **out, hx_error *err);
void hx_tokenizer_free(hx_tokenizer *tok);

size_t hx_tokenizer_vocab_size(const hx_tokenizer *tok);
/* Id of an exact token string, or -1. */
int32_t hx_tokenizer_token_to_id(const hx_tokenizer *tok, const char *token, size_t len);
/* Token string of an id (NUL-terminated), or NULL when out of range. */
const char *hx_tokenizer_id_to_token(const hx_tokenizer *tok, int32_t id);
/* The ids the template and padding use. */
int32_t hx_tokenizer_cls_id(const hx_tokenizer *tok);
int32_t hx_tokenizer_sep_id(const hx_tokenizer *tok);
int32_t hx_tokenizer_pad_id(const hx_tokenizer *tok);
int32_t hx_tokenizer_unk_id(const hx_tokenizer *tok);
int hx_tokenizer_model_max_length(const hx_tokenizer *tok);

typedef enum {
    HX_TRUNCATE_LONGEST_FIRST = 0,
    HX_TRUNCATE_ONLY_FIRST,
    HX_TRUNCATE_ONLY_SECOND
} hx_truncation;

typedef struct {
    /* Maximum length of the encoding including special tokens; 0 = no
     * truncation. As in Hugging Face, the budget for the text tokens is
     * max_length minus the 2 (single) or 3 (pair) special tokens. */
    size_t max_length;
    hx_truncation truncation;
    /* Right padding with [PAD] (type 0, attention 0, offsets (0,0)) to a
     * target of pad_to tokens (0: the encoding's own length), rounded up to a
     * multiple of pad_to_multiple_of (0 = off), as Hugging Face's padding
     * does; padding never truncates. */
    size_t pad_to;
    size_t pad_to_multiple_of;
    /* false: no [CLS]/[SEP] and no budget adjustment (as
     * add_special_tokens=False). */
    bool no_special_tokens;
} hx_encode_options;

/* Zero-initialised options mean: no truncation, no padding, specials on. */

typedef struct {
    uint32_t start, end;
} hx_token_offset;

typedef struct {
    /* Outputs, `length` entries each. */
    int32_t *ids;
    int32_t *type_ids;
    int32_t *attention_mask;
    hx_token_offset *offsets;      /* code points of the sequence's own text */
    hx_token_offset *byte_offsets; /* bytes of the sequence's own UTF-8 text */
    size_t length;
    /* Number of text tokens of A and B kept (before template and padding). */
    size_t n_first, n_second;
    /* Text tokens removed by truncation (A + B). */
    size_t n_truncated;
    /* Reusable buffers; private. */
    size_t capacity;
    void *scratch;
} hx_encoding;

void hx_encoding_init(hx_encoding *enc);
void hx_encoding_free(hx_encoding *enc);

/* Tokenizes text (len bytes of UTF-8; NUL bytes are ordinary characters)
 * and, when pair is not NULL, the second sequence pair (pair_len bytes).
 * opt may be NULL (defaults). Thread-safe for distinct enc.
 * Errors that Hugging Face raises are returned with its reason as message:
 * HX_EINVAL "Truncation error: Sequence to truncate too short to respect the
 * provided max_length", "Truncation error: Second sequence not provided". */
hx_status hx_tokenizer_encode(const hx_tokenizer *tok, const char *text, size_t len,
                              const char *pair, size_t pair_len,
                              const hx_encode_options *opt, hx_encoding *enc, hx_error *err);

HX_API_END
#endif
