/* `helix triage` end to end with the bundled models (models/triage.json) on
 * 40 test-split abstracts plus malformed lines, against Python: LF votes from
 * tools/train/apply_lfs.py, forest P(1) from scikit-learn, BERT P(1) from
 * PyTorch, P(positive) from snorkel's LabelModel fitted on the dev votes, and
 * the --evaluate table from snorkel's LabelModel / MajorityLabelVoter on every
 * source subset (fixtures: tests/oracle/make_apps_fixtures.py --triage). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "test_util.h"

int cmd_triage(int argc, char **argv);

/* Runs helix triage with stdin from the slice; returns the exit status and
 * the output text. */
static int run(const char *extra, char **out_text) {
    char in[1024], cfg[1024], out[] = "/tmp/helix_test_triage_XXXXXX";
    snprintf(in, sizeof in, "%s/apps/triage_slice.jsonl", HX_TEST_FIXTURES);
    snprintf(cfg, sizeof cfg, "%s/models/triage.json", HX_SOURCE_DIR);
    int fd = mkstemp(out);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert(freopen(in, "r", stdin));
    char *argv[] = {"triage", "--config", cfg, "-o", out, (char *)extra, NULL};
    int rc = cmd_triage(extra ? 6 : 5, argv);
    *out_text = tu_read_file(out, NULL);
    unlink(out);
    return rc;
}

Test(triage, records_match_python) {
    char *got;
    cr_assert_eq(run(NULL, &got), 1); /* malformed lines are in the input */
    char *exp = tu_read_fixture("apps/triage_expected.jsonl", NULL);
    char *g = got, *e = exp;
    int line = 0, n_err = 0, n_ok = 0, bert_margin_skips = 0;
    while (*e) {
        line++;
        char *ge = strchr(g, '\n'), *ee = strchr(e, '\n');
        cr_assert(ge && ee, "line %d: output ended early", line);
        *ge = *ee = 0;
        cJSON *go = cJSON_Parse(g), *eo = cJSON_Parse(e);
        cr_assert(go && eo, "line %d", line);
        if (cJSON_GetObjectItem(eo, "error")) {
            cr_assert(cJSON_IsString(cJSON_GetObjectItem(go, "error")), "line %d: expected an error", line);
            cr_assert_eq(cJSON_GetObjectItem(go, "line")->valueint, line);
            n_err++;
        } else {
            n_ok++;
            const cJSON *sp_e = cJSON_GetObjectItem(eo, "source_p"), *sp_g = cJSON_GetObjectItem(go, "source_p");
            const cJSON *votes_e = cJSON_GetObjectItem(eo, "votes"), *votes_g = cJSON_GetObjectItem(go, "votes");
            cr_assert_eq(cJSON_GetArraySize(votes_g), cJSON_GetArraySize(votes_e));
            int col = 0, n_lf = cJSON_GetArraySize(votes_e) - cJSON_GetArraySize(sp_e);
            const cJSON *v;
            cJSON_ArrayForEach(v, votes_g) {
                int want = cJSON_GetArrayItem(votes_e, col)->valueint;
                double margin = 1;
                if (col >= n_lf) {
                    const cJSON *p = cJSON_GetObjectItem(sp_e, v->string);
                    cr_assert(p, "line %d: no expected P for %s", line, v->string);
                    double a = cJSON_GetObjectItem(sp_g, v->string)->valuedouble, b = p->valuedouble;
                    if (!strncmp(v->string, "rf", 2))
                        cr_assert(fabs(a - b) <= 1e-12, "line %d %s: %.17g, sklearn %.17g", line, v->string, a, b);
                    else
                        cr_assert(fabs(a - b) <= 2e-4, "line %d %s: %.9g, PyTorch %.9g", line, v->string, a, b);
                    margin = fabs(b - 0.5);
                }
                if (margin > 2e-4) cr_assert_eq(v->valueint, want, "line %d source %s", line, v->string);
                else bert_margin_skips++;
                col++;
            }
            double p = cJSON_GetObjectItem(go, "p")->valuedouble, pe = cJSON_GetObjectItem(eo, "p")->valuedouble;
            cr_assert(fabs(p - pe) <= 1e-5, "line %d: P %.9g, snorkel %.9g", line, p, pe);
            cr_assert_eq(cJSON_GetObjectItem(go, "label")->valueint, p >= 0.5);
        }
        cJSON_Delete(go);
        cJSON_Delete(eo);
        g = ge + 1;
        e = ee + 1;
    }
    cr_assert_eq(*g, 0, "extra output lines");
    cr_assert_geq(n_ok, 40);
    cr_assert_eq(n_err, 4);
    cr_assert_leq(bert_margin_skips, 2);
    free(got);
    free(exp);
}

