/* Every forest walker against a plain reference walk, on random forests
 * shaped to reach every path: trees small enough for QuickScorer and big
 * ones for the scan walkers, and forests too big for the scan tables (the
 * node walkers, with and without NaN, with fewer trees than lanes and
 * more); long left runs (longer than any vector step);
 * features with 1, 3, 15, 200 and 2000 distinct thresholds (bins of 1 to
 * 16 bits); few keys (one-register bit rows), more (two registers) and too
 * many (no bit form); NaN in both directions; ties at the thresholds.
 *
 * The reference is sklearn's traversal written out in the test (float32
 * input promoted to double, `x <= threshold` goes left, NaN follows
 * missing_left; leaf rows added in double in tree order, then divided by
 * the tree count), independent of the evaluator's data structures. Every
 * ISA this CPU runs must match it bit for bit, for batches of 1, 7, 300 and
 * 20000 rows. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helix.h"
#include "helix/forest.h"

static uint64_t rng_state;
static uint32_t rnd(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}
static double unif(void) { return rnd() / 4294967296.0; }

typedef struct {
    int n_features, pool;   /* thresholds per feature come from a pool of this size */
    double *thr_pool;       /* n_features x pool */
    double leaf_p, chain_p; /* leaf probability; chance a split puts most nodes left */
    int max_nodes;          /* per tree */
    double low_p;           /* chance a value is below every threshold (long left runs) */
    bool nan;
} spec;

/* Grows one tree in pre-order from node id `*n`; returns its id. Node
 * budget `budget` for this subtree (>= 1). */
static int32_t grow(const spec *sp, hx_forest_arrays *a, int64_t base, int32_t *n, int budget,
                    int depth) {
    int32_t me = (*n)++;
    int64_t g = base + me;
    bool leaf = budget < 3 || depth > 400 || (depth > 0 && unif() < sp->leaf_p);
    if (leaf) {
        a->left[g] = a->right[g] = -1;
        a->feature[g] = -2;
        a->threshold[g] = -2.0;
        if (a->missing_left) a->missing_left[g] = 0;
        for (int k = 0; k < a->n_values; k++) a->value[g * a->n_values + k] = unif() * 0.999 + 1e-3;
        return me;
    }
    int f = (int)(rnd() % (uint32_t)sp->n_features);
    a->feature[g] = f;
    a->threshold[g] = sp->thr_pool[(size_t)f * sp->pool + rnd() % (uint32_t)sp->pool];
    if (a->missing_left) a->missing_left[g] = (uint8_t)(rnd() & 1);
    int rest = budget - 1;
    int lb = unif() < sp->chain_p ? rest - 1 - (int)(rnd() % 3) : 1 + (int)(rnd() % (uint32_t)(rest - 1));
    if (lb < 1) lb = 1;
    if (lb > rest - 1) lb = rest - 1;
    a->left[g] = grow(sp, a, base, n, lb, depth + 1);
    a->right[g] = grow(sp, a, base, n, rest - lb, depth + 1);
    return me;
}

static void make_forest(const spec *sp, int n_trees, int n_values, hx_forest_arrays *a) {
    memset(a, 0, sizeof *a);
    a->task = HX_FOREST_CLASSIFIER;
    a->n_features = sp->n_features;
    a->n_values = n_values;
    a->n_trees = n_trees;
    a->allow_nan = sp->nan;
    size_t cap = (size_t)n_trees * sp->max_nodes;
    a->tree_offset = calloc((size_t)n_trees + 1, sizeof *a->tree_offset);
    a->left = malloc(cap * sizeof *a->left);
    a->right = malloc(cap * sizeof *a->right);
    a->feature = malloc(cap * sizeof *a->feature);
    a->threshold = malloc(cap * sizeof *a->threshold);
    a->value = malloc(cap * n_values * sizeof *a->value);
    if (sp->nan) a->missing_left = malloc(cap);
    int64_t base = 0;
    for (int t = 0; t < n_trees; t++) {
        int32_t n = 0;
        int budget = sp->max_nodes / 2 + (int)(rnd() % (uint32_t)(sp->max_nodes / 2));
        grow(sp, a, base, &n, budget, 0);
        base += n;
        a->tree_offset[t + 1] = base;
    }
}

