/* The SGEMM driver: argument checks, B packing, A packing and the blocked
 * loops around the per-ISA micro-kernels (see gemm_internal.h for the
 * structure and why results do not depend on the thread count).
 *
 *   task (MC x NT tile of C) -> K blocks of KC -> pack A block
 *       -> MR-row micro-panels (A in L1) -> NR-column panels of B (B in L2)
 *       -> micro-kernel (MR x NR tile in registers, epilogue on the last block) */
#include "helix/gemm.h"
#include "kernels/dispatch.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(HELIX_HAVE_OPENBLAS)
hx_status hx_gemm_openblas(hx_trans ta, hx_trans tb, size_t M, size_t N, size_t K, float alpha,
                           const float *A, size_t lda, const float *B, size_t ldb, float beta,
                           float *C, size_t ldc, const hx_epilogue *ep, hx_threadpool *pool,
                           hx_error *err);
#endif

/* The backend, an option the caller sets (hx_gemm_set_backend). */
static int backend; /* atomic: hx_gemm_backend */

hx_status hx_gemm_set_backend(hx_gemm_backend b, hx_error *err) {
    if (b != HX_GEMM_HELIX && b != HX_GEMM_OPENBLAS)
        return hx_fail(err, HX_EINVAL, "GEMM: unknown backend %d", (int)b);
#if !defined(HELIX_HAVE_OPENBLAS)
    if (b == HX_GEMM_OPENBLAS)
        return hx_fail(err, HX_EUNSUPPORTED, "GEMM: this build has no OpenBLAS backend");
#endif
    __atomic_store_n(&backend, (int)b, __ATOMIC_RELAXED);
    return HX_OK;
}

static int backend_is_openblas(void) {
    return __atomic_load_n(&backend, __ATOMIC_RELAXED) == HX_GEMM_OPENBLAS;
}

/* ---- packing ------------------------------------------------------------ */

struct hx_packed_b {
    const hx_gemm_kernel *kern; /* the kernel whose NR the panels use */
    size_t K, N, n_panels;
    float *panels;              /* n_panels panels of K x NR, zero past column N */
    float *plain;               /* B as given (compacted), only for the OpenBLAS backend */
    hx_trans plain_tb;
};

static float *alloc_floats(size_t n) {
    size_t bytes = (n ? n : 1) * sizeof(float);
    bytes = (bytes + 63) & ~(size_t)63;
    return aligned_alloc(64, bytes);
}

/* Panel p of op(B): for every k, NR consecutive values of row k. */
static void pack_b_panel(const hx_gemm_kernel *kern, hx_trans tb, size_t K, size_t N,
                         const float *B, size_t ldb, size_t p, float *dst) {
    size_t nr = kern->nr, j0 = p * nr, n = N - j0 < nr ? N - j0 : nr;
    if (tb == HX_NOTRANS) {
        for (size_t k = 0; k < K; k++) {
            memcpy(dst + k * nr, B + k * ldb + j0, n * sizeof(float));
            for (size_t j = n; j < nr; j++) dst[k * nr + j] = 0.0f;
        }
    } else if (kern->pack_a) {
        /* B stored N x K (weights [out, in]): its rows j0.. are packed just
         * like rows of A into a micro-panel, with NR in place of MR. */
        kern->pack_a(B + j0 * ldb, ldb, n, K, nr, dst);
        for (size_t j = n; j < nr; j++)
            for (size_t k = 0; k < K; k++) dst[k * nr + j] = 0.0f;
    } else {
        /* The same transpose in plain C, 16 k at a time so the 16 x NR
         * piece being written stays in L1. */
        for (size_t k0 = 0; k0 < K; k0 += 16) {
            size_t kn = K - k0 < 16 ? K - k0 : 16;
            for (size_t j = 0; j < nr; j++) {
                const float *src = B + (j0 + j) * ldb + k0;
                float *d = dst + k0 * nr + j;
                if (j < n)
                    for (size_t k = 0; k < kn; k++) d[k * nr] = src[k];
                else
                    for (size_t k = 0; k < kn; k++) d[k * nr] = 0.0f;
            }
        }
    }
}

