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

/* Returns -1 when the options are good, 0 for --help, 2 after printing a
 * usage error. with_pooling accepts --pooling cls|mean|pooler. */
int cli_bert_parse(int argc, char **argv, const char *cmd, int with_pooling, cli_bert_opts *o);

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

/* Returns 0, or the exit status after printing why it failed. */
int cli_bert_open(const cli_bert_opts *o, const char *cmd, cli_bert *c);
/* Reads and tokenizes up to the batch size of lines. Returns the number of
 * lines read (0 at the end of input), or -1 when memory ran out (err filled). */
long cli_bert_read(cli_bert *c, FILE *in, hx_error *err);
/* Ends progress, reports truncation, checks the streams; returns 0 or 1. */
int cli_bert_finish(cli_bert *c, const char *cmd);
void cli_bert_close(cli_bert *c);

#endif
