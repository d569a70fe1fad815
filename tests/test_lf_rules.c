/* Labeling functions: helix applies tests/fixtures/label_model/youtube_lfs.json
 * to the YouTube comments and must produce exactly the label matrix that the
 * oracle's independent Python implementation produced (youtube_L.csv); plus
 * the rule semantics and the rejection of malformed LF files. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "helix/label_matrix_file.h"
#include <cJSON.h>

#include "helix/lf_rules.h"
#include "test_label_model_util.h"

Test(lf_rules, youtube_matches_python_oracle) {
    char path[1024];
    hx_error err;
    hx_lf_set set;
    snprintf(path, sizeof path, "%s/label_model/youtube_lfs.json", HX_TEST_FIXTURES);
    cr_assert_eq(hx_lf_set_load(path, &set, &err), HX_OK, "%s", err.msg);
    snprintf(path, sizeof path, "%s/label_model/youtube_L.csv", HX_TEST_FIXTURES);
    hx_label_csv ref;
    cr_assert_eq(hx_label_csv_read(path, set.k, &ref, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(ref.m, set.n_lfs);
    for (int j = 0; j < set.n_lfs; j++) cr_expect_str_eq(ref.names[j], set.lfs[j].name);
    snprintf(path, sizeof path, "%s/label_model/youtube.jsonl", HX_TEST_FIXTURES);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    char *line = NULL;
    size_t cap = 0, r = 0, diff = 0;
    ssize_t len;
    int32_t votes[64];
    while ((len = getline(&line, &cap, f)) > 0) {
        cJSON *rec = cJSON_ParseWithLength(line, (size_t)len);
        cr_assert(cJSON_IsObject(rec), "record %zu", r);
        cr_assert_lt(r, ref.n);
        hx_lf_set_apply(&set, rec, votes);
        for (int j = 0; j < set.n_lfs; j++)
            if (votes[j] != ref.L[r * ref.m + j]) {
                if (diff < 5) cr_log_error("record %zu LF %s: helix %d, python %d", r, set.lfs[j].name,
                                           votes[j], ref.L[r * ref.m + j]);
                diff++;
            }
        cJSON_Delete(rec);
        r++;
    }
    free(line);
    fclose(f);
    cr_expect_eq(r, ref.n);
    cr_expect_eq(diff, 0, "%zu votes differ", diff);
    hx_label_csv_free(&ref);
    hx_lf_set_free(&set);
}

static void apply_one(const char *lfs, const char *record, int32_t *votes) {
    hx_lf_set set;
    hx_error err;
    cr_assert_eq(hx_lf_set_parse(lfs, strlen(lfs), &set, &err), HX_OK, "%s", err.msg);
    cJSON *rec = cJSON_Parse(record);
    hx_lf_set_apply(&set, rec, votes);
    cJSON_Delete(rec);
    hx_lf_set_free(&set);
}

Test(lf_rules, semantics) {
    const char *lfs =
        "{\"cardinality\": 3, \"lfs\": ["
        "{\"type\": \"keyword\", \"field\": \"t\", \"keywords\": [\"cat\"], \"label\": 1},"
        "{\"type\": \"keyword\", \"field\": \"t\", \"keywords\": [\"cat\"], \"whole_word\": true, \"label\": 2},"
        "{\"type\": \"keyword\", \"field\": \"t\", \"keywords\": [\"CAT\"], \"case_sensitive\": true, \"label\": 0},"
        "{\"type\": \"regex\", \"field\": \"t\", \"pattern\": \"^c[a-z]+s$\", \"flags\": \"i\", \"label\": 1},"
        "{\"type\": \"threshold\", \"field\": \"t\", \"measure\": \"chars\", \"op\": \"==\", \"value\": 4, \"label\": 1},"
        "{\"type\": \"threshold\", \"field\": \"t\", \"measure\": \"words\", \"op\": \">=\", \"value\": 2, \"label\": 2},"
        "{\"type\": \"threshold\", \"field\": \"x\", \"op\": \"<\", \"value\": 0.5, \"label\": 0}]}";
    int32_t v[7];
    apply_one(lfs, "{\"t\": \"Cats\", \"x\": 0.25}", v);
    int32_t want1[7] = {1, -1, -1, 1, 1, -1, 0};
    for (int j = 0; j < 7; j++) cr_expect_eq(v[j], want1[j], "Cats: LF %d", j);
    apply_one(lfs, "{\"t\": \"a CAT, \\u00e9t\\u00e9\", \"x\": \"0.1\"}", v);
    int32_t want2[7] = {1, 2, 0, -1, -1, 2, -1};
    for (int j = 0; j < 7; j++) cr_expect_eq(v[j], want2[j], "CAT: LF %d", j);
    /* 4 code points, 6 bytes */
    apply_one(lfs, "{\"t\": \"\\u00e9\\u00e9\\u00e9x\", \"x\": true}", v);
    cr_expect_eq(v[4], 1);
    cr_expect_eq(v[6], -1);
    /* missing / wrong-typed fields and non-object records abstain */
    apply_one(lfs, "{\"t\": 5}", v);
    for (int j = 0; j < 7; j++) cr_expect_eq(v[j], -1);
    apply_one(lfs, "[1, 2]", v);
    for (int j = 0; j < 7; j++) cr_expect_eq(v[j], -1);
}

