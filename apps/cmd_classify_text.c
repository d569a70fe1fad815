/* `helix classify-text`: BERT sequence classification of text lines or JSONL
 * records, one JSONL line out per line in:
 *   {"label": "...", "probs": {"label": p, ...}, "logits": [...]}
 * Records are read in batches and run packed without padding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert_cli.h"
#include "helix/transformer_ops.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: helix classify-text -m MODEL.hlx [OPTIONS] < INPUT > OUTPUT.jsonl\n"
            "\n"
            "Classifies each input line (plain text, or a JSONL record) with a BERT model\n"
            "and writes one JSON line per input line:\n"
            "  {\"label\": L, \"probs\": {L1: p1, ...}, \"logits\": [...]}\n"
            "A line that cannot be classified gives {\"error\": \"...\", \"line\": N}.\n"
            "Texts longer than --max-len tokens are truncated (longest first for pairs)\n"
            "and counted on stderr.\n"
            "\n"
            "options:\n"
            "  -m, --model FILE     BERT classifier (.hlx, from helix convert bert)\n"
            "  --field NAME         JSONL field of the text (default: text)\n"
            "  --pair-field NAME    JSONL field of a second text (sentence pairs)\n"
            "  --format F           text, jsonl or auto (default: auto, from the first line)\n"
            "  --max-len N          tokens per record incl. [CLS]/[SEP] (default: 512 or the\n"
            "                       model's positions, if fewer)\n"
            "  --batch N            records per batch (default: 16)\n"
            "  --threads N          worker threads (default: HELIX_THREADS or all cores)\n"
            "  -h, --help           this help\n");
}

static void write_result(FILE *out, const hx_bert_app *app, const float *logits, float *probs) {
    const size_t K = app->cfg.num_labels;
    hx_softmax_rows(1, K, logits, K, probs, K);
    size_t best = 0;
    for (size_t k = 1; k < K; k++) if (logits[k] > logits[best]) best = k;
    fputs("{\"label\": ", out);
    cli_write_json_string(out, app->labels[best], strlen(app->labels[best]));
    fputs(", \"probs\": {", out);
    for (size_t k = 0; k < K; k++) {
        if (k) fputs(", ", out);
        cli_write_json_string(out, app->labels[k], strlen(app->labels[k]));
        fprintf(out, ": %.6g", probs[k]);
    }
    fputs("}, \"logits\": [", out);
    for (size_t k = 0; k < K; k++) fprintf(out, k ? ", %.7g" : "%.7g", logits[k]);
    fputs("]}\n", out);
}

int cmd_classify_text(int argc, char **argv) {
    hx_bert_cli_opts o;
    int rc = hx_bert_cli_parse(argc, argv, "classify-text", 0, &o);
    if (rc == 0) {
        usage(stdout);
        return 0;
    }
    if (rc > 0) {
        fprintf(stderr, "try 'helix classify-text --help'\n");
        return rc;
    }
    hx_bert_cli run;
    if ((rc = hx_bert_cli_open(&o, "classify-text", &run)) != 0) return rc;
    if (run.app.cfg.num_labels == 0) {
        fprintf(stderr, "helix classify-text: %s has no classifier head (use helix embed)\n", o.model);
        hx_bert_cli_close(&run);
        return 1;
    }
    const size_t K = run.app.cfg.num_labels;
    float *logits = malloc(o.batch * K * sizeof *logits), *probs = malloc(K * sizeof *probs);
    if (!logits || !probs) {
        fprintf(stderr, "helix classify-text: out of memory\n");
        free(logits);
        free(probs);
        hx_bert_cli_close(&run);
        return 1;
    }
    hx_error err;
    long n;
    rc = 0;
    while ((n = hx_bert_text_batch_read(&run.texts, stdin, run.app.tok, &err)) > 0) {
        hx_bert_text_batch *tb = &run.texts;
        const char *batch_error = NULL;
        if (tb->batch.n_seqs > 0 && hx_bert_classify(run.session, &tb->batch, logits, &err) != HX_OK)
            batch_error = err.msg; /* e.g. an id outside the model's vocabulary */
        for (size_t i = 0; i < tb->n_lines; i++) {
            if (tb->error[i][0]) cli_write_error_record(stdout, tb->error[i], tb->line_no[i]);
            else if (batch_error) cli_write_error_record(stdout, batch_error, tb->line_no[i]);
            else write_result(stdout, &run.app, logits + tb->seq_of_line[i] * K, probs);
        }
        cli_progress("classify-text", (size_t)tb->lines_read, 0);
    }
    if (n < 0) {
        fprintf(stderr, "helix classify-text: %s\n", err.msg);
        rc = 1;
    }
    rc |= hx_bert_cli_finish(&run, "classify-text");
    free(logits);
    free(probs);
    hx_bert_cli_close(&run);
    return rc;
}
