/* `helix lf apply --lfs LFS.json < RECORDS.jsonl > L.csv`: runs keyword,
 * regex and threshold labeling functions (include/helix/lf_rules.h) over JSONL records
 * and writes the label matrix, one CSV row per input line, with a header of
 * LF names. A line that is not a JSON object gets an all-abstain row, a
 * message on stderr naming the line, and makes the exit status 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "cli_util.h"
#include "helix/lf_rules.h"

static const char *usage_text =
    "usage: helix lf apply --lfs LFS.json [--no-header] < RECORDS.jsonl > L.csv\n"
    "\n"
    "Applies the labeling functions of LFS.json (keyword, POSIX regex and threshold\n"
    "rules; see docs or include/helix/lf_rules.h) to every JSONL record and prints the label\n"
    "matrix: one row per input line, one column per LF, -1 = abstain. The first\n"
    "line names the LFs unless --no-header. A line that is not a JSON object gets an\n"
    "all -1 row and an error on stderr, and the exit status is then 1.\n";

int cmd_lf(int argc, char **argv) {
    if (argc < 2) {
        fputs(usage_text, stderr);
        return 2;
    }
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_text, stdout);
            return 0;
        }
    if (strcmp(argv[1], "apply")) {
        fprintf(stderr, "helix lf: unknown subcommand '%s' (apply)\n", argv[1]);
        return 2;
    }
    const char *lfs_path = NULL;
    int header = 1;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--lfs") && i + 1 < argc) lfs_path = argv[++i];
        else if (!strcmp(argv[i], "--no-header")) header = 0;
        else {
            fprintf(stderr, "helix lf apply: unknown or incomplete option '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!lfs_path) {
        fprintf(stderr, "helix lf apply: --lfs LFS.json is required\n");
        return 2;
    }
    hx_error err;
    hx_error_clear(&err);
    hx_lf_set set;
    if (hx_lf_set_load(lfs_path, &set, &err) != HX_OK) {
        fprintf(stderr, "helix lf apply: %s\n", err.msg);
        return 1;
    }
    int32_t *votes = malloc((size_t)set.n_lfs * sizeof *votes);
    if (!votes) {
        hx_lf_set_free(&set);
        fprintf(stderr, "helix lf apply: out of memory\n");
        return 1;
    }
    if (header)
        for (int j = 0; j < set.n_lfs; j++) printf("%s%c", set.lfs[j].name, j + 1 < set.n_lfs ? ',' : '\n');
    char *line = NULL;
    size_t cap = 0;
    long len, line_no = 0, bad = 0;
    while ((len = cli_read_line(stdin, &line, &cap)) >= 0) {
        line_no++;
        cJSON *rec = cJSON_ParseWithLength(line, (size_t)len);
        if (!cJSON_IsObject(rec)) {
            fprintf(stderr, "helix lf apply: line %ld is not a JSON object; all LFs abstain\n", line_no + cli_line_base);
            bad++;
        }
        hx_lf_set_apply(&set, rec, votes);
        cJSON_Delete(rec);
        for (int j = 0; j < set.n_lfs; j++) printf("%d%c", (int)votes[j], j + 1 < set.n_lfs ? ',' : '\n');
        cli_progress("records", (size_t)line_no, 0);
    }
    cli_progress_end();
    free(line);
    free(votes);
    hx_lf_set_free(&set);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "helix lf apply: error writing the output\n");
        return 1;
    }
    if (bad) {
        fprintf(stderr, "helix lf apply: %ld of %ld lines were not JSON objects\n", bad, line_no);
        return 1;
    }
    return 0;
}
