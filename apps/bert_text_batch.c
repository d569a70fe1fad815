/* Batches of text records for the BERT commands (see bert_text_batch.h). */
#include "bert_text_batch.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"

hx_status hx_bert_text_batch_init(hx_bert_text_batch *b, size_t cap, size_t max_len,
                                  const char *field, const char *pair_field, int format,
                                  hx_error *err) {
    memset(b, 0, sizeof *b);
    b->field = field;
    b->pair_field = pair_field;
    b->format = format;
    b->cap = cap;
    b->max_len = max_len;
    b->line_no = calloc(cap, sizeof *b->line_no);
    b->error = calloc(cap, sizeof *b->error);
    b->seq_of_line = calloc(cap, sizeof *b->seq_of_line);
    b->enc = calloc(cap, sizeof *b->enc);
    b->lengths = calloc(cap, sizeof *b->lengths);
    b->ids = calloc(cap * max_len, sizeof *b->ids);
    b->types = calloc(cap * max_len, sizeof *b->types);
    if (!b->line_no || !b->error || !b->seq_of_line || !b->enc || !b->lengths || !b->ids || !b->types) {
        hx_bert_text_batch_free(b);
        return hx_fail(err, HX_ENOMEM, "out of memory for a batch of %zu x %zu tokens", cap, max_len);
    }
    for (size_t i = 0; i < cap; i++) hx_encoding_init(&b->enc[i]);
    return HX_OK;
}

void hx_bert_text_batch_free(hx_bert_text_batch *b) {
    for (size_t i = 0; b->enc && i < b->cap; i++) hx_encoding_free(&b->enc[i]);
    free(b->line_no);
    free(b->error);
    free(b->seq_of_line);
    free(b->enc);
    free(b->lengths);
    free(b->ids);
    free(b->types);
    free(b->line);
    memset(b, 0, sizeof *b);
}

static const char *string_field(const cJSON *rec, const char *name, size_t *len) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, name);
    if (!cJSON_IsString(v)) return NULL;
    *len = strlen(v->valuestring);
    return v->valuestring;
}

/* Tokenizes one line into slot i; on a problem, sets the slot's error. */
static void tokenize_line(hx_bert_text_batch *b, size_t i, const char *line, size_t len,
                          const hx_tokenizer *tok, hx_error *err) {
    hx_encode_options opt = {.max_length = b->max_len, .truncation = HX_TRUNCATE_LONGEST_FIRST};
    const char *text = line, *pair = NULL;
    size_t text_len = len, pair_len = 0;
    cJSON *rec = NULL;
    if (b->format == -1) {
        size_t k = 0;
        while (k < len && (line[k] == ' ' || line[k] == '\t')) k++;
        if (k < len) b->format = line[k] == '{';
    }
    if (b->format == 1) {
        rec = cJSON_ParseWithLength(line, len);
        if (!cJSON_IsObject(rec)) {
            snprintf(b->error[i], sizeof b->error[i], "not a JSON object");
            goto done;
        }
        if (!(text = string_field(rec, b->field, &text_len))) {
            snprintf(b->error[i], sizeof b->error[i], "text field missing or not a string");
            goto done;
        }
        if (b->pair_field && !(pair = string_field(rec, b->pair_field, &pair_len))) {
            snprintf(b->error[i], sizeof b->error[i], "pair field missing or not a string");
            goto done;
        }
    } else if (b->pair_field) {
        snprintf(b->error[i], sizeof b->error[i], "a pair field needs a JSONL record");
        goto done;
    }
    if (hx_tokenizer_encode(tok, text, text_len, pair, pair_len, &opt, &b->enc[i], err) != HX_OK) {
        snprintf(b->error[i], sizeof b->error[i], "%s", err->msg);
        goto done;
    }
    if (b->enc[i].length == 0 || b->enc[i].length > b->max_len) {
        snprintf(b->error[i], sizeof b->error[i], "tokenizer gave %zu tokens", b->enc[i].length);
        goto done;
    }
    if (b->enc[i].n_truncated) b->n_truncated_records++;
done:
    cJSON_Delete(rec);
}

long hx_bert_text_batch_read(hx_bert_text_batch *b, FILE *in, const hx_tokenizer *tok,
                             hx_error *err) {
    b->n_lines = 0;
    b->batch = (hx_bert_batch){0, b->lengths, b->ids, b->types};
    size_t n_tok = 0;
    long len;
    while (b->n_lines < b->cap && (len = cli_read_line(in, &b->line, &b->line_cap)) >= 0) {
        size_t i = b->n_lines++;
        b->line_no[i] = ++b->lines_read;
        b->error[i][0] = '\0';
        hx_error_clear(err);
        tokenize_line(b, i, b->line, (size_t)len, tok, err);
        if (err->code == HX_ENOMEM) return -1;
        if (b->error[i][0]) continue;
        const hx_encoding *e = &b->enc[i];
        memcpy(b->ids + n_tok, e->ids, e->length * sizeof *b->ids);
        memcpy(b->types + n_tok, e->type_ids, e->length * sizeof *b->types);
        n_tok += e->length;
        b->seq_of_line[i] = b->batch.n_seqs;
        b->lengths[b->batch.n_seqs++] = e->length;
    }
    return (long)b->n_lines;
}
