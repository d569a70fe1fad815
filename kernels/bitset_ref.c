/* Bitset kernels, scalar reference (the label model's overlap counts). */
#include "kernels/dispatch.h"

uint64_t hx_popcount_and_ref(const uint64_t *a, const uint64_t *b, size_t words) {
    uint64_t c = 0;
    for (size_t w = 0; w < words; w++) c += (uint64_t)__builtin_popcountll(a[w] & b[w]);
    return c;
}

void hx_byte_eq_bits_ref(const uint8_t *col, size_t words, uint8_t y, uint64_t *bits) {
    for (size_t w = 0; w < words; w++) {
        uint64_t v = 0;
        for (int b = 0; b < 64; b++) v |= (uint64_t)(col[w * 64 + b] == y) << b;
        bits[w] = v;
    }
}
