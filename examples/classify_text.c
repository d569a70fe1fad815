/* Classify texts with a BERT .hlx file.
 *
 *   cc classify_text.c $(pkg-config --cflags --libs helix) -o classify_text
 *   ./classify_text models/triage/bert_a.hlx "DNA repair defects cause genomic instability."
 *
 * Prints, per text: the predicted label, then every label=probability. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <helix.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s MODEL.hlx TEXT...\n", argv[0]);
        return 2;
    }
    hx_error err;
    hx_bert_file bf; /* model, tokenizer, config and label names of one file */
    if (hx_bert_file_open(argv[1], 1, &bf, &err) != HX_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], err.msg);
        return 1;
    }
    size_t K = bf.cfg.num_labels;
    if (K == 0) {
        fprintf(stderr, "%s: no classifier head\n", argv[1]);
        hx_bert_file_close(&bf);
        return 1;
    }

    /* Texts longer than the model's positions (at most 512 tokens) are cut. */
    size_t max_len = bf.cfg.max_position < 512 ? bf.cfg.max_position : 512;
    hx_encode_options enc_opt = {.max_length = max_len};
    hx_encoding enc;
    hx_encoding_init(&enc);

    /* A session holds the activation memory for one batch of up to
     * (1 sequence x max_len tokens); NULL pool = run on this thread. */
    hx_bert_session *session = NULL;
    float *logits = malloc(K * sizeof *logits);
    float *probs = malloc(K * sizeof *probs);
    int rc = 0;
    if (!logits || !probs ||
        hx_bert_session_create(bf.model, 1, max_len, NULL, &session, &err) != HX_OK) {
        fprintf(stderr, "%s\n", logits && probs ? err.msg : "out of memory");
        rc = 1;
    }

    for (int i = 2; i < argc && rc == 0; i++) {
        const char *text = argv[i];
        /* text -> [CLS] word pieces [SEP] */
        if (hx_tokenizer_encode(bf.tok, text, strlen(text), NULL, 0, &enc_opt, &enc, &err) != HX_OK) {
            fprintf(stderr, "text %d: %s\n", i - 1, err.msg);
            rc = 1;
            break;
        }
        hx_bert_batch batch = {.n_seqs = 1, .lengths = &enc.length, .ids = enc.ids,
                               .type_ids = enc.type_ids};
        if (hx_bert_classify(session, &batch, logits, &err) != HX_OK) {
            fprintf(stderr, "text %d: %s\n", i - 1, err.msg);
            rc = 1;
            break;
        }
        hx_softmax_rows(1, K, logits, K, probs, K);
        size_t best = 0;
        for (size_t k = 1; k < K; k++)
            if (probs[k] > probs[best]) best = k;
        printf("%s", bf.labels[best]);
        for (size_t k = 0; k < K; k++) printf(" %s=%.6f", bf.labels[k], probs[k]);
        printf("\n");
    }

    hx_bert_session_free(session);
    free(probs);
    free(logits);
    hx_encoding_free(&enc);
    hx_bert_file_close(&bf);
    return rc;
}
