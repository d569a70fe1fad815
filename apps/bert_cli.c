/* Options and setup shared by the BERT commands (see bert_cli.h). */
#include "bert_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

static void cli_bert_close(cli_bert *c);

static int usage_error(const char *cmd, const char *msg, const char *arg) {
    fprintf(stderr, "helix %s: %s%s%s\n", cmd, msg, arg ? " " : "", arg ? arg : "");
    return 2;
}

static int cli_bert_parse(int argc, char **argv, const char *cmd, int with_pooling,
                      cli_bert_opts *o) {
    *o = (cli_bert_opts){.field = "text", .format = -1, .batch = 16,
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

static int cli_bert_open(const cli_bert_opts *o, const char *cmd, cli_bert *c) {
    hx_error err;
    memset(c, 0, sizeof *c);
    if (hx_bert_file_open(o->model, 1, &c->app, &err) != HX_OK) {
        fprintf(stderr, "helix %s: %s\n", cmd, err.msg);
        return 1;
    }
    size_t positions = c->app.cfg.max_position;
    size_t max_len = o->max_len ? o->max_len : (positions < 512 ? positions : 512);
    if (max_len > positions) {
        fprintf(stderr, "helix %s: --max-len %zu exceeds the model's %zu positions\n", cmd, max_len,
                positions);
        cli_bert_close(c);
        return 2;
    }
    if (max_len < (o->pair_field ? 3u : 2u)) {
        fprintf(stderr, "helix %s: --max-len %zu leaves no room for the text\n", cmd, max_len);
        cli_bert_close(c);
        return 2;
    }
    if (hx_threadpool_create(o->threads, &c->pool, &err) != HX_OK ||
        hx_bert_session_create(c->app.model, o->batch, max_len, c->pool, &c->session, &err) != HX_OK ||
        hx_bert_text_batch_init(&c->texts, o->batch, max_len, &err) != HX_OK ||
        !(c->line_no = calloc(o->batch, sizeof *c->line_no))) {
        if (!c->line_no) snprintf(err.msg, sizeof err.msg, "out of memory");
        fprintf(stderr, "helix %s: %s\n", cmd, err.msg);
        cli_bert_close(c);
        return 1;
    }
    c->field = o->field;
    c->pair_field = o->pair_field;
    c->format = o->format;
    return 0;
}

static const char *string_field(const cJSON *rec, const char *name, size_t *len) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, name);
    if (!cJSON_IsString(v)) return NULL;
    *len = strlen(v->valuestring);
    return v->valuestring;
}

/* One input line into the next slot: its text (and pair) from the record,
 * or the reason it has none. */
static hx_status add_line(cli_bert *c, const char *line, size_t len, hx_error *err) {
    hx_bert_text_batch *b = &c->texts;
    const char *text = line, *pair = NULL;
    size_t text_len = len, pair_len = 0;
    if (c->format == -1) {
        size_t k = 0;
        while (k < len && (line[k] == ' ' || line[k] == '\t')) k++;
        if (k < len) c->format = line[k] == '{';
    }
    if (c->format != 1)
        return c->pair_field ? hx_bert_text_batch_add_error(b, "a pair field needs a JSONL record", err)
                             : hx_bert_text_batch_add(b, c->app.tok, text, text_len, NULL, 0, NULL, err);
    cJSON *rec = cJSON_ParseWithLength(line, len);
    hx_status st;
    if (!cJSON_IsObject(rec))
        st = hx_bert_text_batch_add_error(b, "not a JSON object", err);
    else if (!(text = string_field(rec, c->field, &text_len)))
        st = hx_bert_text_batch_add_error(b, "text field missing or not a string", err);
    else if (c->pair_field && !(pair = string_field(rec, c->pair_field, &pair_len)))
        st = hx_bert_text_batch_add_error(b, "pair field missing or not a string", err);
    else
        st = hx_bert_text_batch_add(b, c->app.tok, text, text_len, pair, pair_len, NULL, err);
    cJSON_Delete(rec);
    return st;
}

static long cli_bert_read(cli_bert *c, FILE *in, hx_error *err) {
    hx_bert_text_batch *b = &c->texts;
    hx_bert_text_batch_clear(b);
    long len;
    while (b->n_slots < b->cap && (len = cli_read_line(in, &c->line, &c->line_cap)) >= 0) {
        c->line_no[b->n_slots] = ++c->lines_read;
        hx_error_clear(err);
        if (add_line(c, c->line, (size_t)len, err) != HX_OK) return -1;
    }
    return (long)b->n_slots;
}

static int cli_bert_finish(cli_bert *c, const char *cmd) {
    int rc = 0;
    cli_progress_end();
    if (c->texts.n_truncated)
        fprintf(stderr, "helix %s: %zu of %ld records truncated to %zu tokens\n", cmd,
                c->texts.n_truncated, c->lines_read, c->texts.max_len);
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

static void cli_bert_close(cli_bert *c) {
    hx_bert_text_batch_free(&c->texts);
    free(c->line_no);
    free(c->line);
    hx_bert_session_free(c->session);
    hx_threadpool_destroy(c->pool);
    hx_bert_file_close(&c->app);
    memset(c, 0, sizeof *c);
}

int cli_bert_main(int argc, char **argv, const cli_bert_command *cmd) {
    cli_bert_opts o;
    int rc = cli_bert_parse(argc, argv, cmd->name, cmd->with_pooling, &o);
    if (rc == 0) {
        cmd->usage(stdout);
        return 0;
    }
    if (rc > 0) {
        fprintf(stderr, "try 'helix %s --help'\n", cmd->name);
        return rc;
    }
    cli_bert run;
    if ((rc = cli_bert_open(&o, cmd->name, &run)) != 0) return rc;
    if ((rc = cmd->check(&run, &o)) != 0) {
        cli_bert_close(&run);
        return rc;
    }
    const size_t W = cmd->width(&run);
    float *out = malloc(o.batch * W * sizeof *out), *scratch = malloc(W * sizeof *scratch);
    if (!out || !scratch) {
        fprintf(stderr, "helix %s: out of memory\n", cmd->name);
        free(out);
        free(scratch);
        cli_bert_close(&run);
        return 1;
    }
    hx_error err;
    long n;
    while ((n = cli_bert_read(&run, stdin, &err)) > 0) {
        hx_bert_text_batch *tb = &run.texts;
        const char *batch_error = NULL;
        if (tb->batch.n_seqs > 0 && cmd->run(&run, &o, out, &err) != HX_OK)
            batch_error = err.msg; /* e.g. an id outside the model's vocabulary */
        for (size_t i = 0; i < tb->n_slots; i++) {
            if (tb->error[i][0]) cli_write_error_record(stdout, tb->error[i], run.line_no[i]);
            else if (batch_error) cli_write_error_record(stdout, batch_error, run.line_no[i]);
            else cmd->write(&run, out + tb->seq_of_slot[i] * W, scratch);
        }
        cli_progress(cmd->name, (size_t)run.lines_read, 0);
    }
    rc = 0;
    if (n < 0) {
        fprintf(stderr, "helix %s: %s\n", cmd->name, err.msg);
        rc = 1;
    }
    rc |= cli_bert_finish(&run, cmd->name);
    free(out);
    free(scratch);
    cli_bert_close(&run);
    return rc;
}