/* sklearn's traversal and averaging, from the arrays. */
static void reference(const hx_forest_arrays *a, const float *x, size_t n_rows, double *out) {
    const int K = a->n_values;
    for (size_t r = 0; r < n_rows; r++) {
        const float *row = x + r * a->n_features;
        double *o = out + r * K;
        for (int k = 0; k < K; k++) o[k] = 0;
        for (int t = 0; t < a->n_trees; t++) {
            int64_t base = a->tree_offset[t];
            int32_t i = 0;
            while (a->left[base + i] != -1) {
                float v = row[a->feature[base + i]];
                bool left = isnan(v) ? a->missing_left[base + i] : (double)v <= a->threshold[base + i];
                i = left ? a->left[base + i] : a->right[base + i];
            }
            for (int k = 0; k < K; k++) o[k] += a->value[(base + i) * K + k];
        }
        for (int k = 0; k < K; k++) o[k] /= a->n_trees;
    }
}

/* Rows mixing values at, just around and far from the thresholds. */
static float *make_rows(const spec *sp, size_t n_rows) {
    float *x = malloc(n_rows * sp->n_features * sizeof *x);
    for (size_t r = 0; r < n_rows; r++)
        for (int f = 0; f < sp->n_features; f++) {
            double t = sp->thr_pool[(size_t)f * sp->pool + rnd() % (uint32_t)sp->pool];
            uint32_t c = unif() < sp->low_p ? 12 : rnd() % 16;
            float v = c < 5 ? (float)t : c < 8 ? nextafterf((float)t, INFINITY)
                    : c < 10 ? nextafterf((float)t, -INFINITY) : c < 12 ? (float)(t + unif() - 0.5)
                    : c < 13 ? -1e30f : c < 14 ? 1e30f : 0.0f;
            if (sp->nan && rnd() % 64 == 0) v = NAN;
            x[r * sp->n_features + f] = v;
        }
    return x;
}

static void run_case(const char *label, spec *sp, int n_trees, int n_values) {
    sp->thr_pool = malloc((size_t)sp->n_features * sp->pool * sizeof *sp->thr_pool);
    for (int f = 0; f < sp->n_features; f++)
        for (int p = 0; p < sp->pool; p++) {
            /* Doubles between floats too (floor32 matters), some integers. */
            double v = (rnd() % 4 == 0) ? (double)(rnd() % 200) + 0.5 : (unif() - 0.5) * 200.0;
            sp->thr_pool[(size_t)f * sp->pool + p] = v;
        }
    hx_forest_arrays a;
    make_forest(sp, n_trees, n_values, &a);
    hx_forest *f;
    hx_error err;
    cr_assert_eq(hx_forest_build(&a, &f, &err), HX_OK, "%s: %s", label, err.msg);
    size_t n_rows = 20000;
    float *x = make_rows(sp, n_rows);
    double *want = malloc(n_rows * n_values * sizeof *want), *got = malloc(n_rows * n_values * sizeof *got);
    reference(&a, x, n_rows, want);
    hx_threadpool *pool;
    cr_assert_eq(hx_threadpool_create(2, &pool, &err), HX_OK);
    for (int isa = 0; isa < HX_ISA_COUNT; isa++) {
        if (!hx_isa_supported((hx_isa)isa)) continue;
        cr_assert_eq(hx_isa_set((hx_isa)isa, NULL), HX_OK);
        const size_t batches[] = {1, 7, 300, n_rows};
        for (int b = 0; b < 4; b++) {
            memset(got, 0xff, n_rows * n_values * sizeof *got);
            size_t stop = batches[b] < 100 ? 400 : n_rows; /* small batches: a sample */
            for (size_t r = 0; r < stop; r += batches[b]) {
                size_t n = stop - r < batches[b] ? stop - r : batches[b];
                cr_assert_eq(hx_forest_predict(f, x + r * sp->n_features, n, got + r * n_values,
                                               b == 3 ? pool : NULL, &err), HX_OK, "%s", err.msg);
            }
            for (size_t i = 0; i < stop * n_values; i++)
                cr_assert(memcmp(&got[i], &want[i], sizeof *got) == 0,
                          "%s, %s, batch %zu: row %zu value %zu: %.17g, reference %.17g", label,
                          hx_isa_name((hx_isa)isa), batches[b], i / n_values, i % n_values, got[i],
                          want[i]);
        }
    }
    hx_isa_set(hx_isa_best(), NULL);
    hx_threadpool_destroy(pool);
    free(x);
    free(want);
    free(got);
    hx_forest_free(f);
    hx_forest_arrays_free(&a);
    free(sp->thr_pool);
}

