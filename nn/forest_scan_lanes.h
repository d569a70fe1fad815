/* The lane loop shared by the vector scan walkers (nn/forest_scan_avx2.c,
 * nn/forest_scan_avx512.c). A walk is a short chain of dependent steps
 * (load, look up, compare, load of the right child), so SCAN_LANES walks
 * advance in lockstep, branch-free, to overlap their latencies; a walk at
 * its leaf stays there (a leaf sends every row "right", to itself), and
 * every SCAN_PASSES steps arrived walks hand their lane to the next job.
 *
 * SCAN_LANE_WALK(STEP) is the body of a walker with the contract of
 * hx_scan_walk_fn, its parameters named rows, row_stride, roots,
 * root_stride, n_jobs and leaf, and a `right` array in scope; STEP(row, i)
 * is the node after one step from node i on that row. */
#ifndef HELIX_NN_FOREST_SCAN_LANES_H
#define HELIX_NN_FOREST_SCAN_LANES_H

#define SCAN_LANES 8
#define SCAN_PASSES 3

#define SCAN_LANE_WALK(STEP)                                                                        \
    do {                                                                                            \
        if (n_jobs < SCAN_LANES) { /* one at a time */                                             \
            for (int j = 0; j < n_jobs; j++) {                                                      \
                const uint8_t *row_ = rows + (size_t)j * row_stride;                               \
                int32_t i_ = roots[(size_t)j * root_stride], n_;                                    \
                while ((n_ = STEP(row_, i_)) != i_) i_ = n_;                                        \
                leaf[j] = i_;                                                                       \
            }                                                                                       \
            break;                                                                                  \
        }                                                                                           \
        int32_t idx_[SCAN_LANES];                                                                   \
        const uint8_t *row_[SCAN_LANES];                                                            \
        int job_[SCAN_LANES];                                                                       \
        int next_ = 0, live_ = SCAN_LANES;                                                          \
        for (int l = 0; l < SCAN_LANES; l++, next_++) {                                             \
            job_[l] = next_;                                                                        \
            row_[l] = rows + (size_t)next_ * row_stride;                                            \
            idx_[l] = roots[(size_t)next_ * root_stride];                                           \
        }                                                                                           \
        while (live_ > 0) {                                                                         \
            for (int p_ = 0; p_ < SCAN_PASSES; p_++) {                                              \
                _Pragma("GCC unroll 8") for (int l = 0; l < SCAN_LANES; l++) idx_[l] =              \
                    STEP(row_[l], idx_[l]);                                                         \
            }                                                                                       \
            for (int l = 0; l < SCAN_LANES; l++) {                                                  \
                if (job_[l] < 0 || right[idx_[l]] != idx_[l]) continue;                             \
                leaf[job_[l]] = idx_[l];                                                            \
                if (next_ < n_jobs) {                                                               \
                    job_[l] = next_;                                                                \
                    row_[l] = rows + (size_t)next_ * row_stride;                                    \
                    idx_[l] = roots[(size_t)next_ * root_stride];                                   \
                    next_++;                                                                        \
                } else {                                                                            \
                    job_[l] = -1;                                                                   \
                    live_--;                                                                        \
                }                                                                                   \
            }                                                                                       \
        }                                                                                           \
    } while (0)

#endif
