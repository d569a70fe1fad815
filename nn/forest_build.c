/* Building the forest evaluator from scikit-learn's arrays (semantics in
 * include/helix/forest.h and docs/forest-format.md): the arrays are checked
 * (structure, ranges, finite values, boosting fields), each tree is
 * renumbered in depth-first pre-order into 12-byte hx_fnode records (the
 * left child is the next node; a leaf points to itself on the right), leaf
 * rows are gathered in the leaves' pre-order, and then the QuickScorer
 * tables (trees of at most 256 leaves) or the left-run scan tables (bigger
 * trees) are built when the forest fits them. Evaluation is in
 * nn/forest_predict.c.
 *
 * Exactness: thresholds are stored as floor32(t), the largest float <= t, so
 * that for a float32 input x, `x <= floor32(t)` equals sklearn's
 * `(double)x <= t`.
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

/* Places tree t in pre-order at nodes *next.., its leaf rows at *slot..:
 * pop a node, give it the next index, push right then left so that the
 * left subtree follows. A parent learns its right child's new index by
 * being patched when that child is placed. scratch holds the tree's node
 * count of int32, stack as many. */
static hx_status place_tree(const hx_forest_arrays *a, int t, hx_forest *f, int32_t *scratch,
                            int32_t *stack, int32_t *next, int32_t *slot, hx_error *err) {
    const int n_acc = f->n_acc;
    int64_t base = a->tree_offset[t];
    int32_t *new_parent = scratch; /* per old node: new index of its parent */
    int32_t sp = 0;
    stack[sp++] = 0;
    new_parent[0] = -1;
    f->root[t] = *next;
    while (sp > 0) {
        int32_t old = stack[--sp];
        int32_t me = (*next)++;
        hx_fnode *nd = &f->nodes[me];
        int32_t p = new_parent[old];
        if (p >= 0) {
            /* The old id tells which side; a left child is placed right
             * after its parent (pre-order) and needs no patch. */
            int32_t pold = f->orig_id[p];
            if (a->left[base + pold] != old) f->nodes[p].right = me;
        }
        f->orig_id[me] = old;
        int32_t l = a->left[base + old], r = a->right[base + old];
        if (l == -1) {
            nd->thr = -INFINITY;
            nd->feat = 0;
            nd->right = me;
            f->leaf_slot[me] = *slot;
            double *row = f->values + (size_t)*slot * n_acc;
            if (a->link == HX_FOREST_MEAN) {
                memcpy(row, a->value + (base + old) * n_acc, (size_t)n_acc * sizeof(double));
            } else {
                /* sklearn's learning_rate * value, rounded once here. */
                for (int k = 0; k < n_acc; k++) row[k] = 0.0;
                row[t % n_acc] = a->learning_rate * a->value[base + old];
                if (!isfinite(row[t % n_acc]))
                    return hx_fail(err, HX_EFORMAT, "tree %d node %d: scaled leaf value overflows", t,
                                   (int)old);
            }
            (*slot)++;
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

    int32_t next = 0, slot = 0;
    for (int t = 0; t < a->n_trees && st == HX_OK; t++)
        st = place_tree(a, t, f, scratch, stack, &next, &slot, err);
    if (st != HX_OK) goto fail;
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
