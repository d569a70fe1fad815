/* The FMA-chain loop that measures this core's fp32 peak for `helix bench
 * gemm` with avx512 FMAs: twelve independent accumulator chains, enough to
 * cover the FMA latency on every pipe. Returns the flops done. */
#include <immintrin.h>

double bench_fma_loop_avx512(long iters);

double bench_fma_loop_avx512(long iters) {
    __m512 acc[12];
    for (int j = 0; j < 12; j++) acc[j] = _mm512_set1_ps(0.001f * (float)j);
    const __m512 mul = _mm512_set1_ps(0.9999999f), add = _mm512_set1_ps(1e-7f);
    for (long i = 0; i < iters; i++) {
#pragma GCC unroll 12
        for (int j = 0; j < 12; j++) acc[j] = _mm512_fmadd_ps(acc[j], mul, add);
    }
    __m512 s = acc[0];
    for (int j = 1; j < 12; j++) s = _mm512_add_ps(s, acc[j]);
    float out[16];
    _mm512_storeu_ps(out, s);
    volatile float sink = out[0];
    (void)sink;
    return (double)iters * 12 * 16 * 2;
}
