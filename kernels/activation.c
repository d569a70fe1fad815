/* Activation dispatch on the active ISA. */
#include "transformer_ops_isa.h"
#include "helix/cpu.h"

void hx_gelu(size_t n, const float *x, float *y) {
    switch (hx_isa_active()) {
#if defined(__x86_64__)
    case HX_ISA_AVX2: hx_gelu_avx2(n, x, y); return;
    case HX_ISA_AVX512: hx_gelu_avx512(n, x, y); return;
#endif
#if defined(__aarch64__)
    case HX_ISA_NEON: hx_gelu_neon(n, x, y); return;
#endif
    default: hx_gelu_ref(n, x, y); return;
    }
}

void hx_tanh(size_t n, const float *x, float *y) {
    switch (hx_isa_active()) {
#if defined(__x86_64__)
    case HX_ISA_AVX2: hx_tanh_avx2(n, x, y); return;
    case HX_ISA_AVX512: hx_tanh_avx512(n, x, y); return;
#endif
#if defined(__aarch64__)
    case HX_ISA_NEON: hx_tanh_neon(n, x, y); return;
#endif
    default: hx_tanh_ref(n, x, y); return;
    }
}
