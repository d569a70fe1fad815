/* The overlap statistics of a label matrix: how often LF i voting class y
 * co-occurs with LF j voting class y'. Snorkel builds the n x d one-hot
 * matrix and multiplies it by its transpose in float64; the counts are the
 * same integers, which we get far faster from bitsets: one bit per row for
 * every (LF, class), and a pair count is popcount(bits_a & bits_b). Rows are
 * processed in chunks so the bitsets stay in cache and memory stays bounded.
 * The bitset kernels are the kernel table's (kernels/bitset_*.c). */
#include <stdlib.h>
#include <string.h>

#include "kernels/dispatch.h"
#include "nn/label_model_internal.h"

#define CHUNK_ROWS 8192 /* 128 words per bitset */
#define CHUNK_WORDS (CHUNK_ROWS / 64)

hx_status hx_lm_overlap_counts(const int32_t *L, size_t n, int m, int k, uint64_t *counts,
                               hx_error *err) {
    size_t d = (size_t)m * (size_t)k;
    /* Per chunk: the votes transposed into one byte column per LF (255 =
     * abstain or out of range), then one bitset per (LF, class) built 64 rows
     * at a time by a compare + movemask, then the pair counts. */
    const hx_kernels *kern = hx_kernels_active();
    uint64_t *bits = malloc(d * CHUNK_WORDS * sizeof *bits);
    uint8_t *cols = malloc((size_t)m * CHUNK_ROWS);
    uint8_t *nonempty = malloc(d);
    if (!bits || !cols || !nonempty) {
        free(bits);
        free(cols);
        free(nonempty);
        return hx_fail(err, HX_ENOMEM, "label model: out of memory for the overlap bitsets");
    }
    for (size_t r0 = 0; r0 < n; r0 += CHUNK_ROWS) {
        size_t rows = n - r0 < CHUNK_ROWS ? n - r0 : CHUNK_ROWS;
        size_t words = (rows + 63) / 64;
        if (rows % 64) memset(cols, 255, (size_t)m * CHUNK_ROWS); /* pad the last word */
        /* Transpose 64 rows at a time so the rows being read stay in L1. */
        for (size_t rb = 0; rb < rows; rb += 64) {
            size_t re = rows - rb < 64 ? rows - rb : 64;
            const int32_t *blk = L + (r0 + rb) * (size_t)m;
            for (int i = 0; i < m; i++) {
                uint8_t *dst = cols + (size_t)i * CHUNK_ROWS + rb;
                for (size_t r = 0; r < re; r++) {
                    int32_t v = blk[r * (size_t)m + i];
                    dst[r] = (uint32_t)v < (uint32_t)k ? (uint8_t)v : 255;
                }
            }
        }
        for (int i = 0; i < m; i++)
            for (int y = 0; y < k; y++) {
                size_t a = (size_t)i * k + (size_t)y;
                uint64_t *ba = bits + a * CHUNK_WORDS;
                kern->bits.byte_eq(cols + (size_t)i * CHUNK_ROWS, words, (uint8_t)y, ba);
                uint64_t any = 0;
                for (size_t w = 0; w < words; w++) any |= ba[w];
                nonempty[a] = any != 0;
            }
        for (size_t a = 0; a < d; a++) {
            if (!nonempty[a]) continue;
            const uint64_t *ba = bits + a * CHUNK_WORDS;
            counts[a * d + a] += kern->bits.popcount_and(ba, ba, words);
            /* Pairs from different LFs only: one LF votes one class per row. */
            size_t first_b = (a / (size_t)k + 1) * (size_t)k;
            for (size_t b = first_b; b < d; b++) {
                if (!nonempty[b]) continue;
                uint64_t c = kern->bits.popcount_and(ba, bits + b * CHUNK_WORDS, words);
                counts[a * d + b] += c;
                counts[b * d + a] += c;
            }
        }
    }
    free(bits);
    free(cols);
    free(nonempty);
    return HX_OK;
}
