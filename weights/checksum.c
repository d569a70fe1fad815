/* XXH64, written from the xxHash specification (see checksum.h).
 *
 *   stripe step (per 8-byte lane):  acc = rotl(acc + in * P2, 31) * P1
 *   merge of a lane into h:         h = (h ^ round(0, lane)) * P1 + P4
 *   tail: 8-byte words, then a 4-byte word, then single bytes
 *   avalanche: xor-shift 33, *P2, xor-shift 29, *P3, xor-shift 32
 *
 * Bytes are read little-endian whatever the host, so the value is the same
 * on every machine. */
#include "weights/checksum.h"

#include <string.h>

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL
#define P5 0x27D4EB2F165667C5ULL

static inline uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static inline uint64_t read64(const unsigned char *p) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
#else
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
#endif
}

static inline uint32_t read32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t round64(uint64_t acc, uint64_t in) {
    acc += in * P2;
    acc = rotl64(acc, 31);
    return acc * P1;
}

static inline uint64_t merge64(uint64_t h, uint64_t lane) {
    h ^= round64(0, lane);
    return h * P1 + P4;
}

/* Runs whole 32-byte stripes through the lanes; returns bytes consumed. */
static size_t stripes(uint64_t lane[4], const unsigned char *p, size_t n) {
    uint64_t a = lane[0], b = lane[1], c = lane[2], d = lane[3];
    size_t done = 0;
    for (; done + 32 <= n; done += 32) {
        a = round64(a, read64(p + done));
        b = round64(b, read64(p + done + 8));
        c = round64(c, read64(p + done + 16));
        d = round64(d, read64(p + done + 24));
    }
    lane[0] = a, lane[1] = b, lane[2] = c, lane[3] = d;
    return done;
}

static uint64_t finish(uint64_t h, uint64_t total, const unsigned char *p, size_t n) {
    h += total;
    while (n >= 8) {
        h ^= round64(0, read64(p));
        h = rotl64(h, 27) * P1 + P4;
        p += 8, n -= 8;
    }
    if (n >= 4) {
        h ^= (uint64_t)read32(p) * P1;
        h = rotl64(h, 23) * P2 + P3;
        p += 4, n -= 4;
    }
    while (n > 0) {
        h ^= (uint64_t)(*p) * P5;
        h = rotl64(h, 11) * P1;
        p++, n--;
    }
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}

static void lanes_init(uint64_t lane[4], uint64_t seed) {
    lane[0] = seed + P1 + P2;
    lane[1] = seed + P2;
    lane[2] = seed;
    lane[3] = seed - P1;
}

static uint64_t lanes_merge(const uint64_t lane[4]) {
    uint64_t h = rotl64(lane[0], 1) + rotl64(lane[1], 7) + rotl64(lane[2], 12) +
                 rotl64(lane[3], 18);
    for (int i = 0; i < 4; i++) h = merge64(h, lane[i]);
    return h;
}

uint64_t hx_xxh64(const void *data, size_t n, uint64_t seed) {
    const unsigned char *p = data;
    uint64_t h;
    size_t done = 0;
    if (n >= 32) {
        uint64_t lane[4];
        lanes_init(lane, seed);
        done = stripes(lane, p, n);
        h = lanes_merge(lane);
    } else {
        h = seed + P5;
    }
    return finish(h, n, p + done, n - done);
}

void hx_xxh64_init(hx_xxh64_state *s, uint64_t seed) {
    memset(s, 0, sizeof *s);
    s->seed = seed;
    lanes_init(s->lane, seed);
}

void hx_xxh64_update(hx_xxh64_state *s, const void *data, size_t n) {
    const unsigned char *p = data;
    s->total += n;
    if (s->buf_len) {
        size_t take = 32 - s->buf_len;
        if (take > n) take = n;
        memcpy(s->buf + s->buf_len, p, take);
        s->buf_len += take, p += take, n -= take;
        if (s->buf_len < 32) return;
        stripes(s->lane, s->buf, 32);
        s->buf_len = 0;
    }
    size_t done = stripes(s->lane, p, n);
    memcpy(s->buf, p + done, n - done);
    s->buf_len = n - done;
}

uint64_t hx_xxh64_final(const hx_xxh64_state *s) {
    uint64_t h = s->total >= 32 ? lanes_merge(s->lane) : s->seed + P5;
    return finish(h, s->total, s->buf, s->buf_len);
}
