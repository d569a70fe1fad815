/* Softmax dispatch on the active ISA. */
#include "transformer_ops_isa.h"
#include "helix/cpu.h"

void hx_softmax_rows(size_t rows, size_t n, const float *x, size_t ldx, float *y, size_t ldy) {
    switch (hx_isa_active()) {
#if defined(__x86_64__)
    case HX_ISA_AVX2: hx_softmax_rows_avx2(rows, n, x, ldx, y, ldy); return;
    case HX_ISA_AVX512: hx_softmax_rows_avx512(rows, n, x, ldx, y, ldy); return;
#endif
#if defined(__aarch64__)
    case HX_ISA_NEON: hx_softmax_rows_neon(rows, n, x, ldx, y, ldy); return;
#endif
    default: hx_softmax_rows_ref(rows, n, x, ldx, y, ldy); return;
    }
}
