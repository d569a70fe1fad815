/* Pieces of the label model shared between nn/label_model*.c files (not a
 * public API). */
#ifndef HELIX_NN_LABEL_MODEL_INTERNAL_H
#define HELIX_NN_LABEL_MODEL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "helix/label_model.h"

/* counts (d x d, d = m*k, zeroed by the caller) += the co-occurrence counts of
 * the one-hot vote indicators: counts[a*d + b] = #rows where LF a/k voted a%k
 * and LF b/k voted b%k. Entries of L outside 0..k-1 count as abstains. */
hx_status hx_lm_overlap_counts(const int32_t *L, size_t n, int m, int k, uint64_t *counts,
                               hx_error *err);

/* The column-permutation step of fit on a model whose mu is set: permutes
 * mu's columns within groups of classes of equal prior (float32 priors pf). */
hx_status hx_lm_break_symmetry(hx_label_model *model, const float *pf, hx_error *err);

/* Snorkel's NumPy draw: np.random.seed(seed); np.random.random(). */
double hx_lm_numpy_first_random(uint32_t seed);

/* SHA-1 of data (20 bytes out): snorkel's "random" tie break hashes the row
 * index with it (hx_probs_to_preds). Internal: only that needs it. */
void hx_sha1(const void *data, size_t len, uint8_t digest[20]);

#endif
