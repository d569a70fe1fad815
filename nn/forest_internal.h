/* Internals of the forest evaluator (nn/forest.c): the node record and the
 * walker interface, kept apart so per-ISA walkers can be added. */
#ifndef HELIX_NN_FOREST_INTERNAL_H
#define HELIX_NN_FOREST_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#define HX_FOREST_NAN_LEFT 0x80000000u /* in hx_fnode.feat: NaN goes left */

/* 16 bytes; a leaf has feat 0 and points to itself on both sides. */
typedef struct {
    float thr;           /* floor32(threshold): x <= thr  <=>  (double)x <= threshold */
    uint32_t feat;       /* feature index | HX_FOREST_NAN_LEFT */
    int32_t left, right; /* absolute node indices */
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

#endif
