/* helix-bow-v1 text features against scikit-learn (CountVectorizer,
 * TfidfTransformer) and the training featurizer's float32 bits, on real HoC
 * abstracts and edge-case texts (fixtures: tests/oracle/make_apps_fixtures.py). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <cJSON.h>

#include "helix/forest.h"
#include "helix/forest_file.h"
#include "helix/hlx.h"
#include "helix/text_features.h"
#include "test_util.h"

static hx_text_features *load(const char *which) {
    char *s = tu_read_fixture("apps/text_features_model.json", NULL);
    cJSON *root = cJSON_Parse(s);
    cr_assert(root);
    hx_text_features *tf = NULL;
    hx_error err;
    hx_status st = hx_text_features_from_json(cJSON_GetObjectItem(root, which), &tf, &err);
    cr_assert_eq(st, HX_OK, "%s", err.msg);
    cJSON_Delete(root);
    free(s);
    return tf;
}

/* Calls check(row, x, dim) for every fixture text. */
static void each_text(hx_text_features *tf, void (*check)(const cJSON *, const float *, size_t, int)) {
    char *s = tu_read_fixture("apps/text_features.jsonl", NULL);
    size_t dim = hx_text_features_dim(tf);
    float *x = malloc(dim * sizeof *x);
    int line = 0;
    for (char *p = s, *nl; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        cr_assert(nl);
        *nl = 0;
        cJSON *row = cJSON_Parse(p);
        cr_assert(row);
        const char *text = cJSON_GetObjectItem(row, "text")->valuestring;
        hx_error err;
        cr_assert_eq(hx_text_features_compute(tf, text, strlen(text), x, &err), HX_OK);
        check(row, x, dim, ++line);
        cJSON_Delete(row);
    }
    cr_assert_gt(line, 20);
    free(x);
    free(s);
}

static void check_counts(const cJSON *row, const float *x, size_t dim, int line) {
    float *want = calloc(dim, sizeof *want);
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(row, "counts"))
        want[cJSON_GetArrayItem(e, 0)->valueint] = (float)cJSON_GetArrayItem(e, 1)->valuedouble;
    for (size_t j = 0; j < dim; j++)
        cr_assert_eq(x[j], want[j], "text %d feature %zu: %g, sklearn %g", line, j, x[j], want[j]);
    free(want);
}

static void check_tfidf(const cJSON *row, const float *x, size_t dim, int line) {
    double *want = calloc(dim, sizeof *want);
    uint32_t *bits = calloc(dim, sizeof *bits);
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(row, "tfidf")) {
        int j = cJSON_GetArrayItem(e, 0)->valueint;
        want[j] = cJSON_GetArrayItem(e, 1)->valuedouble;
        bits[j] = (uint32_t)cJSON_GetArrayItem(e, 2)->valuedouble;
    }
    for (size_t j = 0; j < dim; j++) {
        /* scikit-learn's float64 value, to float32 rounding */
        cr_assert(fabs(x[j] - want[j]) <= 1e-6 * fabs(want[j]) + 1e-12,
                  "text %d feature %zu: %.9g, sklearn %.17g", line, j, x[j], want[j]);
        /* the training featurizer's exact float32 (what the forests saw) */
        uint32_t got;
        memcpy(&got, &x[j], 4);
        cr_assert_eq(got, bits[j], "text %d feature %zu: bits %08x, training %08x", line, j, got, bits[j]);
    }
    free(want);
    free(bits);
}

Test(text_features, counts_match_sklearn) {
    hx_text_features *tf = load("counts");
    cr_assert_eq(hx_text_features_kind(tf), HX_TEXT_COUNTS);
    cr_assert_eq(hx_text_features_dim(tf), 150);
    each_text(tf, check_counts);
    hx_text_features_free(tf);
}

Test(text_features, tfidf_matches_sklearn_and_training_bits) {
    hx_text_features *tf = load("tfidf");
    cr_assert_eq(hx_text_features_kind(tf), HX_TEXT_TFIDF);
    cr_assert_eq(hx_text_features_dim(tf), 300);
    each_text(tf, check_tfidf);
    hx_text_features_free(tf);
}

