/* Internals of the forest evaluator, shared by its files:
 *   nn/forest_build.c    arrays -> evaluator (checks, pre-order layout, tables)
 *   nn/forest_walk.c     the portable walkers on hx_fnode records
 *   nn/forest_predict.c  predict / apply: blocks of rows, threads, links
 *   nn/forest_qs.c       QuickScorer tables and exit-leaf search
 *   nn/forest_scan*.c    left-run scan tables and walkers (per ISA)
 * The node record, the evaluator struct and the walker interfaces live here
 * so that each file keeps one job. */
#ifndef HELIX_NN_FOREST_INTERNAL_H
#define HELIX_NN_FOREST_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "helix/forest.h"

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

/* The portable walkers (nn/forest_walk.c), all one template: walks advance
 * in lockstep so that their loads overlap. hx_forest_walk takes rows that
 * may hold NaN, hx_forest_walk_no_nan rows known to hold none (a shorter
 * step). The _row forms walk one row through successive trees (job j
 * starts at roots[j]): the shared row leaves registers for more lanes. */
void hx_forest_walk(const hx_fnode *nodes, const float *x, size_t row_stride,
                    const int32_t *roots, size_t root_stride, int n_jobs, int32_t *leaf);
void hx_forest_walk_no_nan(const hx_fnode *nodes, const float *x, size_t row_stride,
                           const int32_t *roots, size_t root_stride, int n_jobs, int32_t *leaf);
void hx_forest_walk_row(const hx_fnode *nodes, const float *row, const int32_t *roots,
                        int n_jobs, int32_t *leaf);
void hx_forest_walk_row_no_nan(const hx_fnode *nodes, const float *row, const int32_t *roots,
                               int n_jobs, int32_t *leaf);

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

/* Left-run scan tables, for trees too big for QuickScorer.
 * In pre-order a walk's left moves are i -> i + 1, so a walk is a run of
 * consecutive nodes up to the first one that sends the row right (or a
 * leaf), then a jump. On sparse or skewed features these runs are long
 * (92 nodes and 2 jumps on average on the fully grown HPO forest), and a
 * run can be tested 8 to 64 nodes at a time instead of one dependent load
 * per node.
 *
 * Binned form (every ISA): inputs are binned per feature: bin(x) = the
 * number of the feature's distinct thresholds below x (x > t, exactly as
 * float32 compares). A node whose threshold is the feature's k-th sends x
 * right iff bin(x) > k. Bins are packed at the width of the feature with
 * the most thresholds (1 bit when every split is on a binary feature), so
 * the rows of a block stay in cache while the trees stream past. A row
 * with NaN cannot be walked binned.
 *
 * Bit form, for AVX-512 VBMI: every distinct (feature, threshold) of the
 * forest, or (feature, threshold, NaN direction) in the NaN-aware form, is
 * one bit of the row: x > t, or for a NaN x, "NaN goes right". A node is
 * then one bit test, and with at most HX_SCAN_TBITS keys a row fits two
 * zmm registers, where a byte permute looks up 64 nodes' bytes at once. */
typedef struct {
    int keys;               /* 0: not built */
    size_t row;             /* bytes per row: 64 or HX_SCAN_TROW */
    int32_t *start;         /* n_features + 1: a feature's keys are bits [start[f], start[f+1]) */
    float *thr;             /* per key: threshold (ascending within a feature) */
    uint8_t *nan_right;     /* per key: 1 when NaN goes right */
    uint8_t *byte, *mask;   /* per node: byte of its bit in the row, bit mask */
} hx_bitform;

typedef struct {
    int n_features, bits;   /* bits per bin: 1, 2, 4, 8 or 16 */
    uint32_t bin_mask;      /* (1 << bits) - 1 */
    size_t row_bytes;       /* bytes per binned row, padded for 4-byte loads */
    int32_t *thr_start;     /* n_features + 1: offsets into thr */
    float *thr;             /* per feature: its distinct thresholds, ascending */
    /* Per node (hx_fnode order, then 16 padding leaves): the bit position
     * of its feature's bin in a row (low 16 bits) and the threshold's rank
     * k as a signed high half; a leaf has rank -1 (every bin exceeds it). */
    uint32_t *node;
    int32_t *right;         /* per node: right child (self at a leaf) */
    /* Bit forms (AVX-512 VBMI): [0] for rows without NaN, [1] for any row
     * (built only when some node sends NaN left; else [0] serves NaN rows). */
    hx_bitform bit[2];
    bool nan_left;          /* some node sends NaN left */
} hx_scan;
#define HX_SCAN_TROW 128                     /* most bytes per bit-form row */
#define HX_SCAN_TBITS (8 * HX_SCAN_TROW - 8) /* the last byte is all ones: leaves test it */

