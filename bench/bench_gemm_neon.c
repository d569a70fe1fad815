/* The FMA-chain loop that measures this core's fp32 peak for `helix bench
 * gemm` with NEON FMAs (twelve independent chains). Returns the flops done. */
#include <arm_neon.h>

double bench_fma_loop_neon(long iters);

double bench_fma_loop_neon(long iters) {
    float32x4_t acc[12];
    for (int j = 0; j < 12; j++) acc[j] = vdupq_n_f32(0.001f * (float)j);
    const float32x4_t mul = vdupq_n_f32(0.9999999f), add = vdupq_n_f32(1e-7f);
    for (long i = 0; i < iters; i++) {
#pragma GCC unroll 12
        for (int j = 0; j < 12; j++) acc[j] = vfmaq_f32(add, acc[j], mul);
    }
    float32x4_t s = acc[0];
    for (int j = 1; j < 12; j++) s = vaddq_f32(s, acc[j]);
    volatile float sink = vgetq_lane_f32(s, 0);
    (void)sink;
    return (double)iters * 12 * 4 * 2;
}
