/* What `helix classify-text` and `helix embed` share: their options, opening
 * the model with a thread pool, a session and a text batch, and the closing
 * report (truncated records) on stderr. */
#ifndef HELIX_APPS_BERT_CLI_H
#define HELIX_APPS_BERT_CLI_H

#include "bert_load.h"
#include "bert_text_batch.h"
#include "cli_util.h"

typedef struct {
    const char *model, *field, *pair_field;
    int format;        /* -1 auto, 0 text, 1 jsonl */
    size_t max_len;    /* 0: min(512, model positions) */
    size_t batch;
    int threads;       /* 0: default */
    hx_bert_pooling pooling; /* embed only */
} hx_bert_cli_opts;

/* Returns -1 when the options are good, 0 for --help, 2 after printing a
 * usage error. with_pooling accepts --pooling cls|mean|pooler. */
int hx_bert_cli_parse(int argc, char **argv, const char *cmd, int with_pooling,
                      hx_bert_cli_opts *o);

typedef struct {
    hx_bert_app app;
    hx_threadpool *pool;
    hx_bert_session *session;
    hx_bert_text_batch texts;
} hx_bert_cli;

/* Returns 0, or the exit status after printing why it failed. */
int hx_bert_cli_open(const hx_bert_cli_opts *o, const char *cmd, hx_bert_cli *c);
/* Ends progress, reports truncation, checks the streams; returns 0 or 1. */
int hx_bert_cli_finish(hx_bert_cli *c, const char *cmd);
void hx_bert_cli_close(hx_bert_cli *c);

#endif