Test(lf_rules, malformed_files) {
    const char *bad[] = {
        "not json",
        "{\"lfs\": []}",
        "{\"cardinality\": 2, \"lfs\": []}",
        "{\"cardinality\": 1, \"lfs\": [{\"type\": \"keyword\", \"field\": \"t\", \"keywords\": [\"a\"], \"label\": 0}]}",
        "{\"cardinality\": 2, \"lfs\": [{\"type\": \"keyword\", \"field\": \"t\", \"keywords\": [], \"label\": 0}]}",
        "{\"cardinality\": 2, \"lfs\": [{\"type\": \"keyword\", \"field\": \"t\", \"keywords\": [\"a\"], \"label\": 2}]}",
        "{\"cardinality\": 2, \"lfs\": [{\"type\": \"keyword\", \"field\": \"t\", \"keywords\": [\"a\"], \"label\": 0.5}]}",
        "{\"cardinality\": 2, \"lfs\": [{\"type\": \"regex\", \"field\": \"t\", \"pattern\": \"(a\", \"label\": 0}]}",
        "{\"cardinality\": 2, \"lfs\": [{\"type\": \"regex\", \"field\": \"t\", \"pattern\": \"a\", \"flags\": \"x\", \"label\": 0}]}",
        "{\"cardinality\": 2, \"lfs\": [{\"type\": \"threshold\", \"field\": \"t\", \"op\": \"=<\", \"value\": 1, \"label\": 0}]}",
        "{\"cardinality\": 2, \"lfs\": [{\"type\": \"threshold\", \"field\": \"t\", \"op\": \"<\", \"label\": 0}]}",
        "{\"cardinality\": 2, \"lfs\": [{\"type\": \"magic\", \"field\": \"t\", \"label\": 0}]}",
        "{\"cardinality\": 2, \"lfs\": [{\"type\": \"keyword\", \"keywords\": [\"a\"], \"label\": 0}]}",
        "{\"cardinality\": 2, \"lfs\": [{\"type\": \"keyword\", \"field\": \"t\", \"keywords\": [\"a\"], \"label\": 0, \"whole_word\": 1}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hx_lf_set set;
        hx_error err;
        hx_error_clear(&err);
        cr_expect_neq(hx_lf_set_parse(bad[i], strlen(bad[i]), &set, &err), HX_OK, "case %zu accepted", i);
        cr_expect(err.msg[0] != '\0', "case %zu: no message", i);
    }
}

/* A text held in memory (not NUL-terminated) votes as the same record would;
 * rules over another field abstain. */
Test(lf_rules, apply_text_equals_the_record) {
    const char *lfs =
        "{\"cardinality\": 3, \"lfs\": ["
        "{\"type\": \"keyword\", \"field\": \"t\", \"keywords\": [\"cat\"], \"whole_word\": true, \"label\": 2},"
        "{\"type\": \"regex\", \"field\": \"t\", \"pattern\": \"^c[a-z]+s$\", \"flags\": \"i\", \"label\": 1},"
        "{\"type\": \"threshold\", \"field\": \"t\", \"measure\": \"words\", \"op\": \">=\", \"value\": 2, \"label\": 2},"
        "{\"type\": \"keyword\", \"field\": \"x\", \"keywords\": [\"cat\"], \"label\": 0}]}";
    hx_lf_set set;
    hx_error err;
    cr_assert_eq(hx_lf_set_parse(lfs, strlen(lfs), &set, &err), HX_OK, "%s", err.msg);
    const char *texts[] = {"Cats", "a cat, two", "cats and dogs"};
    for (int i = 0; i < 3; i++) {
        char rec[128], buf[64];
        snprintf(rec, sizeof rec, "{\"t\": \"%s\", \"x\": \"%s\"}", texts[i], texts[i]);
        int32_t want[4], got[4];
        cJSON *r = cJSON_Parse(rec);
        hx_lf_set_apply(&set, r, want);
        cJSON_Delete(r);
        size_t n = strlen(texts[i]);
        memcpy(buf, texts[i], n);
        memset(buf + n, 'Z', sizeof buf - n); /* no NUL after the text */
        cr_assert_eq(hx_lf_set_apply_text(&set, "t", buf, n, got, &err), HX_OK);
        for (int j = 0; j < 3; j++) cr_expect_eq(got[j], want[j], "%s: LF %d", texts[i], j);
        cr_expect_eq(got[3], -1, "%s: a rule over another field abstains", texts[i]);
    }
    hx_lf_set_free(&set);
}

