/* HPO obographs reading against a plain-Python walk over the same JSON (a
 * cut of hp.json 2024-04-26 with hostile additions; fixtures made by
 * tests/oracle/make_apps_fixtures.py). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "helix/hpo.h"
#include "test_util.h"

static hx_hpo *load_subset(void) {
    char path[1024];
    snprintf(path, sizeof path, "%s/apps/hpo_subset.json", HX_TEST_FIXTURES);
    hx_hpo *h = NULL;
    hx_error err;
    cr_assert_eq(hx_hpo_load_file(path, &h, &err), HX_OK, "%s", err.msg);
    return h;
}

static int32_t term_of(const hx_hpo *h, const char *id) {
    int32_t t;
    cr_assert_eq(hx_hpo_resolve(h, id, &t), HX_HPO_CURRENT, "%s", id);
    return t;
}

/* the ids of a JSON array of strings, as a sorted, comma-joined string */
static void join_sorted(char **ids, size_t n, char *out, size_t cap) {
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && strcmp(ids[k - 1], ids[k]) > 0; k--) {
            char *t = ids[k];
            ids[k] = ids[k - 1];
            ids[k - 1] = t;
        }
    out[0] = 0;
    for (size_t i = 0; i < n; i++) {
        cr_assert_lt(strlen(out) + 12, cap);
        if (i) strcat(out, ",");
        strcat(out, ids[i]);
    }
}

Test(hpo, terms_parents_and_closures_match_oracle) {
    hx_hpo *h = load_subset();
    char *s = tu_read_fixture("apps/hpo_expected.json", NULL);
    cJSON *exp = cJSON_Parse(s);
    cr_assert(exp);
    cr_assert_str_eq(hx_hpo_version(h), cJSON_GetObjectItem(exp, "version")->valuestring);
    size_t n = hx_hpo_n_terms(h);
    cr_assert_eq(n, (size_t)cJSON_GetObjectItem(exp, "n_terms")->valueint);

    char **ids = malloc(n * sizeof *ids);
    char (*idbuf)[11] = malloc(n * sizeof *idbuf);
    uint8_t *mark = malloc(n);
    char *got = malloc(64 * n + 16), *want = malloc(64 * n + 16);
    size_t k = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItem(exp, "terms")) {
        const char *id = cJSON_GetObjectItem(t, "id")->valuestring;
        /* terms are numbered in file order */
        char mine[11];
        hx_hpo_term_id(h, (int32_t)k, mine);
        cr_assert_str_eq(mine, id);
        cr_assert_eq(hx_hpo_is_obsolete(h, (int32_t)k), cJSON_IsTrue(cJSON_GetObjectItem(t, "obsolete")));

        size_t np, m = 0;
        const int32_t *par = hx_hpo_parents(h, (int32_t)k, &np);
        for (size_t i = 0; i < np; i++) hx_hpo_term_id(h, par[i], idbuf[m]), ids[m] = idbuf[m], m++;
        join_sorted(ids, m, got, 64 * n);
        m = 0;
        const cJSON *p;
        cJSON_ArrayForEach(p, cJSON_GetObjectItem(t, "parents")) ids[m++] = p->valuestring;
        join_sorted(ids, m, want, 64 * n);
        cr_assert_str_eq(got, want, "parents of %s", id);

        memset(mark, 0, n);
        hx_error err;
        cr_assert_eq(hx_hpo_mark_ancestors(h, (int32_t)k, mark, &err), HX_OK);
        m = 0;
        for (size_t a = 0; a < n; a++)
            if (mark[a]) hx_hpo_term_id(h, (int32_t)a, idbuf[m]), ids[m] = idbuf[m], m++;
        join_sorted(ids, m, got, 64 * n);
        m = 0;
        cJSON_ArrayForEach(p, cJSON_GetObjectItem(t, "ancestors")) ids[m++] = p->valuestring;
        join_sorted(ids, m, want, 64 * n);
        cr_assert_str_eq(got, want, "ancestors of %s", id);
        k++;
    }
    cr_assert_eq(k, n);
    free(ids);
    free(idbuf);
    free(mark);
    free(got);
    free(want);
    cJSON_Delete(exp);
    free(s);
    hx_hpo_free(h);
}

