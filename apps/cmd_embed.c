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

int cmd_embed(int argc, char **argv) {
    hx_bert_cli_opts o;
    int rc = hx_bert_cli_parse(argc, argv, "embed", 1, &o);
    if (rc == 0) {
        usage(stdout);
        return 0;
    }
    if (rc > 0) {
        fprintf(stderr, "try 'helix embed --help'\n");
        return rc;
    }
    hx_bert_cli run;
    if ((rc = hx_bert_cli_open(&o, "embed", &run)) != 0) return rc;
    if (o.pooling == HX_BERT_POOL_POOLER && !run.app.cfg.has_pooler) {
        fprintf(stderr, "helix embed: %s has no pooler (use --pooling cls or mean)\n", o.model);
        hx_bert_cli_close(&run);
        return 2;
    }
    const size_t H = run.app.cfg.hidden_size;
    float *emb = malloc(o.batch * H * sizeof *emb);
    if (!emb) {
        fprintf(stderr, "helix embed: out of memory\n");
        hx_bert_cli_close(&run);
        return 1;
    }
    hx_error err;
    long n;
    while ((n = hx_bert_text_batch_read(&run.texts, stdin, run.app.tok, &err)) > 0) {
        hx_bert_text_batch *tb = &run.texts;
        const char *batch_error = NULL;
        if (tb->batch.n_seqs > 0 &&
            hx_bert_embed(run.session, &tb->batch, o.pooling, emb, &err) != HX_OK)
            batch_error = err.msg;
        for (size_t i = 0; i < tb->n_lines; i++) {
            if (tb->error[i][0]) {
                cli_write_error_record(stdout, tb->error[i], tb->line_no[i]);
            } else if (batch_error) {
                cli_write_error_record(stdout, batch_error, tb->line_no[i]);
            } else {
                const float *e = emb + tb->seq_of_line[i] * H;
                fputs("{\"embedding\": [", stdout);
                for (size_t k = 0; k < H; k++) printf(k ? ", %.7g" : "%.7g", e[k]);
                fputs("]}\n", stdout);
            }
        }
        cli_progress("embed", (size_t)tb->lines_read, 0);
    }
    rc = 0;
    if (n < 0) {
        fprintf(stderr, "helix embed: %s\n", err.msg);
        rc = 1;
    }
    rc |= hx_bert_cli_finish(&run, "embed");
    free(emb);
    hx_bert_cli_close(&run);
    return rc;
}
