/* The checksum used by .hlx files: XXH64 (Yann Collet's xxHash, 64-bit
 * variant), implemented here from its public specification. It reads 32
 * bytes per step with four independent multiply-rotate lanes, so one core
 * hashes at close to memory bandwidth. Not cryptographic: it detects damage
 * in transfer, not tampering. */
#ifndef HELIX_WEIGHTS_CHECKSUM_H
#define HELIX_WEIGHTS_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* One-shot hash of n bytes with the given seed (.hlx uses seed 0). */
uint64_t hx_xxh64(const void *data, size_t n, uint64_t seed);

/* Streaming form: same result as one hx_xxh64 call over all the pieces. */
typedef struct {
    uint64_t total;     /* bytes seen so far */
    uint64_t lane[4];   /* the four accumulators */
    uint64_t seed;
    unsigned char buf[32];
    size_t buf_len;     /* bytes waiting in buf, < 32 */
} hx_xxh64_state;

void hx_xxh64_init(hx_xxh64_state *s, uint64_t seed);
void hx_xxh64_update(hx_xxh64_state *s, const void *data, size_t n);
uint64_t hx_xxh64_final(const hx_xxh64_state *s);

#endif