typedef struct {
    const hx_gemm_kernel *kern;
    hx_trans tb;
    size_t K, N;
    const float *B;
    size_t ldb;
    float *panels;
} pack_b_job;

static void pack_b_task(void *ctx, size_t p, int thread) {
    (void)thread;
    pack_b_job *j = ctx;
    pack_b_panel(j->kern, j->tb, j->K, j->N, j->B, j->ldb, p, j->panels + p * j->K * j->kern->nr);
}

/* Micro-panel p of op(A) (rows p*MR .. p*MR+MR-1, zero past row M): for
 * every k, MR values. Panel-major like B, so a K block of a panel is one
 * contiguous run. */
static void pack_a_panel(const hx_gemm_kernel *kern, hx_trans ta, const float *A, size_t lda,
                         size_t M, size_t K, size_t mr, size_t p, float *dst) {
    size_t i0 = p * mr, rows = M - i0 < mr ? M - i0 : mr;
    if (ta == HX_NOTRANS && kern->pack_a) {
        kern->pack_a(A + i0 * lda, lda, rows, K, mr, dst);
    } else if (ta == HX_NOTRANS) {
        for (size_t k0 = 0; k0 < K; k0 += 64) {
            size_t kn = K - k0 < 64 ? K - k0 : 64;
            for (size_t i = 0; i < rows; i++) {
                const float *src = A + (i0 + i) * lda + k0;
                for (size_t k = 0; k < kn; k++) dst[(k0 + k) * mr + i] = src[k];
            }
        }
    } else {
        for (size_t k = 0; k < K; k++) memcpy(dst + k * mr, A + k * lda + i0, rows * sizeof(float));
    }
    for (size_t i = rows; i < mr; i++)
        for (size_t k = 0; k < K; k++) dst[k * mr + i] = 0.0f;
}

typedef struct {
    const hx_gemm_kernel *kern;
    hx_trans ta;
    const float *A;
    size_t lda, M, K, mr;
    float *panels;
} pack_a_job;

static void pack_a_task(void *ctx, size_t p, int thread) {
    (void)thread;
    const pack_a_job *j = ctx;
    pack_a_panel(j->kern, j->ta, j->A, j->lda, j->M, j->K, j->mr, p, j->panels + p * j->K * j->mr);
}

/* ---- the blocked product ------------------------------------------------ */

typedef struct {
    const hx_gemm_kernel *kern;
    size_t M, N, K;
    float alpha, beta;
    const float *a_panels, *b_panels;
    float *C;
    size_t ldc;
    const float *bias;
    hx_act act;
    size_t mc, nt, tiles_m, tiles_n;
} gemm_job;

/* One MC x NT tile of C, every K block in order. Tasks run down a column of
 * tiles first, so consecutive tasks share their KC x NT blocks of B (the
 * bigger operand on BERT shapes) while those are still in L2. */
