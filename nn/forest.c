/* Random-forest evaluator exact to scikit-learn (semantics in
 * include/helix/forest.h and docs/forest-format.md).
 *
 * Three evaluators, chosen per forest and block of rows; all find exactly
 * the leaf of sklearn's walk, so the choice never changes a bit of the
 * output (docs/forest-format.md has the details and measurements).
 *  - QuickScorer (nn/forest_qs.c), for forests whose trees have at most 256
 *    leaves, on NaN-free rows: per row, each feature's thresholds are scanned
 *    in ascending order while the value exceeds them, clearing leaf ranges in
 *    per-tree bitvectors; no dependent load chain, predictable branches.
 *  - Left-run scan (nn/forest_scan*.c), for bigger trees: rows recoded as
 *    bins or bits, then each walk's runs of left moves (consecutive nodes in
 *    pre-order) tested 8-64 nodes per step. 9x the walkers below on the
 *    fully grown HPO forest.
 *  - Walkers, for the rest: all trees' nodes in one flat array of 12-byte
 *    records, each tree renumbered in depth-first pre-order (the left child
 *    is the next node; a leaf points to itself on the right). Several walks
 *    advance together, one step each per pass, so their memory loads
 *    overlap; a walk that reaches its leaf hands its lane to the next one.
 *    The walks in flight are either rows of a block through one tree (big
 *    batches: the tree stays in cache for the block) or one row through
 *    successive trees (latency). Blocks without NaN take a shorter step.
 *
 * Exactness: thresholds are stored as floor32(t), the largest float <= t, so
 * that for a float32 input x, `x <= floor32(t)` equals sklearn's
 * `(double)x <= t`. Leaf rows are added in double in tree order and divided
 * by the tree count at the end, which is what sklearn's forest does.
 *
 * Gradient boosting reuses all of it: sklearn adds learning_rate * value
 * (the product rounded to double) to raw[k] stage by stage, so the leaf
 * rows hold that product, pre-computed, in column k = tree % n_raw and
 * +0.0 elsewhere; the sums start from init_raw instead of 0 and end with
 * the link instead of the division. Adding +0.0 changes no value except
 * -0.0 (to +0.0), and the zeros exist only for multiclass models, whose
 * softmax maps both zeros alike. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "helix/forest.h"
#include "nn/forest_internal.h"

#define NAN_LEFT HX_FOREST_NAN_LEFT
#define LANES 16 /* walks in flight (scalar walker) */
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

typedef hx_fnode fnode;

struct hx_forest {
    hx_forest_task task;
    int n_features, n_values, n_trees, max_depth;
    int64_t n_nodes;
    bool allow_nan;
    hx_forest_link link;
    hx_forest_label_rule label_rule;
    int n_acc;          /* sums per row: n_values, or n_raw for GB */
    double *init;       /* n_acc: where the sums start (zeros for forests) */
    fnode *nodes;
    int32_t *root;      /* n_trees */
    int32_t *leaf_slot; /* per node: row of `values` (leaves), -1 inside */
    int32_t *orig_id;   /* per node: sklearn's node id within its tree */
    double *values;     /* n_leaves x n_acc */
    hx_qs qs;           /* QuickScorer tables; qs.words == 0 when not built */
    hx_scan scan;       /* left-run scan tables (bigger trees); node NULL when not built */
};

int64_t hx_forest_arrays_nodes(const hx_forest_arrays *a) {
    return a->tree_offset ? a->tree_offset[a->n_trees] : 0;
}

void hx_forest_arrays_free(hx_forest_arrays *a) {
    if (!a) return;
    if (a->feature_names)
        for (int i = 0; i < a->n_features; i++) free(a->feature_names[i]);
    if (a->classes)
        for (int i = 0; i < a->n_values; i++) free(a->classes[i]);
    free(a->feature_names);
    free(a->classes);
    free(a->estimator);
    free(a->sklearn_version);
    free(a->tree_offset);
    free(a->left);
    free(a->right);
    free(a->feature);
    free(a->threshold);
    free(a->missing_left);
    free(a->value);
    free(a->init_raw);
    memset(a, 0, sizeof *a);
}

