/* QuickScorer exit-leaf search for forests of small trees (tables and
 * contract in nn/forest_internal.h). A walk costs one dependent load chain
 * per level; QuickScorer instead scans each feature's thresholds in
 * ascending order while the row's value exceeds them, so its cost follows
 * the number of false nodes, with predictable branches. The leaf found is
 * exactly the walk's: every leaf left of the exit leaf lies in the left
 * subtree of a false ancestor (cleared), and the exit leaf is in no false
 * node's left subtree (kept). */
#include <stdlib.h>
#include <string.h>

#include "nn/forest_internal.h"

void hx_qs_free(hx_qs *qs) {
    free(qs->feat_start);
    free(qs->nodes);
    free(qs->first_slot);
    memset(qs, 0, sizeof *qs);
}

/* Leaves in the subtree rooted at i (pre-order, left child i + 1): the
 * subtree spans nodes [i, end[i]). */
static int cmp_node(const void *a, const void *b) {
    const hx_qs_node *x = a, *y = b;
    if (x->thr != y->thr) return x->thr < y->thr ? -1 : 1;
    if (x->tree != y->tree) return x->tree < y->tree ? -1 : 1;
    return (int)x->lo - (int)y->lo;
}

int hx_qs_build(hx_qs *qs, const hx_fnode *nodes, const int32_t *roots, const int32_t *tree_end,
                const int32_t *node_slot, int n_trees, int n_features) {
    memset(qs, 0, sizeof *qs);
    /* Leaves per tree bound the bitvector width. */
    int max_leaves = 0;
    int64_t n_internal = 0;
    for (int t = 0; t < n_trees; t++) {
        int leaves = 0;
        for (int32_t i = roots[t]; i < tree_end[t]; i++) leaves += nodes[i].right == i;
        if (leaves > max_leaves) max_leaves = leaves;
        if (max_leaves > 64 * HX_QS_MAX_WORDS) return 0;
        n_internal += (tree_end[t] - roots[t]) - leaves;
    }
    int words = (max_leaves + 63) / 64;
    qs->n_trees = n_trees;
    qs->n_features = n_features;
    qs->words = words;
    qs->feat_start = calloc((size_t)n_features + 1, sizeof *qs->feat_start);
    qs->nodes = malloc((size_t)(n_internal > 0 ? n_internal : 1) * sizeof *qs->nodes);
    qs->first_slot = malloc((size_t)n_trees * sizeof *qs->first_slot);
    int32_t *fill = calloc((size_t)n_features, sizeof *fill);
    /* first_leaf[i - root]: number of leaves before node i in its tree. */
    int32_t max_nodes = 0;
    for (int t = 0; t < n_trees; t++)
        if (tree_end[t] - roots[t] > max_nodes) max_nodes = tree_end[t] - roots[t];
    int32_t *first_leaf = malloc(((size_t)max_nodes + 1) * sizeof *first_leaf);
    if (!qs->feat_start || !qs->nodes || !qs->first_slot || !fill || !first_leaf) {
        free(fill);
        free(first_leaf);
        hx_qs_free(qs);
        return -1;
    }
    for (int t = 0; t < n_trees; t++)
        for (int32_t i = roots[t]; i < tree_end[t]; i++)
            if (nodes[i].right != i) qs->feat_start[(nodes[i].feat & ~HX_FOREST_NAN_LEFT) + 1]++;
    for (int f = 0; f < n_features; f++) qs->feat_start[f + 1] += qs->feat_start[f];
    for (int t = 0; t < n_trees; t++) {
        int32_t root = roots[t], n = tree_end[t] - root;
        /* Pre-order: the leaves before node i are exactly the leaves among
         * nodes [root, i); leaf order by pre-order is left to right. */
        int32_t count = 0;
        for (int32_t k = 0; k < n; k++) {
            first_leaf[k] = count;
            if (nodes[root + k].right == root + k) {
                if (count == 0) qs->first_slot[t] = node_slot[root + k];
                count++;
            }
        }
        first_leaf[n] = count;
        for (int32_t k = 0; k < n; k++) {
            const hx_fnode *nd = &nodes[root + k];
            if (nd->right == root + k) continue;
            /* The left subtree is nodes [i + 1, right): its leaves are
             * [first_leaf[k + 1], first_leaf[right - root]). */
            uint32_t f = nd->feat & ~HX_FOREST_NAN_LEFT;
            hx_qs_node *q = &qs->nodes[qs->feat_start[f] + fill[f]++];
            q->thr = nd->thr;
            q->tree = (uint32_t)t;
            q->lo = (uint16_t)first_leaf[k + 1];
            q->hi = (uint16_t)first_leaf[nd->right - root];
        }
    }
    for (int f = 0; f < n_features; f++)
        qsort(qs->nodes + qs->feat_start[f], (size_t)(qs->feat_start[f + 1] - qs->feat_start[f]),
              sizeof *qs->nodes, cmp_node);
    free(fill);
    free(first_leaf);
    return 1;
}

/* Clears bits [lo, hi) of a bitvector of `words` 64-bit words. */
static inline void clear_range(uint64_t *bv, unsigned lo, unsigned hi) {
    unsigned w0 = lo >> 6, w1 = (hi - 1) >> 6;
    uint64_t m0 = ~0ull << (lo & 63);
    uint64_t m1 = ~0ull >> (63 - ((hi - 1) & 63));
    if (w0 == w1) {
        bv[w0] &= ~(m0 & m1);
        return;
    }
    bv[w0] &= ~m0;
    for (unsigned w = w0 + 1; w < w1; w++) bv[w] = 0;
    bv[w1] &= ~m1;
}

void hx_qs_row(const hx_qs *qs, const float *row, uint64_t *bv, int32_t *slot) {
    const int W = qs->words;
    memset(bv, 0xff, (size_t)qs->n_trees * W * sizeof *bv);
    for (int f = 0; f < qs->n_features; f++) {
        float x = row[f];
        const hx_qs_node *q = qs->nodes + qs->feat_start[f], *end = qs->nodes + qs->feat_start[f + 1];
        for (; q < end && !(x <= q->thr); q++) clear_range(bv + (size_t)q->tree * W, q->lo, q->hi);
    }
    for (int t = 0; t < qs->n_trees; t++) {
        const uint64_t *b = bv + (size_t)t * W;
        int w = 0;
        while (b[w] == 0) w++; /* the exit leaf always survives */
        slot[t] = qs->first_slot[t] + 64 * w + __builtin_ctzll(b[w]);
    }
}
