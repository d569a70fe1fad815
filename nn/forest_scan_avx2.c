/* AVX2 left-run scan: nn/forest_scan_avx512.c with 8 nodes per step. */
#include <immintrin.h>

#include "nn/forest_internal.h"

#define NL 8     /* walks in flight */
#define PASSES 3 /* steps between checks for finished walks */

static inline int32_t step(const uint32_t *node, const int32_t *right, const uint8_t *row,
                           int32_t i, __m256i low, __m256i seven, __m256i mask) {
    __m256i w = _mm256_loadu_si256((const __m256i *)(node + i));
    __m256i p = _mm256_and_si256(w, low); /* bit position of the bin */
    __m256i b = _mm256_i32gather_epi32((const int *)row, _mm256_srli_epi32(p, 3), 1);
    b = _mm256_and_si256(_mm256_srlv_epi32(b, _mm256_and_si256(p, seven)), mask);
    __m256i gt = _mm256_cmpgt_epi32(b, _mm256_srai_epi32(w, 16));
    uint32_t m = (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(gt));
    /* With no hit, c = i + 8: a valid index (the node array is padded). */
    int32_t r = right[i + (int32_t)__builtin_ctz(m | 0x100u)];
    return m ? r : i + 8;
}

void hx_scan_walk_avx2(const hx_scan *s, const uint8_t *bins, size_t row_stride,
                       const int32_t *roots, size_t root_stride, int n_jobs, int32_t *leaf) {
    const __m256i low = _mm256_set1_epi32(0xffff), seven = _mm256_set1_epi32(7);
    const __m256i mask = _mm256_set1_epi32((int)s->bin_mask);
    const uint32_t *node = s->node;
    const int32_t *right = s->right;
    if (n_jobs < NL) {
        for (int j = 0; j < n_jobs; j++) {
            const uint8_t *row = bins + (size_t)j * row_stride;
            int32_t i = roots[(size_t)j * root_stride], n;
            while ((n = step(node, right, row, i, low, seven, mask)) != i) i = n;
            leaf[j] = i;
        }
        return;
    }
    int32_t idx[NL];
    const uint8_t *row[NL];
    int job[NL];
    int next = 0, live = NL;
    for (int l = 0; l < NL; l++, next++) {
        job[l] = next;
        row[l] = bins + (size_t)next * row_stride;
        idx[l] = roots[(size_t)next * root_stride];
    }
    while (live > 0) {
        for (int p = 0; p < PASSES; p++) {
            _Pragma("GCC unroll 8") for (int l = 0; l < NL; l++) idx[l] =
                step(node, right, row[l], idx[l], low, seven, mask);
        }
        for (int l = 0; l < NL; l++) {
            if (job[l] < 0 || right[idx[l]] != idx[l]) continue;
            leaf[job[l]] = idx[l];
            if (next < n_jobs) {
                job[l] = next;
                row[l] = bins + (size_t)next * row_stride;
                idx[l] = roots[(size_t)next * root_stride];
                next++;
            } else {
                job[l] = -1;
                live--;
            }
        }
    }
}
