/* `helix bench tokenizer`: single-threaded WordPiece throughput on a corpus
 * of documents, one per line (bench/tokenizer_peer.py writes the abstracts
 * corpus and runs the Hugging Face peer on the same file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "helix/tokenizer.h"
#include "helix/tokenizer_meta.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: helix bench tokenizer (--vocab VOCAB.txt [--cased] | --tokenizer-json FILE)\n"
            "                             --input DOCS.txt [--repeat N] [--max-len N]\n"
            "\n"
            "Tokenizes every line of DOCS.txt (one document per line) on one thread, N times\n"
            "(default 5), and prints the median time, MB/s and tokens/s. The last line,\n"
            "\"result seconds=S bytes=B tokens=T docs=D\", is for scripts.\n"
            "Peer: bench/tokenizer_peer.py runs Hugging Face tokenizers on the same file.\n");
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int bench_tokenizer(int argc, char **argv) {
    const char *vocab = NULL, *tjson = NULL, *input = NULL;
    bool cased = false;
    long repeat = 5, max_len = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--cased")) {
            cased = true;
        } else if (i + 1 >= argc) {
            fprintf(stderr, "helix bench tokenizer: %s needs a value (see --help)\n", a);
            return 2;
        } else if (!strcmp(a, "--vocab")) {
            vocab = argv[++i];
        } else if (!strcmp(a, "--tokenizer-json")) {
            tjson = argv[++i];
        } else if (!strcmp(a, "--input")) {
            input = argv[++i];
        } else if (!strcmp(a, "--repeat")) {
            if (!cli_parse_int(argv[++i], 1, 1000, &repeat)) {
                fprintf(stderr, "helix bench tokenizer: --repeat must be 1..1000\n");
                return 2;
            }
        } else if (!strcmp(a, "--max-len")) {
            if (!cli_parse_int(argv[++i], 1, 1L << 30, &max_len)) {
                fprintf(stderr, "helix bench tokenizer: --max-len must be a positive integer\n");
                return 2;
            }
        } else {
            fprintf(stderr, "helix bench tokenizer: unknown option %s (see --help)\n", a);
            return 2;
        }
    }
    if (!input || (vocab != NULL) == (tjson != NULL)) {
        fprintf(stderr, "helix bench tokenizer: need --input and one of --vocab, --tokenizer-json\n");
        return 2;
    }
    hx_error err;
    hx_error_clear(&err);
    hx_tokenizer *tok = NULL;
    if (hx_tokenizer_load_file(vocab ? vocab : tjson, cased ? 0 : -1, &tok, &err)) {
        fprintf(stderr, "helix bench tokenizer: %s\n", err.msg);
        return 1;
    }
    FILE *f = fopen(input, "rb");
    if (!f) {
        fprintf(stderr, "helix bench tokenizer: cannot open %s\n", input);
        hx_tokenizer_free(tok);
        return 1;
    }
    /* All documents in memory first: the timing covers tokenization only. */
    char **docs = NULL;
    size_t *lens = NULL, n = 0, cap = 0, bytes = 0;
    char *line = NULL;
    size_t lcap = 0;
    long len;
    int rc = 0;
    while ((len = cli_read_line(f, &line, &lcap)) >= 0) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            char **nd = realloc(docs, cap * sizeof *docs);
            size_t *nl = realloc(lens, cap * sizeof *lens);
            if (nd) docs = nd;
            if (nl) lens = nl;
            if (!nd || !nl) {
                rc = 1;
                break;
            }
        }
        docs[n] = malloc((size_t)len + 1);
        if (!docs[n]) {
            rc = 1;
            break;
        }
        memcpy(docs[n], line, (size_t)len + 1);
        lens[n++] = (size_t)len;
        bytes += (size_t)len;
    }
    fclose(f);
    free(line);
    double *times = malloc((size_t)repeat * sizeof *times);
    if (rc || !times) {
        fprintf(stderr, "helix bench tokenizer: out of memory\n");
        rc = 1;
        goto done;
    }
    hx_encode_options opt = {0};
    opt.max_length = (size_t)max_len;
    hx_encoding enc;
    hx_encoding_init(&enc);
    size_t tokens = 0;
    for (long r = 0; r < repeat && !rc; r++) {
        size_t tk = 0;
        double t0 = cli_now();
        for (size_t i = 0; i < n; i++) {
            if (hx_tokenizer_encode(tok, docs[i], lens[i], NULL, 0, &opt, &enc, &err)) {
                fprintf(stderr, "helix bench tokenizer: document %zu: %s\n", i + 1, err.msg);
                rc = 1;
                break;
            }
            tk += enc.length;
        }
        times[r] = cli_now() - t0;
        tokens = tk;
    }
    hx_encoding_free(&enc);
    if (!rc) {
        qsort(times, (size_t)repeat, sizeof *times, cmp_double);
        double med = times[repeat / 2];
        printf("tokenizer: %zu documents, %.2f MB, %zu tokens (with [CLS]/[SEP]); 1 thread\n", n,
               bytes / 1e6, tokens);
        printf("median of %ld: %.4f s  %.2f MB/s  %.2f M tokens/s  (best %.4f s)\n", repeat, med,
               bytes / 1e6 / med, tokens / 1e6 / med, times[0]);
        printf("result seconds=%.6f bytes=%zu tokens=%zu docs=%zu\n", med, bytes, tokens, n);
    }
done:
    free(times);
    for (size_t i = 0; i < n; i++) free(docs[i]);
    free(docs);
    free(lens);
    hx_tokenizer_free(tok);
    return rc;
}
