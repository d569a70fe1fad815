/* `helix bench gemm`: SGEMM GFLOP/s on BERT shapes for helix with packed
 * weights, helix unpacked, and OpenBLAS cblas_sgemm in the same process (with
 * as many OpenBLAS threads as ours), against this machine's FMA peak measured
 * in the same run by a chain of independent FMAs.
 *
 * --dtype int8|bf16 times the reduced-precision GEMMs (include/helix/qgemm.h,
 * A quantized / rounded on every call, which the figure includes) beside
 * helix fp32 packed and OpenBLAS fp32, in GOP/s (2 M N K operations).
 *
 * Shapes: C[M,N] = A[M,K] W^T with W stored [N,K] (a Linear layer's weight),
 * M in {1, 16, 128, 512} x (K,N) in {(768,768), (768,2304), (768,3072),
 * (3072,768)}, and square 1024 and 2048. Each figure is the median of
 * several timed repetitions (the machine may be shared). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helix.h"
#include "helix/qgemm.h"
#include "cli_util.h"

#if defined(HELIX_HAVE_OPENBLAS)
#include <cblas.h>
#endif

#if defined(__x86_64__)
double bench_fma_loop_avx2(long iters);
double bench_fma_loop_avx512(long iters);
#elif defined(__aarch64__)
double bench_fma_loop_neon(long iters);
#endif

int bench_gemm(int argc, char **argv);

static void usage(FILE *out) {
    fprintf(out,
            "usage: helix bench gemm [--threads N] [--dtype fp32|int8|bf16] [--variant V] [--json] [--reps R] [--quick] [--cpu-time]\n"
            "\n"
            "SGEMM GFLOP/s on BERT shapes (C = A W^T, W stored [out,in]) for helix\n"
            "with packed weights, helix unpacked, and OpenBLAS (same threads), with\n"
            "the ratio helix/OpenBLAS and the percentage of the FMA peak measured\n"
            "in the same run.\n"
            "\n"
            "  --threads N  threads for helix and OpenBLAS (default: HELIX_THREADS or cores)\n"
            "  --dtype D    fp32 (default); int8 or bf16: that GEMM beside helix fp32\n"
            "               packed and OpenBLAS fp32 (columns: D, fp32, openblas)\n"
            "  --variant V  with --dtype int8|bf16: that micro-kernel (default: the\n"
            "               automatic choice; names as in include/helix/qgemm.h)\n"
            "  --json       one JSON object per line instead of a table: {m, n, k,\n"
            "               threads, impl, gflops, peak_pct}, impl helix-packed, helix,\n"
            "               openblas, or fma-peak for the measured peak of all threads\n"
            "  --reps R     timed rounds per figure, median reported (default 7)\n"
            "  --quick      only M=16 and M=128 on (768,768) (a smoke run)\n"
            "  --cpu-time   time by this thread's CPU time instead of the wall clock\n"
            "               (only with --threads 1: on a machine other jobs share, it\n"
            "               leaves out the time the benchmark was not running)\n");
}

static int use_cpu_time;

static double now(void) {
    if (!use_cpu_time) return cli_now();
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* fp32 FMA peak of one core in GFLOP/s: the best of a few runs of the
 * widest FMA loop this CPU has. */
static double measure_peak(void) {
    double (*loop)(long) = NULL;
#if defined(__x86_64__)
    loop = hx_isa_supported(HX_ISA_AVX512) ? bench_fma_loop_avx512
         : hx_isa_supported(HX_ISA_AVX2)   ? bench_fma_loop_avx2 : NULL;
#elif defined(__aarch64__)
    loop = hx_isa_supported(HX_ISA_NEON) ? bench_fma_loop_neon : NULL;
#endif
    if (!loop) return 0.0;
    double best = 0.0;
    for (int r = 0; r < 30; r++) { /* short runs: the best one saw the core alone */
        double t0 = now();
        double flops = loop(1000000);
        double dt = now() - t0;
        if (dt > 0 && flops / dt / 1e9 > best) best = flops / dt / 1e9;
    }
    return best;
}

