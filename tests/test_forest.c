/* The forest evaluator against scikit-learn: fixtures from
 * tests/oracle/make_forest_fixtures.py (scikit-learn 1.2.1 "old" = counts in
 * tree_.value, no NaN; PyPI scikit-learn "new" = fractions, NaN support).
 * Probabilities / regression values must be bit-identical to predict_proba /
 * predict, labels identical to predict, leaves identical to apply.
 * Gradient boosting (gb_*): raw scores bit-identical to decision_function;
 * softmax probabilities within a few ulps of sklearn's (NumPy's SIMD exp
 * and log differ from glibc's by up to 1 ulp), all others bit-identical. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#if defined(__has_feature)
#define tu_has_asan() __has_feature(address_sanitizer)
#else
#define tu_has_asan() 0
#endif

#include "helix.h"
#include "helix/forest_file.h"
#include "test_util.h"

#define FIX HX_TEST_FIXTURES "/forest/"

static const char *MODELS[] = {"hpo_rf", "syn_et3", "syn_rf3", "many_classes", "reg_rf", "reg_et",
                               "single_node", "deep_reg", "deep_clf", "best_first", "ties",
                               "hpo_full", "int_full", "gb_hpo_bin", "gb_multi", "gb_exp",
                               "gb_reg", "gb_reg_big"};
#define N_MODELS (sizeof MODELS / sizeof MODELS[0])

/* Numbers of a whitespace/comma separated file, empty CSV cells as NaN;
 * skips the first line when header. */
static double *read_numbers(const char *path, bool csv_header, size_t *count, size_t *lines) {
    char *text = tu_read_file(path, NULL);
    size_t cap = 1024, n = 0, nl = 0;
    double *v = malloc(cap * sizeof *v);
    char *p = text, *end_text = text + strlen(text);
    if (csv_header) p = strchr(p, '\n') + 1;
    while (p < end_text && *p) {
        char *eol = strchr(p, '\n');
        if (!eol) eol = p + strlen(p);
        *eol = '\0';
        nl++;
        char *q = p;
        for (;;) {
            while (*q == ' ') q++;
            if (n == cap) v = realloc(v, (cap *= 2) * sizeof *v);
            if (*q == ',' || *q == '\0') {
                if (csv_header) v[n++] = NAN; /* empty cell */
            } else {
                char *end;
                v[n++] = strtod(q, &end);
                q = end;
            }
            while (*q == ' ') q++;
            if (*q == ',') {
                q++;
                continue;
            }
            if (*q == '\0') break;
        }
        p = eol + 1;
    }
    free(text);
    *count = n;
    if (lines) *lines = nl;
    return v;
}

typedef struct {
    hx_forest_arrays a;
    hx_forest *f;
    size_t n_rows;
    float *x32;
} loaded;

static void load(const char *name, loaded *m) {
    char path[512];
    hx_error err;
    hx_error_clear(&err);
    snprintf(path, sizeof path, FIX "%s.dump.json", name);
    cr_assert_eq(hx_forest_dump_load(path, &m->a, &err), HX_OK, "%s: %s", name, err.msg);
    cr_assert_eq(hx_forest_build(&m->a, &m->f, &err), HX_OK, "%s: %s", name, err.msg);
    int F = m->a.n_features;
    snprintf(path, sizeof path, FIX "%s.x.csv", name);
    size_t cnt, lines;
    double *x = read_numbers(path, true, &cnt, &lines);
    cr_assert_eq(cnt, lines * F, "%s: x.csv shape", name);
    m->n_rows = lines;
    m->x32 = malloc(cnt * sizeof *m->x32);
    for (size_t r = 0; r < lines; r++)
        cr_assert_eq(hx_forest_cast_row(m->f, x + r * F, m->x32 + r * F, &err), HX_OK,
                     "%s row %zu: %s", name, r, err.msg);
    free(x);
}

