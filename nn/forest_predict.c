/* Forest evaluation: the public predict / apply entry points (semantics in
 * include/helix/forest.h and docs/forest-format.md). The evaluator is
 * built by nn/forest_build.c; this file splits a call into blocks of rows,
 * runs the blocks on the thread pool, picks the evaluator for each block
 * and sums the leaf rows:
 *  - QuickScorer (nn/forest_qs.c), for forests whose trees have at most 256
 *    leaves, on NaN-free rows: per row, each feature's thresholds are scanned
 *    in ascending order while the value exceeds them, clearing leaf ranges in
 *    per-tree bitvectors; no dependent load chain, predictable branches.
 *  - Left-run scan (nn/forest_scan*.c), for bigger trees: rows recoded as
 *    bins or bits, then each walk's runs of left moves (consecutive nodes in
 *    pre-order) tested 8-64 nodes per step. 9x the walkers below on the
 *    fully grown HPO forest.
 *  - Walkers (nn/forest_walk.c), for the rest: several walks advance
 *    together so their memory loads overlap. The walks in flight are either
 *    rows of a block through one tree (big batches: the tree stays in cache
 *    for the block) or one row through successive trees (latency). Blocks
 *    without NaN take a shorter step.
 * All find exactly the leaf of sklearn's walk, so the choice never changes
 * a bit of the output. Leaf rows are added in double in tree order and
 * divided by the tree count at the end (forests) or passed through the
 * gradient-boosting link, which is what sklearn does. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "helix/forest.h"
#include "nn/forest_internal.h"

/* From this many rows a block goes through one tree at a time (the block's
 * rows are the walks in flight); fewer rows go one row through all trees. */
#define TREE_MAJOR_ROWS 16
/* Rows per task (fixed: thread-count independent). 1024 rather than 256:
 * each block streams every tree through the cache once, which dominates on
 * fully grown forests (+27% there); QuickScorer is per row and indifferent. */
#define ROW_BLOCK 1024
#define QS_ROWS 4 /* rows per QuickScorer group: independent sums in flight */
/* Rows per task on the scan path: as many as keep their binned rows in
 * half of a Zen 4 L2, up to SCAN_MAX_ROWS. Each task streams every tree
 * from memory once (the fully grown HPO forest is 60 MB), so bigger blocks
 * pay: 4096 rows measured 1.6x faster than 1024 there. */
#define SCAN_BIN_BYTES (512 << 10)
#define SCAN_MAX_ROWS 8192

hx_status hx_forest_cast_row(const hx_forest *f, const double *x, float *x32, hx_error *err) {
    for (int j = 0; j < f->n_features; j++) {
        float v = (float)x[j]; /* round to nearest even, as numpy's astype */
        if (isinf(v))
            return hx_fail(err, HX_ERANGE, "column %d: value is infinite or too large for float32", j);
        if (isnan(v) && !f->allow_nan)
            return hx_fail(err, HX_EINVAL, "column %d: missing value, and this model does not accept NaN",
                           j);
        x32[j] = v;
    }
    return HX_OK;
}

hx_status hx_forest_check_rows(const hx_forest *f, const float *x32, size_t n_rows, hx_error *err) {
    size_t n = n_rows * (size_t)f->n_features;
    /* Fast pass (vectorizable): any value with an all-ones exponent, i.e.
     * inf or NaN? Only then look closer, to accept NaN or name the cell. */
    uint32_t special = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &x32[i], sizeof bits);
        special |= (uint32_t)((bits & 0x7f800000u) == 0x7f800000u);
    }
    if (!special) return HX_OK;
    for (size_t i = 0; i < n; i++) {
        float v = x32[i];
        if (isinf(v) || (isnan(v) && !f->allow_nan))
            return hx_fail(err, isinf(v) ? HX_ERANGE : HX_EINVAL,
                           "row %zu column %zu: %s", i / f->n_features, i % f->n_features,
                           isinf(v) ? "infinite value" : "NaN, and this model does not accept it");
    }
    return HX_OK;
}

static bool has_nan(const float *x, size_t n) {
    bool any = false;
    for (size_t i = 0; i < n; i++) any |= x[i] != x[i];
    return any;
}

