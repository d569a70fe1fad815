/* `helix udp` end to end on the fixture phenopackets (real records, odd and
 * malformed ones): small forests dumped from scikit-learn and converted here,
 * the HPO cut packed into .hlx here; probabilities, unresolved terms and the
 * --evaluate tallies against scikit-learn's predict_proba on features built
 * by an independent walk over the ontology (tests/oracle/make_apps_fixtures.py). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "helix.h"
#include "helix/forest.h"
#include "helix/hpo.h"
#include "helix/phenopacket.h"
#include "helix/udp.h"
#include "test_util.h"

int cmd_udp(int argc, char **argv);

static const char *targets[] = {"male", "pediatric", "structural_variant", "biallelic"};
static char dir[256];

/* Converts the fixture models into a fresh directory; writes udp.json (hpo
 * .hlx) and udp_json.json (the obographs file directly). */
static void make_models(void) {
    snprintf(dir, sizeof dir, "/tmp/helix_test_udp_XXXXXX");
    cr_assert(mkdtemp(dir));
    char in[1024], out[1024];
    hx_error err;
    for (int k = 0; k < 4; k++) {
        snprintf(in, sizeof in, "%s/apps/udp_%s.forest.json", HX_TEST_FIXTURES, targets[k]);
        snprintf(out, sizeof out, "%s/%s.hlx", dir, targets[k]);
        hx_forest_arrays a;
        cr_assert_eq(hx_forest_dump_load(in, &a, &err), HX_OK, "%s", err.msg);
        cr_assert_eq(hx_forest_hlx_write(&a, "test", out, &err), HX_OK, "%s", err.msg);
        hx_forest_arrays_free(&a);
    }
    snprintf(in, sizeof in, "%s/apps/hpo_subset.json", HX_TEST_FIXTURES);
    snprintf(out, sizeof out, "%s/hpo.hlx", dir);
    hx_hpo *h;
    cr_assert_eq(hx_hpo_load_file(in, &h, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_hpo_write_hlx(h, "test", out, &err), HX_OK, "%s", err.msg);
    hx_hpo_free(h);
    const char *onto[2] = {"hpo.hlx", in};
    const char *cfg[2] = {"udp.json", "udp_json.json"};
    for (int c = 0; c < 2; c++) {
        snprintf(out, sizeof out, "%s/%s", dir, cfg[c]);
        FILE *f = fopen(out, "w");
        cr_assert(f);
        fprintf(f, "{\"format\": \"helix-udp-v1\", \"ontology\": \"%s\", \"targets\": [", onto[c]);
        for (int k = 0; k < 4; k++)
            fprintf(f, "%s{\"name\": \"%s\", \"model\": \"%s.hlx\"}", k ? "," : "", targets[k], targets[k]);
        fprintf(f, "]}\n");
        fclose(f);
    }
}

static void cleanup(void) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* The library on every fixture record, one JSON object per input line as
 * `helix udp` prints it ({"id", "p", "unresolved_hpo"} or {"error"}); with
 * table, the --evaluate tallies instead. */
static cJSON **score_all(const char *cfg, hx_udp_table *table, int *n_lines) {
    char cfgp[512];
    snprintf(cfgp, sizeof cfgp, "%s/%s", dir, cfg);
    hx_udp *u;
    hx_error err;
    hx_error_clear(&err);
    cr_assert_eq(hx_udp_open(cfgp, NULL, &u, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_udp_n_targets(u), 4);
    if (table) hx_udp_table_init(u, table);
    char *in = tu_read_fixture("apps/phenopackets.jsonl", NULL);
    int cap = 1, n = 0;
    for (char *q = in; *q; q++) cap += *q == '\n';
    cJSON **lines = calloc((size_t)cap, sizeof *lines);
    for (char *q = in; *q;) {
        char *nl = strchr(q, '\n');
        size_t len = nl ? (size_t)(nl - q) : strlen(q);
        cJSON *o = cJSON_CreateObject();
        hx_phenopacket pp;
        double prob[HX_UDP_MAX_TARGETS];
        if (hx_phenopacket_parse(q, len, &pp, &err) != HX_OK) {
            cJSON_AddStringToObject(o, "error", err.msg);
        } else {
            hx_hpo_resolution *why = calloc(pp.n_observed + 1, sizeof *why);
            cr_assert_eq(hx_udp_score(u, &pp, prob, why, &err), HX_OK, "%s", err.msg);
            if (table) hx_udp_evaluate(u, &pp, prob, table);
            cJSON_AddStringToObject(o, "id", pp.id);
            cJSON *po = cJSON_AddObjectToObject(o, "p"), *uo = cJSON_AddObjectToObject(o, "unresolved_hpo");
            for (int k = 0; k < hx_udp_n_targets(u); k++) cJSON_AddNumberToObject(po, hx_udp_target_name(u, k), prob[k]);
            for (size_t i = 0; i < pp.n_observed; i++)
                if (why[i] != HX_HPO_CURRENT && why[i] != HX_HPO_ALT_ID && why[i] != HX_HPO_REPLACED)
                    cJSON_AddStringToObject(uo, pp.observed[i], hx_hpo_resolution_name(why[i]));
            free(why);
            hx_phenopacket_free(&pp);
        }
        lines[n++] = o;
        if (!nl) break;
        q = nl + 1;
    }
    free(in);
    hx_udp_close(u);
    *n_lines = n;
    return lines;
}

static void lines_free(cJSON **lines, int n) {
    for (int i = 0; i < n; i++) cJSON_Delete(lines[i]);
    free(lines);
}

static void check_records(const char *cfg) {
    int n_lines;
    cJSON **got = score_all(cfg, NULL, &n_lines);
    char *exp = tu_read_fixture("apps/udp_expected.jsonl", NULL);
    char *e = exp;
    int line = 0, n_err = 0, n_unres = 0;
    while (*e) {
        line++;
        char *ee = strchr(e, '\n');
        cr_assert(ee && line <= n_lines, "line %d: output ended early", line);
        *ee = 0;
        cJSON *go = got[line - 1], *eo = cJSON_Parse(e);
        cr_assert(go && eo, "line %d", line);
        if (cJSON_GetObjectItem(eo, "error")) {
            cr_assert(cJSON_IsString(cJSON_GetObjectItem(go, "error")), "line %d: expected an error record", line);
            n_err++;
        } else {
            cr_assert_str_eq(cJSON_GetObjectItem(go, "id")->valuestring, cJSON_GetObjectItem(eo, "id")->valuestring);
            for (int k = 0; k < 4; k++) {
                double a = cJSON_GetObjectItem(cJSON_GetObjectItem(go, "p"), targets[k])->valuedouble;
                double b = cJSON_GetObjectItem(cJSON_GetObjectItem(eo, "p"), targets[k])->valuedouble;
                cr_assert(fabs(a - b) <= 1e-12, "line %d %s: %.17g, sklearn %.17g", line, targets[k], a, b);
            }
            const cJSON *gu = cJSON_GetObjectItem(go, "unresolved_hpo"), *eu = cJSON_GetObjectItem(eo, "unresolved"), *u;
            cr_assert_eq(cJSON_GetArraySize(gu), cJSON_GetArraySize(eu), "line %d", line);
            cJSON_ArrayForEach(u, eu) {
                const cJSON *w = cJSON_GetObjectItem(gu, u->string);
                cr_assert(w, "line %d: %s not reported", line, u->string);
                cr_assert_str_eq(w->valuestring, u->valuestring);
                n_unres++;
            }
        }
        cJSON_Delete(eo);
        e = ee + 1;
    }
    cr_assert_eq(line, n_lines, "extra output lines");
    cr_assert_geq(n_err, 10);
    cr_assert_geq(n_unres, 3);
    lines_free(got, n_lines);
    free(exp);
}

Test(udp, records_match_sklearn_with_packed_ontology) {
    make_models();
    check_records("udp.json");
    cleanup();
}

Test(udp, records_match_sklearn_with_obographs_ontology) {
    make_models();
    check_records("udp_json.json");
    cleanup();
}

Test(udp, evaluate_table_matches) {
    make_models();
    hx_udp_table tab;
    int n_lines;
    cJSON **lines = score_all("udp.json", &tab, &n_lines);
    lines_free(lines, n_lines);
    char *js = tu_read_fixture("apps/udp_table.json", NULL);
    cJSON *exp = cJSON_Parse(js);
    for (int k = 0; k < 4; k++) {
        /* the config lists the targets in this order */
        const hx_udp_tally *row = &tab.tally[k];
        long n = row->n, correct = row->correct, incorrect = row->n - row->correct;
        /* the table prints 3 decimals: compare what it shows */
        double acc = round(hx_udp_tally_accuracy(row) * 1000) / 1000;
        double maj = round(hx_udp_tally_majority_rate(row) * 1000) / 1000;
        const cJSON *t = cJSON_GetObjectItem(exp, targets[k]);
        long en = (long)cJSON_GetObjectItem(t, "n")->valuedouble;
        long ec = (long)cJSON_GetObjectItem(t, "correct")->valuedouble;
        long eones = (long)cJSON_GetObjectItem(t, "ones")->valuedouble;
        cr_assert_eq(n, en, "%s", targets[k]);
        cr_assert_eq(correct, ec, "%s", targets[k]);
        cr_assert_eq(incorrect, en - ec, "%s", targets[k]);
        cr_assert(fabs(acc - (double)ec / en) < 5e-4);
        long maj_n = eones * 2 >= en ? eones : en - eones;
        cr_assert(fabs(maj - (double)maj_n / en) < 5e-4, "%s majority %f", targets[k], maj);
    }
    cJSON_Delete(exp);
    free(js);
    cleanup();
}

Test(udp, usage_and_config_errors) {
    char *help[] = {"udp", "--help", NULL};
    cr_assert_eq(cmd_udp(2, help), 0);
    char *bad_opt[] = {"udp", "--bogus", NULL};
    cr_assert_eq(cmd_udp(2, bad_opt), 2);
    char *no_cfg[] = {"udp", "--config", "/nonexistent/udp.json", NULL};
    cr_assert_eq(cmd_udp(3, no_cfg), 1);
    make_models();
    /* a target name the command does not know, and a model whose features
     * are not terms of the ontology */
    char cfg[512];
    const char *bodies[] = {
        "{\"ontology\": \"hpo.hlx\", \"targets\": [{\"name\": \"karyotype\", \"model\": \"male.hlx\"}]}",
        "{\"ontology\": \"hpo.hlx\", \"targets\": []}",
        "{\"ontology\": \"hpo.hlx\", \"targets\": [{\"name\": \"male\", \"model\": \"hpo.hlx\"}]}",
        "{\"ontology\": \"male.hlx\", \"targets\": [{\"name\": \"male\", \"model\": \"male.hlx\"}]}",
        "not json",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
        snprintf(cfg, sizeof cfg, "%s/bad.json", dir);
        FILE *f = fopen(cfg, "w");
        fputs(bodies[i], f);
        fclose(f);
        hx_udp *u = NULL;
        hx_error err;
        cr_assert_neq(hx_udp_open(cfg, NULL, &u, &err), HX_OK, "config %zu accepted", i);
        cr_assert_null(u);
    }
    cleanup();
}

/* The command once, end to end: one line out per record in, the malformed
 * ones as error records naming their line, exit status 1. */
Test(udp, cli_smoke) {
    make_models();
    char cfgp[512], input[512], out[512];
    snprintf(cfgp, sizeof cfgp, "%s/udp.json", dir);
    snprintf(input, sizeof input, "%s/apps/phenopackets.jsonl", HX_TEST_FIXTURES);
    snprintf(out, sizeof out, "%s/out.jsonl", dir);
    char *argv[] = {"udp", "--config", cfgp, "-o", out, input, NULL};
    cr_assert_eq(cmd_udp(6, argv), 1);
    char *got = tu_read_file(out, NULL), *exp = tu_read_fixture("apps/udp_expected.jsonl", NULL);
    int n_got = 0, n_exp = 0, n_err = 0;
    for (char *q = got; *q; q++) n_got += *q == '\n';
    for (char *q = exp; *q; q++) n_exp += *q == '\n';
    for (char *q = got; (q = strstr(q, "{\"error\"")); q++) n_err++;
    cr_assert_eq(n_got, n_exp);
    cr_assert_geq(n_err, 10);
    free(got);
    free(exp);
    cleanup();
}
