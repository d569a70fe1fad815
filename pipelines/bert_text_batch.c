/* Packed BERT batches of in-memory texts (see helix/bert_text_batch.h). */
#include "helix/bert_text_batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

hx_status hx_bert_text_batch_init(hx_bert_text_batch *b, size_t cap, size_t max_len, hx_error *err) {
    memset(b, 0, sizeof *b);
    if (cap == 0 || max_len == 0 || max_len > ((size_t)1 << 24) || cap > ((size_t)1 << 24) / max_len)
        return hx_fail(err, HX_EINVAL, "a text batch needs 1..%zu slots of 1..2^24 tokens", (size_t)1 << 24);
    b->cap = cap;
    b->max_len = max_len;
    b->error = calloc(cap, sizeof *b->error);
    b->seq_of_slot = calloc(cap, sizeof *b->seq_of_slot);
    b->enc = calloc(cap, sizeof *b->enc);
    b->lengths = calloc(cap, sizeof *b->lengths);
    b->ids = calloc(cap * max_len, sizeof *b->ids);
    b->types = calloc(cap * max_len, sizeof *b->types);
    if (!b->error || !b->seq_of_slot || !b->enc || !b->lengths || !b->ids || !b->types) {
        hx_bert_text_batch_free(b);
        return hx_fail(err, HX_ENOMEM, "out of memory for a batch of %zu x %zu tokens", cap, max_len);
    }
    for (size_t i = 0; i < cap; i++) hx_encoding_init(&b->enc[i]);
    hx_bert_text_batch_clear(b);
    return HX_OK;
}

void hx_bert_text_batch_free(hx_bert_text_batch *b) {
    for (size_t i = 0; b->enc && i < b->cap; i++) hx_encoding_free(&b->enc[i]);
    free(b->error);
    free(b->seq_of_slot);
    free(b->enc);
    free(b->lengths);
    free(b->ids);
    free(b->types);
    memset(b, 0, sizeof *b);
}

void hx_bert_text_batch_clear(hx_bert_text_batch *b) {
    b->n_slots = 0;
    b->n_tokens = 0;
    b->batch = (hx_bert_batch){0, b->lengths, b->ids, b->types};
}

hx_status hx_bert_text_batch_add_error(hx_bert_text_batch *b, const char *msg, hx_error *err) {
    if (b->n_slots == b->cap) return hx_fail(err, HX_ERANGE, "the text batch is full (%zu)", b->cap);
    snprintf(b->error[b->n_slots++], HX_ERROR_MSG_MAX, "%s", msg);
    return HX_OK;
}

hx_status hx_bert_text_batch_add(hx_bert_text_batch *b, const hx_tokenizer *tok, const char *text,
                                 size_t len, const char *pair, size_t pair_len, size_t *slot,
                                 hx_error *err) {
    if (b->n_slots == b->cap) return hx_fail(err, HX_ERANGE, "the text batch is full (%zu)", b->cap);
    size_t i = b->n_slots++;
    if (slot) *slot = i;
    char *why = b->error[i];
    why[0] = '\0';
    hx_encode_options opt = {.max_length = b->max_len, .truncation = HX_TRUNCATE_LONGEST_FIRST};
    hx_encoding *e = &b->enc[i];
    hx_error tok_err;
    hx_error_clear(&tok_err);
    if (hx_tokenizer_encode(tok, text, len, pair, pair_len, &opt, e, &tok_err) != HX_OK) {
        if (tok_err.code == HX_ENOMEM) {
            b->n_slots--;
            return hx_fail(err, HX_ENOMEM, "%s", tok_err.msg);
        }
        snprintf(why, HX_ERROR_MSG_MAX, "%s", tok_err.msg);
        return HX_OK;
    }
    if (e->length == 0 || e->length > b->max_len) {
        snprintf(why, HX_ERROR_MSG_MAX, "tokenizer gave %zu tokens", e->length);
        return HX_OK;
    }
    if (e->n_truncated) b->n_truncated++;
    memcpy(b->ids + b->n_tokens, e->ids, e->length * sizeof *b->ids);
    memcpy(b->types + b->n_tokens, e->type_ids, e->length * sizeof *b->types);
    b->n_tokens += e->length;
    b->seq_of_slot[i] = b->batch.n_seqs;
    b->lengths[b->batch.n_seqs++] = e->length;
    return HX_OK;
}
