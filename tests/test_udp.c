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
#include "helix/forest_file.h"
#include "hpo_ontology.h"
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

static int run(const char *cfg, const char *extra, const char *out) {
    char cfgp[512], input[512];
    snprintf(cfgp, sizeof cfgp, "%s/%s", dir, cfg);
    snprintf(input, sizeof input, "%s/apps/phenopackets.jsonl", HX_TEST_FIXTURES);
    char *argv[8];
    int argc = 0;
    argv[argc++] = "udp";
    argv[argc++] = "--config";
    argv[argc++] = cfgp;
    argv[argc++] = "-o";
    argv[argc++] = (char *)out;
    if (extra) argv[argc++] = (char *)extra;
    argv[argc++] = input;
    argv[argc] = NULL;
    return cmd_udp(argc, argv);
}

static void check_records(const char *cfg) {
    char out[512];
    snprintf(out, sizeof out, "%s/out.jsonl", dir);
    /* malformed records are in the input: exit status 1, the run goes on */
    cr_assert_eq(run(cfg, NULL, out), 1);
    char *got = tu_read_file(out, NULL);
    char *exp = tu_read_fixture("apps/udp_expected.jsonl", NULL);
    char *g = got, *e = exp;
    int line = 0, n_err = 0, n_unres = 0;
    while (*e) {
        line++;
        char *ge = strchr(g, '\n'), *ee = strchr(e, '\n');
        cr_assert(ge && ee, "line %d: output ended early", line);
        *ge = *ee = 0;
        cJSON *go = cJSON_Parse(g), *eo = cJSON_Parse(e);
        cr_assert(go && eo, "line %d", line);
        if (cJSON_GetObjectItem(eo, "error")) {
            cr_assert(cJSON_IsString(cJSON_GetObjectItem(go, "error")), "line %d: expected an error record", line);
            cr_assert_eq(cJSON_GetObjectItem(go, "line")->valueint, line);
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
        cJSON_Delete(go);
        cJSON_Delete(eo);
        g = ge + 1;
        e = ee + 1;
    }
    cr_assert_eq(*g, 0, "extra output lines");
    cr_assert_geq(n_err, 10);
    cr_assert_geq(n_unres, 3);
    free(got);
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
    char out[512];
    snprintf(out, sizeof out, "%s/table.txt", dir);
    cr_assert_eq(run("udp.json", "--evaluate", out), 1);
    char *tab = tu_read_file(out, NULL);
    char *js = tu_read_fixture("apps/udp_table.json", NULL);
    cJSON *exp = cJSON_Parse(js);
    for (int k = 0; k < 4; k++) {
        char *row = strstr(tab, targets[k]);
        cr_assert(row, "no row for %s", targets[k]);
        char name[64];
        long n, correct, incorrect;
        double acc, maj;
        cr_assert_eq(sscanf(row, "%63s %ld %ld %ld %lf %lf", name, &n, &correct, &incorrect, &acc, &maj), 6);
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
    free(tab);
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
        char *argv[] = {"udp", "--config", cfg, "/dev/null", NULL};
        cr_assert_eq(cmd_udp(4, argv), 1, "config %zu accepted", i);
    }
    cleanup();
}
