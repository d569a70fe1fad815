/* AVX2 micro-kernels for the int8 and bf16 GEMMs (no VNNI, no bf16
 * instructions needed: Zen 3, Haswell and later).
 *
 * int8 (6 x 16): both operands are sign-extended to 16 bits at packing, a k
 * pair per 32-bit lane, so vpmaddwd forms a[k]b[k] + a[k+1]b[k+1] exactly
 * (|sum| <= 2 * 127^2) and vpaddd accumulates in int32: twelve accumulators,
 * two W vectors, one broadcast A pair per row. W pre-widened costs 2 bytes a
 * weight but no extension in the inner loop. The avx2-pmaddwd-i8 variant
 * keeps W at 1 byte a weight (same pair layout, int8) and widens each W
 * vector with vpmovsxbw as it loads it: two more shuffles per twelve
 * vpmaddwd, half the memory traffic (for M = 1 or 2 rows, where W streams
 * from memory) and half the resident size.
 *
 * bf16 (6 x 16): W panels hold bf16; each k step widens 16 of them to fp32
 * (zero-extend, shift left 16) and runs the fp32 FMA tile. A is rounded to
 * bf16 at packing and kept as fp32. Products of two bf16 are exact, so the
 * k-ordered FMA chain gives the reference's bits. */
#include <immintrin.h>
#include <string.h>

#include "kernels/qgemm_internal.h"

#define MR 6
#define NR 16

static bool avx2_runs(void) { return hx_isa_supported(HX_ISA_AVX2); }

/* ---- int8 --------------------------------------------------------------- */

/* rows (<= width) of int8 src into [kp/2][width][2] int16. */
static void s8_pack_pairs(const int8_t *s, size_t ld, size_t rows, size_t K, size_t kp, size_t width,
                          int16_t *d) {
    memset(d, 0, kp * width * sizeof *d);
    for (size_t r = 0; r < rows; r++) {
        const int8_t *src = s + r * ld;
        for (size_t k = 0; k < K; k++) d[((k >> 1) * width + r) * 2 + (k & 1)] = src[k];
    }
}
static void s8_pack_b(const void *W, size_t ldw, size_t n, size_t K, size_t kp, void *dst) {
    s8_pack_pairs(W, ldw, n, K, kp, NR, dst);
}
static void s8_pack_a(const void *A, size_t lda, size_t m, size_t K, size_t kp, void *dst) {
    s8_pack_pairs(A, lda, m, K, kp, MR, dst);
}

/* q[k] = clamp(rint(x[k] / scale), -127, 127), 8 at a time: the same IEEE
 * division and round-half-even as hx_q8_value. */
static void s8_quant_row(size_t K, const float *x, float scale, int8_t *q) {
    const __m256 s = _mm256_set1_ps(scale), hi = _mm256_set1_ps(127.0f), lo = _mm256_set1_ps(-127.0f);
    size_t k = 0;
    for (; k + 8 <= K; k += 8) {
        __m256 r = _mm256_round_ps(_mm256_div_ps(_mm256_loadu_ps(x + k), s),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        r = _mm256_max_ps(_mm256_min_ps(r, hi), lo);
        __m256i i = _mm256_cvtps_epi32(r);
        __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(i), _mm256_extracti128_si256(i, 1));
        _mm_storel_epi64((__m128i *)(q + k), _mm_packs_epi16(w, w));
    }
    for (; k < K; k++) q[k] = hx_q8_value(x[k], scale);
}

/* W as int8 pairs: [kp/2][width][2] int8. */
static void s8_pack_pairs_i8(const int8_t *s, size_t ld, size_t rows, size_t K, size_t kp,
                             size_t width, int8_t *d) {
    memset(d, 0, kp * width);
    for (size_t r = 0; r < rows; r++) {
        const int8_t *src = s + r * ld;
        for (size_t k = 0; k < K; k++) d[((k >> 1) * width + r) * 2 + (k & 1)] = src[k];
    }
}
static void s8_pack_b_i8(const void *W, size_t ldw, size_t n, size_t K, size_t kp, void *dst) {
    s8_pack_pairs_i8(W, ldw, n, K, kp, NR, dst);
}

/* narrow: W panel holds int8 (widened here) instead of int16. */
static inline __attribute__((always_inline)) void
s8_tile(const int mr, const int narrow, size_t kp, const int16_t *restrict a, const void *restrict bp,
        const float *sa, const float *sb, const float *bias, float *tile, int32_t *raw) {
    __m256i acc[MR][2];
    const int16_t *b = bp;
    const int8_t *b8 = bp;
#pragma GCC unroll 6
    for (int i = 0; i < mr; i++) acc[i][0] = acc[i][1] = _mm256_setzero_si256();
    for (size_t kk = 0; kk < kp / 2; kk++) {
        __m256i b0, b1;
        if (narrow) {
            b0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)b8));
            b1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(b8 + 16)));
            b8 += 2 * NR;
        } else {
            b0 = _mm256_loadu_si256((const __m256i *)b);
            b1 = _mm256_loadu_si256((const __m256i *)(b + 16));
        }
