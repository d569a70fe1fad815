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

/* Order within a feature's list: ascending threshold, so that a row's
 * false nodes are a prefix. */
static int cmp_node(const void *a, const void *b) {
    const hx_qs_node *x = a, *y = b;
    if (x->thr != y->thr) return x->thr < y->thr ? -1 : 1;
    return x->word < y->word ? -1 : x->word > y->word; /* any fixed order */
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
            /* The leaves to clear: [lo, hi), never empty. */
            unsigned lo = (unsigned)first_leaf[k + 1], hi = (unsigned)first_leaf[nd->right - root];
            unsigned w0 = lo >> 6, w1 = (hi - 1) >> 6;
            uint64_t clear0 = ~0ull << (lo & 63), clear1 = ~0ull >> (63 - ((hi - 1) & 63));
            if (w0 == w1) clear0 = clear1 = clear0 & clear1;
            q->thr = nd->thr;
            q->word = (uint32_t)t * (uint32_t)words + w0;
            q->span = w1 - w0;
            q->pad = 0;
            q->keep0 = ~clear0;
            q->keep1 = ~clear1;
        }
    }
    for (int f = 0; f < n_features; f++)
        qsort(qs->nodes + qs->feat_start[f], (size_t)(qs->feat_start[f + 1] - qs->feat_start[f]),
              sizeof *qs->nodes, cmp_node);
    free(fill);
    free(first_leaf);
    return 1;
}

/* Clears a false node's left-subtree leaves. With one word, keep0 ==
 * keep1 and the same word is masked twice. */
static inline void clear_leaves(uint64_t *bv, const hx_qs_node *q) {
    uint64_t *w = bv + q->word;
    w[0] &= q->keep0;
    for (uint32_t k = 1; k < q->span; k++) w[k] = 0;
    w[q->span] &= q->keep1;
}

void hx_qs_row(const hx_qs *qs, const float *row, uint64_t *bv, int32_t *slot) {
    const int W = qs->words;
    memset(bv, 0xff, (size_t)qs->n_trees * W * sizeof *bv);
    for (int f = 0; f < qs->n_features; f++) {
        float x = row[f];
        const hx_qs_node *q = qs->nodes + qs->feat_start[f], *end = qs->nodes + qs->feat_start[f + 1];
        for (; q < end && !(x <= q->thr); q++) clear_leaves(bv, q);
    }
    for (int t = 0; t < qs->n_trees; t++) {
        const uint64_t *b = bv + (size_t)t * W;
        int w = 0;
        while (b[w] == 0) w++; /* the exit leaf always survives */
        slot[t] = qs->first_slot[t] + 64 * w + __builtin_ctzll(b[w]);
    }
}
