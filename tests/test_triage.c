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

#include "helix/threads.h"
#include "helix/triage.h"

int cmd_triage(int argc, char **argv);

/* The slice's records scored by the library: for each line, the JSON text
 * of what `helix triage` prints (a record or an error), built from
 * hx_triage_score's votes and probabilities. */
typedef struct {
    hx_triage *t;
    int m, n_lfs;
    cJSON **line;  /* one object per input line: {"p", "votes", "source_p", "label"} or {"error"} */
    int32_t **votes;
    double *p;
    int32_t *gold;
    int n;
} scored;

static void score_slice(scored *sc) {
    char cfg[1024];
    snprintf(cfg, sizeof cfg, "%s/models/triage.json", HX_SOURCE_DIR);
    hx_error err;
    hx_error_clear(&err);
    cr_assert_eq(hx_triage_open(cfg, NULL, &sc->t, &err), HX_OK, "%s", err.msg);
    sc->m = hx_triage_n_sources(sc->t);
    sc->n_lfs = hx_triage_n_lfs(sc->t);
    cr_assert_str_eq(hx_triage_field(sc->t), "text");
    char *in = tu_read_fixture("apps/triage_slice.jsonl", NULL);
    int cap = 1;
    for (char *q = in; *q; q++) cap += *q == '\n';
    sc->line = calloc((size_t)cap, sizeof *sc->line);
    sc->votes = calloc((size_t)cap, sizeof *sc->votes);
    sc->p = calloc((size_t)cap, sizeof *sc->p);
    sc->gold = calloc((size_t)cap, sizeof *sc->gold);
    sc->n = 0;
    double *sp = malloc((size_t)(sc->m - sc->n_lfs) * sizeof *sp);
    for (char *q = in; *q;) {
        char *nl = strchr(q, '\n');
        size_t len = nl ? (size_t)(nl - q) : strlen(q);
        cJSON *rec = cJSON_ParseWithLength(q, len);
        const cJSON *text = cJSON_GetObjectItem(rec, "text"), *g = cJSON_GetObjectItem(rec, "label");
        cJSON *o = cJSON_CreateObject();
        int32_t *row = malloc((size_t)sc->m * sizeof *row);
        hx_triage_result r = {.status = HX_EFORMAT};
        if (cJSON_IsObject(rec) && cJSON_IsString(text)) {
            hx_triage_text t = {text->valuestring, strlen(text->valuestring)};
            cr_assert_eq(hx_triage_score(sc->t, &t, 1, &r, row, sp, &err), HX_OK, "%s", err.msg);
        }
        if (r.status != HX_OK) {
            cJSON_AddStringToObject(o, "error", r.status == HX_EFORMAT && !r.error[0] ? "not a record" : r.error);
        } else {
            cJSON_AddNumberToObject(o, "p", r.p);
            cJSON_AddNumberToObject(o, "label", r.label);
            cJSON *v = cJSON_AddObjectToObject(o, "votes"), *s = cJSON_AddObjectToObject(o, "source_p");
            for (int c = 0; c < sc->m; c++) {
                cJSON_AddNumberToObject(v, hx_triage_source_name(sc->t, c), row[c]);
                if (c >= sc->n_lfs) cJSON_AddNumberToObject(s, hx_triage_source_name(sc->t, c), sp[c - sc->n_lfs]);
            }
            sc->votes[sc->n] = row;
            sc->p[sc->n] = r.p;
            sc->gold[sc->n] = cJSON_IsNumber(g) && (g->valuedouble == 0 || g->valuedouble == 1) ? (int32_t)g->valuedouble : -1;
            row = NULL;
        }
        free(row);
        sc->line[sc->n++] = o;
        cJSON_Delete(rec);
        if (!nl) break;
        q = nl + 1;
    }
    free(sp);
    free(in);
}

static void scored_free(scored *sc) {
    for (int i = 0; i < sc->n; i++) {
        cJSON_Delete(sc->line[i]);
        free(sc->votes[i]);
    }
    free(sc->line);
    free(sc->votes);
    free(sc->p);
    free(sc->gold);
    hx_triage_close(sc->t);
}

