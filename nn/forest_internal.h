/* Internals of the forest evaluator (nn/forest.c): the node record and the
 * walker interface, kept apart so per-ISA walkers can be added. */
#ifndef HELIX_NN_FOREST_INTERNAL_H
#define HELIX_NN_FOREST_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#define HX_FOREST_NAN_LEFT 0x80000000u /* in hx_fnode.feat: NaN goes left */

/* 12 bytes. Trees are stored in depth-first pre-order, so the left child of
 * node i is i + 1 and only the right child is stored. A leaf has thr -inf
 * and feat 0 and points to itself on the right: every valid input (finite
 * or NaN) fails `x <= -inf`, so a walk that reaches a leaf stays there. */
typedef struct {
    float thr;     /* floor32(threshold): x <= thr  <=>  (double)x <= threshold */
    uint32_t feat; /* feature index | HX_FOREST_NAN_LEFT */
    int32_t right; /* absolute node index of the right child (self at a leaf) */
} hx_fnode;

/* Walks n_jobs (row, tree) pairs to their leaves: job j reads its feature f
 * at x[j * row_stride + f] and starts at node roots[j * root_stride];
 * leaf[j] receives the index of the leaf reached. Every walker gives the
 * same leaves (the comparisons are exact), whatever the ISA. */
typedef void (*hx_forest_walk_fn)(const hx_fnode *nodes, const float *x, size_t row_stride,
                                  const int32_t *roots, size_t root_stride, int n_jobs,
                                  int32_t *leaf);

void hx_forest_walk_scalar(const hx_fnode *nodes, const float *x, size_t row_stride,
                           const int32_t *roots, size_t root_stride, int n_jobs, int32_t *leaf);

/* QuickScorer tables (Lucchese et al., SIGIR 2015), built for forests whose
 * trees have at most 64 * HX_QS_MAX_WORDS leaves. Each tree's leaves are
 * numbered left to right; an internal node's left subtree holds the leaves
 * [lo, hi). For a row, every node with x > thr (a "false" node) clears the
 * bits [lo, hi) of its tree's leaf bitvector; the exit leaf is then the
 * lowest surviving bit. Nodes are grouped by feature and sorted by
 * threshold, so a feature's false nodes are a prefix of its list. */
#define HX_QS_MAX_WORDS 4
typedef struct {
    float thr;          /* floor32(threshold), as in hx_fnode */
    uint32_t word;      /* first bitvector word to touch: tree * words + lo / 64 */
    uint32_t span;      /* last word - first word */
    uint32_t pad;
    uint64_t keep0;     /* bits kept in the first word (all of [lo, hi) in it cleared) */
    uint64_t keep1;     /* bits kept in the last word; words between are zeroed */
} hx_qs_node;

typedef struct {
    int n_trees, n_features, words; /* words: 64-bit words per tree bitvector */
    int32_t *feat_start;            /* n_features + 1: offsets into nodes */
    hx_qs_node *nodes;              /* internal nodes, by feature, then threshold */
    int32_t *first_slot;            /* n_trees: leaf-value row of each tree's first leaf */
} hx_qs;

/* Builds the tables from pre-order trees (left child of i is i + 1) whose
 * leaf-value rows (node_slot) follow the leaves' pre-order, tree by tree;
 * returns 0 and leaves *qs zeroed when a tree has too many leaves, -1 when
 * out of memory, 1 when built. */
int hx_qs_build(hx_qs *qs, const hx_fnode *nodes, const int32_t *roots, const int32_t *tree_end,
                const int32_t *node_slot, int n_trees, int n_features);
void hx_qs_free(hx_qs *qs);

/* Exit leaves of one NaN-free row: slot[t] = the leaf-value row of tree t.
 * bv is scratch of n_trees * words words. */
void hx_qs_row(const hx_qs *qs, const float *row, uint64_t *bv, int32_t *slot);

#endif