#pragma GCC unroll 6
        for (int i = 0; i < mr; i++) {
            int32_t pair;
            memcpy(&pair, a + 2 * i, sizeof pair);
            __m256i av = _mm256_set1_epi32(pair);
            acc[i][0] = _mm256_add_epi32(acc[i][0], _mm256_madd_epi16(av, b0));
            acc[i][1] = _mm256_add_epi32(acc[i][1], _mm256_madd_epi16(av, b1));
        }
        a += 2 * MR;
        b += 2 * NR;
    }
    if (raw) {
#pragma GCC unroll 6
        for (int i = 0; i < mr; i++) {
            _mm256_storeu_si256((__m256i *)(raw + i * NR), acc[i][0]);
            _mm256_storeu_si256((__m256i *)(raw + i * NR + 8), acc[i][1]);
        }
        return;
    }
    /* (sa * sb) * (float)acc + bias: the reference's three roundings. */
    __m256 sb0 = _mm256_loadu_ps(sb), sb1 = _mm256_loadu_ps(sb + 8);
#pragma GCC unroll 6
    for (int i = 0; i < mr; i++) {
        __m256 s = _mm256_set1_ps(sa[i]);
        __m256 r0 = _mm256_mul_ps(_mm256_mul_ps(s, sb0), _mm256_cvtepi32_ps(acc[i][0]));
        __m256 r1 = _mm256_mul_ps(_mm256_mul_ps(s, sb1), _mm256_cvtepi32_ps(acc[i][1]));
        if (bias) {
            r0 = _mm256_add_ps(r0, _mm256_loadu_ps(bias));
            r1 = _mm256_add_ps(r1, _mm256_loadu_ps(bias + 8));
        }
        _mm256_storeu_ps(tile + i * NR, r0);
        _mm256_storeu_ps(tile + i * NR + 8, r1);
    }
}

#define ROWS(k) case k: s8_tile(k, 0, kp, a, b, sa, sb, bias, tile, raw); break;
static void s8_ukr(size_t m, size_t kp, const void *a, const void *b, const float *sa,
                   const float *sb, const float *bias, float *tile, int32_t *raw) {
    switch (m) { ROWS(1) ROWS(2) ROWS(3) ROWS(4) ROWS(5) ROWS(6) default: break; }
}
#undef ROWS
#define ROWS(k) case k: s8_tile(k, 1, kp, a, b, sa, sb, bias, tile, raw); break;
static void s8_ukr_i8(size_t m, size_t kp, const void *a, const void *b, const float *sa,
                      const float *sb, const float *bias, float *tile, int32_t *raw) {
    switch (m) { ROWS(1) ROWS(2) ROWS(3) ROWS(4) ROWS(5) ROWS(6) default: break; }
}
#undef ROWS

const hx_qkernel hx_qk_s8_avx2 = {
    .name = "avx2-pmaddwd", .dtype = HX_QDTYPE_S8, .isa = HX_ISA_AVX2, .runs = avx2_runs,
    .mr = MR, .nr = NR, .kq = 2, .a_size = 2, .b_size = 2, .mc = 96, .nt = 192,
    .pack_b = s8_pack_b, .pack_a = s8_pack_a, .quant_row = s8_quant_row, .ukr = s8_ukr,
};

const hx_qkernel hx_qk_s8_avx2_i8 = {
    .name = "avx2-pmaddwd-i8", .dtype = HX_QDTYPE_S8, .isa = HX_ISA_AVX2, .runs = avx2_runs,
    .mr = MR, .nr = NR, .kq = 2, .a_size = 2, .b_size = 1, .mc = 96, .nt = 192,
    .pack_b = s8_pack_b_i8, .pack_a = s8_pack_a, .quant_row = s8_quant_row, .ukr = s8_ukr_i8,
};

/* ---- bf16 --------------------------------------------------------------- */

static void bf16_pack_b(const void *W, size_t ldw, size_t n, size_t K, size_t kp, void *dst) {
    const uint16_t *s = W;
    uint16_t *d = dst;
    memset(d, 0, kp * NR * sizeof *d);
    for (size_t r = 0; r < n; r++)
        for (size_t k = 0; k < K; k++) d[k * NR + r] = s[r * ldw + k];
}

/* x rounded to bf16 (nearest even; NaN -> quiet NaN), as fp32: hx_bf16_from_f32
 * eight at a time. */
