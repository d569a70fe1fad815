/* AVX2 bitset kernels (the label model's overlap counts): the POPCNT
 * instruction (every AVX2 CPU has it; without it the compiler falls back to a
 * ~12-operation bit trick) and byte compares + movemask to turn a column of
 * bytes into a bitset. */
#include <immintrin.h>

#include "kernels/dispatch.h"

__attribute__((target("popcnt")))
uint64_t hx_popcount_and_avx2(const uint64_t *a, const uint64_t *b, size_t words) {
    uint64_t c0 = 0, c1 = 0;
    size_t w = 0;
    for (; w + 2 <= words; w += 2) {
        c0 += (uint64_t)_mm_popcnt_u64(a[w] & b[w]);
        c1 += (uint64_t)_mm_popcnt_u64(a[w + 1] & b[w + 1]);
    }
    if (w < words) c0 += (uint64_t)_mm_popcnt_u64(a[w] & b[w]);
    return c0 + c1;
}

void hx_byte_eq_bits_avx2(const uint8_t *col, size_t words, uint8_t y, uint64_t *bits) {
    __m256i yy = _mm256_set1_epi8((char)y);
    for (size_t w = 0; w < words; w++) {
        __m256i lo = _mm256_loadu_si256((const __m256i *)(col + w * 64));
        __m256i hi = _mm256_loadu_si256((const __m256i *)(col + w * 64 + 32));
        uint32_t mlo = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, yy));
        uint32_t mhi = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, yy));
        bits[w] = (uint64_t)mlo | ((uint64_t)mhi << 32);
    }
}