static void gemm_task(void *ctx, size_t t, int thread) {
    (void)thread;
    const gemm_job *g = ctx;
    const hx_gemm_kernel *kern = g->kern;
    size_t mr = kern->mr, nr = kern->nr, KC = kern->kc, K = g->K;
    size_t i0 = (t % g->tiles_m) * g->mc, j0 = (t / g->tiles_m) * g->nt;
    size_t m = g->M - i0 < g->mc ? g->M - i0 : g->mc;
    size_t n = g->N - j0 < g->nt ? g->N - j0 : g->nt;

    /* K == 0 still runs one (empty) block, for the beta/bias/act epilogue. */
    for (size_t k0 = 0; k0 < K || k0 == 0; k0 += KC) {
        size_t kc = K - k0 < KC ? K - k0 : KC;
        int last = k0 + kc >= K;
        hx_ukr_args args = {
            .alpha = g->alpha,
            .beta = k0 == 0 ? g->beta : 1.0f,
            .act = last ? g->act : HX_ACT_NONE,
        };
        for (size_t ir = 0; ir < m; ir += mr) {
            size_t rows = m - ir < mr ? m - ir : mr;
            const float *a = g->a_panels + ((i0 + ir) / mr) * K * mr + k0 * mr;
            for (size_t jr = 0; jr < n;) {
                size_t cols = n - jr < nr ? n - jr : nr;
                const float *b = g->b_panels + ((j0 + jr) / nr) * K * nr + k0 * nr;
                float *c = g->C + (i0 + ir) * g->ldc + j0 + jr;
                args.bias = last && g->bias ? g->bias + j0 + jr : NULL;
                size_t done = 0;
                if (rows <= 2 && kern->ukr_wide && n - jr >= kern->wide * nr)
                    done = kern->ukr_wide(rows, kc, a, b, K * nr, c, g->ldc, &args) * nr;
                if (!done) {
                    kern->ukr(rows, cols, kc, a, b, c, g->ldc, &args);
                    done = cols;
                }
                jr += done;
            }
        }
        if (kc == 0) break;
    }
}

static size_t round_up(size_t x, size_t to) { return (x + to - 1) / to * to; }

/* ---- the workspace ------------------------------------------------------
 *
 * One call's scratch: B's panels (hx_sgemm only) then A's micro-panels, each
 * starting on a 64-byte boundary. A is packed whole, once, by the calling
 * thread's tasks and shared by every tile, so the size depends on the shape
 * and the kernel, never on the thread count. */

#define WS_ALIGN 64

/* Floats of n rounded up to a whole number of `unit`-wide panels, times K;
 * 0 on overflow (a real need is never 0 once M, N and K are positive). */
static size_t panel_floats(size_t n, size_t unit, size_t K) {
    size_t panels = n / unit + (n % unit != 0);
    if (K && panels > SIZE_MAX / sizeof(float) / WS_ALIGN / unit / K) return 0;
    return panels * unit * (K ? K : 1);
}

static size_t round_bytes(size_t floats) {
    return (floats * sizeof(float) + WS_ALIGN - 1) & ~(size_t)(WS_ALIGN - 1);
}

/* Bytes kern needs for M x N x K (N = 0: A only); 0 when too large. */
static size_t ws_bytes(const hx_gemm_kernel *kern, size_t M, size_t N, size_t K) {
    size_t a = panel_floats(M, kern->mr, K), b = N ? panel_floats(N, kern->nr, K) : 0;
    if (!a || (N && !b)) return 0;
    size_t ab = round_bytes(a), bb = N ? round_bytes(b) : 0;
    if (ab > SIZE_MAX / 2 - WS_ALIGN || bb > SIZE_MAX / 2 - WS_ALIGN) return 0;
    return WS_ALIGN + ab + bb;
}

size_t hx_gemm_workspace_size(size_t M, size_t N, size_t K) {
    size_t most = 0;
    for (int i = 0; i < HX_ISA_COUNT; i++) {
        size_t b = ws_bytes(&hx_kernels_for((hx_isa)i)->gemm, M ? M : 1, N, K);
        if (!b) return SIZE_MAX;
        if (b > most) most = b;
    }
    return most;
}

/* The call's scratch: the caller's workspace if given (and large enough),
 * else memory of its own that ws_release frees. */
typedef struct {
    char *base; /* 64-byte aligned */
    void *owned;
} scratch;

static hx_status ws_acquire(const hx_gemm_workspace *ws, size_t need, scratch *s, hx_error *err) {
    s->owned = NULL;
    if (ws) {
        if (!ws->data || ws->bytes < need)
            return hx_fail(err, HX_EINVAL,
                           "GEMM: the workspace holds %zu bytes, this product needs %zu "
                           "(hx_gemm_workspace_size)", ws->data ? ws->bytes : 0, need);
        s->base = (char *)(((uintptr_t)ws->data + WS_ALIGN - 1) & ~(uintptr_t)(WS_ALIGN - 1));
        return HX_OK;
    }
    s->owned = aligned_alloc(WS_ALIGN, need - WS_ALIGN);
    if (!s->owned) return hx_fail(err, HX_ENOMEM, "GEMM: out of memory for a %zu-byte workspace", need);
    s->base = s->owned;
    return HX_OK;
}

