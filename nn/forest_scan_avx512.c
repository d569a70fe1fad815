/* AVX-512 left-run scan (contract in nn/forest_internal.h): a step loads
 * 16 node words, gathers their bins from the row (4 bytes from the
 * first byte of each, shifted to its bit), compares them with the
 * ranks, and moves to the first node that sends the row right (its right
 * child) or 16 nodes on. A walk is a short chain of such dependent steps
 * (gather, compare, load of the right child), so NL walks advance in
 * lockstep, branch-free, to overlap their latencies; a walk at its leaf
 * stays there (a leaf sends every row "right", to itself). */
#include <immintrin.h>

#include "nn/forest_internal.h"

#define NL 8     /* walks in flight */
#define PASSES 3 /* steps between checks for finished walks */

static inline int32_t step(const uint32_t *node, const int32_t *right, const uint8_t *row,
                           int32_t i, __m512i low, __m512i seven, __m512i mask) {
    __m512i w = _mm512_loadu_si512(node + i);
    __m512i p = _mm512_and_si512(w, low); /* bit position of the bin */
    __m512i b = _mm512_i32gather_epi32(_mm512_srli_epi32(p, 3), row, 1);
    b = _mm512_and_si512(_mm512_srlv_epi32(b, _mm512_and_si512(p, seven)), mask);
    uint32_t m = _mm512_cmpgt_epi32_mask(b, _mm512_srai_epi32(w, 16));
    /* With no hit, c = i + 16: a valid index (the node array is padded). */
    int32_t r = right[i + (int32_t)__builtin_ctz(m | 0x10000u)];
    return m ? r : i + 16;
}

void hx_scan_walk_avx512(const hx_scan *s, const uint8_t *bins, size_t row_stride,
                         const int32_t *roots, size_t root_stride, int n_jobs, int32_t *leaf) {
    const __m512i low = _mm512_set1_epi32(0xffff), seven = _mm512_set1_epi32(7);
    const __m512i mask = _mm512_set1_epi32((int)s->bin_mask);
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

/* Bit form (AVX-512 VBMI): a step looks up the bytes of 64 nodes' bits in
 * the two-register row with one byte permute and tests them at once. */
#define TNL 8

__attribute__((target("avx512vbmi"))) static inline int32_t
tstep(const uint8_t *tbyte, const uint8_t *tmask, const int32_t *right, const uint8_t *row,
      int32_t i, int wide) {
    __m512i ix = _mm512_loadu_si512(tbyte + i), by;
    if (wide)
        by = _mm512_permutex2var_epi8(_mm512_loadu_si512(row), ix, _mm512_loadu_si512(row + 64));
    else
        by = _mm512_permutexvar_epi8(ix, _mm512_loadu_si512(row));
    uint64_t m = _mm512_test_epi8_mask(by, _mm512_loadu_si512(tmask + i));
    /* With no hit the index read is i + 63: valid (the arrays are padded). */
    int32_t r = right[i + __builtin_ctzll(m | 1ull << 63)];
    return m ? r : i + 64;
}

__attribute__((target("avx512vbmi"))) static inline void
walk_vbmi(const hx_bitform *b, const int32_t *right, const uint8_t *rows, size_t row_stride,
          const int32_t *roots, size_t root_stride, int n_jobs, int32_t *leaf, int wide) {
    const uint8_t *tbyte = b->byte, *tmask = b->mask;
    if (n_jobs < TNL) {
        for (int j = 0; j < n_jobs; j++) {
            const uint8_t *row = rows + (size_t)j * row_stride;
            int32_t i = roots[(size_t)j * root_stride], n;
            while ((n = tstep(tbyte, tmask, right, row, i, wide)) != i) i = n;
            leaf[j] = i;
        }
        return;
    }
    int32_t idx[TNL];
    const uint8_t *row[TNL];
    int job[TNL];
    int next = 0, live = TNL;
    for (int l = 0; l < TNL; l++, next++) {
        job[l] = next;
        row[l] = rows + (size_t)next * row_stride;
        idx[l] = roots[(size_t)next * root_stride];
    }
    while (live > 0) {
        for (int p = 0; p < PASSES; p++) {
            _Pragma("GCC unroll 8") for (int l = 0; l < TNL; l++) idx[l] =
                tstep(tbyte, tmask, right, row[l], idx[l], wide);
        }
        for (int l = 0; l < TNL; l++) {
            if (job[l] < 0 || right[idx[l]] != idx[l]) continue;
            leaf[job[l]] = idx[l];
            if (next < n_jobs) {
                job[l] = next;
                row[l] = rows + (size_t)next * row_stride;
                idx[l] = roots[(size_t)next * root_stride];
                next++;
            } else {
                job[l] = -1;
                live--;
            }
        }
    }
}

/* Rows of one zmm (64 bytes) or two. */
__attribute__((target("avx512vbmi"))) void
hx_scan_walk_vbmi(const hx_bitform *b, const int32_t *right, const uint8_t *rows, size_t row_stride,
                  const int32_t *roots, size_t root_stride, int n_jobs, int32_t *leaf) {
    if (b->row > 64)
        walk_vbmi(b, right, rows, row_stride, roots, root_stride, n_jobs, leaf, 1);
    else
        walk_vbmi(b, right, rows, row_stride, roots, root_stride, n_jobs, leaf, 0);
}