Test(triage, records_match_python) {
    scored sc;
    score_slice(&sc);
    char *exp = tu_read_fixture("apps/triage_expected.jsonl", NULL);
    char *e = exp;
    int line = 0, n_err = 0, n_ok = 0, bert_margin_skips = 0;
    while (*e) {
        line++;
        char *ee = strchr(e, '\n');
        cr_assert(ee && line <= sc.n, "line %d: output ended early", line);
        *ee = 0;
        cJSON *go = sc.line[line - 1], *eo = cJSON_Parse(e);
        cr_assert(go && eo, "line %d", line);
        if (cJSON_GetObjectItem(eo, "error")) {
            cr_assert(cJSON_IsString(cJSON_GetObjectItem(go, "error")), "line %d: expected an error", line);
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
        cJSON_Delete(eo);
        e = ee + 1;
    }
    cr_assert_eq(line, sc.n, "extra output lines");
    cr_assert_geq(n_ok, 40);
    cr_assert_eq(n_err, 4);
    cr_assert_leq(bert_margin_skips, 2);
    scored_free(&sc);
    free(exp);
}

static double rate(long a, long b) { return b ? (double)a / (double)b : NAN; }

Test(triage, evaluate_table_matches_snorkel) {
    scored sc;
    score_slice(&sc);
    /* the labelled records' votes, as `helix triage --evaluate` keeps them */
    int32_t *L = malloc((size_t)sc.n * (size_t)sc.m * sizeof *L), *gold = malloc((size_t)sc.n * sizeof *gold);
    double *p = malloc((size_t)sc.n * sizeof *p);
    size_t n = 0;
    for (int i = 0; i < sc.n; i++)
        if (sc.votes[i] && (sc.gold[i] == 0 || sc.gold[i] == 1)) {
            memcpy(L + n * (size_t)sc.m, sc.votes[i], (size_t)sc.m * sizeof *L);
            gold[n] = sc.gold[i];
            p[n++] = sc.p[i];
        }
    hx_triage_table tab;
    hx_error err;
    cr_assert_eq(hx_triage_evaluate(sc.t, L, gold, p, n, &tab, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(tab.n_rows, 15);
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
        const hx_triage_row *row = NULL;
        for (size_t r = 0; r < tab.n_rows; r++)
            if (!strcmp(tab.rows[r].sources, names[mask]) && !strcmp(tab.rows[r].method, method)) row = &tab.rows[r];
        cr_assert(row, "no row '%s %s'", names[mask], method);
        char key[64];
        snprintf(key, sizeof key, "%-18s %-14s", names[mask], method);
        const hx_confusion *c = &row->conf;
        /* the table prints 3 decimals: compare what it shows */
        double v[7] = {c->tpr, c->fpr, c->fnr, c->tnr, c->accuracy, c->f1, c->coverage};
        for (int i = 0; i < 7; i++)
            if (!isnan(v[i])) v[i] = round(v[i] * 1000) / 1000;
        long n = (long)c->total;
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
    hx_triage_table_free(&tab);
    free(L);
    free(gold);
    free(p);
    scored_free(&sc);
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

/* The command once, end to end: the slice in, one line out per line in. */
Test(triage, cli_smoke) {
    char in[1024], cfg[1024], out[] = "/tmp/helix_test_triage_XXXXXX";
    snprintf(in, sizeof in, "%s/apps/triage_slice.jsonl", HX_TEST_FIXTURES);
    snprintf(cfg, sizeof cfg, "%s/models/triage.json", HX_SOURCE_DIR);
    int fd = mkstemp(out);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert(freopen(in, "r", stdin));
    char *argv[] = {"triage", "--config", cfg, "-o", out, NULL};
    cr_assert_eq(cmd_triage(5, argv), 1); /* malformed lines are in the input */
    char *got = tu_read_file(out, NULL), *exp = tu_read_fixture("apps/triage_expected.jsonl", NULL);
    unlink(out);
    int n_got = 0, n_exp = 0, n_err = 0;
    for (char *q = got; *q; q++) n_got += *q == '\n';
    for (char *q = exp; *q; q++) n_exp += *q == '\n';
    for (char *q = got; (q = strstr(q, "{\"error\"")); q++) n_err++;
    cr_assert_eq(n_got, n_exp);
    cr_assert_eq(n_err, 4);
    free(got);
    free(exp);
}

/* Several texts in one call, not NUL-terminated, give what one call per
 * text gives; a NULL text is that text's error alone. */
Test(triage, score_many_texts_in_memory) {
    char cfg[1024];
    snprintf(cfg, sizeof cfg, "%s/models/triage.json", HX_SOURCE_DIR);
    hx_triage *t;
    hx_error err;
    cr_assert_eq(hx_triage_open(cfg, NULL, &t, &err), HX_OK, "%s", err.msg);
    const int m = hx_triage_n_sources(t), nm = m - hx_triage_n_lfs(t);
    static const char buf[] = "DNA damage repair genes mutated in colorectal cancer: BRCA1 mutation and genomic "
                              "instability.XXXXAngiogenesis and VEGF signalling drive metastasis.";
    const size_t len0 = strlen("DNA damage repair genes mutated in colorectal cancer: BRCA1 mutation and genomic "
                               "instability.");
    hx_triage_text in[3] = {{buf, len0}, {NULL, 5}, {buf + len0 + 4, strlen(buf + len0 + 4)}};
    hx_triage_result r[3];
    int32_t votes[3 * 64];
    double sp[3 * 64];
    cr_assert_leq(m, 64);
    cr_assert_eq(hx_triage_score(t, in, 3, r, votes, sp, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(r[0].status, HX_OK, "%s", r[0].error);
    cr_assert_neq(r[1].status, HX_OK);
    cr_assert_eq(r[2].status, HX_OK, "%s", r[2].error);
    for (int i = 0; i < 3; i += 2) {
        char *copy = strndup(in[i].text, in[i].len);
        hx_triage_text one = {copy, in[i].len};
        hx_triage_result r1;
        int32_t v1[64];
        double sp1[64];
        cr_assert_eq(hx_triage_score(t, &one, 1, &r1, v1, sp1, &err), HX_OK);
        cr_assert_eq(r1.p, r[i].p, "text %d", i);
        cr_assert_eq(r1.label, r[i].label);
        cr_assert_eq(memcmp(v1, votes + i * m, (size_t)m * sizeof *v1), 0, "text %d votes", i);
        cr_assert_eq(memcmp(sp1, sp + i * nm, (size_t)nm * sizeof *sp1), 0, "text %d P", i);
        free(copy);
    }
    cr_assert_str_eq(hx_triage_source_name(t, 0), "lf_dna_damage_repair");
    cr_assert_null(hx_triage_source_name(t, m));
    hx_triage_close(t);
}

/* Every slice abstract in one call (BERTs on batches of 3, two threads)
 * gives bit for bit what one call per abstract gives. */
Test(triage, batched_equals_one_by_one) {
    char cfg[1024];
    snprintf(cfg, sizeof cfg, "%s/models/triage.json", HX_SOURCE_DIR);
    hx_error err;
    hx_threadpool *pool;
    cr_assert_eq(hx_threadpool_create(2, &pool, &err), HX_OK, "%s", err.msg);
    hx_triage_options opt = {pool, 3};
    hx_triage *tb, *t1;
    cr_assert_eq(hx_triage_open(cfg, &opt, &tb, &err), HX_OK, "%s", err.msg);
    hx_triage_options one_opt = {NULL, 1};
    cr_assert_eq(hx_triage_open(cfg, &one_opt, &t1, &err), HX_OK, "%s", err.msg);
    const int m = hx_triage_n_sources(tb), nm = m - hx_triage_n_lfs(tb);
    char *in = tu_read_fixture("apps/triage_slice.jsonl", NULL);
    hx_triage_text texts[128];
    cJSON *recs[128];
    int n = 0, n_recs = 0;
    for (char *q = in; *q && n < 128;) {
        char *nl = strchr(q, '\n');
        size_t len = nl ? (size_t)(nl - q) : strlen(q);
        cJSON *rec = cJSON_ParseWithLength(q, len);
        const cJSON *text = cJSON_GetObjectItem(rec, "text");
        recs[n_recs++] = rec;
        if (cJSON_IsString(text)) texts[n++] = (hx_triage_text){text->valuestring, strlen(text->valuestring)};
        if (!nl) break;
        q = nl + 1;
    }
    cr_assert_geq(n, 40);
    hx_triage_result *r = calloc((size_t)n, sizeof *r);
    int32_t *votes = calloc((size_t)n * (size_t)m, sizeof *votes);
    double *sp = calloc((size_t)n * (size_t)nm, sizeof *sp);
    cr_assert_eq(hx_triage_score(tb, texts, (size_t)n, r, votes, sp, &err), HX_OK, "%s", err.msg);
    for (int i = 0; i < n; i++) {
        hx_triage_result r1;
        int32_t v1[64];
        double sp1[64];
        cr_assert_eq(hx_triage_score(t1, &texts[i], 1, &r1, v1, sp1, &err), HX_OK);
        cr_assert_eq(r1.status, r[i].status, "text %d", i);
        if (r1.status != HX_OK) continue;
        cr_assert_eq(r1.p, r[i].p, "text %d: %.17g batched, %.17g alone", i, r[i].p, r1.p);
        cr_assert_eq(memcmp(v1, votes + (size_t)i * (size_t)m, (size_t)m * sizeof *v1), 0, "text %d votes", i);
        cr_assert_eq(memcmp(sp1, sp + (size_t)i * (size_t)nm, (size_t)nm * sizeof *sp1), 0, "text %d P", i);
    }
    free(r);
    free(votes);
    free(sp);
    for (int i = 0; i < n_recs; i++) cJSON_Delete(recs[i]);
    free(in);
    hx_triage_close(tb);
    hx_triage_close(t1);
    hx_threadpool_destroy(pool);
}