Test(text_features, tokens_and_lengths) {
    const char *vocab[] = {"ab", "dna", "p53", "x1"};
    hx_text_features *tf;
    hx_error err;
    cr_assert_eq(hx_text_features_create(HX_TEXT_COUNTS, vocab, NULL, 4, &tf, &err), HX_OK);
    float x[4];
    /* "A" and "b" alone are too short; "AB" folds; bytes >= 0x80 separate;
     * the length argument cuts the text (no NUL needed) */
    const char t[] = "A b AB ab\xc3\xa9" "ab DNA-p53 dnap53 x1x1 X1 ab";
    cr_assert_eq(hx_text_features_compute(tf, t, sizeof t - 1 - 3, x, &err), HX_OK);
    cr_assert_eq(x[0], 3.0f);
    cr_assert_eq(x[1], 1.0f);
    cr_assert_eq(x[2], 1.0f);
    cr_assert_eq(x[3], 1.0f);
    cr_assert_eq(hx_text_features_compute(tf, "", 0, x, &err), HX_OK);
    for (int j = 0; j < 4; j++) cr_assert_eq(x[j], 0.0f);
    hx_text_features_free(tf);
}

Test(text_features, tfidf_of_text_without_vocabulary_is_zero) {
    const char *vocab[] = {"dna", "repair"};
    double idf[] = {1.5, 2.0};
    hx_text_features *tf;
    cr_assert_eq(hx_text_features_create(HX_TEXT_TFIDF, vocab, idf, 2, &tf, NULL), HX_OK);
    float x[2] = {7, 7};
    cr_assert_eq(hx_text_features_compute(tf, "nothing here", 12, x, NULL), HX_OK);
    cr_assert(x[0] == 0.0f && x[1] == 0.0f);
    /* one of each: (1.5, 2.0) / 2.5 */
    cr_assert_eq(hx_text_features_compute(tf, "DNA repair", 10, x, NULL), HX_OK);
    cr_assert_eq(x[0], (float)(1.5 / 2.5));
    cr_assert_eq(x[1], (float)(2.0 / 2.5));
    hx_text_features_free(tf);
}

Test(text_features, rejects_bad_models) {
    hx_text_features *tf = (hx_text_features *)1;
    hx_error err;
    const char *dup[] = {"ab", "cd", "ab"};
    cr_assert_eq(hx_text_features_create(HX_TEXT_COUNTS, dup, NULL, 3, &tf, &err), HX_EFORMAT);
    cr_assert_null(tf);
    cr_assert(strstr(err.msg, "duplicate"));
    const char *upper[] = {"Ab"};
    cr_assert_eq(hx_text_features_create(HX_TEXT_COUNTS, upper, NULL, 1, &tf, &err), HX_EFORMAT);
    const char *short1[] = {"a"};
    cr_assert_eq(hx_text_features_create(HX_TEXT_COUNTS, short1, NULL, 1, &tf, &err), HX_EFORMAT);
    const char *ok[] = {"ab"};
    double neg[] = {-1.0}, nan_[] = {NAN};
    cr_assert_eq(hx_text_features_create(HX_TEXT_TFIDF, ok, neg, 1, &tf, &err), HX_EFORMAT);
    cr_assert_eq(hx_text_features_create(HX_TEXT_TFIDF, ok, nan_, 1, &tf, &err), HX_EFORMAT);
    cr_assert_eq(hx_text_features_create(HX_TEXT_TFIDF, ok, NULL, 1, &tf, &err), HX_EINVAL);
    cr_assert_eq(hx_text_features_create(HX_TEXT_COUNTS, ok, NULL, 0, &tf, &err), HX_ERANGE);

    const char *bad_json[] = {
        "[]",
        "{\"type\":\"other\",\"kind\":\"counts\",\"vocab\":[\"ab\"]}",
        "{\"type\":\"helix-bow-v1\",\"kind\":\"binary\",\"vocab\":[\"ab\"]}",
        "{\"type\":\"helix-bow-v1\",\"kind\":\"counts\",\"vocab\":[]}",
        "{\"type\":\"helix-bow-v1\",\"kind\":\"counts\",\"vocab\":[1]}",
        "{\"type\":\"helix-bow-v1\",\"kind\":\"tfidf\",\"vocab\":[\"ab\"],\"idf\":[]}",
        "{\"type\":\"helix-bow-v1\",\"kind\":\"tfidf\",\"vocab\":[\"ab\"],\"idf\":[\"1\"]}",
        "{\"type\":\"helix-bow-v1\",\"kind\":\"tfidf\",\"vocab\":[\"ab\"]}",
    };
    for (size_t i = 0; i < sizeof bad_json / sizeof *bad_json; i++) {
        cJSON *j = cJSON_Parse(bad_json[i]);
        cr_assert(j);
        tf = (hx_text_features *)1;
        cr_assert_neq(hx_text_features_from_json(j, &tf, &err), HX_OK, "accepted %s", bad_json[i]);
        cr_assert_null(tf);
        cJSON_Delete(j);
    }
}