static void unload(loaded *m) {
    hx_forest_free(m->f);
    hx_forest_arrays_free(&m->a);
    free(m->x32);
}

/* Largest distance in units in the last place from sklearn's softmax
 * probabilities, as measured on the gb_multi fixtures (docs/forest-format.md):
 * sklearn >= 1.3 exp(x - max) / sum: 2; sklearn 1.2's exp(x - logsumexp):
 * 8 (log's error is scaled by the size of logsumexp). */
#define SOFTMAX_ULPS 2
#define SOFTMAX_LSE_ULPS 8

static int64_t ulp_distance(double a, double b) {
    int64_t ia, ib;
    memcpy(&ia, &a, 8);
    memcpy(&ib, &b, 8);
    if (ia < 0) ia = INT64_MIN - ia; /* order negatives below positives */
    if (ib < 0) ib = INT64_MIN - ib;
    return ia > ib ? ia - ib : ib - ia;
}

static void check_against_sklearn(const char *name, const hx_forest *f, const loaded *m,
                                  hx_threadpool *pool) {
    char path[512];
    hx_error err;
    int K = hx_forest_n_values(f), T = hx_forest_n_trees(f);
    int32_t *leaves = malloc(m->n_rows * T * sizeof *leaves);
    cr_assert_eq(hx_forest_apply(f, m->x32, m->n_rows, leaves, &err), HX_OK);
    snprintf(path, sizeof path, FIX "%s.apply", name);
    size_t cnt0;
    double *app = read_numbers(path, false, &cnt0, NULL);
    cr_assert_eq(cnt0, m->n_rows * T);
    for (size_t i = 0; i < cnt0; i++)
        cr_assert_eq(leaves[i], (int32_t)app[i], "%s: apply row %zu tree %zu", name, i / T, i % T);
    free(app);
    free(leaves);
    size_t cnt;
    double *out = malloc(m->n_rows * K * sizeof *out);
    cr_assert_eq(hx_forest_predict(f, m->x32, m->n_rows, out, pool, &err), HX_OK, "%s", err.msg);
    snprintf(path, sizeof path, FIX "%s.proba", name);
    double *want = read_numbers(path, false, &cnt, NULL);
    cr_assert_eq(cnt, m->n_rows * K, "%s: proba count %zu", name, cnt);
    hx_forest_link link = hx_forest_link_of(f);
    bool softmax = link == HX_FOREST_GB_SOFTMAX || link == HX_FOREST_GB_SOFTMAX_LSE;
    int64_t bound = link == HX_FOREST_GB_SOFTMAX ? SOFTMAX_ULPS : SOFTMAX_LSE_ULPS;
    int64_t worst = 0;
    for (size_t i = 0; i < cnt; i++) {
        int64_t d = ulp_distance(out[i], want[i]);
        if (d > worst) worst = d;
        cr_assert(softmax ? d <= bound : memcmp(&out[i], &want[i], sizeof(double)) == 0,
                  "%s: row %zu value %zu: %.17g, sklearn %.17g (%lld ulps)", name, i / K, i % K,
                  out[i], want[i], (long long)d);
    }
    if (softmax && getenv("HX_TEST_VERBOSE"))
        fprintf(stderr, "%s: softmax max %lld ulps\n", name, (long long)worst);
    if (hx_forest_task_of(f) == HX_FOREST_CLASSIFIER) {
        snprintf(path, sizeof path, FIX "%s.pred", name);
        double *pred = read_numbers(path, false, &cnt, NULL);
        cr_assert_eq(cnt, m->n_rows);
        int32_t *labels = malloc(m->n_rows * sizeof *labels);
        cr_assert_eq(hx_forest_predict_labels(f, m->x32, m->n_rows, labels, pool, &err), HX_OK);
        for (size_t r = 0; r < m->n_rows; r++) {
            cr_assert_eq(labels[r], (int)pred[r], "%s: predict row %zu", name, r);
            if (link == HX_FOREST_MEAN)
                cr_assert_eq(hx_forest_argmax(out + r * K, K), (int)pred[r], "%s: argmax row %zu", name, r);
        }
        free(labels);
        free(pred);
    }
    /* GB classifiers: the raw scores, exactly. */
    snprintf(path, sizeof path, FIX "%s.raw", name);
    if (link != HX_FOREST_MEAN && access(path, R_OK) == 0) {
        int R = hx_forest_n_raw(f);
        double *raw = malloc(m->n_rows * R * sizeof *raw);
        cr_assert_eq(hx_forest_predict_raw(f, m->x32, m->n_rows, raw, pool, &err), HX_OK);
        double *wr = read_numbers(path, false, &cnt, NULL);
        cr_assert_eq(cnt, m->n_rows * R, "%s: raw count", name);
        for (size_t i = 0; i < cnt; i++)
            cr_assert(memcmp(&raw[i], &wr[i], sizeof(double)) == 0,
                      "%s: raw row %zu value %zu: %.17g, sklearn %.17g", name, i / R, i % R, raw[i], wr[i]);
        free(wr);
        free(raw);
    } else {
        cr_assert(link == HX_FOREST_MEAN || link == HX_FOREST_GB_IDENTITY, "%s: no .raw fixture", name);
    }
    free(want);
    free(out);
}