/* Builds the tables; 0 (and *s zeroed) when the forest does not fit them
 * (more than 32767 thresholds on a feature, or bit positions beyond 16
 * bits), -1 when out of memory, 1 when built. */
int hx_scan_build(hx_scan *s, const hx_fnode *nodes, int64_t n_nodes, int n_features);
void hx_scan_free(hx_scan *s);
/* Bins n_rows float rows (n_features each) into out (row_bytes each); a
 * NaN gets some bin (rows with NaN cannot be walked binned). */
void hx_scan_bin_rows(const hx_scan *s, const float *x, size_t n_rows, uint8_t *out);

/* Bit-form rows (b->row bytes each) of a built form. */
void hx_scan_bit_rows(const hx_bitform *b, int n_features, const float *x, size_t n_rows,
                      uint8_t *out);
/* The bit-form walkers, with the walker contract below: hx_scan_walk_bits
 * runs the one of the ISA in use (AVX-512 VBMI, AVX2 or NEON). */
void hx_scan_walk_bits(const hx_bitform *b, const int32_t *right, const uint8_t *rows,
                       size_t row_stride, const int32_t *roots, size_t root_stride, int n_jobs,
                       int32_t *leaf);
void hx_scan_walk_vbmi(const hx_bitform *b, const int32_t *right, const uint8_t *rows,
                       size_t row_stride, const int32_t *roots, size_t root_stride, int n_jobs,
                       int32_t *leaf);
void hx_scan_walk_bits_avx2(const hx_bitform *b, const int32_t *right, const uint8_t *rows,
                            size_t row_stride, const int32_t *roots, size_t root_stride,
                            int n_jobs, int32_t *leaf);
void hx_scan_walk_bits_neon(const hx_bitform *b, const int32_t *right, const uint8_t *rows,
                            size_t row_stride, const int32_t *roots, size_t root_stride,
                            int n_jobs, int32_t *leaf);
/* The form for a block of rows, NULL when none is built for it or the ISA
 * in use has no bit-form walker (scalar). */
const hx_bitform *hx_scan_bit_form(const hx_scan *s, bool rows_have_nan);

/* Walks as hx_forest_walk_fn, on binned rows: job j reads row
 * bins + j * row_stride (bytes) and starts at roots[j * root_stride]. */
typedef void (*hx_scan_walk_fn)(const hx_scan *s, const uint8_t *bins, size_t row_stride,
                                const int32_t *roots, size_t root_stride, int n_jobs,
                                int32_t *leaf);
void hx_scan_walk_scalar(const hx_scan *s, const uint8_t *bins, size_t row_stride,
                         const int32_t *roots, size_t root_stride, int n_jobs, int32_t *leaf);
void hx_scan_walk_avx2(const hx_scan *s, const uint8_t *bins, size_t row_stride,
                       const int32_t *roots, size_t root_stride, int n_jobs, int32_t *leaf);
void hx_scan_walk_avx512(const hx_scan *s, const uint8_t *bins, size_t row_stride,
                         const int32_t *roots, size_t root_stride, int n_jobs, int32_t *leaf);
/* The binned-row walker of the active ISA. */
hx_scan_walk_fn hx_scan_walker(void);

/* The evaluator: built by hx_forest_build (nn/forest_build.c), read-only
 * afterwards (nn/forest_predict.c), so threads share it. */
struct hx_forest {
    hx_forest_task task;
    int n_features, n_values, n_trees, max_depth;
    int64_t n_nodes;
    bool allow_nan;
    hx_forest_link link;
    hx_forest_label_rule label_rule;
    int n_acc;          /* sums per row: n_values, or n_raw for GB */
    double *init;       /* n_acc: where the sums start (zeros for forests) */
    hx_fnode *nodes;    /* every tree in pre-order, concatenated */
    int32_t *root;      /* n_trees */
    int32_t *leaf_slot; /* per node: row of `values` (leaves), -1 inside */
    int32_t *orig_id;   /* per node: sklearn's node id within its tree */
    double *values;     /* n_leaves x n_acc */
    hx_qs qs;           /* QuickScorer tables; qs.words == 0 when not built */
    hx_scan scan;       /* left-run scan tables (bigger trees); node NULL when not built */
};

#endif
