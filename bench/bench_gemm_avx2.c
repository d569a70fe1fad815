/* The FMA-chain loop that measures this core's fp32 peak for `helix bench
 * gemm` with avx2 FMAs: twelve independent accumulator chains, enough to
 * cover the FMA latency on every pipe. Returns the flops done. */
#include <immintrin.h>

double bench_fma_loop_avx2(long iters);

double bench_fma_loop_avx2(long iters) {
    __m256 acc[12];
    for (int j = 0; j < 12; j++) acc[j] = _mm256_set1_ps(0.001f * (float)j);
    const __m256 mul = _mm256_set1_ps(0.9999999f), add = _mm256_set1_ps(1e-7f);
    for (long i = 0; i < iters; i++) {
#pragma GCC unroll 12
        for (int j = 0; j < 12; j++) acc[j] = _mm256_fmadd_ps(acc[j], mul, add);
    }
    __m256 s = acc[0];
    for (int j = 1; j < 12; j++) s = _mm256_add_ps(s, acc[j]);
    float out[8];
    _mm256_storeu_ps(out, s);
    volatile float sink = out[0];
    (void)sink;
    return (double)iters * 12 * 8 * 2;
}