/* Every model, with every walker this CPU can run (scalar, AVX-512). */
Test(forest, matches_sklearn_old_and_new) {
    for (int isa = 0; isa < HX_ISA_COUNT; isa++) {
        if (!hx_isa_supported((hx_isa)isa)) continue;
        cr_assert_eq(hx_isa_set((hx_isa)isa, NULL), HX_OK);
        for (int v = 0; v < 2; v++) {
            for (size_t i = 0; i < N_MODELS; i++) {
                char name[128];
                snprintf(name, sizeof name, "%s_%s", MODELS[i], v ? "new" : "old");
                loaded m;
                load(name, &m);
                check_against_sklearn(name, m.f, &m, NULL);
                unload(&m);
            }
        }
    }
    hx_isa_set(hx_isa_best(), NULL);
}

/* Rows one at a time (the trees-in-flight path), in odd-sized batches, and
 * with 1 and 3 threads over many rows: all bit-identical. Small trees
 * (QuickScorer) and big ones (scan walkers, some rows with NaN). */
static void check_batches_and_threads(const char *name) {
    loaded m;
    load(name, &m);
    int K = hx_forest_n_values(m.f), F = hx_forest_n_features(m.f);
    size_t big = 20000; /* several row blocks on every path */
    float *x = malloc(big * F * sizeof *x);
    for (size_t r = 0; r < big; r++) memcpy(x + r * F, m.x32 + (r * 7 % m.n_rows) * F, F * sizeof *x);
    double *ref = malloc(big * K * sizeof *ref), *got = malloc(big * K * sizeof *got);
    hx_error err;
    cr_assert_eq(hx_forest_predict(m.f, x, big, ref, NULL, &err), HX_OK);
    for (size_t r = 0; r < big; r += 37)
        cr_assert_eq(hx_forest_predict(m.f, x + r * F, 1, got + r * K, NULL, &err), HX_OK);
    for (size_t r = 0; r < big; r += 37)
        cr_assert(memcmp(got + r * K, ref + r * K, K * sizeof *got) == 0, "row %zu alone", r);
    for (size_t r = 0; r < big;) {
        size_t n = r % 5 == 0 ? 13 : 300;
        if (n > big - r) n = big - r;
        cr_assert_eq(hx_forest_predict(m.f, x + r * F, n, got + r * K, NULL, &err), HX_OK);
        r += n;
    }
    cr_assert(memcmp(got, ref, big * K * sizeof *got) == 0, "odd batches");
    hx_threadpool *pool;
    cr_assert_eq(hx_threadpool_create(3, &pool, &err), HX_OK);
    memset(got, 0, big * K * sizeof *got);
    cr_assert_eq(hx_forest_predict(m.f, x, big, got, pool, &err), HX_OK);
    cr_assert(memcmp(got, ref, big * K * sizeof *got) == 0, "3 threads");
    hx_threadpool_destroy(pool);
    free(x);
    free(ref);
    free(got);
    unload(&m);
}

