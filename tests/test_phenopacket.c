/* Phenopacket reading against tools/train/phenopacket.py (whose counts over
 * the whole phenopacket-store were checked against PROVENANCE.md) on real
 * records, odd-but-valid ones and malformed ones; and the ancestor closure of
 * each record's observed terms against a plain-Python walk over the HPO cut
 * (fixtures: tests/oracle/make_apps_fixtures.py). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "helix/hpo.h"
#include "helix/phenopacket.h"
#include "test_util.h"

static char *next_line(char **p) {
    if (!**p) return NULL;
    char *l = *p, *nl = strchr(l, '\n');
    cr_assert(nl);
    *nl = 0;
    *p = nl + 1;
    return l;
}

static void check_strings(char **got, size_t n, const cJSON *want, const char *what, int line) {
    cr_assert_eq(n, (size_t)cJSON_GetArraySize(want), "line %d: %s count", line, what);
    size_t i = 0;
    const cJSON *w;
    cJSON_ArrayForEach(w, want) cr_assert_str_eq(got[i++], w->valuestring, "line %d: %s", line, what);
}

static const char *sex_name(hx_sex s) {
    return s == HX_SEX_MALE ? "MALE" : s == HX_SEX_FEMALE ? "FEMALE" : s == HX_SEX_OTHER ? "OTHER_SEX" : "UNKNOWN_SEX";
}

Test(phenopacket, records_match_python) {
    char *in = tu_read_fixture("apps/phenopackets.jsonl", NULL);
    char *exp = tu_read_fixture("apps/phenopackets_expected.jsonl", NULL);
    char path[1024];
    snprintf(path, sizeof path, "%s/apps/hpo_subset.json", HX_TEST_FIXTURES);
    hx_hpo *h;
    hx_error err;
    cr_assert_eq(hx_hpo_load_file(path, &h, &err), HX_OK, "%s", err.msg);
    size_t nt = hx_hpo_n_terms(h);
    uint8_t *mark = malloc(nt);
    char *pi = in, *pe = exp, *l;
    int line = 0, n_ok = 0, n_err = 0, n_unresolved = 0;
    while ((l = next_line(&pi))) {
        line++;
        char *el = next_line(&pe);
        cr_assert(el, "line %d: no expected record", line);
        cJSON *e = cJSON_Parse(el);
        hx_phenopacket p;
        hx_status st = hx_phenopacket_parse(l, strlen(l), &p, &err);
        if (cJSON_GetObjectItem(e, "error")) {
            cr_assert_neq(st, HX_OK, "line %d: accepted a malformed record", line);
            cr_assert_eq(st, HX_EFORMAT, "line %d", line);
            cr_assert_null(p.id);
            n_err++;
            cJSON_Delete(e);
            continue;
        }
        cr_assert_eq(st, HX_OK, "line %d: %s", line, err.msg);
        n_ok++;
        cr_assert_str_eq(p.id, cJSON_GetObjectItem(e, "id")->valuestring);
        cr_assert_str_eq(sex_name(p.sex), cJSON_GetObjectItem(e, "sex")->valuestring, "line %d", line);
        const cJSON *age = cJSON_GetObjectItem(e, "age");
        cr_assert_eq(p.has_age, !cJSON_IsNull(age), "line %d", line);
        if (p.has_age) cr_assert_eq(p.age_years, age->valuedouble, "line %d: age %.17g", line, p.age_years);
        check_strings(p.observed, p.n_observed, cJSON_GetObjectItem(e, "observed"), "observed", line);
        check_strings(p.excluded, p.n_excluded, cJSON_GetObjectItem(e, "excluded"), "excluded", line);
        const cJSON *vs = cJSON_GetObjectItem(e, "variants"), *v;
        cr_assert_eq(p.n_variants, (size_t)cJSON_GetArraySize(vs), "line %d", line);
        size_t i = 0;
        cJSON_ArrayForEach(v, vs) {
            static const char *kinds[] = {"small", "structural", "other"};
            static const char *states[] = {"", "heterozygous", "homozygous", "hemizygous"};
            cr_assert_str_eq(kinds[p.variants[i].kind], cJSON_GetArrayItem(v, 0)->valuestring, "line %d", line);
            const char *ws = cJSON_GetArrayItem(v, 1)->valuestring;
            if (p.variants[i].state != HX_ALLELE_UNKNOWN || !strcmp(ws, "") ||
                (strcmp(ws, "heterozygous") && strcmp(ws, "homozygous") && strcmp(ws, "hemizygous")))
                cr_assert_str_eq(states[p.variants[i].state], ws, "line %d", line);
            i++;
        }
        int tg[HX_UDP_N_TARGETS];
        hx_phenopacket_targets(&p, tg);
        const cJSON *wt = cJSON_GetObjectItem(e, "targets");
        for (int k = 0; k < HX_UDP_N_TARGETS; k++) {
            const cJSON *w = cJSON_GetObjectItem(wt, hx_udp_target_names[k]);
            cr_assert_eq(tg[k], cJSON_IsNull(w) ? -1 : w->valueint, "line %d target %s", line, hx_udp_target_names[k]);
        }
        /* observed terms: resolved, closed upwards; the rest reported */
        memset(mark, 0, nt);
        size_t un = 0;
        const cJSON *wu = cJSON_GetObjectItem(e, "unresolved");
        for (size_t o = 0; o < p.n_observed; o++) {
            int32_t t;
            hx_hpo_resolution r = hx_hpo_resolve(h, p.observed[o], &t);
            if (t < 0) {
                cr_assert(r == HX_HPO_UNKNOWN || r == HX_HPO_OBSOLETE || r == HX_HPO_MALFORMED);
                cr_assert_str_eq(p.observed[o], cJSON_GetArrayItem(wu, (int)un)->valuestring, "line %d", line);
                un++;
                continue;
            }
            cr_assert_eq(hx_hpo_mark_ancestors(h, t, mark, &err), HX_OK);
        }
        cr_assert_eq(un, (size_t)cJSON_GetArraySize(wu), "line %d unresolved", line);
        n_unresolved += (int)un;
        size_t na = 0;
        for (size_t a = 0; a < nt; a++) na += mark[a];
        const cJSON *wa = cJSON_GetObjectItem(e, "ancestors"), *a;
        cr_assert_eq(na, (size_t)cJSON_GetArraySize(wa), "line %d: closure size", line);
        cJSON_ArrayForEach(a, wa) {
            int32_t t;
            cr_assert_eq(hx_hpo_resolve(h, a->valuestring, &t), HX_HPO_CURRENT);
            cr_assert(mark[t], "line %d: %s missing from the closure", line, a->valuestring);
        }
        hx_phenopacket_free(&p);
        cJSON_Delete(e);
    }
    cr_assert_null(next_line(&pe));
    cr_assert_geq(n_ok, 15);
    cr_assert_geq(n_err, 10);
    cr_assert_geq(n_unresolved, 2);
    free(mark);
    hx_hpo_free(h);
    free(in);
    free(exp);
}

