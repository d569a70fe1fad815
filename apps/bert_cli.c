/* Options and setup shared by the BERT commands (see bert_cli.h). */
#include "bert_cli.h"

#include <stdio.h>
#include <string.h>

static int usage_error(const char *cmd, const char *msg, const char *arg) {
    fprintf(stderr, "helix %s: %s%s%s\n", cmd, msg, arg ? " " : "", arg ? arg : "");
    return 2;
}

int hx_bert_cli_parse(int argc, char **argv, const char *cmd, int with_pooling,
                      hx_bert_cli_opts *o) {
    *o = (hx_bert_cli_opts){.field = "text", .format = -1, .batch = 16,
                            .pooling = HX_BERT_POOL_CLS};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) return 0;
        if (i + 1 >= argc) return usage_error(cmd, "missing value or unknown option", a);
        const char *v = argv[++i];
        long n;
        if (!strcmp(a, "-m") || !strcmp(a, "--model")) {
            o->model = v;
        } else if (!strcmp(a, "--field")) {
            o->field = v;
        } else if (!strcmp(a, "--pair-field")) {
            o->pair_field = v;
        } else if (!strcmp(a, "--format")) {
            if (!strcmp(v, "auto")) o->format = -1;
            else if (!strcmp(v, "text")) o->format = 0;
            else if (!strcmp(v, "jsonl")) o->format = 1;
            else return usage_error(cmd, "--format must be text, jsonl or auto, not", v);
        } else if (!strcmp(a, "--max-len")) {
            if (!cli_parse_int(v, 1, 1 << 20, &n)) return usage_error(cmd, "--max-len needs a positive integer, not", v);
            o->max_len = (size_t)n;
        } else if (!strcmp(a, "--batch")) {
            if (!cli_parse_int(v, 1, 4096, &n)) return usage_error(cmd, "--batch needs an integer in 1..4096, not", v);
            o->batch = (size_t)n;
        } else if (!strcmp(a, "--threads")) {
            if (!cli_parse_int(v, 1, 1024, &n)) return usage_error(cmd, "--threads needs an integer in 1..1024, not", v);
            o->threads = (int)n;
        } else if (with_pooling && !strcmp(a, "--pooling")) {
            if (!strcmp(v, "cls")) o->pooling = HX_BERT_POOL_CLS;
            else if (!strcmp(v, "mean")) o->pooling = HX_BERT_POOL_MEAN;
            else if (!strcmp(v, "pooler")) o->pooling = HX_BERT_POOL_POOLER;
            else return usage_error(cmd, "--pooling must be cls, mean or pooler, not", v);
        } else {
            return usage_error(cmd, "unknown option", a);
        }
    }
    if (!o->model) return usage_error(cmd, "need -m MODEL.hlx", NULL);
    if (o->pair_field && o->format == 0) return usage_error(cmd, "--pair-field needs JSONL input", NULL);
    if (o->pair_field && o->format == -1) o->format = 1;
    return -1;
}

int hx_bert_cli_open(const hx_bert_cli_opts *o, const char *cmd, hx_bert_cli *c) {
    hx_error err;
    memset(c, 0, sizeof *c);
    if (hx_bert_app_load(o->model, 1, &c->app, &err) != HX_OK) {
        fprintf(stderr, "helix %s: %s\n", cmd, err.msg);
        return 1;
    }
    size_t positions = c->app.cfg.max_position;
    size_t max_len = o->max_len ? o->max_len : (positions < 512 ? positions : 512);
    if (max_len > positions) {
        fprintf(stderr, "helix %s: --max-len %zu exceeds the model's %zu positions\n", cmd, max_len,
                positions);
        hx_bert_cli_close(c);
        return 2;
    }
    if (max_len < (o->pair_field ? 3u : 2u)) {
        fprintf(stderr, "helix %s: --max-len %zu leaves no room for the text\n", cmd, max_len);
        hx_bert_cli_close(c);
        return 2;
    }
    if (hx_threadpool_create(o->threads, &c->pool, &err) != HX_OK ||
        hx_bert_session_create(c->app.model, o->batch, max_len, c->pool, &c->session, &err) != HX_OK ||
        hx_bert_text_batch_init(&c->texts, o->batch, max_len, o->field, o->pair_field, o->format,
                                &err) != HX_OK) {
        fprintf(stderr, "helix %s: %s\n", cmd, err.msg);
        hx_bert_cli_close(c);
        return 1;
    }
    return 0;
}

int hx_bert_cli_finish(hx_bert_cli *c, const char *cmd) {
    int rc = 0;
    cli_progress_end();
    if (c->texts.n_truncated_records)
        fprintf(stderr, "helix %s: %zu of %ld records truncated to %zu tokens\n", cmd,
                c->texts.n_truncated_records, c->texts.lines_read, c->texts.max_len);
    if (ferror(stdin)) {
        fprintf(stderr, "helix %s: error reading the input\n", cmd);
        rc = 1;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "helix %s: error writing the output\n", cmd);
        rc = 1;
    }
    return rc;
}

void hx_bert_cli_close(hx_bert_cli *c) {
    hx_bert_text_batch_free(&c->texts);
    hx_bert_session_free(c->session);
    hx_threadpool_destroy(c->pool);
    hx_bert_app_free(&c->app);
    memset(c, 0, sizeof *c);
}
