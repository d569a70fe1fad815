/* NEON bit-form walker (contract in nn/forest_internal.h, lane loop in
 * nn/forest_scan_lanes.h): a step looks up the row bytes of 16 nodes' bits
 * with one 64-byte table lookup (two for 128-byte rows), tests them with
 * the nodes' bit masks and moves to the first node that sends the row
 * right, or past all 16. */
#include <arm_neon.h>

#include "nn/forest_internal.h"
#include "nn/forest_scan_lanes.h"

static inline int32_t bit_step(const uint8_t *tbyte, const uint8_t *tmask, const int32_t *right,
                               const uint8_t *row, int wide, int32_t i) {
    uint8x16_t ix = vld1q_u8(tbyte + i);
    uint8x16_t by = vqtbl4q_u8(vld1q_u8_x4(row), ix);
    /* Indices 64..127 read the second half; others are out of its range and keep their byte. */
    if (wide) by = vqtbx4q_u8(by, vld1q_u8_x4(row + 64), vsubq_u8(ix, vdupq_n_u8(64)));
    uint8x16_t hit = vtstq_u8(by, vld1q_u8(tmask + i));
    /* Four bits per node: the first hit is the lowest set nibble. */
    uint64_t m = vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(vreinterpretq_u16_u8(hit), 4)), 0);
    /* With no hit the index read is i + 15: valid (the arrays are padded). */
    int32_t r = right[i + __builtin_ctzll(m | 1ull << 63) / 4];
    return m ? r : i + 16;
}

static inline void walk_bits(const hx_bitform *b, const int32_t *right, const uint8_t *rows,
                             size_t row_stride, const int32_t *roots, size_t root_stride,
                             int n_jobs, int32_t *leaf, int wide) {
    const uint8_t *tbyte = b->byte, *tmask = b->mask;
#define STEP(row, i) bit_step(tbyte, tmask, right, row, wide, i)
    SCAN_LANE_WALK(STEP);
#undef STEP
}

void hx_scan_walk_bits_neon(const hx_bitform *b, const int32_t *right, const uint8_t *rows,
                            size_t row_stride, const int32_t *roots, size_t root_stride, int n_jobs,
                            int32_t *leaf) {
    if (b->row > 64)
        walk_bits(b, right, rows, row_stride, roots, root_stride, n_jobs, leaf, 1);
    else
        walk_bits(b, right, rows, row_stride, roots, root_stride, n_jobs, leaf, 0);
}