int32_t hx_forest_arrays_value_cols(const hx_forest_arrays *a) {
    return a->link == HX_FOREST_MEAN ? a->n_values : 1;
}

static const char *const LINK_NAMES[HX_FOREST_LINK_COUNT] = {
    "mean", "identity", "logistic", "exponential", "softmax", "softmax_logsumexp"};

const char *hx_forest_link_name(hx_forest_link link) {
    return (unsigned)link < HX_FOREST_LINK_COUNT ? LINK_NAMES[link] : "unknown";
}

int hx_forest_link_parse(const char *name) {
    for (int i = 0; name && i < HX_FOREST_LINK_COUNT; i++)
        if (!strcmp(name, LINK_NAMES[i])) return i;
    return -1;
}

/* The largest float <= t (t not NaN). */
static float floor32(double t) {
    float f = (float)t;
    if ((double)f > t) f = nextafterf(f, -INFINITY);
    return f;
}

/* Checks one tree's arrays (nodes [0, n) of the tree starting at base) and
 * returns its depth and leaf count. */
static hx_status check_tree(const hx_forest_arrays *a, int t, int64_t base, int32_t n,
                            int32_t *scratch, int *depth_out, int64_t *leaves_out,
                            hx_error *err) {
    int32_t *parents = scratch, *depth = scratch + n;
    memset(parents, 0, (size_t)n * 2 * sizeof *scratch);
    int max_depth = 0;
    int64_t leaves = 0;
    for (int32_t i = 0; i < n; i++) {
        int32_t l = a->left[base + i], r = a->right[base + i];
        if (l == -1 && r == -1) {
            const int32_t w = hx_forest_arrays_value_cols(a);
            const double *v = a->value + (base + i) * w;
            for (int k = 0; k < w; k++)
                if (!isfinite(v[k]))
                    return hx_fail(err, HX_EFORMAT, "tree %d node %d: leaf value not finite", t, i);
            leaves++;
            continue;
        }
        if (l <= i || r <= i || l >= n || r >= n)
            return hx_fail(err, HX_EFORMAT,
                           "tree %d node %d: child index out of range or not after its parent", t, i);
        int32_t f = a->feature[base + i];
        if (f < 0 || f >= a->n_features)
            return hx_fail(err, HX_EFORMAT, "tree %d node %d: feature %d out of range [0, %d)",
                           t, i, (int)f, (int)a->n_features);
        if (isnan(a->threshold[base + i]))
            return hx_fail(err, HX_EFORMAT, "tree %d node %d: threshold is NaN", t, i);
        if (a->missing_left && a->missing_left[base + i] > 1)
            return hx_fail(err, HX_EFORMAT, "tree %d node %d: missing_go_to_left not 0/1", t, i);
        parents[l]++;
        parents[r]++;
        depth[l] = depth[r] = depth[i] + 1;
        if (depth[l] > max_depth) max_depth = depth[l];
    }
    for (int32_t i = 1; i < n; i++)
        if (parents[i] != 1)
            return hx_fail(err, HX_EFORMAT, "tree %d node %d: has %d parents, not 1", t, i,
                           (int)parents[i]);
    *depth_out = max_depth;
    *leaves_out = leaves;
    return HX_OK;
}

void hx_forest_free(hx_forest *f) {
    if (!f) return;
    free(f->nodes);
    free(f->root);
    free(f->leaf_slot);
    free(f->orig_id);
    free(f->values);
    free(f->init);
    hx_qs_free(&f->qs);
    hx_scan_free(&f->scan);
    free(f);
}