Test(hpo, resolutions_match_oracle) {
    hx_hpo *h = load_subset();
    char *s = tu_read_fixture("apps/hpo_expected.json", NULL);
    cJSON *exp = cJSON_Parse(s);
    int seen[6] = {0};
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(exp, "resolve")) {
        const char *q = cJSON_GetObjectItem(r, "q")->valuestring;
        const cJSON *term = cJSON_GetObjectItem(r, "term");
        int32_t t;
        hx_hpo_resolution how = hx_hpo_resolve(h, q, &t);
        seen[how]++;
        cr_assert_str_eq(hx_hpo_resolution_name(how), cJSON_GetObjectItem(r, "how")->valuestring, "query %s", q);
        if (cJSON_IsNull(term)) {
            cr_assert_eq(t, -1, "query %s", q);
        } else {
            char id[11];
            cr_assert_geq(t, 0);
            hx_hpo_term_id(h, t, id);
            cr_assert_str_eq(id, term->valuestring, "query %s", q);
        }
    }
    for (int i = 0; i < 6; i++) cr_assert_gt(seen[i], 0, "no %s case in the fixture", hx_hpo_resolution_name(i));
    cJSON_Delete(exp);
    free(s);
    hx_hpo_free(h);
}

Test(hpo, closure_accumulates_a_union) {
    hx_hpo *h = load_subset();
    size_t n = hx_hpo_n_terms(h);
    uint8_t *mark = calloc(n, 1);
    int32_t root = term_of(h, "HP:0000001"), abn = term_of(h, "HP:0000118");
    cr_assert_eq(hx_hpo_mark_ancestors(h, abn, mark, NULL), HX_OK);
    cr_assert(mark[abn] && mark[root]);
    size_t c1 = 0;
    for (size_t i = 0; i < n; i++) c1 += mark[i];
    cr_assert_eq(c1, 2); /* Phenotypic abnormality is_a All */
    cr_assert_eq(hx_hpo_mark_ancestors(h, -1, mark, NULL), HX_EINVAL);
    cr_assert_eq(hx_hpo_mark_ancestors(h, (int32_t)n, mark, NULL), HX_EINVAL);
    free(mark);
    hx_hpo_free(h);
}

Test(hpo, cycles_terminate) {
    const char *j =
        "{\"graphs\":[{\"nodes\":["
        "{\"id\":\"http://purl.obolibrary.org/obo/HP_0000001\",\"type\":\"CLASS\"},"
        "{\"id\":\"http://purl.obolibrary.org/obo/HP_0000002\",\"type\":\"CLASS\"},"
        "{\"id\":\"http://purl.obolibrary.org/obo/HP_0000003\",\"type\":\"CLASS\"}],"
        "\"edges\":["
        "{\"sub\":\"http://purl.obolibrary.org/obo/HP_0000001\",\"pred\":\"is_a\",\"obj\":\"http://purl.obolibrary.org/obo/HP_0000002\"},"
        "{\"sub\":\"http://purl.obolibrary.org/obo/HP_0000002\",\"pred\":\"is_a\",\"obj\":\"http://purl.obolibrary.org/obo/HP_0000001\"},"
        "{\"sub\":\"http://purl.obolibrary.org/obo/HP_0000003\",\"pred\":\"is_a\",\"obj\":\"http://purl.obolibrary.org/obo/HP_0000003\"}]}]}";
    hx_hpo *h;
    cr_assert_eq(hx_hpo_load_json(j, strlen(j), &h, NULL), HX_OK);
    uint8_t mark[3] = {0};
    cr_assert_eq(hx_hpo_mark_ancestors(h, 0, mark, NULL), HX_OK);
    cr_assert(mark[0] && mark[1] && !mark[2]);
    cr_assert_str_eq(hx_hpo_version(h), "");
    hx_hpo_free(h);
}