Test(forest, identical_across_batches_and_threads) {
    for (int isa = 0; isa < HX_ISA_COUNT; isa++) {
        if (!hx_isa_supported((hx_isa)isa)) continue;
        cr_assert_eq(hx_isa_set((hx_isa)isa, NULL), HX_OK);
        check_batches_and_threads("hpo_rf_new");
        check_batches_and_threads("hpo_full_new");
        check_batches_and_threads("int_full_old");
    }
    hx_isa_set(hx_isa_best(), NULL);
}

/* Rows sklearn refuses (float32 overflow, +-inf, NaN without NaN support). */
Test(forest, rejects_what_sklearn_rejects) {
    const char *names[] = {"hpo_rf_old", "hpo_rf_new", "reg_rf_old", "deep_reg_new"};
    for (int i = 0; i < 4; i++) {
        loaded m;
        load(names[i], &m);
        char path[512];
        snprintf(path, sizeof path, FIX "%s.reject.csv", names[i]);
        size_t cnt, lines;
        double *x = read_numbers(path, true, &cnt, &lines);
        int F = m.a.n_features;
        cr_assert(lines >= 4);
        float *row = malloc(F * sizeof *row);
        for (size_t r = 0; r < lines; r++) {
            hx_error err;
            cr_assert_neq(hx_forest_cast_row(m.f, x + r * F, row, &err), HX_OK, "%s row %zu", names[i], r);
        }
        /* And the evaluator itself refuses such float rows. */
        for (int j = 0; j < F; j++) row[j] = 0.0f;
        row[F - 1] = INFINITY;
        double out[64];
        cr_assert_neq(hx_forest_predict(m.f, row, 1, out, NULL, NULL), HX_OK);
        row[F - 1] = NAN;
        cr_assert_eq(hx_forest_predict(m.f, row, 1, out, NULL, NULL) == HX_OK, m.a.allow_nan);
        free(row);
        free(x);
        unload(&m);
    }
}

/* .hlx round trip: the reloaded model predicts the same bits. */
Test(forest, hlx_round_trip) {
    const char *names[] = {"hpo_rf_new", "reg_et_old", "many_classes_old", "gb_hpo_bin_old",
                           "gb_multi_new", "gb_reg_new"};
    for (int i = 0; i < 6; i++) {
        loaded m;
        load(names[i], &m);
        char path[256];
        snprintf(path, sizeof path, "%s/forest_rt_%d_%d.hlx", HX_BINARY_DIR, (int)getpid(), i);
        hx_error err;
        hx_error_clear(&err);
        cr_assert_eq(hx_forest_hlx_write(&m.a, "test", path, &err), HX_OK, "%s", err.msg);
        hx_hlx *h;
        cr_assert_eq(hx_hlx_open(path, &h, &err), HX_OK, "%s", err.msg);
        cr_assert_eq(hx_hlx_verify(h, &err), HX_OK, "%s", err.msg);
        hx_forest_arrays b;
        cr_assert_eq(hx_forest_hlx_read(h, &b, &err), HX_OK, "%s", err.msg);
        hx_hlx_close(h);
        unlink(path);
        cr_assert_eq(b.n_trees, m.a.n_trees);
        cr_assert_eq(b.allow_nan, m.a.allow_nan);
        cr_assert_eq(b.link, m.a.link);
        cr_assert_eq(b.label_rule, m.a.label_rule);
        cr_assert_eq(b.n_raw, m.a.n_raw);
        cr_assert(memcmp(&b.learning_rate, &m.a.learning_rate, sizeof(double)) == 0);
        if (m.a.init_raw)
            cr_assert(memcmp(b.init_raw, m.a.init_raw, (size_t)m.a.n_raw * sizeof(double)) == 0);
        cr_assert_eq((b.feature_names != NULL), (m.a.feature_names != NULL));
        if (b.feature_names) cr_assert_str_eq(b.feature_names[3], m.a.feature_names[3]);
        if (b.classes) cr_assert_str_eq(b.classes[0], m.a.classes[0]);
        hx_forest *f;
        cr_assert_eq(hx_forest_build(&b, &f, &err), HX_OK, "%s", err.msg);
        check_against_sklearn(names[i], f, &m, NULL);
        hx_forest_free(f);
        hx_forest_arrays_free(&b);
        unload(&m);
    }
}