static inline void add_slot(const hx_forest *f, int32_t slot, double *acc) {
    const double *v = f->values + (size_t)slot * f->n_acc;
    for (int k = 0; k < f->n_acc; k++) acc[k] += v[k];
}

static inline void add_leaf(const hx_forest *f, int32_t node, double *acc) {
    add_slot(f, f->leaf_slot[node], acc);
}

/* acc row r += the leaf row of node leaf[r], for n rows (two outputs, the
 * usual case, unrolled). */
static void add_leaves(const hx_forest *f, const int32_t *leaf, size_t n, double *acc) {
    const int K = f->n_acc;
    if (K != 2) {
        for (size_t r = 0; r < n; r++) add_leaf(f, leaf[r], acc + r * K);
        return;
    }
    for (size_t r = 0; r < n; r++) {
        const double *v = f->values + (size_t)f->leaf_slot[leaf[r]] * 2;
        acc[2 * r] += v[0];
        acc[2 * r + 1] += v[1];
    }
}

/* How a call is split: rows per task, and for the scan path the binned
 * walker and the most bytes per recoded row. Depends on the forest and the
 * ISA, never on the thread count. */
typedef struct {
    size_t block;
    hx_scan_walk_fn walk; /* NULL: no scan tables */
    size_t row_bytes;
} predict_plan;

static predict_plan plan_of(const hx_forest *f, const float *x32, size_t n_rows) {
    predict_plan p = {.block = ROW_BLOCK};
    if (!f->scan.node) return p;
    p.walk = hx_scan_walker();
    p.row_bytes = f->scan.row_bytes;
    /* The NaN-aware bit form may have twice the keys: sized for only when
     * the input has NaN. */
    bool nan = f->allow_nan && has_nan(x32, n_rows * (size_t)f->n_features);
    for (int with_nan = 0; with_nan <= (int)nan; with_nan++) {
        const hx_bitform *b = hx_scan_bit_form(&f->scan, with_nan);
        if (b && b->row > p.row_bytes) p.row_bytes = b->row;
    }
    size_t rows = SCAN_BIN_BYTES / p.row_bytes;
    p.block = rows < TREE_MAJOR_ROWS ? TREE_MAJOR_ROWS : rows > SCAN_MAX_ROWS ? SCAN_MAX_ROWS : rows;
    return p;
}

/* numpy's sum of exp(a[i] - m), i < n, as its row sums add (pairwise: a
 * plain loop below 8, then eight interleaved partial sums, halves above
 * 128; checked against numpy 1.24 and 2.4). Each exp is taken where numpy
 * would read the stored value, so no buffer is needed. */
static double numpy_sum_exp(const double *a, int n, double m) {
    if (n < 8) {
        double s = -0.0;
        for (int i = 0; i < n; i++) s += exp(a[i] - m);
        return s;
    }
    if (n <= 128) {
        double r[8];
        for (int j = 0; j < 8; j++) r[j] = exp(a[j] - m);
        int i;
        for (i = 8; i < n - n % 8; i += 8)
            for (int j = 0; j < 8; j++) r[j] += exp(a[i + j] - m);
        double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) s += exp(a[i] - m);
        return s;
    }
    int h = n / 2;
    h -= h % 8;
    return numpy_sum_exp(a, h, m) + numpy_sum_exp(a + h, n - h, m);
}

/* One GB row: raw scores (n_acc, at raw) to outputs (n_values, at out);
 * out may start at raw (the row is read before it is written). The
 * formulas are sklearn's own, operation for operation. */