static double rate(long a, long b) { return b ? (double)a / (double)b : NAN; }

Test(triage, evaluate_table_matches_snorkel) {
    char *tab;
    cr_assert_eq(run("--evaluate", &tab), 1);
    char *js = tu_read_fixture("apps/triage_table.json", NULL);
    cJSON *exp = cJSON_Parse(js);
    static const char *names[8] = {"", "LFs", "RFs", "LFs+RFs", "BERTs", "LFs+BERTs", "RFs+BERTs", "all three"};
    int rows = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, exp) {
        int mask;
        char method[32];
        cr_assert_eq(sscanf(e->string, "%d/%31[^\n]", &mask, method), 2);
        /* find "NAME  METHOD" in the table */
        char key[64];
        snprintf(key, sizeof key, "%-18s %-14s", names[mask], method);
        char *row = strstr(tab, key);
        cr_assert(row, "no row '%s'", key);
        double v[7];
        long n;
        const char *q = row + strlen(key);
        for (int i = 0; i < 7; i++) {
            char cell[32];
            int used;
            cr_assert_eq(sscanf(q, "%31s%n", cell, &used), 1);
            v[i] = strcmp(cell, "-") ? atof(cell) : NAN;
            q += used;
        }
        cr_assert_eq(sscanf(q, "%ld", &n), 1);
        long tp = cJSON_GetObjectItem(e, "tp")->valueint, fp = cJSON_GetObjectItem(e, "fp")->valueint;
        long fn = cJSON_GetObjectItem(e, "fn")->valueint, tn = cJSON_GetObjectItem(e, "tn")->valueint;
        long total = cJSON_GetObjectItem(e, "total")->valueint, ab = cJSON_GetObjectItem(e, "abstained")->valueint;
        double want[7] = {rate(tp, tp + fn), rate(fp, fp + tn), rate(fn, tp + fn), rate(tn, fp + tn),
                          rate(tp + tn, tp + fp + fn + tn), rate(2 * tp, 2 * tp + fp + fn), rate(total - ab, total)};
        for (int i = 0; i < 7; i++) {
            if (isnan(want[i])) cr_assert(isnan(v[i]), "%s column %d", key, i);
            else cr_assert(fabs(v[i] - want[i]) < 6e-4, "%s column %d: %g, snorkel %g", key, i, v[i], want[i]);
        }
        cr_assert_eq(n, total, "%s", key);
        rows++;
    }
    cr_assert_eq(rows, 15);
    cJSON_Delete(exp);
    free(js);
    free(tab);
}

Test(triage, usage_and_config_errors) {
    char *help[] = {"triage", "--help", NULL};
    cr_assert_eq(cmd_triage(2, help), 0);
    char *bad[] = {"triage", "--bogus", NULL};
    cr_assert_eq(cmd_triage(2, bad), 2);
    char *missing[] = {"triage", "--config", "/nonexistent/triage.json", NULL};
    cr_assert_eq(cmd_triage(3, missing), 1);
    char *attach[] = {"triage", "attach-features", "/nonexistent.hlx", NULL};
    cr_assert_eq(cmd_triage(3, attach), 2);
}