static void ws_release(scratch *s) { free(s->owned); }

static void run_packed(const hx_gemm_kernel *kern, hx_trans ta, size_t M, size_t N, size_t K,
                       float alpha, const float *A, size_t lda, const float *b_panels,
                       float beta, float *C, size_t ldc, const hx_epilogue *ep,
                       float *a_panels, hx_threadpool *pool) {
    /* Pack all of op(A) once (M x K is small next to the M x N x K work). */
    size_t a_count = (M + kern->mr - 1) / kern->mr;
    pack_a_job pj = {kern, ta, A, lda, M, K, kern->mr, a_panels};
    hx_parallel_for(pool, a_count, pack_a_task, &pj);

    gemm_job g = {
        .kern = kern, .M = M, .N = N, .K = K, .alpha = alpha, .beta = beta,
        .a_panels = a_panels, .b_panels = b_panels, .C = C, .ldc = ldc,
        .bias = ep ? ep->bias : NULL, .act = ep ? ep->act : HX_ACT_NONE,
    };
    /* Task tiles are a function of the shape only. When M is small, narrower
     * column tiles keep enough tasks for a few threads. */
    size_t tiles_m = (M + kern->mc - 1) / kern->mc; /* rows split evenly, in whole MR */
    g.mc = round_up((M + tiles_m - 1) / tiles_m, kern->mr);
    tiles_m = (M + g.mc - 1) / g.mc;
    g.nt = kern->nt;
    while (g.nt > 4 * kern->nr && tiles_m * ((N + g.nt - 1) / g.nt) < 8)
        g.nt = round_up(g.nt / 2, kern->nr);
    g.tiles_n = (N + g.nt - 1) / g.nt;
    g.tiles_m = tiles_m;
    hx_parallel_for(pool, tiles_m * g.tiles_n, gemm_task, &g);
}

/* ---- checks and the public entry points --------------------------------- */

static hx_status check_matrix(const char *name, const float *X, hx_trans t, size_t rows,
                              size_t cols, size_t ld, hx_error *err) {
    /* X is op(X)[rows, cols]; stored rows x cols (NOTRANS) or cols x rows. */
    size_t srows = t == HX_NOTRANS ? rows : cols, scols = t == HX_NOTRANS ? cols : rows;
    if (srows == 0 || scols == 0) return HX_OK;
    if (!X) return hx_fail(err, HX_EINVAL, "GEMM: matrix %s is NULL", name);
    if (ld < scols)
        return hx_fail(err, HX_EINVAL, "GEMM: leading dimension of %s is %zu, below its %zu columns",
                       name, ld, scols);
    if (srows > SIZE_MAX / sizeof(float) / ld)
        return hx_fail(err, HX_ERANGE, "GEMM: matrix %s is too large", name);
    return HX_OK;
}

static hx_status check_trans(hx_trans t, const char *name, hx_error *err) {
    if (t != HX_NOTRANS && t != HX_TRANS)
        return hx_fail(err, HX_EINVAL, "GEMM: transpose flag of %s is neither NOTRANS nor TRANS", name);
    return HX_OK;
}

static hx_status check_epilogue(const hx_epilogue *ep, size_t N, hx_error *err) {
    if (!ep) return HX_OK;
    if ((unsigned)ep->act > HX_ACT_TANH) return hx_fail(err, HX_EINVAL, "GEMM: unknown activation %d", (int)ep->act);
    return HX_OK;
}

/* Unpacked B stored [N, K] with one or two rows of A: dot products over
 * column chunks of a fixed width (no packing). */
#define DOT_COLS 64

typedef struct {
    const hx_gemm_kernel *kern;
    size_t M, N, K;
    const float *A;
    size_t lda;
    const float *B;
    size_t ldb;
    float *C;
    size_t ldc;
    hx_ukr_args args;
} dot_job;