/* Long chains: runs of left moves far longer than a 64-node step. */
Test(forest_walkers, chains_binary_features) {
    rng_state = 1;
    spec sp = {.n_features = 300, .pool = 1, .leaf_p = 0.02, .chain_p = 0.9, .max_nodes = 3000,
               .low_p = 0.97};
    run_case("binary, chains", &sp, 6, 2);
    sp.nan = true;
    run_case("binary, chains, NaN", &sp, 6, 2);
}

Test(forest_walkers, bin_widths) {
    rng_state = 2;
    const int pools[] = {3, 15, 200, 2000};
    for (int i = 0; i < 4; i++) {
        spec sp = {.n_features = 9, .pool = pools[i], .leaf_p = 0.05, .chain_p = 0.5,
                   .max_nodes = 1500};
        char label[64];
        snprintf(label, sizeof label, "%d thresholds per feature", pools[i]);
        run_case(label, &sp, 5, 3);
        sp.nan = true;
        run_case(label, &sp, 5, 1);
    }
}

/* Bit-form sizes: about 400 keys (one register), 900 (two), 1500 (none). */
Test(forest_walkers, bit_form_sizes) {
    rng_state = 3;
    const int features[] = {100, 225, 375};
    for (int i = 0; i < 3; i++) {
        spec sp = {.n_features = features[i], .pool = 4, .leaf_p = 0.01, .chain_p = 0.7,
                   .max_nodes = 4000, .low_p = 0.9};
        char label[64];
        snprintf(label, sizeof label, "%d features x 4 thresholds", features[i]);
        run_case(label, &sp, 4, 2);
        sp.nan = true;
        run_case(label, &sp, 4, 2);
    }
}

/* Small trees (QuickScorer and its NaN fallback) and mixed sizes. */
Test(forest_walkers, small_and_mixed_trees) {
    rng_state = 4;
    spec sp = {.n_features = 20, .pool = 50, .leaf_p = 0.15, .chain_p = 0.3, .max_nodes = 200};
    run_case("small trees", &sp, 30, 2);
    sp.nan = true;
    run_case("small trees, NaN", &sp, 30, 2);
    sp.max_nodes = 700;
    run_case("mixed trees, NaN", &sp, 12, 4);
}

/* More than 32767 distinct thresholds on a feature: no scan tables (and
 * trees too big for QuickScorer), so every row takes the node walkers:
 * with 4 trees one row has fewer walks than lanes, with 13 more. */
Test(forest_walkers, no_scan_tables) {
    rng_state = 5;
    spec sp = {.n_features = 1, .pool = 200000, .leaf_p = 0.0, .chain_p = 0.3, .max_nodes = 14000};
    run_case("no scan tables, 13 trees", &sp, 13, 2);
    sp.nan = true;
    run_case("no scan tables, 13 trees, NaN", &sp, 13, 2);
    sp.max_nodes = 40000;
    sp.nan = false;
    run_case("no scan tables, 4 trees", &sp, 4, 2);
    sp.nan = true;
    run_case("no scan tables, 4 trees, NaN", &sp, 4, 1);
}
