/* `helix embed`: BERT sentence embeddings of text lines or JSONL records,
 * one JSONL line out per line in: {"embedding": [...]} (CLS, mean or pooler
 * pooling). */
#include <stdio.h>
#include <stdlib.h>

#include "bert_cli.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: helix embed -m MODEL.hlx [OPTIONS] < INPUT > OUTPUT.jsonl\n"
            "\n"
            "Writes one sentence embedding per input line (plain text, or a JSONL record):\n"
            "  {\"embedding\": [hidden_size numbers]}\n"
            "A line that cannot be embedded gives {\"error\": \"...\", \"line\": N}.\n"
            "\n"
            "options:\n"
            "  -m, --model FILE     BERT model (.hlx, from helix convert bert)\n"
            "  --pooling P          cls (last hidden state of [CLS], default), mean (mean of\n"
            "                       all tokens' last hidden states) or pooler (tanh pooler)\n"
            "  --field NAME         JSONL field of the text (default: text)\n"
            "  --pair-field NAME    JSONL field of a second text\n"
            "  --format F           text, jsonl or auto (default: auto, from the first line)\n"
            "  --max-len N          tokens per record incl. [CLS]/[SEP] (default: 512)\n"
            "  --batch N            records per batch (default: 16)\n"
            "  --threads N          worker threads (default: HELIX_THREADS or all cores)\n"
            "  -h, --help           this help\n");
}

static int check(const cli_bert *c, const cli_bert_opts *o) {
    if (o->pooling != HX_BERT_POOL_POOLER || c->app.cfg.has_pooler) return 0;
    fprintf(stderr, "helix embed: %s has no pooler (use --pooling cls or mean)\n", o->model);
    return 2;
}

static size_t width(const cli_bert *c) { return c->app.cfg.hidden_size; }

static hx_status run(cli_bert *c, const cli_bert_opts *o, float *emb, hx_error *err) {
    return hx_bert_embed(c->session, &c->texts.batch, o->pooling, emb, err);
}

static void write_embedding(const cli_bert *c, const float *e, float *scratch) {
    const size_t H = c->app.cfg.hidden_size;
    fputs("{\"embedding\": [", stdout);
    for (size_t k = 0; k < H; k++) printf(k ? ", %.7g" : "%.7g", e[k]);
    fputs("]}\n", stdout);
}

int cmd_embed(int argc, char **argv) {
    static const cli_bert_command cmd = {"embed", 1, usage, check, width, run, write_embedding};
    return cli_bert_main(argc, argv, &cmd);
}