static void link_row(const hx_forest *f, const double *raw, double *out) {
    const int K = f->n_acc;
    switch (f->link) {
    case HX_FOREST_GB_LOGISTIC:
    case HX_FOREST_GB_EXPONENTIAL: {
        /* scipy.special.expit(x) = 1 / (1 + exp(-x)); proba[:, 0] = 1 - p1 */
        double x = f->link == HX_FOREST_GB_LOGISTIC ? raw[0] : 2.0 * raw[0];
        double p1 = 1.0 / (1.0 + exp(-x));
        out[1] = p1;
        out[0] = 1.0 - p1;
        break;
    }
    case HX_FOREST_GB_SOFTMAX:
    case HX_FOREST_GB_SOFTMAX_LSE: {
        double m = raw[0];
        for (int k = 1; k < K; k++)
            if (raw[k] > m) m = raw[k];
        double s = numpy_sum_exp(raw, K, m);
        if (f->link == HX_FOREST_GB_SOFTMAX) {
            /* sklearn.utils.extmath.softmax: exp(x - max) / sum */
            for (int k = 0; k < K; k++) out[k] = exp(raw[k] - m) / s;
        } else {
            /* sklearn 1.2: exp(raw - logsumexp(raw)), logsumexp = log(sum) + max */
            double lse = log(s) + m;
            for (int k = 0; k < K; k++) out[k] = exp(raw[k] - lse);
        }
        break;
    }
    default: /* identity */
        if (out != raw) memcpy(out, raw, (size_t)K * sizeof *out);
        break;
    }
}

/* Rows [r0, r0 + nr) (nr <= plan->block): sums started from init (zeros
 * for forests), every tree's leaf row added in tree order; then divided by
 * the tree count (forests), or the GB link applied unless raw is asked for.
 * Output rows are n_values wide (n_acc for raw); the sums are packed n_acc
 * wide at the start of the block's output and spread at the end. */
static void predict_block(const hx_forest *f, const predict_plan *plan, const float *x32, size_t r0,
                          size_t nr, double *out, bool raw, int32_t *leaf, uint64_t *bv,
                          uint8_t *bins) {
    const int K = f->n_acc, F = f->n_features;
    const int NV = raw ? K : f->n_values;
    double *acc = out + r0 * NV; /* acc + (r - r0) * K: row r's sums */
#define ACC(r) (acc + ((r) - r0) * K)
    for (size_t r = r0; r < r0 + nr; r++) memcpy(ACC(r), f->init, K * sizeof *acc);
    bool nan = has_nan(x32 + r0 * F, nr * (size_t)F);
    if (!nan && f->qs.words > 0) {
        /* Small trees, no NaN: QuickScorer finds each tree's exit leaf, for
         * QS_ROWS rows at a time so that their sums (each in tree order)
         * are independent chains of additions. */
        const int T = f->n_trees;
        for (size_t r = r0; r < r0 + nr; r += QS_ROWS) {
            int n = r0 + nr - r < QS_ROWS ? (int)(r0 + nr - r) : QS_ROWS;
            for (int j = 0; j < n; j++) hx_qs_row(&f->qs, x32 + (r + j) * F, bv, leaf + j * T);
            if (n == QS_ROWS && K <= 2) {
                double a[QS_ROWS][2];
                for (int j = 0; j < QS_ROWS; j++)
                    for (int k = 0; k < K; k++) a[j][k] = f->init[k];
                for (int t = 0; t < T; t++)
                    for (int j = 0; j < QS_ROWS; j++)
                        for (int k = 0; k < K; k++) a[j][k] += f->values[(size_t)leaf[j * T + t] * K + k];
                for (int j = 0; j < QS_ROWS; j++)
                    for (int k = 0; k < K; k++) ACC(r + j)[k] = a[j][k];
                continue;
            }
            for (int j = 0; j < n; j++) {
                double *ar = ACC(r + j);
                for (int t = 0; t < T; t++) add_slot(f, leaf[j * T + t], ar);
            }
        }
    } else if (plan->walk) {
        /* Bigger trees: rows binned (bit form: NaN included), then left
         * runs scanned; the block's rows through one tree at a time. */
        const hx_bitform *bf = hx_scan_bit_form(&f->scan, nan);
        const bool bit_form = bf != NULL;
        const size_t rb = bf ? bf->row : f->scan.row_bytes;
        if (bf)
            hx_scan_bit_rows(bf, F, x32 + r0 * F, nr, bins);
        else
            hx_scan_bin_rows(&f->scan, x32 + r0 * F, nr, bins);
        const int32_t *right = f->scan.right;
        if (nr >= TREE_MAJOR_ROWS) {
            for (int t = 0; t < f->n_trees; t++) {
                if (bf)
                    hx_scan_walk_bits(bf, right, bins, rb, &f->root[t], 0, (int)nr, leaf);
                else
                    plan->walk(&f->scan, bins, rb, &f->root[t], 0, (int)nr, leaf);
                add_leaves(f, leaf, nr, acc);
            }
        } else {
            for (size_t r = 0; r < nr; r++) {
                if (bf)
                    hx_scan_walk_bits(bf, right, bins + r * rb, 0, f->root, 1, f->n_trees, leaf);
                else
                    plan->walk(&f->scan, bins + r * rb, 0, f->root, 1, f->n_trees, leaf);
                for (int t = 0; t < f->n_trees; t++) add_leaf(f, leaf[t], ACC(r0 + r));
            }
        }
        /* Binned rows with NaN took some path: done again from the start. */
        for (size_t r = r0; nan && !bit_form && r < r0 + nr; r++) {
            if (!has_nan(x32 + r * F, (size_t)F)) continue;
            memcpy(ACC(r), f->init, K * sizeof *acc);
            hx_forest_walk_row(f->nodes, x32 + r * F, f->root, f->n_trees, leaf);
            for (int t = 0; t < f->n_trees; t++) add_leaf(f, leaf[t], ACC(r));
        }
    } else if (nr >= TREE_MAJOR_ROWS) {
        /* The block's rows through one tree at a time (it stays in cache). */
        for (int t = 0; t < f->n_trees; t++) {
            (nan ? hx_forest_walk : hx_forest_walk_no_nan)(f->nodes, x32 + r0 * F, (size_t)F,
                                                           &f->root[t], 0, (int)nr, leaf);
            for (size_t r = 0; r < nr; r++) add_leaf(f, leaf[r], ACC(r0 + r));
        }
    } else {
        /* One row through all trees, several in flight; summed in tree order. */
        for (size_t r = r0; r < r0 + nr; r++) {
            (nan ? hx_forest_walk_row : hx_forest_walk_row_no_nan)(f->nodes, x32 + r * F, f->root,
                                                                 f->n_trees, leaf);
            for (int t = 0; t < f->n_trees; t++) add_leaf(f, leaf[t], ACC(r));
        }
    }
    if (f->link == HX_FOREST_MEAN) {
        double d = (double)f->n_trees;
        for (size_t i = 0; i < nr * K; i++) acc[i] /= d;
    } else if (!raw && NV != K) {
        /* Binary: one raw score becomes two probabilities. Backwards, so
         * that row r's output (at 2r) never overwrites an unread score. */
        for (size_t i = nr; i-- > 0;) link_row(f, acc + i, acc + 2 * i);
    } else if (!raw) {
        for (size_t i = 0; i < nr; i++) link_row(f, acc + i * K, acc + i * K);
    }
#undef ACC
}

