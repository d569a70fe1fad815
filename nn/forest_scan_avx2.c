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

/* Bit form (AVX2): a step looks up the bytes of 32 nodes' bits in the row
 * with one in-lane byte shuffle per 16-byte piece of the row (kept where
 * the byte index's high nibble names that piece), then tests them. Four or
 * eight shuffles per 32 nodes still beat four 8-element gathers. */
#define BNL 8

static inline int32_t bstep(const uint8_t *tbyte, const uint8_t *tmask, const int32_t *right,
                            const uint8_t *row, int pieces, int32_t i) {
    const __m256i nibble = _mm256_set1_epi8(0x0f);
    __m256i ix = _mm256_loadu_si256((const __m256i *)(tbyte + i));
    __m256i piece = _mm256_and_si256(_mm256_srli_epi16(ix, 4), nibble);
    __m256i by = _mm256_setzero_si256();
    for (int p = 0; p < pieces; p++) {
        __m256i t = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(row + 16 * p)));
        t = _mm256_shuffle_epi8(t, _mm256_and_si256(ix, nibble));
        by = _mm256_or_si256(by, _mm256_and_si256(t, _mm256_cmpeq_epi8(piece, _mm256_set1_epi8((char)p))));
    }
    __m256i hit = _mm256_and_si256(by, _mm256_loadu_si256((const __m256i *)(tmask + i)));
    uint64_t m = (uint32_t)~_mm256_movemask_epi8(_mm256_cmpeq_epi8(hit, _mm256_setzero_si256()));
    /* With no hit the index read is i + 32: valid (the arrays are padded). */
    int32_t r = right[i + __builtin_ctzll(m | 1ull << 32)];
    return m ? r : i + 32;
}

static inline void walk_bits(const hx_bitform *b, const int32_t *right, const uint8_t *rows,
                             size_t row_stride, const int32_t *roots, size_t root_stride,
                             int n_jobs, int32_t *leaf, int pieces) {
    const uint8_t *tbyte = b->byte, *tmask = b->mask;
    if (n_jobs < BNL) {
        for (int j = 0; j < n_jobs; j++) {
            const uint8_t *row = rows + (size_t)j * row_stride;
            int32_t i = roots[(size_t)j * root_stride], n;
            while ((n = bstep(tbyte, tmask, right, row, pieces, i)) != i) i = n;
            leaf[j] = i;
        }
        return;
    }
    int32_t idx[BNL];
    const uint8_t *row[BNL];
    int job[BNL];
    int next = 0, live = BNL;
    for (int l = 0; l < BNL; l++, next++) {
        job[l] = next;
        row[l] = rows + (size_t)next * row_stride;
        idx[l] = roots[(size_t)next * root_stride];
    }
    while (live > 0) {
        for (int p = 0; p < PASSES; p++) {
            _Pragma("GCC unroll 8") for (int l = 0; l < BNL; l++) idx[l] =
                bstep(tbyte, tmask, right, row[l], pieces, idx[l]);
        }
        for (int l = 0; l < BNL; l++) {
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

void hx_scan_walk_bits_avx2(const hx_bitform *b, const int32_t *right, const uint8_t *rows,
                            size_t row_stride, const int32_t *roots, size_t root_stride, int n_jobs,
                            int32_t *leaf) {
    if (b->row > 64)
        walk_bits(b, right, rows, row_stride, roots, root_stride, n_jobs, leaf, HX_SCAN_TROW / 16);
    else
        walk_bits(b, right, rows, row_stride, roots, root_stride, n_jobs, leaf, 4);
}
