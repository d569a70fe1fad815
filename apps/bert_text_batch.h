/* Reading text records for the BERT commands in batches: up to `cap` input
 * lines (plain text, or JSONL with a text field and optionally a pair
 * field) tokenized with truncation to max_len, packed for hx_bert_batch.
 * Lines that cannot be used keep their slot with an error message, so the
 * output stays one line per input line. Buffers are sized once. */
#ifndef HELIX_APPS_BERT_TEXT_BATCH_H
#define HELIX_APPS_BERT_TEXT_BATCH_H

#include <stdio.h>

#include "helix/bert.h"
#include "helix/tokenizer.h"

typedef struct {
    const char *field;      /* JSONL text field */
    const char *pair_field; /* JSONL second-sequence field, or NULL */
    int format;             /* -1 auto (from the first non-empty line), 0 text, 1 JSONL */
    size_t cap, max_len;
    /* Per slot (input line) of the current batch. */
    size_t n_lines;
    long *line_no;
    char (*error)[HX_ERROR_MSG_MAX]; /* "" when the line is in the batch */
    size_t *seq_of_line;
    hx_encoding *enc;
    /* The packed batch of the good lines. */
    hx_bert_batch batch;
    size_t *lengths;
    int32_t *ids, *types;
    /* Totals over the run. */
    size_t n_truncated_records;
    /* Line reader state. */
    char *line;
    size_t line_cap;
    long lines_read;
} hx_bert_text_batch;

hx_status hx_bert_text_batch_init(hx_bert_text_batch *b, size_t cap, size_t max_len,
                                  const char *field, const char *pair_field, int format,
                                  hx_error *err);
void hx_bert_text_batch_free(hx_bert_text_batch *b);

/* Reads and tokenizes up to cap lines. Returns the number of lines read (0 at
 * the end of input), or -1 when memory ran out (err filled). */
long hx_bert_text_batch_read(hx_bert_text_batch *b, FILE *in, const hx_tokenizer *tok,
                             hx_error *err);

#endif