typedef struct {
    const hx_forest *f;
    const predict_plan *plan;
    const float *x32;
    size_t n_rows;
    double *out;
    bool raw;           /* raw scores, no link (GB) */
    int32_t *leaf;      /* per thread: scratch_len leaf indices */
    uint64_t *bv;       /* per thread: bv_len QuickScorer bitvector words */
    uint8_t *bins;      /* per thread: bins_len bytes of binned rows */
    size_t bins_len;
    size_t bv_len;
    size_t scratch_len; /* max(block, QS_ROWS * n_trees) */
} predict_ctx;

static void predict_task(void *ctx, size_t task, int thread) {
    predict_ctx *c = ctx;
    size_t block = c->plan->block, r0 = task * block;
    size_t nr = c->n_rows - r0 < block ? c->n_rows - r0 : block;
    predict_block(c->f, c->plan, c->x32, r0, nr, c->out, c->raw, c->leaf + (size_t)thread * c->scratch_len,
                  c->bv ? c->bv + (size_t)thread * c->bv_len : NULL,
                  c->bins ? c->bins + (size_t)thread * c->bins_len : NULL);
}

static hx_status predict(const hx_forest *f, const float *x32, size_t n_rows, double *out,
                         bool raw, hx_threadpool *pool, hx_error *err) {
    hx_status st = hx_forest_check_rows(f, x32, n_rows, err);
    if (st != HX_OK) return st;
    if (n_rows == 0) return HX_OK;
    predict_plan plan = plan_of(f, x32, n_rows);
    size_t n_tasks = (n_rows + plan.block - 1) / plan.block;
    int n_threads = n_tasks == 1 ? 1 : hx_threadpool_size(pool);
    size_t scratch = (size_t)f->n_trees * QS_ROWS > plan.block ? (size_t)f->n_trees * QS_ROWS
                                                                : plan.block;
    /* Small calls use the stack: batch-1 latency should not pay for malloc. */
    int32_t stack_leaf[1024];
    int32_t *leaf = (size_t)n_threads * scratch <= 1024 ? stack_leaf
                                                        : malloc((size_t)n_threads * scratch * sizeof *leaf);
    size_t bv_len = (size_t)f->n_trees * f->qs.words;
    uint64_t *bv = bv_len ? malloc((size_t)n_threads * bv_len * sizeof *bv) : NULL;
    size_t bins_len = plan.walk ? (n_rows < plan.block ? n_rows : plan.block) * plan.row_bytes : 0;
    uint8_t *bins = bins_len ? malloc((size_t)n_threads * bins_len) : NULL;
    if (!leaf || (bv_len && !bv) || (bins_len && !bins)) {
        if (leaf != stack_leaf) free(leaf);
        free(bv);
        free(bins);
        return hx_fail(err, HX_ENOMEM, "forest: out of memory");
    }
    predict_ctx c = {.f = f, .plan = &plan, .x32 = x32, .n_rows = n_rows, .out = out, .raw = raw, .leaf = leaf,
                     .bv = bv, .bv_len = bv_len, .bins = bins, .bins_len = bins_len,
                     .scratch_len = scratch};
    if (n_tasks == 1)
        predict_task(&c, 0, 0);
    else
        hx_parallel_for(pool, n_tasks, predict_task, &c);
    if (leaf != stack_leaf) free(leaf);
    free(bv);
    free(bins);
    return HX_OK;
}