/* The gradient-boosting fields agree with each other and the task. */
static hx_status check_boosting(const hx_forest_arrays *a, hx_error *err) {
    hx_forest_link L = a->link;
    if ((unsigned)L >= HX_FOREST_LINK_COUNT)
        return hx_fail(err, HX_EFORMAT, "forest: unknown link %d", (int)L);
    if (a->label_rule != HX_FOREST_LABEL_ARGMAX_PROBA && a->label_rule != HX_FOREST_LABEL_RAW)
        return hx_fail(err, HX_EFORMAT, "forest: unknown label rule %d", (int)a->label_rule);
    if (L == HX_FOREST_MEAN) {
        /* (value then has n_values columns: a forest must not carry
         * boosting fields, whose arrays were sized for one.) */
        if (a->label_rule != HX_FOREST_LABEL_ARGMAX_PROBA || a->n_raw != 0 || a->init_raw)
            return hx_fail(err, HX_EFORMAT, "forest: boosting fields on a model that is not boosted");
        return HX_OK;
    }
    bool reg = a->task == HX_FOREST_REGRESSOR;
    bool ok = L == HX_FOREST_GB_IDENTITY ? reg && a->n_raw == 1
              : L == HX_FOREST_GB_LOGISTIC || L == HX_FOREST_GB_EXPONENTIAL
                  ? !reg && a->n_values == 2 && a->n_raw == 1
                  : !reg && a->n_values >= 3 && a->n_raw == a->n_values;
    if (!ok)
        return hx_fail(err, HX_EFORMAT, "forest: link %s does not fit a %s with %d outputs and %d raw scores",
                       hx_forest_link_name(L), reg ? "regressor" : "classifier", (int)a->n_values,
                       (int)a->n_raw);
    if (a->n_trees % a->n_raw != 0)
        return hx_fail(err, HX_EFORMAT, "forest: %d trees is not a whole number of stages of %d",
                       (int)a->n_trees, (int)a->n_raw);
    if (a->allow_nan)
        return hx_fail(err, HX_EFORMAT, "forest: gradient boosting does not accept NaN");
    if (!isfinite(a->learning_rate))
        return hx_fail(err, HX_EFORMAT, "forest: learning rate not finite");
    if (!a->init_raw) return hx_fail(err, HX_EFORMAT, "forest: no initial raw scores");
    for (int k = 0; k < a->n_raw; k++)
        if (!isfinite(a->init_raw[k]))
            return hx_fail(err, HX_EFORMAT, "forest: initial raw score %d not finite", k);
    return HX_OK;
}