static void dot_task(void *ctx, size_t t, int thread) {
    (void)thread;
    const dot_job *d = ctx;
    size_t j0 = t * DOT_COLS, n = d->N - j0 < DOT_COLS ? d->N - j0 : DOT_COLS;
    hx_ukr_args args = d->args;
    if (args.bias) args.bias += j0;
    d->kern->dot(d->M, n, d->K, d->A, d->lda, d->B + j0 * d->ldb, d->ldb, d->C + j0, d->ldc, &args);
}

hx_status hx_sgemm(hx_trans ta, hx_trans tb, size_t M, size_t N, size_t K,
                   float alpha, const float *A, size_t lda, const float *B, size_t ldb,
                   float beta, float *C, size_t ldc, const hx_epilogue *ep,
                   const hx_gemm_workspace *ws, hx_threadpool *pool, hx_error *err) {
    hx_status st;
    if ((st = check_trans(ta, "A", err)) || (st = check_trans(tb, "B", err)) ||
        (st = check_matrix("A", A, ta, M, K, lda, err)) ||
        (st = check_matrix("B", B, tb, K, N, ldb, err)) ||
        (st = check_matrix("C", C, HX_NOTRANS, M, N, ldc, err)) ||
        (st = check_epilogue(ep, N, err)))
        return st;
    if (M == 0 || N == 0) return HX_OK;
#if defined(HELIX_HAVE_OPENBLAS)
    if (backend_is_openblas())
        return hx_gemm_openblas(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, ep, pool, err);
#endif
    const hx_gemm_kernel *kern = &hx_kernels_active()->gemm;
    if (M <= 2 && ta == HX_NOTRANS && tb == HX_TRANS && kern->dot) {
        dot_job d = {kern, M, N, K, A, lda, B, ldb, C, ldc,
                     {alpha, beta, ep ? ep->bias : NULL, ep ? ep->act : HX_ACT_NONE}};
        hx_parallel_for(pool, (N + DOT_COLS - 1) / DOT_COLS, dot_task, &d);
        return HX_OK;
    }
    /* Pack op(B) for this call (in parallel, one task per panel), then run
     * the same blocked product as the pre-packed path. */
    size_t need = ws_bytes(kern, M, N, K);
    if (!need) return hx_fail(err, HX_ERANGE, "GEMM: A (%zux%zu) or B (%zux%zu) is too large to pack", M, K, K, N);
    scratch sc = {NULL, NULL};
    if ((st = ws_acquire(ws, need, &sc, err)) != HX_OK) return st;
    size_t n_panels = (N + kern->nr - 1) / kern->nr;
    float *panels = (float *)sc.base;
    float *a_panels = (float *)(sc.base + round_bytes(n_panels * kern->nr * K));
    pack_b_job pj = {kern, tb, K, N, B, ldb, panels};
    hx_parallel_for(pool, n_panels, pack_b_task, &pj);
    run_packed(kern, ta, M, N, K, alpha, A, lda, panels, beta, C, ldc, ep, a_panels, pool);
    ws_release(&sc);
    return HX_OK;
}