hx_status hx_forest_predict(const hx_forest *f, const float *x32, size_t n_rows, double *out,
                            hx_threadpool *pool, hx_error *err) {
    return predict(f, x32, n_rows, out, false, pool, err);
}

hx_status hx_forest_predict_raw(const hx_forest *f, const float *x32, size_t n_rows, double *raw,
                                hx_threadpool *pool, hx_error *err) {
    return predict(f, x32, n_rows, raw, f->link != HX_FOREST_MEAN, pool, err);
}

hx_status hx_forest_predict_labels(const hx_forest *f, const float *x32, size_t n_rows,
                                   int32_t *labels, hx_threadpool *pool, hx_error *err) {
    if (f->task != HX_FOREST_CLASSIFIER)
        return hx_fail(err, HX_EINVAL, "forest: labels need a classifier");
    bool raw = f->label_rule == HX_FOREST_LABEL_RAW;
    int K = raw ? f->n_acc : f->n_values;
    double *buf = malloc((n_rows ? n_rows : 1) * (size_t)K * sizeof *buf);
    if (!buf) return hx_fail(err, HX_ENOMEM, "forest: out of memory");
    hx_status st = predict(f, x32, n_rows, buf, raw, pool, err);
    for (size_t r = 0; st == HX_OK && r < n_rows; r++) {
        const double *v = buf + r * K;
        /* sklearn >= 1.3 GB: binary class 1 iff raw >= 0, else argmax raw */
        labels[r] = raw && K == 1 ? (v[0] >= 0.0) : hx_forest_argmax(v, K);
    }
    free(buf);
    return st;
}

hx_status hx_forest_apply(const hx_forest *f, const float *x32, size_t n_rows, int32_t *leaves,
                          hx_error *err) {
    hx_status st = hx_forest_check_rows(f, x32, n_rows, err);
    if (st != HX_OK) return st;
    for (size_t r = 0; r < n_rows; r++) {
        int32_t *lr = leaves + r * f->n_trees;
        hx_forest_walk_row(f->nodes, x32 + r * f->n_features, f->root, f->n_trees, lr);
        for (int t = 0; t < f->n_trees; t++) lr[t] = f->orig_id[lr[t]];
    }
    return HX_OK;
}

int hx_forest_argmax(const double *p, int n) {
    int best = 0;
    for (int k = 1; k < n; k++)
        if (p[k] > p[best]) best = k;
    return best;
}
