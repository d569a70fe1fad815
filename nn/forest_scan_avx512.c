/* AVX-512 left-run scan walkers (contract in nn/forest_internal.h, lane
 * loop in nn/forest_scan_lanes.h). A step tests many consecutive nodes at
 * once and moves to the first that sends the row right (its right child),
 * or past them all.
 *  - Binned rows: 16 node words per step, their rows' bins gathered (4
 *    bytes from the first byte of each, shifted to its bit).
 *  - Bit rows (VBMI): 64 nodes per step, their bytes looked up in the one-
 *    or two-register row by one byte permute, tested at once. Gathers are
 *    slow on Zen 4 (~6 ns for 16 elements), the permute is one instruction. */
#include <immintrin.h>

#include "nn/forest_internal.h"
#include "nn/forest_scan_lanes.h"

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

void hx_scan_walk_avx512(const hx_scan *s, const uint8_t *rows, size_t row_stride,
                         const int32_t *roots, size_t root_stride, int n_jobs, int32_t *leaf) {
    const __m512i low = _mm512_set1_epi32(0xffff), seven = _mm512_set1_epi32(7);
    const __m512i mask = _mm512_set1_epi32((int)s->bin_mask);
    const uint32_t *node = s->node;
    const int32_t *right = s->right;
#define STEP(row, i) step(node, right, row, i, low, seven, mask)
    SCAN_LANE_WALK(STEP);
#undef STEP
}

__attribute__((target("avx512vbmi"))) static inline int32_t
bit_step(const uint8_t *tbyte, const uint8_t *tmask, const int32_t *right, const uint8_t *row,
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
walk_bits(const hx_bitform *b, const int32_t *right, const uint8_t *rows, size_t row_stride,
          const int32_t *roots, size_t root_stride, int n_jobs, int32_t *leaf, int wide) {
    const uint8_t *tbyte = b->byte, *tmask = b->mask;
#define STEP(row, i) bit_step(tbyte, tmask, right, row, i, wide)
    SCAN_LANE_WALK(STEP);
#undef STEP
}

/* Rows of one zmm (64 bytes) or two. */
__attribute__((target("avx512vbmi"))) void
hx_scan_walk_vbmi(const hx_bitform *b, const int32_t *right, const uint8_t *rows, size_t row_stride,
                  const int32_t *roots, size_t root_stride, int n_jobs, int32_t *leaf) {
    if (b->row > 64)
        walk_bits(b, right, rows, row_stride, roots, root_stride, n_jobs, leaf, 1);
    else
        walk_bits(b, right, rows, row_stride, roots, root_stride, n_jobs, leaf, 0);
}