hx_status hx_forest_build(const hx_forest_arrays *a, hx_forest **out, hx_error *err) {
    *out = NULL;
    if (a->n_features < 1 || a->n_values < 1 || a->n_trees < 1 || !a->tree_offset ||
        (a->task != HX_FOREST_CLASSIFIER && a->task != HX_FOREST_REGRESSOR))
        return hx_fail(err, HX_EINVAL, "forest: empty or malformed model description");
    if (a->task == HX_FOREST_REGRESSOR && a->n_values != 1)
        return hx_fail(err, HX_EUNSUPPORTED, "forest: multi-output regression is not supported");
    if (a->allow_nan && !a->missing_left)
        return hx_fail(err, HX_EFORMAT, "forest: accepts NaN but has no missing_go_to_left");
    if (a->tree_offset[0] != 0)
        return hx_fail(err, HX_EFORMAT, "forest: first tree offset is not 0");
    hx_status gst = check_boosting(a, err);
    if (gst != HX_OK) return gst;
    const int n_acc = a->link == HX_FOREST_MEAN ? a->n_values : a->n_raw;
    int32_t max_nodes = 0;
    for (int t = 0; t < a->n_trees; t++) {
        int64_t n = a->tree_offset[t + 1] - a->tree_offset[t];
        if (n < 1 || n > INT32_MAX / 4)
            return hx_fail(err, HX_EFORMAT, "forest: tree %d has a bad node count", t);
        if (n > max_nodes) max_nodes = (int32_t)n;
    }
    int64_t total = a->tree_offset[a->n_trees];
    if (total > INT32_MAX / 2 || (int64_t)a->n_values > INT32_MAX / total ||
        (int64_t)n_acc > INT32_MAX / total)
        return hx_fail(err, HX_ERANGE, "forest: too many nodes (%lld)", (long long)total);

    hx_forest *f = calloc(1, sizeof *f);
    int32_t *scratch = malloc((size_t)max_nodes * 2 * sizeof *scratch);
    int32_t *stack = malloc((size_t)max_nodes * sizeof *stack);
    if (!f || !scratch || !stack) {
        free(scratch);
        free(stack);
        free(f);
        return hx_fail(err, HX_ENOMEM, "forest: out of memory");
    }
    f->task = a->task;
    f->n_features = a->n_features;
    f->n_values = a->n_values;
    f->n_trees = a->n_trees;
    f->allow_nan = a->allow_nan;
    f->link = a->link;
    f->label_rule = a->label_rule;
    f->n_acc = n_acc;
    f->n_nodes = total;
    hx_status st = HX_OK;
    int64_t n_leaves = 0;
    for (int t = 0; t < a->n_trees && st == HX_OK; t++) {
        int depth = 0;
        int64_t leaves = 0;
        int64_t base = a->tree_offset[t];
        st = check_tree(a, t, base, (int32_t)(a->tree_offset[t + 1] - base), scratch, &depth,
                        &leaves, err);
        if (st == HX_OK) {
            if (depth > f->max_depth) f->max_depth = depth;
            n_leaves += leaves;
        }
    }
    if (st != HX_OK) goto fail;
    f->nodes = malloc((size_t)total * sizeof *f->nodes);
    f->root = malloc((size_t)a->n_trees * sizeof *f->root);
    f->leaf_slot = malloc((size_t)total * sizeof *f->leaf_slot);
    f->orig_id = malloc((size_t)total * sizeof *f->orig_id);
    f->values = malloc((size_t)n_leaves * n_acc * sizeof *f->values);
    f->init = calloc((size_t)n_acc, sizeof *f->init);
    if (!f->nodes || !f->root || !f->leaf_slot || !f->orig_id || !f->values || !f->init) {
        st = hx_fail(err, HX_ENOMEM, "forest: out of memory");
        goto fail;
    }

    /* Renumber each tree in pre-order: pop a node, give it the next index,
     * push right then left so the left subtree follows. A parent learns its
     * children's new indices by being patched when they are placed. */
    int32_t next = 0, slot = 0;
    for (int t = 0; t < a->n_trees; t++) {
        int64_t base = a->tree_offset[t];
        int32_t *new_parent = scratch; /* per old node: new index of its parent */
        int32_t sp = 0;
        stack[sp++] = 0;
        new_parent[0] = -1;
        f->root[t] = next;
        while (sp > 0) {
            int32_t old = stack[--sp];
            int32_t me = next++;
            fnode *nd = &f->nodes[me];
            int32_t p = new_parent[old];
            if (p >= 0) {
                /* The old id tells which side; a left child is placed
                 * right after its parent (pre-order) and needs no patch. */
                int32_t pold = f->orig_id[p];
                if (a->left[base + pold] != old) f->nodes[p].right = me;
            }
            f->orig_id[me] = old;
            int32_t l = a->left[base + old], r = a->right[base + old];
            if (l == -1) {
                nd->thr = -INFINITY;
                nd->feat = 0;
                nd->right = me;
                f->leaf_slot[me] = slot;
                double *row = f->values + (size_t)slot * n_acc;
                if (a->link == HX_FOREST_MEAN) {
                    memcpy(row, a->value + (base + old) * n_acc, (size_t)n_acc * sizeof(double));
                } else {
                    /* sklearn's learning_rate * value, rounded once here. */
                    for (int k = 0; k < n_acc; k++) row[k] = 0.0;
                    row[t % n_acc] = a->learning_rate * a->value[base + old];
                    if (!isfinite(row[t % n_acc])) {
                        st = hx_fail(err, HX_EFORMAT, "tree %d node %d: scaled leaf value overflows",
                                     t, (int)old);
                        goto fail;
                    }
                }
                slot++;
            } else {
                nd->thr = floor32(a->threshold[base + old]);
                nd->feat = (uint32_t)a->feature[base + old] |
                           (a->missing_left && a->missing_left[base + old] ? NAN_LEFT : 0u);
                nd->right = -1; /* patched when the right child is placed */
                f->leaf_slot[me] = -1;
                new_parent[r] = me;
                new_parent[l] = me;
                stack[sp++] = r;
                stack[sp++] = l;
            }
        }
    }
    /* Small trees also get QuickScorer tables (used for NaN-free rows). */
    int32_t *tree_end = malloc((size_t)a->n_trees * sizeof *tree_end);
    if (!tree_end) {
        st = hx_fail(err, HX_ENOMEM, "forest: out of memory");
        goto fail;
    }
    for (int t = 0; t < a->n_trees; t++) tree_end[t] = t + 1 < a->n_trees ? f->root[t + 1] : next;
    int qs = hx_qs_build(&f->qs, f->nodes, f->root, tree_end, f->leaf_slot, a->n_trees,
                         a->n_features);
    free(tree_end);
    /* Bigger trees get the scan tables instead. */
    int sc = qs == 0 ? hx_scan_build(&f->scan, f->nodes, total, a->n_features) : 0;
    if (qs < 0 || sc < 0) {
        st = hx_fail(err, HX_ENOMEM, "forest: out of memory");
        goto fail;
    }
    if (a->link != HX_FOREST_MEAN) memcpy(f->init, a->init_raw, (size_t)n_acc * sizeof *f->init);
    free(scratch);
    free(stack);
    *out = f;
    return HX_OK;
fail:
    free(scratch);
    free(stack);
    hx_forest_free(f);
    return st;
}