hx_status hx_gemm_pack_b(hx_trans tb, size_t K, size_t N, const float *B, size_t ldb,
                         hx_packed_b **out, hx_error *err) {
    hx_status st;
    if (!out) return hx_fail(err, HX_EINVAL, "GEMM: no output handle for packing");
    *out = NULL;
    if ((st = check_trans(tb, "B", err)) || (st = check_matrix("B", B, tb, K, N, ldb, err))) return st;
    const hx_gemm_kernel *kern = &hx_kernels_active()->gemm;
    size_t n_panels = (N + kern->nr - 1) / kern->nr;
    if (K && n_panels > SIZE_MAX / sizeof(float) / kern->nr / K)
        return hx_fail(err, HX_ERANGE, "GEMM: B (%zux%zu) is too large to pack", K, N);
    hx_packed_b *p = calloc(1, sizeof *p);
    if (!p) return hx_fail(err, HX_ENOMEM, "out of memory packing B (%zux%zu)", K, N);
    p->kern = kern;
    p->K = K;
    p->N = N;
    p->n_panels = n_panels;
    p->panels = alloc_floats(n_panels * kern->nr * K);
    if (!p->panels) {
        free(p);
        return hx_fail(err, HX_ENOMEM, "out of memory packing B (%zux%zu)", K, N);
    }
    for (size_t i = 0; i < n_panels; i++)
        pack_b_panel(kern, tb, K, N, B, ldb, i, p->panels + i * K * kern->nr);
    if (backend_is_openblas()) {
        p->plain = alloc_floats(K * N);
        if (!p->plain) {
            hx_gemm_packed_free(p);
            return hx_fail(err, HX_ENOMEM, "out of memory packing B (%zux%zu)", K, N);
        }
        size_t rows = tb == HX_NOTRANS ? K : N, cols = tb == HX_NOTRANS ? N : K;
        for (size_t r = 0; r < rows; r++) memcpy(p->plain + r * cols, B + r * ldb, cols * sizeof(float));
        p->plain_tb = tb;
    }
    *out = p;
    return HX_OK;
}

void hx_gemm_packed_free(hx_packed_b *pb) {
    if (!pb) return;
    free(pb->panels);
    free(pb->plain);
    free(pb);
}

size_t hx_gemm_packed_k(const hx_packed_b *pb) { return pb ? pb->K : 0; }
size_t hx_gemm_packed_n(const hx_packed_b *pb) { return pb ? pb->N : 0; }
size_t hx_gemm_packed_bytes(const hx_packed_b *pb) {
    if (!pb) return 0;
    return pb->n_panels * pb->kern->nr * pb->K * sizeof(float) + (pb->plain ? pb->K * pb->N * sizeof(float) : 0);
}

hx_status hx_sgemm_packed(hx_trans ta, size_t M, float alpha, const float *A, size_t lda,
                          const hx_packed_b *B, float beta, float *C, size_t ldc,
                          const hx_epilogue *ep, const hx_gemm_workspace *ws,
                          hx_threadpool *pool, hx_error *err) {
    hx_status st;
    if (!B) return hx_fail(err, HX_EINVAL, "GEMM: packed B is NULL");
    size_t N = B->N, K = B->K;
    if ((st = check_trans(ta, "A", err)) || (st = check_matrix("A", A, ta, M, K, lda, err)) ||
        (st = check_matrix("C", C, HX_NOTRANS, M, N, ldc, err)) || (st = check_epilogue(ep, N, err)))
        return st;
    if (M == 0 || N == 0) return HX_OK;
#if defined(HELIX_HAVE_OPENBLAS)
    if (backend_is_openblas() && B->plain)
        return hx_gemm_openblas(ta, B->plain_tb, M, N, K, alpha, A, lda, B->plain,
                                B->plain_tb == HX_NOTRANS ? N : K, beta, C, ldc, ep, pool, err);
#endif
    /* The panels fix the kernel: a handle packed under one ISA stays valid
     * if the active ISA changes afterwards. */
    size_t need = ws_bytes(B->kern, M, 0, K);
    if (!need) return hx_fail(err, HX_ERANGE, "GEMM: A (%zux%zu) is too large to pack", M, K);
    scratch sc = {NULL, NULL};
    if ((st = ws_acquire(ws, need, &sc, err)) != HX_OK) return st;
    run_packed(B->kern, ta, M, N, K, alpha, A, lda, B->panels, beta, C, ldc, ep, (float *)sc.base, pool);
    ws_release(&sc);
    return HX_OK;
}

void hx_act_inplace(hx_act act, float *x, size_t n) {
    if (!x || act == HX_ACT_NONE) return;
    hx_kernels_active()->act(act, x, n);
}

const char *hx_gemm_backend_name(void) { return backend_is_openblas() ? "openblas" : "helix"; }
