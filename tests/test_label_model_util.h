/* Helpers shared by the label-model tests: reading the oracle fixtures
 * (tests/fixtures/label_model/, made by tests/oracle/make_label_model_fixtures.py
 * with snorkel 0.10.0) and regenerating their synthetic label matrices. */
#ifndef HX_TEST_LABEL_MODEL_UTIL_H
#define HX_TEST_LABEL_MODEL_UTIL_H

#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helix/label_model.h"
#include "helix/label_matrix_file.h"
#include "test_util.h"

static inline cJSON *lmt_load_json(const char *name) {
    char path[1024];
    char *txt = tu_read_file(tu_fixture_path(path, sizeof path, "label_model/%s", name), NULL);
    cJSON *j = cJSON_Parse(txt);
    free(txt);
    return j;
}

/* The splitmix64 generator of the oracle script (gen_matrix). */
typedef struct { uint64_t s; } lmt_rng;
static inline uint64_t lmt_next(lmt_rng *r) {
    r->s += 0x9E3779B97F4A7C15ull;
    uint64_t z = r->s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static inline double lmt_uniform(lmt_rng *r) {
    return (double)(lmt_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Generates L (n x m) and Y (n) as the oracle does; returns 0 on bad input. */
static inline int lmt_generate(uint64_t seed, size_t n, int m, int k, const double *abstain,
                               const double *acc, const double *balance, int32_t *L, int32_t *Y) {
    lmt_rng rng = {seed};
    double cum[64];
    if (k > 64) return 0;
    double c = 0;
    for (int y = 0; y < k; y++) {
        c += balance ? balance[y] : 1.0 / k;
        cum[y] = c;
    }
    for (size_t r = 0; r < n; r++) {
        double u = lmt_uniform(&rng);
        int y = 0;
        while (y < k - 1 && u >= cum[y]) y++;
        if (Y) Y[r] = y;
        for (int j = 0; j < m; j++) {
            int32_t *v = &L[r * (size_t)m + j];
            if (lmt_uniform(&rng) < abstain[j]) { *v = -1; continue; }
            if (lmt_uniform(&rng) < acc[j]) { *v = y; continue; }
            int o = (int)(lmt_uniform(&rng) * (k - 1));
            *v = o < y ? o : o + 1;
        }
    }
    return 1;
}

static inline double *lmt_doubles(const cJSON *arr, size_t *n_out) {
    int n = cJSON_GetArraySize(arr);
    double *v = malloc(((size_t)n + 1) * sizeof *v);
    int i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) v[i++] = cJSON_IsNumber(it) ? it->valuedouble : NAN;
    if (n_out) *n_out = (size_t)n;
    return v;
}

static inline int32_t *lmt_ints(const cJSON *arr, size_t *n_out) {
    int n = cJSON_GetArraySize(arr);
    int32_t *v = malloc(((size_t)n + 1) * sizeof *v);
    int i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) v[i++] = (int32_t)it->valuedouble;
    if (n_out) *n_out = (size_t)n;
    return v;
}

/* The case's label matrix (inline or regenerated). */
static inline int32_t *lmt_case_matrix(const cJSON *c, size_t *n, int *m, int *k) {
    *n = (size_t)cJSON_GetObjectItem(c, "n")->valuedouble;
    *m = cJSON_GetObjectItem(c, "m")->valueint;
    *k = cJSON_GetObjectItem(c, "k")->valueint;
    const cJSON *Lj = cJSON_GetObjectItem(c, "L");
    if (Lj) return lmt_ints(Lj, NULL);
    const cJSON *csv = cJSON_GetObjectItem(c, "L_csv");
    if (csv) {
        char path[1024];
        snprintf(path, sizeof path, "%s/label_model/%s", HX_TEST_FIXTURES, csv->valuestring);
        hx_label_csv lc;
        if (hx_label_csv_read(path, *k, &lc, NULL) != HX_OK) return NULL;
        int32_t *L = lc.L;
        lc.L = NULL;
        hx_label_csv_free(&lc);
        return L;
    }
    const cJSON *g = cJSON_GetObjectItem(c, "gen");
    double *ab = lmt_doubles(cJSON_GetObjectItem(g, "abstain"), NULL);
    double *acc = lmt_doubles(cJSON_GetObjectItem(g, "acc"), NULL);
    const cJSON *bj = cJSON_GetObjectItem(g, "balance");
    double *bal = bj ? lmt_doubles(bj, NULL) : NULL;
    int32_t *L = malloc(*n * (size_t)*m * sizeof *L);
    lmt_generate((uint64_t)cJSON_GetObjectItem(g, "seed")->valuedouble, *n, *m, *k, ab, acc, bal, L, NULL);
    free(ab);
    free(acc);
    free(bal);
    return L;
}

#endif