typedef struct {
    size_t M, N, K;
    const float *A, *W;
    float *C;
    hx_packed_b *packed;
    hx_gemm_workspace ws; /* sized once per shape, as a model session does */
    hx_qpacked_b *qpacked;
    hx_threadpool *pool;
    int impl; /* 0 helix-packed, 1 helix, 2 openblas, 3 int8, 4 bf16 */
} run_ctx;

static int run_once(run_ctx *r) {
    hx_error err;
    hx_status st = HX_OK;
    switch (r->impl) {
    case 0:
        st = hx_sgemm_packed(HX_NOTRANS, r->M, 1.0f, r->A, r->K, r->packed, 0.0f, r->C, r->N, NULL,
                             &r->ws, r->pool, &err);
        break;
    case 1:
        st = hx_sgemm(HX_NOTRANS, HX_TRANS, r->M, r->N, r->K, 1.0f, r->A, r->K, r->W, r->K, 0.0f,
                      r->C, r->N, NULL, &r->ws, r->pool, &err);
        break;
    case 3: st = hx_gemm_s8(r->M, r->A, r->K, r->qpacked, r->C, r->N, NULL, r->pool, &err); break;
    case 4: st = hx_gemm_bf16(r->M, r->A, r->K, r->qpacked, r->C, r->N, NULL, r->pool, &err); break;
    case 2:
#if defined(HELIX_HAVE_OPENBLAS)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)r->M, (blasint)r->N,
                    (blasint)r->K, 1.0f, r->A, (blasint)r->K, r->W, (blasint)r->K, 0.0f, r->C,
                    (blasint)r->N);
#endif
        break;
    }
    if (st != HX_OK) {
        fprintf(stderr, "helix bench gemm: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median GFLOP/s of each implementation over reps rounds; a round times
 * every implementation once in turn (~25 ms each), so a neighbour's load on
 * a shared machine hits them alike. g[impl] < 0 marks a failure. */
static int time_gflops(run_ctx *r, const int *impls, int n_impl, int reps, double *g) {
    double flops = 2.0 * (double)r->M * (double)r->N * (double)r->K;
    long calls[3];
    double rates[3][32];
    if (reps > 32) reps = 32;
    for (int impl = 0; impl < n_impl; impl++) {
        r->impl = impls[impl];
        if (run_once(r)) return -1; /* warm-up: caches, page faults */
        double t0 = now();
        if (run_once(r)) return -1;
        double one = now() - t0;
        calls[impl] = one > 0.025 ? 1 : (long)(0.025 / (one > 1e-7 ? one : 1e-7)) + 1;
    }
    for (int rep = 0; rep < reps; rep++) {
        for (int impl = 0; impl < n_impl; impl++) {
            r->impl = impls[impl];
            double t0 = now();
            for (long c = 0; c < calls[impl]; c++)
                if (run_once(r)) return -1;
            rates[impl][rep] = flops * (double)calls[impl] / (now() - t0) / 1e9;
        }
    }
    for (int impl = 0; impl < n_impl; impl++) {
        qsort(rates[impl], (size_t)reps, sizeof(double), cmp_double);
        g[impl] = rates[impl][reps / 2];
    }
    return 0;
}

/* W (fp32 [N,K]) quantized per output channel or rounded to bf16, packed. */
static const char *variant;

static hx_status pack_reduced(int dtype, size_t N, size_t K, const float *W, hx_qpacked_b **out,
                              hx_error *err) {
    hx_status st = HX_ENOMEM;
    if (dtype == 3) {
        int8_t *q = malloc(N * K);
        float *s = malloc(N * sizeof *s);
        if (q && s) {
            hx_quantize_s8_rows(N, K, W, K, q, K, s);
            st = hx_gemm_s8_pack_b(N, K, q, K, s, variant, out, err);
        } else {
            hx_fail(err, st, "out of memory quantizing W");
        }
        free(q), free(s);
    } else {
        uint16_t *b = malloc(N * K * sizeof *b);
        if (b) {
            hx_bf16_from_f32_n(N * K, W, b);
            st = hx_gemm_bf16_pack_b(N, K, b, K, variant, out, err);
        } else {
            hx_fail(err, st, "out of memory rounding W");
        }
        free(b);
    }
    return st;
}

int bench_gemm(int argc, char **argv) {
    long threads = 0, reps = 7;
    int json = 0, quick = 0, dtype = 0; /* 0 fp32, 3 int8, 4 bf16 (the impl id) */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--quick")) {
            quick = 1;
        } else if (!strcmp(argv[i], "--dtype") && i + 1 < argc) {
            const char *d = argv[++i];
            dtype = !strcmp(d, "fp32") ? 0 : !strcmp(d, "int8") ? 3 : !strcmp(d, "bf16") ? 4 : -1;
            if (dtype < 0) {
                fprintf(stderr, "helix bench gemm: --dtype wants fp32, int8 or bf16\n");
                return 2;
            }
        } else if (!strcmp(argv[i], "--variant") && i + 1 < argc) {
            variant = argv[++i];
        } else if (!strcmp(argv[i], "--cpu-time")) {
            use_cpu_time = 1;
        } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], 1, 1024, &threads)) {
                fprintf(stderr, "helix bench gemm: --threads wants an integer in 1..1024\n");
                return 2;
            }
        } else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], 1, 32, &reps)) {
                fprintf(stderr, "helix bench gemm: --reps wants an integer in 1..32\n");
                return 2;
            }
        } else {
            fprintf(stderr, "helix bench gemm: unknown or incomplete option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (threads == 0) threads = hx_default_threads();
    if (use_cpu_time && threads != 1) {
        fprintf(stderr, "helix bench gemm: --cpu-time needs --threads 1\n");
        return 2;
    }

    hx_error err;
    hx_threadpool *pool = NULL;
    if (hx_threadpool_create((int)threads, &pool, &err) != HX_OK) {
        fprintf(stderr, "helix bench gemm: %s\n", err.msg);
        return 1;
    }
#if defined(HELIX_HAVE_OPENBLAS)
    openblas_set_num_threads((int)threads);
    const int have_blas = 1;
#else
    const int have_blas = 0;
#endif

    double peak1 = measure_peak(), peak = peak1 * (double)threads;
    if (json)
        /* The peak as a record of the same shape (impl "fma-peak", all threads). */
        printf("{\"m\":0,\"n\":0,\"k\":0,\"threads\":%ld,\"impl\":\"fma-peak\",\"gflops\":%.2f,"
               "\"peak_pct\":100.0,\"isa\":\"%s\"}\n",
               threads, peak, hx_isa_name(hx_isa_active()));
    else
        printf("FMA peak %.1f GFLOP/s per core (%ld threads: %.1f), ISA %s%s%s, median of %ld, %s\n\n"
               "%6s %6s %6s  %12s %12s %12s  %7s %7s\n",
               peak1, threads, peak, hx_isa_name(hx_isa_active()),
               dtype ? ", kernel " : "",
               !dtype ? "" : variant ? variant : hx_gemm_q_variant_best(dtype == 3 ? HX_QDTYPE_S8 : HX_QDTYPE_BF16),
               reps, use_cpu_time ? "thread CPU time" : "wall clock", "M", "N", "K",
               dtype == 3 ? "int8" : dtype == 4 ? "bf16" : "packed", dtype ? "fp32" : "helix", "openblas",
               dtype ? "x fp32" : "ratio", "%peak");

    size_t shapes[32][3], n_shapes = 0;
    const size_t ms[] = {1, 16, 128, 512}, kn[][2] = {{768, 768}, {768, 2304}, {768, 3072}, {3072, 768}};
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++) {
            if (quick && (j != 0 || (ms[i] != 16 && ms[i] != 128))) continue;
            shapes[n_shapes][0] = ms[i], shapes[n_shapes][1] = kn[j][1], shapes[n_shapes][2] = kn[j][0];
            n_shapes++;
        }
    if (!quick)
        for (size_t s = 1024; s <= 2048; s *= 2)
            shapes[n_shapes][0] = shapes[n_shapes][1] = shapes[n_shapes][2] = s, n_shapes++;

    int status = 0;
    for (size_t s = 0; s < n_shapes && !status; s++) {
        size_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
        float *A = malloc(M * K * sizeof *A), *W = malloc(N * K * sizeof *W), *C = malloc(M * N * sizeof *C);
        hx_gemm_workspace ws = {NULL, hx_gemm_workspace_size(M, N, K)};
        ws.data = ws.bytes < SIZE_MAX ? malloc(ws.bytes) : NULL;
        if (!A || !W || !C || !ws.data) {
            fprintf(stderr, "helix bench gemm: out of memory\n");
            free(A), free(W), free(C), free(ws.data);
            status = 1;
            break;
        }
        for (size_t i = 0; i < M * K; i++) A[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
        for (size_t i = 0; i < N * K; i++) W[i] = (float)((i * 104729) % 1000) / 1000.0f - 0.5f;
        run_ctx r = {M, N, K, A, W, C, NULL, ws, NULL, pool, 0};
        if (hx_gemm_pack_b(HX_TRANS, K, N, W, K, &r.packed, &err) != HX_OK) {
            fprintf(stderr, "helix bench gemm: %s\n", err.msg);
            status = 1;
        }
        if (!status && dtype && pack_reduced(dtype, N, K, W, &r.qpacked, &err) != HX_OK) {
            fprintf(stderr, "helix bench gemm: %s\n", err.msg);
            status = 1;
        }
        /* Columns: fp32 packed, fp32 unpacked, OpenBLAS; or with --dtype the
         * reduced-precision GEMM, fp32 packed, OpenBLAS. */
        const int impls_fp32[3] = {0, 1, 2}, impls_q[3] = {dtype, 0, 2};
        double g[3] = {0, 0, 0};
        if (!status && time_gflops(&r, dtype ? impls_q : impls_fp32, have_blas ? 3 : 2, (int)reps, g))
            status = 1;
        hx_gemm_packed_free(r.packed);
        hx_qpacked_free(r.qpacked);
        free(A), free(W), free(C), free(ws.data);
        if (status) break;
        if (json) {
            const char *const names[3] = {dtype == 3 ? "helix-int8" : dtype == 4 ? "helix-bf16" : "helix-packed",
                                          dtype ? "helix-packed" : "helix", "openblas"};
            for (int impl = 0; impl < 3; impl++) {
                if (impl == 2 && !have_blas) continue;
                printf("{\"m\":%zu,\"n\":%zu,\"k\":%zu,\"threads\":%ld,\"impl\":\"%s\",\"gflops\":%.2f,"
                       "\"peak_pct\":%.1f}\n",
                       M, N, K, threads, names[impl], g[impl], peak > 0 ? 100.0 * g[impl] / peak : 0.0);
            }
        } else {
            printf("%6zu %6zu %6zu  %12.1f %12.1f %12.1f  %7.2f %6.1f%%\n", M, N, K, g[0], g[1], g[2],
                   dtype ? (g[1] > 0 ? g[0] / g[1] : 0.0) : g[2] > 0 ? g[0] / g[2] : 0.0,
                   peak > 0 ? 100.0 * g[0] / peak : 0.0);
        }
        fflush(stdout);
    }
    hx_threadpool_destroy(pool);
    return status;
}