Test(phenopacket, iso8601_durations) {
    struct {
        const char *s;
        int ok;
        double years;
    } c[] = {
        {"P3Y6M", 1, 3.5},
        {"P18Y", 1, 18.0},
        {"P6M", 1, 0.5},
        {"P2W", 1, 2.0 * 7 / 365.25},
        {"P1Y2M3W4D", 1, 1.0 + 2.0 / 12.0 + 3.0 * 7 / 365.25 + 4.0 / 365.25},
        {"PT36H", 1, 0.0},
        {"P1YT", 1, 1.0},
        {"PT1.5S", 1, 0.0},
        {"P999999999Y", 1, 999999999.0},
        {"P", 0, 0},
        {"PT", 0, 0},
        {"3Y", 0, 0},
        {"P3", 0, 0},
        {"P3Q", 0, 0},
        {"P1M2Y", 0, 0},
        {"P-1Y", 0, 0},
        {"P1234567890Y", 0, 0},
        {"PT1.S", 0, 0},
        {"P3Y ", 0, 0},
        {"", 0, 0},
    };
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        double y = -1;
        hx_status st = hx_iso8601_age_years(c[i].s, &y, NULL);
        cr_assert_eq(st == HX_OK, c[i].ok, "'%s'", c[i].s);
        if (c[i].ok) cr_assert_eq(y, c[i].years, "'%s': %.17g", c[i].s, y);
    }
}

Test(phenopacket, error_messages_do_not_quote_the_record) {
    const char *rec = "{\"id\":\"SECRET_PATIENT\",\"subject\":{\"sex\":\"SECRET_SEX\"}}";
    hx_phenopacket p;
    hx_error err;
    cr_assert_eq(hx_phenopacket_parse(rec, strlen(rec), &p, &err), HX_EFORMAT);
    cr_assert_null(strstr(err.msg, "SECRET"), "%s", err.msg);
    cr_assert(strstr(err.msg, "subject.sex"), "%s", err.msg);
}

/* A bad age duration: the message is the field's name followed by the
 * duration parser's own reason, intact (it was once formatted from the very
 * buffer being written, which garbled it). */
Test(phenopacket, age_error_message_keeps_the_reason) {
    const char *rec = "{\"id\":\"x\",\"subject\":{\"timeAtLastEncounter\":{\"age\":{\"iso8601duration\":\"P3Q\"}}}}";
    hx_error inner, err;
    double y;
    cr_assert_neq(hx_iso8601_age_years("P3Q", &y, &inner), HX_OK);
    cr_assert(inner.msg[0]);
    hx_phenopacket p;
    cr_assert_eq(hx_phenopacket_parse(rec, strlen(rec), &p, &err), inner.code);
    char want[HX_ERROR_MSG_MAX];
    snprintf(want, sizeof want, "phenopacket: subject.timeAtLastEncounter.age: %.400s", inner.msg);
    cr_assert_str_eq(err.msg, want);
}