hx_forest_task hx_forest_task_of(const hx_forest *f) { return f->task; }
int hx_forest_n_features(const hx_forest *f) { return f->n_features; }
int hx_forest_n_values(const hx_forest *f) { return f->n_values; }
int hx_forest_n_trees(const hx_forest *f) { return f->n_trees; }
bool hx_forest_allow_nan(const hx_forest *f) { return f->allow_nan; }
int hx_forest_max_depth(const hx_forest *f) { return f->max_depth; }
hx_forest_link hx_forest_link_of(const hx_forest *f) { return f->link; }
int hx_forest_n_raw(const hx_forest *f) { return f->n_acc; }

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

/* i + 1 if go_left (0 or 1), else right, written with a mask so that the
 * compiler emits no branch (the NaN-aware step; see step_no_nan). */
static inline int32_t select_child(int32_t i, int32_t right, uint32_t go_left) {
    int32_t mask = -(int32_t)go_left;
    return right ^ ((right ^ (i + 1)) & mask);
}

/* One step of a walk: x <= thr, or NaN with NAN_LEFT, goes left (to i + 1);
 * a leaf fails the test and points to itself. Branch-free. */
static inline int32_t step(const fnode *nodes, int32_t i, const float *row) {
    const fnode *nd = &nodes[i];
    float v = row[nd->feat & ~NAN_LEFT];
    uint32_t go_left = (uint32_t)(v <= nd->thr) | ((uint32_t)(v != v) & (nd->feat >> 31));
    return select_child(i, nd->right, go_left);
}

/* The same for rows known to hold no NaN (fewer instructions). Left as a
 * branch: on the sparse HPO rows measured the direction is predictable
 * and speculation runs ahead of the loads (the masked select was 13% slower
 * on the fully grown forest). */
static inline int32_t step_no_nan(const fnode *nodes, int32_t i, const float *row) {
    const fnode *nd = &nodes[i];
    return row[nd->feat & ~NAN_LEFT] <= nd->thr ? i + 1 : nd->right;
}

static inline bool is_leaf(const fnode *nodes, int32_t i) { return nodes[i].right == i; }

