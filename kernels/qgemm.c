/* The int8 / bf16 GEMM driver: argument checks, the variant table and its
 * choice, W packing, per-call A quantization/rounding and packing, and the
 * tiled product around the micro-kernels (see qgemm_internal.h).
 *
 *   task (MC x NT tile of C) -> MR-row micro-panels of A
 *       -> NR-column panels of W -> micro-kernel (whole K, dequantize + bias)
 *       -> copy into C; activation over the task's rows */
#include "helix/qgemm.h"
#include "kernels/dispatch.h"
#include "kernels/qgemm_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- variants ----------------------------------------------------------- */

static const hx_qkernel *const all_kernels[] = {
    &hx_qk_s8_scalar,
    &hx_qk_bf16_scalar,
#if defined(__x86_64__)
    &hx_qk_s8_avx2,
    &hx_qk_s8_avx2_i8,
    &hx_qk_bf16_avx2,
    &hx_qk_s8_avxvnni,
    &hx_qk_s8_avx512vnni,
    &hx_qk_bf16_avx512bf16,
#endif
#if defined(__aarch64__)
    &hx_qk_s8_neon,
    &hx_qk_s8_sdot,
    &hx_qk_s8_smmla,
    &hx_qk_bf16_neon,
    &hx_qk_bf16_bfdot,
    &hx_qk_bf16_bfmmla,
#endif
};
#define N_KERNELS (sizeof all_kernels / sizeof all_kernels[0])

size_t hx_gemm_q_variants(hx_qdtype dtype, hx_gemm_q_variant *out, size_t cap) {
    size_t n = 0;
    for (size_t i = 0; i < N_KERNELS; i++) {
        const hx_qkernel *k = all_kernels[i];
        if (k->dtype != dtype) continue;
        if (out && n < cap) out[n] = (hx_gemm_q_variant){k->name, k->dtype, k->isa, k->runs(), !k->inexact};
        n++;
    }
    return n;
}

/* The default variant: the kernel table's choice for the active ISA. */
static const hx_qkernel *best_kernel(hx_qdtype dtype) {
    const hx_kernels *t = hx_kernels_active();
    return dtype == HX_QDTYPE_S8 ? t->qgemm.s8 : t->qgemm.bf16;
}

const char *hx_gemm_q_variant_best(hx_qdtype dtype) { return best_kernel(dtype)->name; }

static hx_status find_kernel(hx_qdtype dtype, const char *variant, const hx_qkernel **out,
                             hx_error *err) {
    if (!variant) {
        *out = best_kernel(dtype);
        return HX_OK;
    }
    for (size_t i = 0; i < N_KERNELS; i++) {
        const hx_qkernel *k = all_kernels[i];
        if (k->dtype != dtype || strcmp(k->name, variant)) continue;
        if (!k->runs())
            return hx_fail(err, HX_EISA, "GEMM variant %s needs instructions this CPU lacks", variant);
        *out = k;
        return HX_OK;
    }
    return hx_fail(err, HX_EINVAL, "GEMM: no %s variant named %s in this build",
                   dtype == HX_QDTYPE_S8 ? "int8" : "bf16", variant);
}

/* ---- conversions -------------------------------------------------------- */

uint16_t hx_bf16_from_f32(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x0040u); /* quiet NaN */
    u += 0x7fffu + ((u >> 16) & 1u); /* round to nearest, ties to even */
    return (uint16_t)(u >> 16);
}

