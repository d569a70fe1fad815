/* What `helix classify-text` and `helix embed` share: their options, opening
 * the model with a thread pool, a session and a text batch, reading input
 * lines (plain text or JSONL records) into that batch, and the closing
 * report (truncated records) on stderr. */
#ifndef HELIX_APPS_BERT_CLI_H
#define HELIX_APPS_BERT_CLI_H

#include <stdio.h>

#include "helix/bert_file.h"
#include "helix/bert_text_batch.h"
#include "cli_util.h"

typedef struct {
    const char *model, *field, *pair_field;
    int format;        /* -1 auto, 0 text, 1 jsonl */
    size_t max_len;    /* 0: min(512, model positions) */
    size_t batch;
    int threads;       /* 0: default */
    hx_bert_pooling pooling; /* embed only */
} cli_bert_opts;

typedef struct {
    hx_bert_file app;
    hx_threadpool *pool;
    hx_bert_session *session;
    hx_bert_text_batch texts;
    /* Input reading: the field names, the format (-1 until the first
     * non-empty line decides), the line of each batch slot. */
    const char *field, *pair_field;
    int format;
    long *line_no;
    char *line;
    size_t line_cap;
    long lines_read;
} cli_bert;

/* One BERT command: what it checks once the model is open, how many floats
 * a sequence gives, the model call on a batch and how one result prints. */
typedef struct {
    const char *name;  /* "classify-text" */
    int with_pooling;  /* accepts --pooling cls|mean|pooler */
    void (*usage)(FILE *out);
    /* 0 to go on, or the exit status after printing why not */
    int (*check)(const cli_bert *c, const cli_bert_opts *o);
    size_t (*width)(const cli_bert *c);
    hx_status (*run)(cli_bert *c, const cli_bert_opts *o, float *out, hx_error *err);
    /* scratch: width floats */
    void (*write)(const cli_bert *c, const float *row, float *scratch);
} cli_bert_command;

/* The whole command: options, model, batches of lines in, one line out per
 * line in, the closing report; returns the exit status. */
int cli_bert_main(int argc, char **argv, const cli_bert_command *cmd);

#endif
