/* Single-precision GEMM, row-major:
 *
 *     C[M,N] = act( alpha * op(A)[M,K] * op(B)[K,N] + beta * C + bias[N] )
 *
 * op(X) is X or its transpose. beta == 0 never reads C (C may hold NaN).
 * bias may be NULL; act is applied last. lda/ldb/ldc are row strides in
 * elements of the matrices as stored (before op).
 *
 * Model weights never change, so B can be packed once into the micro-kernel's
 * panel layout (hx_gemm_pack_b) and reused by every call (hx_sgemm_packed).
 * Results are bit-identical for every thread count. hx_gemm_set_backend
 * (HX_GEMM_OPENBLAS) routes hx_sgemm through cblas_sgemm (plus the epilogue)
 * for comparison, in builds made with HELIX_OPENBLAS.
 *
 * Scratch memory (the packed copies of A, and of B for hx_sgemm) is a
 * workspace the caller owns: size it once with hx_gemm_workspace_size and
 * pass it to every call, and a model run allocates nothing. */
#ifndef HELIX_GEMM_H
#define HELIX_GEMM_H

#include <stddef.h>
#include "helix/status.h"
#include "helix/threads.h"
#include "helix/cpu.h"

#include "helix/export.h"

HX_API_BEGIN

typedef enum { HX_NOTRANS = 0, HX_TRANS = 1 } hx_trans;

typedef enum {
    HX_ACT_NONE = 0,
    HX_ACT_RELU,
    HX_ACT_GELU, /* exact: 0.5 x (1 + erf(x / sqrt 2)) */
    HX_ACT_TANH
} hx_act;

typedef struct {
    const float *bias; /* N values added to every row, or NULL */
    hx_act act;
} hx_epilogue;

/* A call's scratch memory, any alignment (the call aligns inside it). A
 * workspace may serve calls one after another, never two at once. */
typedef struct {
    void *data;
    size_t bytes;
} hx_gemm_workspace;

/* Bytes of workspace that cover hx_sgemm of an M x N x K product on every
 * ISA of this build (so a later hx_isa_set does not outgrow it); N = 0 gives
 * what hx_sgemm_packed needs. Independent of the thread count. SIZE_MAX when
 * the shape is too large to pack. */
size_t hx_gemm_workspace_size(size_t M, size_t N, size_t K);

/* ws: NULL makes the call allocate (and free) its own scratch; otherwise
 * its bytes must cover hx_gemm_workspace_size(M, N, K) (HX_EINVAL if not). */
hx_status hx_sgemm(hx_trans ta, hx_trans tb, size_t M, size_t N, size_t K,
                   float alpha, const float *A, size_t lda,
                   const float *B, size_t ldb,
                   float beta, float *C, size_t ldc, const hx_epilogue *ep,
                   const hx_gemm_workspace *ws, hx_threadpool *pool, hx_error *err);

typedef struct hx_packed_b hx_packed_b;

/* Packs op(B)[K,N] for the active ISA's micro-kernel. */
hx_status hx_gemm_pack_b(hx_trans tb, size_t K, size_t N, const float *B, size_t ldb,
                         hx_packed_b **out, hx_error *err);
void hx_gemm_packed_free(hx_packed_b *pb);
size_t hx_gemm_packed_k(const hx_packed_b *pb);
size_t hx_gemm_packed_n(const hx_packed_b *pb);
size_t hx_gemm_packed_bytes(const hx_packed_b *pb);

/* ws as for hx_sgemm, sized hx_gemm_workspace_size(M, 0, K). */
hx_status hx_sgemm_packed(hx_trans ta, size_t M, float alpha, const float *A, size_t lda,
                          const hx_packed_b *B, float beta, float *C, size_t ldc,
                          const hx_epilogue *ep, const hx_gemm_workspace *ws,
                          hx_threadpool *pool, hx_error *err);

/* The plain-C reference: the specification every other path is tested
 * against. Serial, no packing, double accumulation is NOT used (fp32 FMA-free
 * sum in k order). */
void hx_sgemm_ref(hx_trans ta, hx_trans tb, size_t M, size_t N, size_t K,
                  float alpha, const float *A, size_t lda, const float *B, size_t ldb,
                  float beta, float *C, size_t ldc, const hx_epilogue *ep);

/* Scalar activation used by every epilogue (the reference definition). */
float hx_act_apply(hx_act act, float x);

/* Applies act to x[0..n) in place with the active ISA's vector code (the
 * GEMM epilogue's erf/tanh, also behind hx_gelu / hx_tanh; within an ulp or
 * two of hx_act_apply). */
void hx_act_inplace(hx_act act, float *x, size_t n);

/* Which implementation hx_sgemm / hx_sgemm_packed run, for the whole
 * process (default HX_GEMM_HELIX). HX_GEMM_OPENBLAS is HX_EUNSUPPORTED in a
 * build without OpenBLAS. A handle packed while OpenBLAS was selected keeps
 * a plain copy of B for it. */
typedef enum { HX_GEMM_HELIX = 0, HX_GEMM_OPENBLAS = 1 } hx_gemm_backend;
hx_status hx_gemm_set_backend(hx_gemm_backend backend, hx_error *err);

/* "helix" or "openblas": the backend selected. */
const char *hx_gemm_backend_name(void);

HX_API_END
#endif