/* The featurizer stored in a forest's .hlx, then features -> forest against
 * scikit-learn's predict_proba on the training featurizer's floats. */
Test(text_features, attached_to_a_forest_matches_sklearn) {
    char dump[1024], plain[] = "/tmp/helix_test_tf_plain_XXXXXX", with[] = "/tmp/helix_test_tf_with_XXXXXX";
    snprintf(dump, sizeof dump, "%s/apps/text_forest.forest.json", HX_TEST_FIXTURES);
    close(mkstemp(plain));
    close(mkstemp(with));
    hx_error err;
    hx_forest_arrays a;
    cr_assert_eq(hx_forest_dump_load(dump, &a, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_forest_hlx_write(&a, "test", plain, &err), HX_OK, "%s", err.msg);
    hx_forest_arrays_free(&a);

    char *s = tu_read_fixture("apps/text_features_model.json", NULL);
    cJSON *root = cJSON_Parse(s);
    /* the counts vocabulary is not this forest's: refused */
    cr_assert_eq(hx_text_features_attach_hlx(plain, cJSON_GetObjectItem(root, "counts"), with, &err), HX_EFORMAT);
    cr_assert_eq(hx_text_features_attach_hlx(plain, cJSON_GetObjectItem(root, "tfidf"), with, &err), HX_OK, "%s",
                 err.msg);
    cJSON_Delete(root);
    free(s);

    hx_hlx *f;
    cr_assert_eq(hx_hlx_open(with, &f, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_hlx_verify(f, &err), HX_OK, "%s", err.msg);
    size_t mlen;
    const char *meta = hx_hlx_metadata(f, &mlen);
    hx_text_features *tf;
    cr_assert_eq(hx_text_features_from_hlx_metadata(meta, mlen, &tf, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_forest_hlx_read(f, &a, &err), HX_OK, "%s", err.msg);
    hx_hlx_close(f);
    hx_forest *forest;
    cr_assert_eq(hx_forest_build(&a, &forest, &err), HX_OK, "%s", err.msg);
    hx_forest_arrays_free(&a);
    unlink(plain);
    unlink(with);

    char *rows = tu_read_fixture("apps/text_features.jsonl", NULL);
    size_t dim = hx_text_features_dim(tf);
    float *x = malloc(dim * sizeof *x);
    int n = 0;
    for (char *p = rows, *nl; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        *nl = 0;
        cJSON *row = cJSON_Parse(p);
        const char *text = cJSON_GetObjectItem(row, "text")->valuestring;
        double pr[2];
        cr_assert_eq(hx_text_features_compute(tf, text, strlen(text), x, &err), HX_OK);
        cr_assert_eq(hx_forest_predict(forest, x, 1, pr, NULL, &err), HX_OK, "%s", err.msg);
        double want = cJSON_GetObjectItem(row, "forest_p")->valuedouble;
        cr_assert_eq(pr[1], want, "text %d: %.17g, sklearn %.17g", n + 1, pr[1], want);
        cJSON_Delete(row);
        n++;
    }
    cr_assert_gt(n, 20);
    free(x);
    free(rows);
    hx_forest_free(forest);
    hx_text_features_free(tf);

    /* a model without the metadata */
    cr_assert_eq(hx_text_features_from_hlx_metadata("{}", 2, &tf, &err), HX_ENOTFOUND);
    cr_assert_eq(hx_text_features_from_hlx_metadata("{", 1, &tf, &err), HX_EFORMAT);
}