/* Damaged node arrays are refused by the builder. */
Test(forest, build_rejects_bad_trees) {
    hx_forest_arrays a;
    hx_error err;
    cr_assert_eq(hx_forest_dump_load(FIX "syn_rf3_new.dump.json", &a, &err), HX_OK);
    hx_forest *f = NULL;
    cr_assert_eq(hx_forest_build(&a, &f, &err), HX_OK);
    hx_forest_free(f);
    /* root of tree 1 must be internal for these edits */
    int64_t b = a.tree_offset[1], n = a.tree_offset[2] - b;
    cr_assert(a.left[b] > 0);
    struct {
        int32_t *p;
        int32_t v;
        const char *what;
    } edits[] = {
        {&a.left[b], (int32_t)n, "child out of range"},
        {&a.left[b], 0, "self loop"},
        {&a.right[b], a.left[b], "two parents"},
        {&a.right[b], -1, "half leaf"},
        {&a.feature[b], a.n_features, "feature out of range"},
        {&a.feature[b], -1, "negative feature"},
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        int32_t old = *edits[i].p;
        *edits[i].p = edits[i].v;
        cr_assert_neq(hx_forest_build(&a, &f, &err), HX_OK, "%s accepted", edits[i].what);
        *edits[i].p = old;
    }
    double t = a.threshold[b];
    a.threshold[b] = NAN;
    cr_assert_neq(hx_forest_build(&a, &f, &err), HX_OK, "NaN threshold");
    a.threshold[b] = t;
    int64_t leaf = b;
    while (a.left[leaf] != -1) leaf++;
    a.value[leaf * a.n_values] = INFINITY;
    cr_assert_neq(hx_forest_build(&a, &f, &err), HX_OK, "inf leaf value");
    a.value[leaf * a.n_values] = 0.5;
    a.missing_left[b] = 7;
    cr_assert_neq(hx_forest_build(&a, &f, &err), HX_OK, "missing_left 7");
    a.missing_left[b] = 0;
    cr_assert_eq(hx_forest_build(&a, &f, &err), HX_OK, "restored: %s", err.msg);
    hx_forest_free(f);
    hx_forest_arrays_free(&a);
}

static hx_status parse_edited(const char *json, const char *from, const char *to) {
    const char *at = strstr(json, from);
    cr_assert(at, "fixture lacks %s", from);
    size_t n = strlen(json) - strlen(from) + strlen(to);
    char *buf = malloc(n + 1);
    size_t pre = (size_t)(at - json);
    memcpy(buf, json, pre);
    strcpy(buf + pre, to);
    strcat(buf, at + strlen(from));
    hx_forest_arrays a;
    hx_error err;
    hx_status st = hx_forest_dump_parse(buf, n, &a, &err);
    if (st == HX_OK) hx_forest_arrays_free(&a);
    free(buf);
    return st;
}

