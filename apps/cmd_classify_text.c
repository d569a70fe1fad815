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

static void write_result(const cli_bert *c, const float *logits, float *probs) {
    const hx_bert_file *app = &c->app;
    FILE *out = stdout;
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

static int check(const cli_bert *c, const cli_bert_opts *o) {
    if (c->app.cfg.num_labels > 0) return 0;
    fprintf(stderr, "helix classify-text: %s has no classifier head (use helix embed)\n", o->model);
    return 1;
}

static size_t width(const cli_bert *c) { return c->app.cfg.num_labels; }

static hx_status run(cli_bert *c, const cli_bert_opts *o, float *logits, hx_error *err) {
    return hx_bert_classify(c->session, &c->texts.batch, logits, err);
}

int cmd_classify_text(int argc, char **argv) {
    static const cli_bert_command cmd = {"classify-text", 0, usage, check, width, run, write_result};
    return cli_bert_main(argc, argv, &cmd);
}
