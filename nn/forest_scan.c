/* Left-run scan walkers for big trees (tables and contract in
 * nn/forest_internal.h): the per-feature threshold lists and node words of
 * the binned form, the keys and node bytes of the bit forms, recoding rows
 * into either, and the scalar walker on binned rows. The vector walkers are
 * in nn/forest_scan_avx2.c and nn/forest_scan_avx512.c; tests compare every
 * one with a plain reference walk (tests/test_forest_walkers.c). */
#include <stdlib.h>
#include <string.h>

#include "helix/cpu.h"
#include "kernels/dispatch.h"
#include "nn/forest_internal.h"

#define PAD_NODES 64 /* leaves after the last node: vector loads stay inside */
#define MAX_RANK 32767

void hx_scan_free(hx_scan *s) {
    free(s->thr_start);
    free(s->thr);
    free(s->node);
    free(s->right);
    for (int k = 0; k < 2; k++) {
        hx_bitform *b = &s->bit[k];
        free(b->start);
        free(b->thr);
        free(b->nan_right);
        free(b->byte);
        free(b->mask);
    }
    memset(s, 0, sizeof *s);
}

static int cmp_float(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Index of t in the sorted list [lo, hi) (t is in it). */
static int32_t rank_of(const float *lo, const float *hi, float t) {
    const float *b = lo;
    size_t n = (size_t)(hi - lo);
    while (n > 0) {
        size_t h = n / 2;
        if (b[h] < t) {
            b += h + 1;
            n -= h + 1;
        } else {
            n = h;
        }
    }
    return (int32_t)(b - lo);
}

/* A bit-form key: threshold, then NaN direction. */
typedef struct {
    float thr;
    uint8_t nan_right;
} tkey;

static int cmp_tkey(const void *a, const void *b) {
    const tkey *x = a, *y = b;
    if (x->thr != y->thr) return x->thr < y->thr ? -1 : 1;
    return (int)x->nan_right - (int)y->nan_right;
}

/* The NaN-free form ignores the node's NaN direction: its NaN bits say
 * "right", right only for forests that never send NaN left. */
static tkey key_of(const hx_fnode *nd, bool with_nan) {
    return (tkey){nd->thr, (uint8_t)(!with_nan || !(nd->feat & HX_FOREST_NAN_LEFT))};
}

/* Index of k in the sorted distinct list [lo, lo + n) (k is in it). */
static int32_t key_index(const tkey *lo, int32_t n, tkey k) {
    int32_t b = 0;
    while (n > 0) {
        int32_t h = n / 2;
        if (cmp_tkey(&lo[b + h], &k) < 0) {
            b += h + 1;
            n -= h + 1;
        } else {
            n = h;
        }
    }
    return b;
}

/* The bit form's keys and node bytes; returns 0 when the forest has too
 * many keys (bf->keys stays 0), -1 when out of memory, 1 when built. The
 * threshold lists of the binned form (already built) bound the key count
 * from below: no need to sort when they alone are too many. */
static int build_bit_form(hx_scan *s, hx_bitform *bf, bool with_nan, const hx_fnode *nodes,
                          int64_t n_nodes) {
    const int F = s->n_features;
    if (s->thr_start[F] > HX_SCAN_TBITS) return 0;
    int64_t n_internal = 0;
    for (int64_t i = 0; i < n_nodes; i++) n_internal += nodes[i].right != i;
    int32_t *start = calloc((size_t)F + 1, sizeof *start), *fill = calloc((size_t)F, sizeof *fill);
    tkey *keys = malloc((size_t)(n_internal > 0 ? n_internal : 1) * sizeof *keys);
    if (!start || !fill || !keys) goto oom;
    for (int64_t i = 0; i < n_nodes; i++)
        if (nodes[i].right != i) start[(nodes[i].feat & ~HX_FOREST_NAN_LEFT) + 1]++;
    for (int f = 0; f < F; f++) start[f + 1] += start[f];
    for (int64_t i = 0; i < n_nodes; i++)
        if (nodes[i].right != i) {
            uint32_t f = nodes[i].feat & ~HX_FOREST_NAN_LEFT;
            keys[start[f] + fill[f]++] = key_of(&nodes[i], with_nan);
        }
    /* Sorted and made distinct in place, feature by feature; start[f]
     * becomes the feature's first bit. */
    int32_t out = 0;
    for (int f = 0; f < F; f++) {
        tkey *k = keys + start[f];
        int32_t n = start[f + 1] - start[f], d = 0;
        qsort(k, (size_t)n, sizeof *k, cmp_tkey);
        for (int32_t j = 0; j < n; j++)
            if (d == 0 || cmp_tkey(&k[j], &keys[out + d - 1]) != 0) keys[out + d++] = k[j];
        start[f] = out;
        out += d;
    }
    start[F] = out;
    free(fill);
    fill = NULL;
    if (out > HX_SCAN_TBITS) {
        free(start);
        free(keys);
        return 0;
    }
    bf->keys = out;
    bf->row = out + 8 <= 8 * 64 ? 64 : HX_SCAN_TROW;
    bf->start = start;
    bf->thr = malloc((size_t)(out > 0 ? out : 1) * sizeof *bf->thr);
    bf->nan_right = malloc((size_t)(out > 0 ? out : 1));
    bf->byte = malloc((size_t)(n_nodes + PAD_NODES));
    bf->mask = malloc((size_t)(n_nodes + PAD_NODES));
    if (!bf->thr || !bf->nan_right || !bf->byte || !bf->mask) {
        free(keys);
        return -1; /* the caller frees s */
    }
    for (int32_t j = 0; j < out; j++) {
        bf->thr[j] = keys[j].thr;
        bf->nan_right[j] = keys[j].nan_right;
    }
    for (int64_t i = 0; i < n_nodes + PAD_NODES; i++) {
        if (i >= n_nodes || nodes[i].right == i) { /* leaf: the all-ones last byte */
            bf->byte[i] = (uint8_t)(bf->row - 1);
            bf->mask[i] = 1;
            continue;
        }
        uint32_t f = nodes[i].feat & ~HX_FOREST_NAN_LEFT;
        uint32_t bit = (uint32_t)(start[f] + key_index(keys + start[f], start[f + 1] - start[f],
                                                        key_of(&nodes[i], with_nan)));
        bf->byte[i] = (uint8_t)(bit / 8);
        bf->mask[i] = (uint8_t)(1u << (bit % 8));
    }
    free(keys);
    return 1;
oom:
    free(start);
    free(fill);
    free(keys);
    return -1;
}

int hx_scan_build(hx_scan *s, const hx_fnode *nodes, int64_t n_nodes, int n_features) {
    memset(s, 0, sizeof *s);
    int64_t n_internal = 0;
    for (int64_t i = 0; i < n_nodes; i++) n_internal += nodes[i].right != i;
    s->n_features = n_features;
    s->thr_start = calloc((size_t)n_features + 1, sizeof *s->thr_start);
    s->thr = malloc((size_t)(n_internal > 0 ? n_internal : 1) * sizeof *s->thr);
    int32_t *fill = calloc((size_t)n_features, sizeof *fill);
    if (!s->thr_start || !s->thr || !fill) goto oom;
    /* Every internal node's threshold under its feature, then sorted and
     * made distinct in place, feature by feature. */
    for (int64_t i = 0; i < n_nodes; i++)
        if (nodes[i].right != i) s->thr_start[(nodes[i].feat & ~HX_FOREST_NAN_LEFT) + 1]++;
    for (int f = 0; f < n_features; f++) s->thr_start[f + 1] += s->thr_start[f];
    for (int64_t i = 0; i < n_nodes; i++) {
        if (nodes[i].right == i) continue;
        uint32_t f = nodes[i].feat & ~HX_FOREST_NAN_LEFT;
        s->thr[s->thr_start[f] + fill[f]++] = nodes[i].thr;
    }
    int32_t out = 0, max_thr = 0;
    for (int f = 0; f < n_features; f++) {
        float *t = s->thr + s->thr_start[f];
        int32_t n = s->thr_start[f + 1] - s->thr_start[f], d = 0;
        qsort(t, (size_t)n, sizeof *t, cmp_float);
        for (int32_t k = 0; k < n; k++)
            if (d == 0 || t[k] != s->thr[out + d - 1]) s->thr[out + d++] = t[k];
        s->thr_start[f] = out;
        out += d;
        if (d > max_thr) max_thr = d;
    }
    s->thr_start[n_features] = out;
    free(fill);
    fill = NULL;
    /* Bin values run 0..max_thr. */
    s->bits = 1;
    while (s->bits < 16 && (max_thr >> s->bits) != 0) s->bits *= 2;
    s->bin_mask = (1u << s->bits) - 1;
    /* A bin is read as 4 bytes from its first byte: padding for the last. */
    size_t row_bits = (size_t)n_features * (size_t)s->bits;
    s->row_bytes = (row_bits + 7) / 8 + 4;
    if (max_thr > MAX_RANK || row_bits - (size_t)s->bits > 0xffff) {
        hx_scan_free(s);
        return 0;
    }
    s->node = malloc((size_t)(n_nodes + PAD_NODES) * sizeof *s->node);
    s->right = malloc((size_t)(n_nodes + PAD_NODES) * sizeof *s->right);
    if (!s->node || !s->right) goto oom;
    for (int64_t i = 0; i < n_nodes; i++) {
        const hx_fnode *nd = &nodes[i];
        s->right[i] = nd->right;
        if (nd->right == i) {
            s->node[i] = 0xffff0000u; /* rank -1, offset 0 */
            continue;
        }
        uint32_t f = nd->feat & ~HX_FOREST_NAN_LEFT;
        int32_t k = rank_of(s->thr + s->thr_start[f], s->thr + s->thr_start[f + 1], nd->thr);
        s->node[i] = (uint32_t)k << 16 | f * (uint32_t)s->bits;
    }
    for (int64_t i = n_nodes; i < n_nodes + PAD_NODES; i++) {
        s->node[i] = 0xffff0000u;
        s->right[i] = (int32_t)i;
    }
    for (int64_t i = 0; i < n_nodes; i++)
        s->nan_left |= nodes[i].right != i && (nodes[i].feat & HX_FOREST_NAN_LEFT);
    if (build_bit_form(s, &s->bit[0], false, nodes, n_nodes) < 0) goto oom;
    if (s->nan_left && build_bit_form(s, &s->bit[1], true, nodes, n_nodes) < 0) goto oom;
    return 1;
oom:
    free(fill);
    hx_scan_free(s);
    return -1;
}

/* bin = the number of thresholds below x: a binary search for the first
 * threshold t with x <= t. Bins are packed little-endian, feature f at bit
 * f * bits. */
void hx_scan_bin_rows(const hx_scan *s, const float *x, size_t n_rows, uint8_t *out) {
    const int F = s->n_features, bits = s->bits;
    for (size_t r = 0; r < n_rows; r++) {
        const float *row = x + r * (size_t)F;
        uint8_t *o = out + r * s->row_bytes;
        memset(o, 0, s->row_bytes);
        for (int f = 0; f < F; f++) {
            const float *t = s->thr + s->thr_start[f];
            uint32_t n = (uint32_t)(s->thr_start[f + 1] - s->thr_start[f]), b = 0;
            float v = row[f];
            while (n > 0) {
                uint32_t h = n / 2;
                if (!(v <= t[b + h])) {
                    b += h + 1;
                    n -= h + 1;
                } else {
                    n = h;
                }
            }
            size_t p = (size_t)f * (size_t)bits;
            uint32_t w;
            memcpy(&w, o + p / 8, 4);
            w |= b << (p % 8);
            memcpy(o + p / 8, &w, 4);
        }
    }
}

void hx_scan_bit_rows(const hx_bitform *b, int n_features, const float *x, size_t n_rows,
                      uint8_t *out) {
    for (size_t r = 0; r < n_rows; r++) {
        const float *row = x + r * (size_t)n_features;
        uint8_t *o = out + r * b->row;
        memset(o, 0, b->row);
        o[b->row - 1] = 0xff;
        for (int f = 0; f < n_features; f++) {
            int32_t k = b->start[f], end = b->start[f + 1];
            float v = row[f];
            if (v != v) {
                for (; k < end; k++) o[k / 8] |= (uint8_t)(b->nan_right[k] << (k % 8));
                continue;
            }
            /* Usually one or a few keys: a linear scan of the prefix x > t. */
            for (; k < end && !(v <= b->thr[k]); k++) o[k / 8] |= (uint8_t)(1u << (k % 8));
        }
    }
}

/* Node i sends the row right (or is a leaf). */
static inline int goes_right(const hx_scan *s, const uint8_t *row, int32_t i) {
    uint32_t w = s->node[i], p = w & 0xffff, b;
    memcpy(&b, row + p / 8, 4);
    return (int32_t)((b >> (p % 8)) & s->bin_mask) > (int32_t)w >> 16;
}

void hx_scan_walk_scalar(const hx_scan *s, const uint8_t *bins, size_t row_stride,
                         const int32_t *roots, size_t root_stride, int n_jobs, int32_t *leaf) {
    for (int j = 0; j < n_jobs; j++) {
        const uint8_t *row = bins + (size_t)j * row_stride;
        int32_t i = roots[(size_t)j * root_stride];
        for (;;) {
            while (!goes_right(s, row, i)) i++;
            int32_t r = s->right[i];
            if (r == i) break;
            i = r;
        }
        leaf[j] = i;
    }
}

const hx_bitform *hx_scan_bit_form(const hx_scan *s, bool rows_have_nan) {
    if (hx_kernels_active()->forest.bits == HX_ISA_SCALAR) return NULL;
    if (rows_have_nan && s->nan_left) return s->bit[1].keys > 0 ? &s->bit[1] : NULL;
    if (s->bit[0].keys > 0) return &s->bit[0];
    return NULL;
}

void hx_scan_walk_bits(const hx_bitform *b, const int32_t *right, const uint8_t *rows,
                       size_t row_stride, const int32_t *roots, size_t root_stride, int n_jobs,
                       int32_t *leaf) {
#if defined(__x86_64__) || defined(_M_X64)
    /* The table says AVX2 on AVX-512 without VBMI (Skylake to Cascade Lake). */
    if (hx_kernels_active()->forest.bits == HX_ISA_AVX512)
        hx_scan_walk_vbmi(b, right, rows, row_stride, roots, root_stride, n_jobs, leaf);
    else
        hx_scan_walk_bits_avx2(b, right, rows, row_stride, roots, root_stride, n_jobs, leaf);
#elif defined(__aarch64__)
    hx_scan_walk_bits_neon(b, right, rows, row_stride, roots, root_stride, n_jobs, leaf);
#else
    (void)b, (void)right, (void)rows, (void)row_stride, (void)roots, (void)root_stride;
    (void)n_jobs, (void)leaf;
#endif
}

hx_scan_walk_fn hx_scan_walker(void) {
#if defined(__x86_64__) || defined(_M_X64)
    hx_isa isa = hx_kernels_active()->forest.scan;
    if (isa == HX_ISA_AVX512) return hx_scan_walk_avx512;
    if (isa == HX_ISA_AVX2) return hx_scan_walk_avx2;
#endif
    return hx_scan_walk_scalar;
}
