/* The overlap-count kernel with the POPCNT instruction (every AVX2 CPU has
 * it; without it the compiler falls back to a ~12-operation bit trick). */
#include <nmmintrin.h>

#include "nn/label_model_internal.h"

__attribute__((target("popcnt")))
uint64_t hx_lm_and_popcount_avx2(const uint64_t *a, const uint64_t *b, size_t words) {
    uint64_t c0 = 0, c1 = 0;
    size_t w = 0;
    for (; w + 2 <= words; w += 2) {
        c0 += (uint64_t)_mm_popcnt_u64(a[w] & b[w]);
        c1 += (uint64_t)_mm_popcnt_u64(a[w + 1] & b[w + 1]);
    }
    if (w < words) c0 += (uint64_t)_mm_popcnt_u64(a[w] & b[w]);
    return c0 + c1;
}
