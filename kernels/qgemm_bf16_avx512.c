/* AVX512-BF16 micro-kernel (8 x 32): per k pair, vdpbf16ps adds
 * a[k]w[k] + a[k+1]w[k+1] into each fp32 lane; sixteen zmm accumulators, two
 * W vectors (16 columns x a k pair), one broadcast A pair per row. Compiled
 * with -mavx512bf16; used only where the CPU reports it (Cooper Lake,
 * Sapphire Rapids, Zen 4). vdpbf16ps rounds in its own way (and flushes
 * denormals), so the result is within K eps of the reference, not equal. */
#include <immintrin.h>
#include <string.h>

#include "kernels/qgemm_internal.h"

#define MR 8
#define NR 32

static bool bf16_512_runs(void) {
    return hx_isa_supported(HX_ISA_AVX512) && hx_cpu_features_get()->avx512bf16;
}

static void pack_b(const void *W, size_t ldw, size_t n, size_t K, size_t kp, void *dst) {
    const uint16_t *s = W;
    uint16_t *d = dst;
    memset(d, 0, kp * NR * sizeof *d);
    for (size_t r = 0; r < n; r++)
        for (size_t k = 0; k < K; k++) d[((k / 2) * NR + r) * 2 + k % 2] = s[r * ldw + k];
}

static void pack_a(const void *A, size_t lda, size_t m, size_t K, size_t kp, void *dst) {
    const float *s = A;
    uint16_t *d = dst;
    memset(d, 0, kp * MR * sizeof *d);
    for (size_t r = 0; r < m; r++)
        for (size_t k = 0; k < K; k++) d[((k / 2) * MR + r) * 2 + k % 2] = hx_bf16_from_f32(s[r * lda + k]);
}

static inline __attribute__((always_inline)) void
tile_rows(const int mr, size_t kp, const uint16_t *restrict a, const uint16_t *restrict b,
          const float *bias, float *tile) {
    __m512 acc[MR][2];
#pragma GCC unroll 8
    for (int i = 0; i < mr; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    for (size_t kk = 0; kk < kp / 2; kk++) {
        __m512bh b0 = (__m512bh)_mm512_loadu_si512((const void *)b);
        __m512bh b1 = (__m512bh)_mm512_loadu_si512((const void *)(b + 32));
#pragma GCC unroll 8
        for (int i = 0; i < mr; i++) {
            int32_t pair;
            memcpy(&pair, a + 2 * i, sizeof pair);
            __m512bh av = (__m512bh)_mm512_set1_epi32(pair);
            acc[i][0] = _mm512_dpbf16_ps(acc[i][0], av, b0);
            acc[i][1] = _mm512_dpbf16_ps(acc[i][1], av, b1);
        }
        a += 2 * MR;
        b += 2 * NR;
    }
#pragma GCC unroll 8
    for (int i = 0; i < mr; i++) {
        __m512 r0 = acc[i][0], r1 = acc[i][1];
        if (bias) {
            r0 = _mm512_add_ps(r0, _mm512_loadu_ps(bias));
            r1 = _mm512_add_ps(r1, _mm512_loadu_ps(bias + 16));
        }
        _mm512_storeu_ps(tile + i * NR, r0);
        _mm512_storeu_ps(tile + i * NR + 16, r1);
    }
}

#define ROWS(k) case k: tile_rows(k, kp, a, b, bias, tile); break;
static void ukr(size_t m, size_t kp, const void *a, const void *b, const float *sa,
                const float *sb, const float *bias, float *tile, int32_t *raw) {
    switch (m) { ROWS(1) ROWS(2) ROWS(3) ROWS(4) ROWS(5) ROWS(6) ROWS(7) ROWS(8) default: break; }
}
#undef ROWS

const hx_qkernel hx_qk_bf16_avx512bf16 = {
    .name = "avx512-bf16", .dtype = HX_QDTYPE_BF16, .isa = HX_ISA_AVX512, .runs = bf16_512_runs,
    .inexact = true, .mr = MR, .nr = NR, .kq = 2, .a_size = 2, .b_size = 2, .mc = 96, .nt = 192,
    .pack_b = pack_b, .pack_a = pack_a, .ukr = ukr,
};