static inline __m256 round_bf16(__m256 x) {
    const __m256i hi_mask = _mm256_set1_epi32((int)0xffff0000u);
    __m256i u = _mm256_castps_si256(x);
    __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1));
    __m256i r = _mm256_and_si256(_mm256_add_epi32(u, _mm256_add_epi32(_mm256_set1_epi32(0x7fff), lsb)), hi_mask);
    __m256i qnan = _mm256_and_si256(_mm256_or_si256(u, _mm256_set1_epi32(0x00400000)), hi_mask);
    return _mm256_blendv_ps(_mm256_castsi256_ps(r), _mm256_castsi256_ps(qnan), _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

static void bf16_pack_a(const void *A, size_t lda, size_t m, size_t K, size_t kp, void *dst) {
    const float *s = A;
    float *d = dst;
    if (m < MR) memset(d, 0, kp * MR * sizeof *d);
    for (size_t r = 0; r < m; r++) {
        const float *src = s + r * lda;
        size_t k = 0;
        for (; k + 8 <= K; k += 8) {
            float t[8];
            _mm256_storeu_ps(t, round_bf16(_mm256_loadu_ps(src + k)));
            for (int l = 0; l < 8; l++) d[(k + l) * MR + r] = t[l];
        }
        for (; k < K; k++) d[k * MR + r] = hx_bf16_to_f32(hx_bf16_from_f32(src[k]));
    }
}

static inline __m256 load_bf16x8(const uint16_t *p) {
    __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(w, 16));
}

static inline __attribute__((always_inline)) void
bf16_tile(const int mr, size_t kp, const float *restrict a, const uint16_t *restrict b,
          const float *bias, float *tile) {
    __m256 acc[MR][2];
#pragma GCC unroll 6
    for (int i = 0; i < mr; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
#pragma GCC unroll 2
    for (size_t k = 0; k < kp; k++) {
        __m256 b0 = load_bf16x8(b), b1 = load_bf16x8(b + 8);
#pragma GCC unroll 6
        for (int i = 0; i < mr; i++) {
            __m256 av = _mm256_broadcast_ss(a + i);
            acc[i][0] = _mm256_fmadd_ps(av, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(av, b1, acc[i][1]);
        }
        a += MR;
        b += NR;
    }
#pragma GCC unroll 6
    for (int i = 0; i < mr; i++) {
        __m256 r0 = acc[i][0], r1 = acc[i][1];
        if (bias) {
            r0 = _mm256_add_ps(r0, _mm256_loadu_ps(bias));
            r1 = _mm256_add_ps(r1, _mm256_loadu_ps(bias + 8));
        }
        _mm256_storeu_ps(tile + i * NR, r0);
        _mm256_storeu_ps(tile + i * NR + 8, r1);
    }
}

#define ROWS(k) case k: bf16_tile(k, kp, a, b, bias, tile); break;
static void bf16_ukr(size_t m, size_t kp, const void *a, const void *b, const float *sa,
                     const float *sb, const float *bias, float *tile, int32_t *raw) {
    switch (m) { ROWS(1) ROWS(2) ROWS(3) ROWS(4) ROWS(5) ROWS(6) default: break; }
}
#undef ROWS

/* One row over HX_QUKR_WIDE panels: eight accumulator chains instead of
 * two (a single row is otherwise bound by the FMA latency); each element is
 * still one k-ordered chain, the same bits as bf16_tile. */
static void bf16_ukr_wide1(size_t kp, const void *a_, const void *b_, size_t b_stride,
                           const float *bias, float *tile) {
    const float *a = a_;
    const unsigned char *b = b_;
    __m256 acc[HX_QUKR_WIDE][2];
#pragma GCC unroll 4
    for (int q = 0; q < HX_QUKR_WIDE; q++) acc[q][0] = acc[q][1] = _mm256_setzero_ps();
    for (size_t k = 0; k < kp; k++) {
        __m256 av = _mm256_broadcast_ss(a + k * MR);
#pragma GCC unroll 4
        for (int q = 0; q < HX_QUKR_WIDE; q++) {
            const uint16_t *bq = (const uint16_t *)(b + q * b_stride) + k * NR;
            acc[q][0] = _mm256_fmadd_ps(av, load_bf16x8(bq), acc[q][0]);
            acc[q][1] = _mm256_fmadd_ps(av, load_bf16x8(bq + 8), acc[q][1]);
        }
    }
#pragma GCC unroll 4
    for (int q = 0; q < HX_QUKR_WIDE; q++) {
        __m256 r0 = acc[q][0], r1 = acc[q][1];
        if (bias) {
            r0 = _mm256_add_ps(r0, _mm256_loadu_ps(bias + q * NR));
            r1 = _mm256_add_ps(r1, _mm256_loadu_ps(bias + q * NR + 8));
        }
        _mm256_storeu_ps(tile + q * NR, r0);
        _mm256_storeu_ps(tile + q * NR + 8, r1);
    }
}

const hx_qkernel hx_qk_bf16_avx2 = {
    .name = "avx2-fma", .dtype = HX_QDTYPE_BF16, .isa = HX_ISA_AVX2, .runs = avx2_runs,
    .mr = MR, .nr = NR, .kq = 1, .a_size = 4, .b_size = 2, .mc = 96, .nt = 192,
    .pack_b = bf16_pack_b, .pack_a = bf16_pack_a, .ukr = bf16_ukr, .ukr_wide1 = bf16_ukr_wide1,
};