/* The portable walkers (contract in nn/forest_internal.h): LANES walks in
 * flight, one step each per pass, so their memory loads overlap; a lane
 * whose walk arrives hands over to the next job at once, so deep paths do
 * not hold the other lanes back. */
#define DEFINE_WALKER(NAME, STEP)                                                                   \
    void NAME(const fnode *nodes, const float *x, size_t row_stride, const int32_t *roots,         \
              size_t root_stride, int n_jobs, int32_t *leaf) {                                     \
        int32_t idx[LANES];                                                                         \
        int job[LANES];                                                                             \
        const float *row[LANES];                                                                    \
        int active = 0, next = 0;                                                                   \
        for (; active < LANES && next < n_jobs; active++, next++) {                                 \
            job[active] = next;                                                                     \
            row[active] = x + (size_t)next * row_stride;                                            \
            idx[active] = roots[(size_t)next * root_stride];                                        \
        }                                                                                           \
        while (active > 0) {                                                                        \
            for (int l = 0; l < active; l++) {                                                      \
                int32_t i = idx[l];                                                                 \
                if (!is_leaf(nodes, i)) {                                                           \
                    idx[l] = STEP(nodes, i, row[l]);                                                \
                    continue;                                                                       \
                }                                                                                   \
                leaf[job[l]] = i;                                                                   \
                if (next < n_jobs) {                                                                \
                    job[l] = next;                                                                  \
                    row[l] = x + (size_t)next * row_stride;                                         \
                    idx[l] = roots[(size_t)next * root_stride];                                     \
                    next++;                                                                         \
                } else {                                                                            \
                    active--;                                                                       \
                    job[l] = job[active];                                                           \
                    row[l] = row[active];                                                           \
                    idx[l] = idx[active];                                                           \
                    l--; /* this lane now holds another walk */                                     \
                }                                                                                   \
            }                                                                                       \
        }                                                                                           \
    }

DEFINE_WALKER(hx_forest_walk_scalar, step)
static DEFINE_WALKER(walk_no_nan, step_no_nan)

/* Walkers with their lanes in registers: NL lanes take PASSES steps each
 * without looking (a finished walk stays on its leaf, which points to
 * itself), then arrived lanes hand over to the next jobs; a lane with no
 * job left stays parked on its leaf, no longer recorded. Fewer
 * instructions per step than the lane-array walkers above, which remain
 * for fewer than NL jobs. (NL 8 / PASSES 4 measured best of 8-16 / 2-8.) */
#define NL 8
#define PASSES 4
#define DEFINE_REG_WALKER(NAME, STEP, SMALL)                                                        \
    static void NAME(const fnode *nodes, const float *x, size_t row_stride, const int32_t *roots,  \
                     size_t root_stride, int n_jobs, int32_t *leaf) {                              \
        if (n_jobs < NL) {                                                                          \
            SMALL(nodes, x, row_stride, roots, root_stride, n_jobs, leaf);                          \
            return;                                                                                 \
        }                                                                                           \
        int32_t idx[NL];                                                                            \
        const float *row[NL];                                                                       \
        int job[NL];                                                                                \
        int next = 0, live = NL;                                                                    \
        for (int l = 0; l < NL; l++, next++) {                                                      \
            job[l] = next;                                                                          \
            row[l] = x + (size_t)next * row_stride;                                                 \
            idx[l] = roots[(size_t)next * root_stride];                                             \
        }                                                                                           \
        while (live > 0) {                                                                          \
            for (int p = 0; p < PASSES; p++) {                                                      \
                _Pragma("GCC unroll 8") for (int l = 0; l < NL; l++) idx[l] =                       \
                    STEP(nodes, idx[l], row[l]);                                                    \
            }                                                                                       \
            _Pragma("GCC unroll 8") for (int l = 0; l < NL; l++) {                                  \
                if (job[l] >= 0 && is_leaf(nodes, idx[l])) {                                        \
                    leaf[job[l]] = idx[l];                                                          \
                    if (next < n_jobs) {                                                            \
                        job[l] = next;                                                              \
                        row[l] = x + (size_t)next * row_stride;                                     \
                        idx[l] = roots[(size_t)next * root_stride];                                 \
                        next++;                                                                     \
                    } else {                                                                        \
                        job[l] = -1;                                                                \
                        live--;                                                                     \
                    }                                                                               \
                }                                                                                   \
            }                                                                                       \
        }                                                                                           \
    }