Test(hpo, malformed_files_are_errors) {
    const char *bad[] = {
        "",
        "{",
        "[]",
        "{\"graphs\":[]}",
        "{\"graphs\":[{\"nodes\":[]}]}",
        "{\"graphs\":[{\"nodes\":[],\"edges\":[]}]}", /* no terms */
        "{\"graphs\":[{\"nodes\":{},\"edges\":[]}]}",
        /* the same term twice */
        "{\"graphs\":[{\"nodes\":[{\"id\":\"http://purl.obolibrary.org/obo/HP_0000001\",\"type\":\"CLASS\"},"
        "{\"id\":\"http://purl.obolibrary.org/obo/HP_0000001\",\"type\":\"CLASS\"}],\"edges\":[]}]}",
        /* an alternative id that is not an HP id */
        "{\"graphs\":[{\"nodes\":[{\"id\":\"http://purl.obolibrary.org/obo/HP_0000001\",\"type\":\"CLASS\","
        "\"meta\":{\"basicPropertyValues\":[{\"pred\":\"http://www.geneontology.org/formats/oboInOwl#hasAlternativeId\","
        "\"val\":\"HP:12\"}]}}],\"edges\":[]}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        hx_hpo *h = (hx_hpo *)1;
        hx_error err;
        cr_assert_neq(hx_hpo_load_json(bad[i], strlen(bad[i]), &h, &err), HX_OK, "accepted case %zu", i);
        cr_assert_null(h);
        cr_assert_gt(strlen(err.msg), 0);
    }
    hx_hpo *h;
    hx_error err;
    cr_assert_eq(hx_hpo_load_file("/nonexistent/hp.json", &h, &err), HX_EIO);
}

Test(hpo, packed_hlx_round_trip) {
    hx_hpo *h = load_subset(), *g;
    char path[] = "/tmp/helix_test_hpo_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    hx_error err;
    cr_assert_eq(hx_hpo_write_hlx(h, "test", path, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_hpo_open_hlx(path, &g, &err), HX_OK, "%s", err.msg);
    unlink(path);
    cr_assert_str_eq(hx_hpo_version(g), hx_hpo_version(h));
    size_t n = hx_hpo_n_terms(h);
    cr_assert_eq(hx_hpo_n_terms(g), n);
    uint8_t *m1 = calloc(n, 1), *m2 = calloc(n, 1);
    for (int32_t t = 0; t < (int32_t)n; t++) {
        char a[11], b[11];
        hx_hpo_term_id(h, t, a);
        hx_hpo_term_id(g, t, b);
        cr_assert_str_eq(a, b);
        int32_t ta, tb;
        cr_assert_eq(hx_hpo_resolve(h, a, &ta), hx_hpo_resolve(g, a, &tb));
        cr_assert_eq(ta, tb);
        memset(m1, 0, n);
        memset(m2, 0, n);
        hx_hpo_mark_ancestors(h, t, m1, NULL);
        hx_hpo_mark_ancestors(g, t, m2, NULL);
        cr_assert(!memcmp(m1, m2, n), "closure of %s differs", a);
    }
    const char *q[] = {"HP:8888881", "HP:8888883", "HP:8888888", "HP:9999999", "x"};
    for (size_t i = 0; i < sizeof q / sizeof *q; i++) {
        int32_t ta, tb;
        cr_assert_eq(hx_hpo_resolve(h, q[i], &ta), hx_hpo_resolve(g, q[i], &tb));
        cr_assert_eq(ta, tb);
    }
    hx_hpo *none;
    cr_assert_neq(hx_hpo_open_hlx("/nonexistent.hlx", &none, &err), HX_OK);
    cr_assert_null(none);
    free(m1);
    free(m2);
    hx_hpo_free(g);
    hx_hpo_free(h);
}
