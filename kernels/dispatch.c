/* The kernel tables (dispatch.h) and the choice of the active one: the only
 * code that maps an ISA and the CPU's features to kernels. */
#include "kernels/dispatch.h"

#include <pthread.h>

static hx_kernels tables[HX_ISA_COUNT];
static const hx_kernels *active; /* atomic: &tables[isa] */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* The portable C kernels: every table starts from these. */
static void fill_scalar(hx_kernels *t) {
    *t = (hx_kernels){
        .isa = HX_ISA_SCALAR,
        .gemm = hx_gemm_kernel_scalar,
        .act = hx_act_rows_scalar,
        .conv = {hx_conv_row_scalar, hx_wino_in_scalar, hx_wino_out_scalar},
        .softmax = hx_softmax_rows_ref,
        .layernorm = hx_layernorm_ref,
        .attention = hx_attention_block_ref,
        .bits = {hx_popcount_and_ref, hx_byte_eq_bits_ref},
        .forest = {HX_ISA_SCALAR, HX_ISA_SCALAR},
        .qgemm = {&hx_qk_s8_scalar, &hx_qk_bf16_scalar},
    };
}

static void fill(hx_kernels *t, hx_isa isa, const hx_cpu_features *f) {
    fill_scalar(t);
    switch (isa) {
#if defined(__x86_64__)
    case HX_ISA_AVX2:
        t->isa = isa;
        t->gemm = hx_gemm_kernel_avx2;
        t->act = hx_act_rows_avx2;
        t->conv.row = hx_conv_row_avx2;
        t->conv.wino_in = hx_wino_in_avx2;
        t->conv.wino_out = hx_wino_out_avx2;
        t->softmax = hx_softmax_rows_avx2;
        t->layernorm = hx_layernorm_rows_avx2;
        t->attention = hx_attention_block_avx2;
        t->bits.popcount_and = hx_popcount_and_avx2;
        t->bits.byte_eq = hx_byte_eq_bits_avx2;
        t->forest.scan = HX_ISA_AVX2;
        t->forest.bits = HX_ISA_AVX2;
        /* avx2-pmaddwd-i8 over the pre-widened avx2-pmaddwd: faster at every
         * BERT shape measured on Zen 3 (helix bench gemm --variant). */
        t->qgemm.s8 = f->avxvnni ? &hx_qk_s8_avxvnni : &hx_qk_s8_avx2_i8;
        t->qgemm.bf16 = &hx_qk_bf16_avx2;
        break;
    case HX_ISA_AVX512:
        t->isa = isa;
        t->gemm = hx_gemm_kernel_avx512;
        t->act = hx_act_rows_avx512;
        t->conv.row = hx_conv_row_avx512;
        t->conv.wino_in = hx_wino_in_avx512;
        t->conv.wino_out = hx_wino_out_avx512;
        t->softmax = hx_softmax_rows_avx512;
        t->layernorm = hx_layernorm_rows_avx512;
        t->attention = hx_attention_block_avx512;
        /* The bitset kernels gain nothing from zmm: the AVX2 ones. */
        t->bits.popcount_and = hx_popcount_and_avx2;
        t->bits.byte_eq = hx_byte_eq_bits_avx2;
        /* AVX-512 without VBMI (Skylake to Cascade Lake) has no vpermb: the
         * AVX2 bit-form walker. */
        t->forest.scan = HX_ISA_AVX512;
        t->forest.bits = f->avx512vbmi ? HX_ISA_AVX512 : HX_ISA_AVX2;
        t->qgemm.s8 = f->avx512vnni ? &hx_qk_s8_avx512vnni
                      : f->avxvnni  ? &hx_qk_s8_avxvnni
                                    : &hx_qk_s8_avx2_i8;
        t->qgemm.bf16 = f->avx512bf16 ? &hx_qk_bf16_avx512bf16 : &hx_qk_bf16_avx2;
        break;
#endif
#if defined(__aarch64__)
    case HX_ISA_NEON:
        t->isa = isa;
        t->gemm = hx_gemm_kernel_neon;
        t->act = hx_act_rows_neon;
        t->conv.row = hx_conv_row_neon;
        t->conv.wino_in = hx_wino_in_neon;
        t->conv.wino_out = hx_wino_out_neon;
        t->softmax = hx_softmax_rows_neon;
        t->layernorm = hx_layernorm_rows_neon;
        t->attention = hx_attention_block_neon;
        t->forest.bits = HX_ISA_NEON;
        t->qgemm.s8 = f->i8mm ? &hx_qk_s8_smmla : f->asimddp ? &hx_qk_s8_sdot : &hx_qk_s8_neon;
        t->qgemm.bf16 = f->bf16 ? &hx_qk_bf16_bfmmla : &hx_qk_bf16_neon;
        break;
#endif
    default: break; /* an ISA this build lacks: the scalar table */
    }
}

static void fill_tables(void) {
    const hx_cpu_features *f = hx_cpu_features_get();
    for (int i = 0; i < HX_ISA_COUNT; i++) fill(&tables[i], (hx_isa)i, f);
    __atomic_store_n(&active, &tables[hx_isa_best()], __ATOMIC_RELEASE);
}

const hx_kernels *hx_kernels_active(void) {
    pthread_once(&tables_once, fill_tables);
    return __atomic_load_n(&active, __ATOMIC_ACQUIRE);
}

const hx_kernels *hx_kernels_for(hx_isa isa) {
    pthread_once(&tables_once, fill_tables);
    return (unsigned)isa < HX_ISA_COUNT ? &tables[isa] : &tables[HX_ISA_SCALAR];
}

hx_status hx_isa_init(hx_error *err) {
    (void)err;
    pthread_once(&tables_once, fill_tables);
    return HX_OK;
}

hx_isa hx_isa_active(void) { return hx_kernels_active()->isa; }

hx_status hx_isa_set(hx_isa isa, hx_error *err) {
    pthread_once(&tables_once, fill_tables);
    if (!hx_isa_supported(isa))
        return hx_fail(err, HX_EISA, "instruction set %s is not available on this CPU or build",
                       hx_isa_name(isa));
    __atomic_store_n(&active, &tables[isa], __ATOMIC_RELEASE);
    return HX_OK;
}
