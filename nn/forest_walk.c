/* The portable forest walkers (contract in nn/forest_internal.h), for trees
 * that neither QuickScorer nor the scan tables take, NaN rows on binned
 * rows, and apply.
 *
 * Nodes are 12-byte records in depth-first pre-order: the left child of
 * node i is i + 1, and a leaf has thr -inf and points to itself on the
 * right, so every valid input fails `x <= thr` there and a walk that
 * reaches its leaf stays on it. A walk is a chain of dependent loads, so
 * several walks (lanes) advance in lockstep and their loads overlap: each
 * lane takes PASSES steps without looking, then lanes that have arrived
 * record their leaf and take the next job.
 *
 * One template, walk_lockstep, with what varies as constant parameters that
 * the thin wrappers at the end fix, so the compiler emits one specialised
 * loop per wrapper (the lanes unrolled and held in registers):
 *   - nan: the NaN-aware step, or the shorter one for rows known to hold
 *     none;
 *   - one_row: every lane walks the same row (through successive trees),
 *     or each lane has its own row;
 *   - lanes: 8 with a row per lane, 12 with one row (no row pointer per
 *     lane leaves registers for more lanes). 8 / 12 lanes and 4 passes
 *     measured best of 8-16 / 2-8. */
#include <math.h>

#include "nn/forest_internal.h"

#define NAN_LEFT HX_FOREST_NAN_LEFT
#define PASSES 4
#define MAX_LANES 12

/* i + 1 if go_left (0 or 1), else right, written with a mask so that the
 * compiler emits no branch (the NaN-aware step; see step_no_nan). */
static inline int32_t select_child(int32_t i, int32_t right, uint32_t go_left) {
    int32_t mask = -(int32_t)go_left;
    return right ^ ((right ^ (i + 1)) & mask);
}

/* One step of a walk: x <= thr, or NaN with NAN_LEFT, goes left (to i + 1);
 * a leaf fails the test and points to itself. Branch-free. */
static inline int32_t step_nan(const hx_fnode *nodes, int32_t i, const float *row) {
    const hx_fnode *nd = &nodes[i];
    float v = row[nd->feat & ~NAN_LEFT];
    uint32_t go_left = (uint32_t)(v <= nd->thr) | ((uint32_t)(v != v) & (nd->feat >> 31));
    return select_child(i, nd->right, go_left);
}

/* The same for rows known to hold no NaN (fewer instructions). Left as a
 * branch: on the sparse HPO rows measured the direction is predictable
 * and speculation runs ahead of the loads (the masked select was 13% slower
 * on the fully grown forest). */
static inline int32_t step_no_nan(const hx_fnode *nodes, int32_t i, const float *row) {
    const hx_fnode *nd = &nodes[i];
    return row[nd->feat & ~NAN_LEFT] <= nd->thr ? i + 1 : nd->right;
}

static inline bool is_leaf(const hx_fnode *nodes, int32_t i) { return nodes[i].right == i; }

/* Job j reads row x + j * row_stride (x itself when one_row) and starts at
 * roots[j * root_stride]; leaf[j] receives its leaf. With fewer jobs than
 * lanes, the spare lanes shadow job 0 without recording it; a lane with no
 * job left stays parked on its leaf. nan, one_row and lanes must be
 * constants (lanes <= MAX_LANES). */
static inline __attribute__((always_inline)) void
walk_lockstep(const hx_fnode *nodes, const float *x, size_t row_stride, const int32_t *roots,
              size_t root_stride, int n_jobs, int32_t *leaf, const bool nan, const bool one_row,
              const int lanes) {
    if (n_jobs <= 0) return;
    int32_t idx[MAX_LANES];
    const float *row[MAX_LANES];
    int job[MAX_LANES];
    int live = n_jobs < lanes ? n_jobs : lanes, next = live;
#pragma GCC unroll 12
    for (int l = 0; l < lanes; l++) {
        int j = l < live ? l : 0;
        job[l] = l < live ? l : -1;
        row[l] = one_row ? x : x + (size_t)j * row_stride;
        idx[l] = roots[(size_t)j * root_stride];
    }
    while (live > 0) {
        for (int p = 0; p < PASSES; p++) {
#pragma GCC unroll 12
            for (int l = 0; l < lanes; l++) {
                const float *r = one_row ? x : row[l];
                idx[l] = nan ? step_nan(nodes, idx[l], r) : step_no_nan(nodes, idx[l], r);
            }
        }
#pragma GCC unroll 12
        for (int l = 0; l < lanes; l++) {
            if (job[l] >= 0 && is_leaf(nodes, idx[l])) {
                leaf[job[l]] = idx[l];
                if (next < n_jobs) {
                    job[l] = next;
                    row[l] = one_row ? x : x + (size_t)next * row_stride;
                    idx[l] = roots[(size_t)next * root_stride];
                    next++;
                } else {
                    job[l] = -1;
                    live--;
                }
            }
        }
    }
}

void hx_forest_walk(const hx_fnode *nodes, const float *x, size_t row_stride,
                    const int32_t *roots, size_t root_stride, int n_jobs, int32_t *leaf) {
    walk_lockstep(nodes, x, row_stride, roots, root_stride, n_jobs, leaf, true, false, 8);
}

void hx_forest_walk_no_nan(const hx_fnode *nodes, const float *x, size_t row_stride,
                           const int32_t *roots, size_t root_stride, int n_jobs, int32_t *leaf) {
    walk_lockstep(nodes, x, row_stride, roots, root_stride, n_jobs, leaf, false, false, 8);
}

/* One row through n_jobs trees: forests of fewer trees than lanes would
 * leave lanes idle (8 trees: 10% slower on 12 lanes), so they take fewer. */
void hx_forest_walk_row(const hx_fnode *nodes, const float *row, const int32_t *roots,
                        int n_jobs, int32_t *leaf) {
    if (n_jobs >= 12)
        walk_lockstep(nodes, row, 0, roots, 1, n_jobs, leaf, true, true, 12);
    else if (n_jobs >= 8)
        walk_lockstep(nodes, row, 0, roots, 1, n_jobs, leaf, true, true, 8);
    else
        walk_lockstep(nodes, row, 0, roots, 1, n_jobs, leaf, true, true, 4);
}

void hx_forest_walk_row_no_nan(const hx_fnode *nodes, const float *row, const int32_t *roots,
                               int n_jobs, int32_t *leaf) {
    if (n_jobs >= 12)
        walk_lockstep(nodes, row, 0, roots, 1, n_jobs, leaf, false, true, 12);
    else if (n_jobs >= 8)
        walk_lockstep(nodes, row, 0, roots, 1, n_jobs, leaf, false, true, 8);
    else
        walk_lockstep(nodes, row, 0, roots, 1, n_jobs, leaf, false, true, 4);
}
