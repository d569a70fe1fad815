/* Multi-head attention over sequences packed without padding.
 *
 * Tasks are (sequence, head, query block), numbered sequence by sequence; a
 * task writes only its own query rows of its own head, so the result is the
 * same whichever thread runs it. The block kernel is the active table's. */
#include "kernels/dispatch.h"

void hx_attention_block(const hx_attention_head *h, size_t q0, size_t nq, float *scratch) {
    hx_kernels_active()->attention(h, q0, nq, scratch);
}

typedef struct {
    const hx_attention_batch *b;
    float *scratch;
    size_t scratch_floats;
    hx_attention_block_fn block;
} attention_job;

static size_t query_blocks(size_t len) {
    return (len + HX_ATTN_BLOCK_Q - 1) / HX_ATTN_BLOCK_Q;
}

static void attention_task(void *ctx, size_t task, int thread) {
    const attention_job *job = ctx;
    const hx_attention_batch *b = job->b;
    /* Find the task's sequence: batches are small (tens of sequences). */
    size_t s = 0;
    for (;; s++) {
        size_t n = b->n_heads * query_blocks(b->offsets[s + 1] - b->offsets[s]);
        if (task < n) break;
        task -= n;
    }
    size_t nqb = query_blocks(b->offsets[s + 1] - b->offsets[s]);
    size_t head = task / nqb, qb = task % nqb;
    size_t t0 = b->offsets[s], len = b->offsets[s + 1] - t0;
    size_t col = head * b->head_dim;
    hx_attention_head h = {
        .seq_len = len, .head_dim = b->head_dim,
        .q = b->q + t0 * b->ldq + col, .k = b->k + t0 * b->ldk + col,
        .v = b->v + t0 * b->ldv + col,
        .ldq = b->ldq, .ldk = b->ldk, .ldv = b->ldv,
        .out = b->out + t0 * b->ldo + col, .ldo = b->ldo,
        .key_bias = NULL, .scale = b->scale,
    };
    size_t q0 = qb * HX_ATTN_BLOCK_Q;
    size_t nq = len - q0 < HX_ATTN_BLOCK_Q ? len - q0 : HX_ATTN_BLOCK_Q;
    job->block(&h, q0, nq, job->scratch + (size_t)thread * job->scratch_floats);
}

hx_status hx_attention(const hx_attention_batch *b, float *scratch, hx_threadpool *pool,
                       hx_error *err) {
    if (b->head_dim == 0 || b->n_heads == 0)
        return hx_fail(err, HX_EINVAL, "attention: head_dim and n_heads must be positive");
    size_t tasks = 0;
    for (size_t s = 0; s < b->n_seqs; s++) {
        if (b->offsets[s + 1] < b->offsets[s])
            return hx_fail(err, HX_EINVAL, "attention: sequence %zu has negative length", s);
        tasks += b->n_heads * query_blocks(b->offsets[s + 1] - b->offsets[s]);
    }
    attention_job job = {b, scratch, hx_attention_scratch_floats(b->head_dim),
                         hx_kernels_active()->attention};
    hx_parallel_for(pool, tasks, attention_task, &job);
    return HX_OK;
}
