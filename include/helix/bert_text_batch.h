/* Texts in, a packed BERT batch out: up to `cap` texts (or text pairs) held
 * in memory, each tokenized with truncation to max_len and packed without
 * padding for hx_bert_classify / hx_bert_embed. A text the tokenizer cannot
 * use keeps its slot with a message, so that a caller writing one result per
 * input stays aligned. Buffers are sized once, at init. */
#ifndef HELIX_BERT_TEXT_BATCH_H
#define HELIX_BERT_TEXT_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "helix/bert.h"
#include "helix/tokenizer.h"

#include "helix/export.h"

HX_API_BEGIN

typedef struct {
    size_t cap, max_len;
    /* Per slot of the current batch. */
    size_t n_slots;
    char (*error)[HX_ERROR_MSG_MAX]; /* "" when the slot's text is in the batch */
    size_t *seq_of_slot;             /* its sequence in `batch` (when error is "") */
    hx_encoding *enc;
    /* The packed batch of the good slots. */
    hx_bert_batch batch;
    size_t *lengths;
    int32_t *ids, *types;
    size_t n_tokens;
    /* Texts truncated to max_len, counted over every batch since init. */
    size_t n_truncated;
} hx_bert_text_batch;

hx_status hx_bert_text_batch_init(hx_bert_text_batch *b, size_t cap, size_t max_len, hx_error *err);
void hx_bert_text_batch_free(hx_bert_text_batch *b);

/* Empties the batch (n_slots = 0) for the next texts. */
void hx_bert_text_batch_clear(hx_bert_text_batch *b);

/* Tokenizes text[0..len) (and pair[0..pair_len), or pair NULL) into the next
 * slot. A text the tokenizer refuses takes its slot with the reason in
 * error[slot] and still returns HX_OK; HX_ERANGE when the batch is full,
 * HX_ENOMEM when memory ran out. *slot (may be NULL) receives the slot. */
hx_status hx_bert_text_batch_add(hx_bert_text_batch *b, const hx_tokenizer *tok, const char *text,
                                 size_t len, const char *pair, size_t pair_len, size_t *slot,
                                 hx_error *err);

/* Takes the next slot for an input the caller could not use (e.g. a record
 * without its text field), with msg as its reason. HX_ERANGE when full. */
hx_status hx_bert_text_batch_add_error(hx_bert_text_batch *b, const char *msg, hx_error *err);

HX_API_END
#endif
