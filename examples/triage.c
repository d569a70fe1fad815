/* Score journal abstracts with the triage pipeline: labeling functions,
 * random forests and BERTs vote, and a label model turns the votes into
 * P(positive).
 *
 *   cc triage.c $(pkg-config --cflags --libs helix) -o triage
 *   ./triage models/triage.json < abstracts.txt
 *
 * Reads one abstract per line (plain text) and prints one line per abstract:
 * P(positive) and the label (1 when P >= 0.5), or "error: ..." for an
 * abstract that could not be scored. */
#define _POSIX_C_SOURCE 200809L /* getline */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <helix.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s TRIAGE.json < abstracts.txt\n", argv[0]);
        return 2;
    }
    hx_error err;
    hx_triage *triage; /* every model the config names, opened once */
    if (hx_triage_open(argv[1], NULL, &triage, &err) != HX_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], err.msg);
        return 1;
    }

    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;
    while ((len = getline(&line, &cap, stdin)) >= 0) {
        if (len > 0 && line[len - 1] == '\n') len--;
        hx_triage_text text = {.text = line, .len = (size_t)len};
        hx_triage_result result;
        /* One text at a time keeps the example short; the call takes many. */
        if (hx_triage_score(triage, &text, 1, &result, NULL, NULL, &err) != HX_OK) {
            fprintf(stderr, "%s\n", err.msg);
            rc = 1;
            break;
        }
        if (result.status == HX_OK)
            printf("%.6f %d\n", result.p, result.label);
        else
            printf("error: %s\n", result.error);
    }

    free(line);
    hx_triage_close(triage);
    return rc;
}