/* Damaged dumps are refused by the parser with an error, never a crash. */
Test(forest, dump_parser_rejects_bad_json) {
    size_t len;
    char *json = tu_read_file(FIX "best_first_new.dump.json", &len);
    hx_forest_arrays a;
    hx_error err;
    cr_assert_eq(hx_forest_dump_parse(json, len, &a, &err), HX_OK, "%s", err.msg);
    hx_forest_arrays_free(&a);
    for (size_t cut = 0; cut < len; cut += len / 40 + 1)
        cr_assert_neq(hx_forest_dump_parse(json, cut, &a, &err), HX_OK, "truncated at %zu", cut);
    cr_assert_eq(parse_edited(json, "\"format_version\": 1", "\"format_version\": 3"), HX_EVERSION);
    /* version 2 (gradient boosting) needs the boosting fields */
    cr_assert_eq(parse_edited(json, "\"format_version\": 1", "\"format_version\": 2"), HX_EFORMAT);
    cr_assert_neq(parse_edited(json, "\"node_count\": 15", "\"node_count\": 16"), HX_OK);
    cr_assert_neq(parse_edited(json, "\"node_count\": 15", "\"node_count\": -3"), HX_OK);
    cr_assert_neq(parse_edited(json, "\"node_count\": 15", "\"node_count\": 1e300"), HX_OK);
    cr_assert_neq(parse_edited(json, "\"n_values\": 2", "\"n_values\": 3"), HX_OK);
    cr_assert_neq(parse_edited(json, "\"n_features\": 4", "\"n_features\": 0"), HX_OK);
    cr_assert_neq(parse_edited(json, "\"allow_nan\": true", "\"allow_nan\": 1"), HX_OK);
    cr_assert_neq(parse_edited(json, "\"children_left\": \"", "\"children_left\": \"!"), HX_OK);
    cr_assert_neq(parse_edited(json, "\"trees\": [", "\"trees\": [[], "), HX_OK);
    cr_assert_neq(parse_edited(json, "\"classes\": [", "\"classes\": [1, "), HX_OK);
    free(json);
}

/* issue 14.12: a 369-byte dump declaring 169,587,775 nodes (the fuzz seed
 * tests/fuzz/seeds/forest/huge_node_count.dump.json) is refused from the
 * lengths of its own arrays, before anything of that size is allocated:
 * with the address space capped at 256 MB above what the test uses, an
 * allocation of the declared size fails as HX_ENOMEM instead. (The cap is
 * skipped under AddressSanitizer, whose shadow memory needs terabytes of
 * address space; the message check still tells the two paths apart.) */
Test(forest, declared_node_count_needs_backing_arrays) {
    size_t len;
    char *json = tu_read_file(HX_SOURCE_DIR "/tests/fuzz/seeds/forest/huge_node_count.dump.json", &len);
    cr_assert_eq(len, 369);
#if !defined(__SANITIZE_ADDRESS__) && !tu_has_asan()
    FILE *statm = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (statm) {
        cr_assert_eq(fscanf(statm, "%lu", &pages), 1);
        fclose(statm);
        struct rlimit rl;
        rl.rlim_cur = rl.rlim_max = (rlim_t)pages * 4096 + ((rlim_t)256 << 20);
        cr_assert_eq(setrlimit(RLIMIT_AS, &rl), 0);
    }
#endif
    hx_forest_arrays a;
    hx_error err;
    hx_status st = hx_forest_dump_parse(json, len, &a, &err);
    cr_assert_eq(st, HX_EFORMAT, "got %s: %s", hx_status_name(st), err.msg);
    cr_assert(strstr(err.msg, "tree 0: \"children_left\" has the wrong length for node_count 169587775"),
              "%s", err.msg);
    free(json);
}

/* Gradient-boosting fields: damaged or inconsistent ones are refused by the
 * parser or the builder, and the repaired model builds again. */