DEFINE_REG_WALKER(walk_regs, step, hx_forest_walk_scalar)
DEFINE_REG_WALKER(walk_no_nan_regs, step_no_nan, walk_no_nan)

/* One row through successive trees (job j = tree j): as the register
 * walkers, with the row shared by every lane, which leaves registers for
 * more lanes. */
#define NL1 12
#define DEFINE_ROW_WALKER(NAME, STEP, SMALL)                                                        \
    static void NAME(const fnode *nodes, const float *x, const int32_t *roots, int n_jobs,          \
                     int32_t *leaf) {                                                               \
        if (n_jobs < NL1) {                                                                         \
            SMALL(nodes, x, 0, roots, 1, n_jobs, leaf);                                             \
            return;                                                                                 \
        }                                                                                           \
        int32_t idx[NL1];                                                                           \
        int job[NL1];                                                                               \
        int next = 0, live = NL1;                                                                   \
        for (int l = 0; l < NL1; l++, next++) {                                                     \
            job[l] = next;                                                                          \
            idx[l] = roots[next];                                                                   \
        }                                                                                           \
        while (live > 0) {                                                                          \
            for (int p = 0; p < PASSES; p++) {                                                      \
                _Pragma("GCC unroll 12") for (int l = 0; l < NL1; l++) idx[l] =                     \
                    STEP(nodes, idx[l], x);                                                         \
            }                                                                                       \
            _Pragma("GCC unroll 12") for (int l = 0; l < NL1; l++) {                                \
                if (job[l] >= 0 && is_leaf(nodes, idx[l])) {                                        \
                    leaf[job[l]] = idx[l];                                                          \
                    if (next < n_jobs) {                                                            \
                        job[l] = next;                                                              \
                        idx[l] = roots[next];                                                       \
                        next++;                                                                     \
                    } else {                                                                        \
                        job[l] = -1;                                                                \
                        live--;                                                                     \
                    }                                                                               \
                }                                                                                   \
            }                                                                                       \
        }                                                                                           \
    }

DEFINE_ROW_WALKER(walk_row, step, hx_forest_walk_scalar)
DEFINE_ROW_WALKER(walk_row_no_nan, step_no_nan, walk_no_nan)

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

static bool has_nan(const float *x, size_t n);

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
    p.block = rows < LANES ? LANES : rows > SCAN_MAX_ROWS ? SCAN_MAX_ROWS : rows;
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
        if (nr >= LANES) {
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
            walk_row(f->nodes, x32 + r * F, f->root, f->n_trees, leaf);
            for (int t = 0; t < f->n_trees; t++) add_leaf(f, leaf[t], ACC(r));
        }
    } else if (nr >= LANES) {
        /* The block's rows through one tree at a time (it stays in cache). */
        for (int t = 0; t < f->n_trees; t++) {
            (nan ? walk_regs : walk_no_nan_regs)(f->nodes, x32 + r0 * F, (size_t)F, &f->root[t], 0,
                                                 (int)nr, leaf);
            for (size_t r = 0; r < nr; r++) add_leaf(f, leaf[r], ACC(r0 + r));
        }
    } else {
        /* One row through all trees, several in flight; summed in tree order. */
        for (size_t r = r0; r < r0 + nr; r++) {
            (nan ? walk_row : walk_row_no_nan)(f->nodes, x32 + r * F, f->root, f->n_trees, leaf);
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
        hx_forest_walk_scalar(f->nodes, x32 + r * f->n_features, 0, f->root, 1, f->n_trees, lr);
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
