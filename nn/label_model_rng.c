/* The one random number snorkel's LabelModel.fit uses: after
 * np.random.seed(seed), np.random.random() -- MT19937 seeded with
 * init_genrand(seed), then a 53-bit double from two 32-bit outputs. */
#include "nn/label_model_internal.h"

#define MT_N 624
#define MT_M 397

double hx_lm_numpy_first_random(uint32_t seed) {
    uint32_t mt[MT_N];
    mt[0] = seed;
    for (int i = 1; i < MT_N; i++) mt[i] = 1812433253u * (mt[i - 1] ^ (mt[i - 1] >> 30)) + (uint32_t)i;
    /* Regenerate the state once (the first draw does that), then temper the
     * first two words: only mt[0], mt[1] are needed, each depending on
     * mt[i], mt[i+1] and mt[i+397] of the seeded state. */
    uint32_t out[2];
    for (int i = 0; i < 2; i++) {
        uint32_t y = (mt[i] & 0x80000000u) | (mt[i + 1] & 0x7fffffffu);
        uint32_t v = mt[i + MT_M] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
        v ^= v >> 11;
        v ^= (v << 7) & 0x9d2c5680u;
        v ^= (v << 15) & 0xefc60000u;
        v ^= v >> 18;
        out[i] = v;
    }
    uint32_t a = out[0] >> 5, b = out[1] >> 6;
    return ((double)a * 67108864.0 + (double)b) / 9007199254740992.0;
}