Test(forest, gb_fields_checked) {
    size_t len;
    char *json = tu_read_file(FIX "gb_exp_old.dump.json", &len);
    hx_forest_arrays a;
    hx_error err;
    cr_assert_eq(hx_forest_dump_parse(json, len, &a, &err), HX_OK, "%s", err.msg);
    hx_forest_arrays_free(&a);
    cr_assert_neq(parse_edited(json, "\"link\": \"exponential\"", "\"link\": \"bogus\""), HX_OK);
    cr_assert_neq(parse_edited(json, "\"link\": \"exponential\"", "\"link\": \"mean\""), HX_OK);
    cr_assert_neq(parse_edited(json, "\"label_rule\": \"raw\"", "\"label_rule\": 1"), HX_OK);
    cr_assert_neq(parse_edited(json, "\"learning_rate\": 0.1", "\"learning_rate\": \"0.1\""), HX_OK);
    cr_assert_neq(parse_edited(json, "\"n_raw\": 1", "\"n_raw\": 2"), HX_OK); /* init_raw too short */
    cr_assert_neq(parse_edited(json, "\"n_raw\": 1", "\"n_raw\": 0"), HX_OK);
    cr_assert_neq(parse_edited(json, "\"init_raw\": \"", "\"init_raw\": \"A"), HX_OK);
    cr_assert_neq(parse_edited(json, "\"format_version\": 2", "\"format_version\": 1"), HX_OK);
    free(json);

    cr_assert_eq(hx_forest_dump_load(FIX "gb_multi_old.dump.json", &a, &err), HX_OK, "%s", err.msg);
    hx_forest *f = NULL;
    cr_assert_eq(hx_forest_build(&a, &f, &err), HX_OK, "%s", err.msg);
    hx_forest_free(f);
    a.n_trees--; /* no longer whole stages */
    cr_assert_neq(hx_forest_build(&a, &f, &err), HX_OK, "partial stage");
    a.n_trees++;
    double lr = a.learning_rate, init0 = a.init_raw[0];
    a.learning_rate = INFINITY;
    cr_assert_neq(hx_forest_build(&a, &f, &err), HX_OK, "inf learning rate");
    a.learning_rate = 1e308; /* finite, but learning_rate * value overflows */
    cr_assert_neq(hx_forest_build(&a, &f, &err), HX_OK, "overflowing leaf");
    a.learning_rate = lr;
    a.init_raw[0] = NAN;
    cr_assert_neq(hx_forest_build(&a, &f, &err), HX_OK, "NaN init");
    a.init_raw[0] = init0;
    hx_forest_link links[] = {HX_FOREST_MEAN, HX_FOREST_GB_LOGISTIC, HX_FOREST_GB_IDENTITY,
                              (hx_forest_link)99};
    for (int i = 0; i < 4; i++) {
        a.link = links[i];
        cr_assert_neq(hx_forest_build(&a, &f, &err), HX_OK, "link %d accepted", (int)links[i]);
    }
    a.link = HX_FOREST_GB_SOFTMAX_LSE;
    a.n_raw = 2;
    cr_assert_neq(hx_forest_build(&a, &f, &err), HX_OK, "n_raw != classes");
    a.n_raw = 4;
    a.label_rule = (hx_forest_label_rule)7;
    cr_assert_neq(hx_forest_build(&a, &f, &err), HX_OK, "bad label rule");
    a.label_rule = HX_FOREST_LABEL_ARGMAX_PROBA;
    cr_assert_eq(hx_forest_build(&a, &f, &err), HX_OK, "restored: %s", err.msg);
    /* a regressor has no labels */
    hx_forest_free(f);
    hx_forest_arrays_free(&a);
    cr_assert_eq(hx_forest_dump_load(FIX "gb_reg_old.dump.json", &a, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_forest_build(&a, &f, &err), HX_OK, "%s", err.msg);
    float x[5] = {0};
    int32_t label;
    cr_assert_neq(hx_forest_predict_labels(f, x, 1, &label, NULL, &err), HX_OK);
    hx_forest_free(f);
    hx_forest_arrays_free(&a);
}
