/* `helix info --cpu`: what CPU features were detected, which instruction set
 * helix runs (HELIX_ISA may force one), how many threads it uses and which
 * GEMM backend is active. */
#include <stdio.h>
#include <string.h>

#include "helix.h"
#include "cli_util.h"

int cmd_info_cpu(int argc, char **argv);

static void usage(FILE *out) {
    fprintf(out,
            "usage: helix info --cpu [--json]\n"
            "\n"
            "Prints the CPU features helix detected (cpuid/xgetbv on x86-64, HWCAP on\n"
            "aarch64), the instruction sets this build can run here, the one chosen\n"
            "(the best, unless HELIX_ISA=scalar|avx2|avx512|neon forces one), the\n"
            "default thread count (HELIX_THREADS or the online cores) and the GEMM\n"
            "backend (HELIX_GEMM=helix|openblas).\n");
}

int cmd_info_cpu(int argc, char **argv) {
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (strcmp(argv[i], "--cpu") != 0) {
            fprintf(stderr, "helix info --cpu: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    const hx_cpu_features *f = hx_cpu_features_get();
    const struct { const char *name; bool on; } feats[] = {
        {"avx2", f->avx2}, {"fma", f->fma}, {"avx512f", f->avx512f}, {"avx512bw", f->avx512bw},
        {"avx512vl", f->avx512vl}, {"avx512dq", f->avx512dq}, {"avx512vnni", f->avx512vnni},
        {"avx512bf16", f->avx512bf16}, {"avx512vbmi", f->avx512vbmi}, {"avxvnni", f->avxvnni}, {"neon", f->neon}, {"asimddp", f->asimddp}, {"i8mm", f->i8mm}, {"bf16", f->bf16},
    };
    size_t n_feats = sizeof feats / sizeof feats[0];
    hx_isa active = hx_isa_active();
    int threads = hx_default_threads();

    if (json) {
        printf("{\"vendor\":");
        cli_write_json_string(stdout, f->vendor, strlen(f->vendor));
        printf(",\"brand\":");
        cli_write_json_string(stdout, f->brand, strlen(f->brand));
        printf(",\"features\":[");
        int first = 1;
        for (size_t i = 0; i < n_feats; i++)
            if (feats[i].on) printf("%s\"%s\"", first ? "" : ",", feats[i].name), first = 0;
        printf("],\"supported_isas\":[");
        first = 1;
        for (int i = 0; i < HX_ISA_COUNT; i++)
            if (hx_isa_supported((hx_isa)i)) printf("%s\"%s\"", first ? "" : ",", hx_isa_name((hx_isa)i)), first = 0;
        printf("],\"best_isa\":\"%s\",\"isa\":\"%s\",\"threads\":%d,\"gemm_backend\":\"%s\","
               "\"gemm_int8\":\"%s\",\"gemm_bf16\":\"%s\"}\n",
               hx_isa_name(hx_isa_best()), hx_isa_name(active), threads, hx_gemm_backend_name(),
               hx_gemm_q_variant_best(HX_QDTYPE_S8), hx_gemm_q_variant_best(HX_QDTYPE_BF16));
        return 0;
    }
    printf("vendor:         %s\n", f->vendor[0] ? f->vendor : "(unknown)");
    printf("brand:          %s\n", f->brand[0] ? f->brand : "(unknown)");
    printf("features:      ");
    int any = 0;
    for (size_t i = 0; i < n_feats; i++)
        if (feats[i].on) printf(" %s", feats[i].name), any = 1;
    printf("%s\n", any ? "" : " (none of interest)");
    printf("supported ISAs:");
    for (int i = 0; i < HX_ISA_COUNT; i++)
        if (hx_isa_supported((hx_isa)i)) printf(" %s", hx_isa_name((hx_isa)i));
    printf("\nbest ISA:       %s\n", hx_isa_name(hx_isa_best()));
    printf("chosen ISA:     %s%s\n", hx_isa_name(active),
           active != hx_isa_best() ? " (forced by HELIX_ISA)" : "");
    printf("threads:        %d\n", threads);
    printf("GEMM backend:   %s\n", hx_gemm_backend_name());
    printf("GEMM per dtype: fp32 %s-%s, int8 %s, bf16 %s\n", hx_gemm_backend_name(), hx_isa_name(active),
           hx_gemm_q_variant_best(HX_QDTYPE_S8), hx_gemm_q_variant_best(HX_QDTYPE_BF16));
    return 0;
}