/* `helix lf apply` once, end to end: the label matrix of the YouTube
 * records equals the Python oracle's CSV byte for byte. */
Test(lf_rules, lf_apply_cli_smoke) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s/helix lf apply --lfs %s/label_model/youtube_lfs.json < %s/label_model/youtube.jsonl",
             HX_BINARY_DIR, HX_TEST_FIXTURES, HX_TEST_FIXTURES);
    int status;
    size_t len;
    char *got = tu_run_capture(cmd, &len, &status);
    cr_assert_eq(status, 0, "%s", cmd);
    char *want = tu_read_fixture("label_model/youtube_L.csv", NULL);
    cr_assert_str_eq(got, want);
    free(got);
    free(want);
}

/* Fuzz finding (fuzz_lf_rules, issue 14 fuzzing): glibc's regcomp copies a
 * repeated atom's tree per repetition, so stacked or nested repetition
 * grows exponentially; "like" with 40 stacked '+' took more than 2 GB.
 * Such patterns are refused before regcomp, with their LF named; real
 * patterns (bounded counts, alternations, classes) still compile. Under
 * an address-space cap of +512 MB the costly ones would fail as out of
 * memory (or take minutes) without the check. */
Test(lf_rules, costly_regex_refused_before_compiling) {
#if !defined(__SANITIZE_ADDRESS__) /* ASan's shadow needs terabytes of address space */
    FILE *statm = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (statm && fscanf(statm, "%lu", &pages) == 1) {
        struct rlimit rl;
        rl.rlim_cur = rl.rlim_max = (rlim_t)pages * 4096 + ((rlim_t)512 << 20);
        setrlimit(RLIMIT_AS, &rl);
    }
    if (statm) fclose(statm);
#endif
    static const char *const costly[] = {
        "(love|like++++++++++++++++++++++++++++++++++++++++|best) song",
        "((((((((((((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)",
        "((a{1,200}){1,200}){1,200}",
    };
    char buf[512];
    for (size_t i = 0; i < sizeof costly / sizeof *costly; i++) {
        snprintf(buf, sizeof buf,
                 "{\"cardinality\": 2, \"lfs\": [{\"type\": \"keyword\", \"field\": \"t\", "
                 "\"keywords\": [\"a\"], \"label\": 0}, {\"type\": \"regex\", \"field\": \"t\", "
                 "\"pattern\": \"%s\", \"label\": 1}]}", costly[i]);
        hx_lf_set set;
        hx_error err;
        hx_status st = hx_lf_set_parse(buf, strlen(buf), &set, &err);
        cr_assert_eq(st, HX_EFORMAT, "case %zu: got %s", i, hx_status_name(st));
        cr_assert(strstr(err.msg, "LF 1") && strstr(err.msg, "too deeply repeated"), "%s", err.msg);
    }
    static const char *const fine[] = {
        "[0-9]+ *(views|subscribers|likes)", "^[A-Z]{2,5}[0-9]{1,4}$", "(a|b)*c?d+", "x{3}-y{0,9}",
        "[[:alpha:]]+[]a-]*", "\\\\(c\\\\)",
    };
    for (size_t i = 0; i < sizeof fine / sizeof *fine; i++) {
        snprintf(buf, sizeof buf,
                 "{\"cardinality\": 2, \"lfs\": [{\"type\": \"regex\", \"field\": \"t\", "
                 "\"pattern\": \"%s\", \"label\": 1}]}", fine[i]);
        hx_lf_set set;
        hx_error err;
        cr_assert_eq(hx_lf_set_parse(buf, strlen(buf), &set, &err), HX_OK, "%s: %s", fine[i], err.msg);
        hx_lf_set_free(&set);
    }
}