float hx_bf16_to_f32(uint16_t b) {
    uint32_t u = (uint32_t)b << 16;
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

void hx_bf16_from_f32_n(size_t n, const float *x, uint16_t *y) {
    for (size_t i = 0; i < n; i++) y[i] = hx_bf16_from_f32(x[i]);
}

/* The row scale of the int8 rule (qgemm.h). */
static float row_scale(size_t K, const float *x) {
    float amax = 0.0f;
    int finite = 1;
    for (size_t k = 0; k < K; k++) {
        float a = fabsf(x[k]);
        finite &= a <= 3.40282347e+38f; /* false for NaN and Inf */
        amax = a > amax ? a : amax;
    }
    if (!finite) return NAN;
    float s = amax / 127.0f;
    return s > 0.0f ? s : 0.0f;
}

static void quant_row_scalar(size_t K, const float *x, float scale, int8_t *q) {
    for (size_t k = 0; k < K; k++) q[k] = hx_q8_value(x[k], scale);
}

static void quantize_rows(const hx_qkernel *kern, size_t rows, size_t K, const float *X, size_t ldx,
                          int8_t *Q, size_t ldq, float *scales) {
    hx_qquant_row_fn qr = kern && kern->quant_row ? kern->quant_row : quant_row_scalar;
    for (size_t i = 0; i < rows; i++) {
        float s = row_scale(K, X + i * ldx);
        scales[i] = s;
        if (s > 0.0f) qr(K, X + i * ldx, s, Q + i * ldq);
        else memset(Q + i * ldq, 0, K);
    }
}

void hx_quantize_s8_rows(size_t rows, size_t K, const float *X, size_t ldx, int8_t *Q, size_t ldq,
                         float *scales) {
    quantize_rows(NULL, rows, K, X, ldx, Q, ldq, scales);
}

/* ---- packed weights ----------------------------------------------------- */

struct hx_qpacked_b {
    const hx_qkernel *kern;
    size_t N, K, kp, n_panels, panel_bytes;
    unsigned char *panels;
    float *scales; /* s8: n_panels * NR, zero past N */
};

static void *alloc64(size_t bytes) {
    bytes = (bytes ? bytes : 1);
    bytes = (bytes + 63) & ~(size_t)63;
    return aligned_alloc(64, bytes);
}

static size_t round_up(size_t x, size_t to) { return (x + to - 1) / to * to; }

static hx_status check_rows(const char *name, const void *X, size_t rows, size_t cols, size_t ld,
                            size_t elem, hx_error *err) {
    if (rows == 0 || cols == 0) return HX_OK;
    if (!X) return hx_fail(err, HX_EINVAL, "GEMM: matrix %s is NULL", name);
    if (ld < cols)
        return hx_fail(err, HX_EINVAL, "GEMM: leading dimension of %s is %zu, below its %zu columns",
                       name, ld, cols);
    if (rows > SIZE_MAX / elem / ld) return hx_fail(err, HX_ERANGE, "GEMM: matrix %s is too large", name);
    return HX_OK;
}

static hx_status pack_common(hx_qdtype dtype, size_t N, size_t K, const void *W, size_t ldw,
                             size_t w_elem, const char *variant, hx_qpacked_b **out, hx_error *err) {
    hx_status st;
    if (!out) return hx_fail(err, HX_EINVAL, "GEMM: no output handle for packing");
    *out = NULL;
    if ((st = check_rows("W", W, N, K, ldw, w_elem, err))) return st;
    const hx_qkernel *kern = NULL;
    if ((st = find_kernel(dtype, variant, &kern, err))) return st;
    size_t kp = round_up(K, kern->kq), n_panels = (N + kern->nr - 1) / kern->nr;
    if (kp && kern->nr * kern->b_size > SIZE_MAX / 2 / kp / (n_panels ? n_panels : 1))
        return hx_fail(err, HX_ERANGE, "GEMM: W (%zux%zu) is too large to pack", N, K);
    hx_qpacked_b *p = calloc(1, sizeof *p);
    if (!p) return hx_fail(err, HX_ENOMEM, "out of memory packing W (%zux%zu)", N, K);
    p->kern = kern;
    p->N = N;
    p->K = K;
    p->kp = kp;
    p->n_panels = n_panels;
    p->panel_bytes = round_up(kp * kern->nr * kern->b_size + kern->b_extra, 64);
    p->panels = alloc64(n_panels * p->panel_bytes);
    p->scales = alloc64(n_panels * kern->nr * sizeof(float));
    if (!p->panels || !p->scales) {
        hx_qpacked_free(p);
        return hx_fail(err, HX_ENOMEM, "out of memory packing W (%zux%zu)", N, K);
    }
    memset(p->scales, 0, n_panels * kern->nr * sizeof(float));
    const unsigned char *w = W;
    for (size_t q = 0; q < n_panels; q++) {
        size_t j0 = q * kern->nr, n = N - j0 < kern->nr ? N - j0 : kern->nr;
        kern->pack_b(w + j0 * ldw * w_elem, ldw, n, K, kp, p->panels + q * p->panel_bytes);
    }
    *out = p;
    return HX_OK;
}

hx_status hx_gemm_s8_pack_b(size_t N, size_t K, const int8_t *W, size_t ldw, const float *scales,
                            const char *variant, hx_qpacked_b **out, hx_error *err) {
    if (K > HX_GEMM_S8_MAX_K)
        return hx_fail(err, HX_ERANGE, "int8 GEMM: K = %zu exceeds %zu (int32 sums could overflow)",
                       K, HX_GEMM_S8_MAX_K);
    if (N && K && W && ldw >= K)
        for (size_t n = 0; n < N; n++)
            for (size_t k = 0; k < K; k++)
                if (W[n * ldw + k] == -128)
                    return hx_fail(err, HX_ERANGE,
                                   "int8 GEMM: weight [%zu,%zu] is -128; symmetric weights lie in [-127, 127]",
                                   n, k);
    if (N && !scales) return hx_fail(err, HX_EINVAL, "int8 GEMM: weight scales are NULL");
    for (size_t n = 0; n < N; n++)
        if (!isfinite(scales[n]))
            return hx_fail(err, HX_ERANGE, "int8 GEMM: scale of output channel %zu is not finite", n);
    hx_status st = pack_common(HX_QDTYPE_S8, N, K, W, ldw, 1, variant, out, err);
    if (st) return st;
    memcpy((*out)->scales, scales, N * sizeof(float));
    return HX_OK;
}

hx_status hx_gemm_bf16_pack_b(size_t N, size_t K, const uint16_t *W, size_t ldw,
                              const char *variant, hx_qpacked_b **out, hx_error *err) {
    return pack_common(HX_QDTYPE_BF16, N, K, W, ldw, 2, variant, out, err);
}

void hx_qpacked_free(hx_qpacked_b *pb) {
    if (!pb) return;
    free(pb->panels);
    free(pb->scales);
    free(pb);
}

size_t hx_qpacked_n(const hx_qpacked_b *pb) { return pb ? pb->N : 0; }
size_t hx_qpacked_k(const hx_qpacked_b *pb) { return pb ? pb->K : 0; }
size_t hx_qpacked_bytes(const hx_qpacked_b *pb) {
    return pb ? pb->n_panels * (pb->panel_bytes + pb->kern->nr * sizeof(float)) : 0;
}
hx_qdtype hx_qpacked_dtype(const hx_qpacked_b *pb) { return pb ? pb->kern->dtype : HX_QDTYPE_S8; }
const char *hx_qpacked_variant(const hx_qpacked_b *pb) { return pb ? pb->kern->name : ""; }

/* ---- per-call scratch (owned by the calling thread, kept between calls) -- */

typedef struct {
    void *p;
    size_t cap;
} scratch;
static _Thread_local scratch scr_q, scr_panels, scr_scales;

static void *scratch_get(scratch *s, size_t bytes) {
    if (bytes > s->cap) {
        void *b = alloc64(bytes);
        if (!b) return NULL;
        free(s->p);
        s->p = b;
        s->cap = bytes;
    }
    return s->p;
}

/* ---- A preparation ------------------------------------------------------ */

#define QUANT_ROWS 16 /* rows per quantization task */

typedef struct {
    const hx_qkernel *kern;
    const float *A;
    size_t lda, M, K;
    int8_t *Q;
    float *scales;
} quant_job;

static void quant_task(void *ctx, size_t t, int thread) {
    (void)thread;
    const quant_job *j = ctx;
    size_t i0 = t * QUANT_ROWS, rows = j->M - i0 < QUANT_ROWS ? j->M - i0 : QUANT_ROWS;
    quantize_rows(j->kern, rows, j->K, j->A + i0 * j->lda, j->lda, j->Q + i0 * j->K, j->K,
                  j->scales + i0);
}

typedef struct {
    const hx_qkernel *kern;
    const unsigned char *A;
    size_t lda, a_elem, M, K, kp;
    unsigned char *panels;
} pack_a_job;

static void pack_a_task(void *ctx, size_t p, int thread) {
    (void)thread;
    const pack_a_job *j = ctx;
    size_t mr = j->kern->mr, i0 = p * mr, rows = j->M - i0 < mr ? j->M - i0 : mr;
    j->kern->pack_a(j->A + i0 * j->lda * j->a_elem, j->lda, rows, j->K, j->kp,
                    j->panels + p * j->kp * mr * j->kern->a_size);
}

/* ---- the tiled product -------------------------------------------------- */

typedef struct {
    const hx_qpacked_b *W;
    size_t M;
    const unsigned char *a_panels;
    const float *sa;
    float *C;
    int32_t *Ci;
    size_t ldc;
    const float *bias;
    hx_act act;
    size_t mc, nt, tiles_m;
} q_job;

static void q_task(void *ctx, size_t t, int thread) {
    (void)thread;
    const q_job *g = ctx;
    const hx_qpacked_b *W = g->W;
    const hx_qkernel *kern = W->kern;
    size_t mr = kern->mr, nr = kern->nr, kp = W->kp;
    size_t i0 = (t % g->tiles_m) * g->mc, j0 = (t / g->tiles_m) * g->nt;
    size_t m = g->M - i0 < g->mc ? g->M - i0 : g->mc;
    size_t n = W->N - j0 < g->nt ? W->N - j0 : g->nt;
    float tile[HX_QGEMM_MAX_MR * HX_QGEMM_MAX_NR] __attribute__((aligned(64)));
    int32_t raw[HX_QGEMM_MAX_MR * HX_QGEMM_MAX_NR] __attribute__((aligned(64)));
    float bias_pad[HX_QGEMM_MAX_NR] __attribute__((aligned(64)));
    float wide[HX_QUKR_WIDE * HX_QGEMM_MAX_NR] __attribute__((aligned(64)));

    for (size_t ir = 0; ir < m; ir += mr) {
        size_t rows = m - ir < mr ? m - ir : mr;
        const unsigned char *a = g->a_panels + ((i0 + ir) / mr) * kp * mr * kern->a_size;
        const float *sa = g->sa ? g->sa + i0 + ir : NULL;
        for (size_t jr = 0; jr < n; jr += nr) {
            size_t cols = n - jr < nr ? n - jr : nr, j = j0 + jr;
            const unsigned char *b = W->panels + (j / nr) * W->panel_bytes;
            const float *bias = g->bias ? g->bias + j : NULL;
            if (bias && cols < nr) {
                memset(bias_pad, 0, sizeof bias_pad);
                memcpy(bias_pad, bias, cols * sizeof(float));
                bias = bias_pad;
            }
            if (rows == 1 && kern->ukr_wide1 && !g->Ci && n - jr >= HX_QUKR_WIDE * nr) {
                kern->ukr_wide1(kp, a, b, W->panel_bytes, g->bias ? g->bias + j : NULL, wide);
                memcpy(g->C + (i0 + ir) * g->ldc + j, wide, HX_QUKR_WIDE * nr * sizeof(float));
                jr += (HX_QUKR_WIDE - 1) * nr;
                continue;
            }
            if (g->Ci) {
                kern->ukr(rows, kp, a, b, sa, W->scales + j, NULL, tile, raw);
                for (size_t i = 0; i < rows; i++)
                    memcpy(g->Ci + (i0 + ir + i) * g->ldc + j, raw + i * nr, cols * sizeof(int32_t));
            } else {
                kern->ukr(rows, kp, a, b, sa, W->scales + j, bias, tile, NULL);
                for (size_t i = 0; i < rows; i++)
                    memcpy(g->C + (i0 + ir + i) * g->ldc + j, tile + i * nr, cols * sizeof(float));
            }
        }
        if (g->act != HX_ACT_NONE)
            for (size_t i = 0; i < rows; i++) hx_act_inplace(g->act, g->C + (i0 + ir + i) * g->ldc + j0, n);
    }
}

/* L2-sized column tiles: a KP x NT block of W is reused by every row panel
 * of a task. */
#define W_BLOCK_BYTES (256u * 1024u)

static void run_tiles(q_job *g, hx_threadpool *pool) {
    const hx_qkernel *kern = g->W->kern;
    size_t M = g->M, N = g->W->N;
    size_t tiles_m = (M + kern->mc - 1) / kern->mc;
    g->mc = round_up((M + tiles_m - 1) / tiles_m, kern->mr);
    tiles_m = (M + g->mc - 1) / g->mc;
    size_t col_bytes = g->W->kp * kern->b_size, nt = kern->nt;
    if (col_bytes && nt * col_bytes > W_BLOCK_BYTES) {
        nt = W_BLOCK_BYTES / col_bytes / kern->nr * kern->nr;
        if (nt < HX_QUKR_WIDE * kern->nr) nt = HX_QUKR_WIDE * kern->nr;
    }
    /* Small M: narrower column tiles keep a few threads busy (but at least
     * HX_QUKR_WIDE panels, for the one-row kernel). */
    while (nt > HX_QUKR_WIDE * kern->nr && tiles_m * ((N + nt - 1) / nt) < 8) {
        nt = round_up(nt / 2, kern->nr);
        if (nt < HX_QUKR_WIDE * kern->nr) nt = HX_QUKR_WIDE * kern->nr;
    }
    g->nt = nt;
    g->tiles_m = tiles_m;
    hx_parallel_for(pool, tiles_m * ((N + nt - 1) / nt), q_task, g);
}

static hx_status check_call(const hx_qpacked_b *W, hx_qdtype dtype, size_t M, const void *A,
                            size_t lda, size_t a_elem, const void *C, size_t ldc, size_t c_elem,
                            const hx_epilogue *ep, hx_error *err) {
    hx_status st;
    if (!W) return hx_fail(err, HX_EINVAL, "GEMM: packed W is NULL");
    if (W->kern->dtype != dtype)
        return hx_fail(err, HX_EINVAL, "GEMM: packed W holds %s weights, this call wants %s",
                       W->kern->dtype == HX_QDTYPE_S8 ? "int8" : "bf16",
                       dtype == HX_QDTYPE_S8 ? "int8" : "bf16");
    if ((st = check_rows("A", A, M, W->K, lda, a_elem, err)) ||
        (st = check_rows("C", C, M, W->N, ldc, c_elem, err)))
        return st;
    if (ep && (unsigned)ep->act > HX_ACT_TANH)
        return hx_fail(err, HX_EINVAL, "GEMM: unknown activation %d", (int)ep->act);
    return HX_OK;
}

/* A (int8 rows or fp32 rows) -> packed micro-panels in the calling thread's
 * scratch. */
static hx_status pack_a(const hx_qkernel *kern, size_t M, size_t K, size_t kp, const void *A,
                        size_t lda, size_t a_elem, hx_threadpool *pool, unsigned char **out,
                        hx_error *err) {
    size_t n_panels = (M + kern->mr - 1) / kern->mr;
    size_t per = kern->mr * kern->a_size;
    if (kp && n_panels > SIZE_MAX / per / kp)
        return hx_fail(err, HX_ERANGE, "GEMM: A (%zux%zu) is too large to pack", M, K);
    unsigned char *panels = scratch_get(&scr_panels, n_panels * per * kp);
    if (!panels) return hx_fail(err, HX_ENOMEM, "out of memory packing A (%zux%zu)", M, K);
    pack_a_job pj = {kern, A, lda, a_elem, M, K, kp, panels};
    hx_parallel_for(pool, n_panels, pack_a_task, &pj);
    *out = panels;
    return HX_OK;
}

hx_status hx_gemm_s8(size_t M, const float *A, size_t lda, const hx_qpacked_b *W, float *C,
                     size_t ldc, const hx_epilogue *ep, hx_threadpool *pool, hx_error *err) {
    hx_status st = check_call(W, HX_QDTYPE_S8, M, A, lda, sizeof(float), C, ldc, sizeof(float), ep, err);
    if (st) return st;
    if (M == 0 || W->N == 0) return HX_OK;
    const hx_qkernel *kern = W->kern;
    size_t K = W->K, m_pad = round_up(M, kern->mr);
    if (K && M > SIZE_MAX / K) return hx_fail(err, HX_ERANGE, "GEMM: A (%zux%zu) is too large", M, K);
    int8_t *Q = scratch_get(&scr_q, M * K);
    float *sa = scratch_get(&scr_scales, m_pad * sizeof(float));
    if (!Q || !sa) return hx_fail(err, HX_ENOMEM, "out of memory quantizing A (%zux%zu)", M, K);
    memset(sa + M, 0, (m_pad - M) * sizeof(float));
    quant_job qj = {kern, A, lda, M, K, Q, sa};
    hx_parallel_for(pool, (M + QUANT_ROWS - 1) / QUANT_ROWS, quant_task, &qj);
    unsigned char *panels;
    if ((st = pack_a(kern, M, K, W->kp, Q, K, 1, pool, &panels, err))) return st;
    q_job g = {.W = W, .M = M, .a_panels = panels, .sa = sa, .C = C, .ldc = ldc,
               .bias = ep ? ep->bias : NULL, .act = ep ? ep->act : HX_ACT_NONE};
    run_tiles(&g, pool);
    return HX_OK;
}

hx_status hx_gemm_s8_i32(size_t M, const int8_t *Aq, size_t lda, const hx_qpacked_b *W, int32_t *C,
                         size_t ldc, hx_threadpool *pool, hx_error *err) {
    hx_status st = check_call(W, HX_QDTYPE_S8, M, Aq, lda, 1, C, ldc, sizeof(int32_t), NULL, err);
    if (st) return st;
    if (M == 0 || W->N == 0) return HX_OK;
    unsigned char *panels;
    if ((st = pack_a(W->kern, M, W->K, W->kp, Aq, lda, 1, pool, &panels, err))) return st;
    q_job g = {.W = W, .M = M, .a_panels = panels, .Ci = C, .ldc = ldc, .act = HX_ACT_NONE};
    run_tiles(&g, pool);
    return HX_OK;
}

hx_status hx_gemm_bf16(size_t M, const float *A, size_t lda, const hx_qpacked_b *W, float *C,
                       size_t ldc, const hx_epilogue *ep, hx_threadpool *pool, hx_error *err) {
    hx_status st = check_call(W, HX_QDTYPE_BF16, M, A, lda, sizeof(float), C, ldc, sizeof(float), ep, err);
    if (st) return st;
    if (M == 0 || W->N == 0) return HX_OK;
    unsigned char *panels;
    if ((st = pack_a(W->kern, M, W->K, W->kp, A, lda, sizeof(float), pool, &panels, err))) return st;
    q_job g = {.W = W, .M = M, .a_panels = panels, .C = C, .ldc = ldc,
               .bias = ep ? ep->bias : NULL, .act = ep ? ep->act : HX_ACT_NONE};
    run_tiles(&g, pool);
    return HX_OK;
}
