/* Scaled dot-product attention, scalar reference (the specification).
 *
 * For each query row q_i of the block, keys are visited HX_ATTN_BLOCK_K at a
 * time with an online softmax (Milakov & Gimelshein): keep the running max m
 * and running sum l of exp(s - m); when a block raises the max, rescale what
 * was accumulated by exp(m_old - m_new). At the end out_i = acc_i / l.
 *
 *   s_ij = scale * <q_i, k_j> + key_bias_j
 *
 * m starts at -FLT_MAX (not -inf) so that a key masked with -inf gives
 * exp(-inf) = 0 and never exp(-inf - -inf) = NaN; a row with every key masked
 * has l = 0 and outputs zeros. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "transformer_ops_isa.h"

size_t hx_attention_scratch_floats(size_t head_dim) {
    size_t d = head_dim, bq = HX_ATTN_BLOCK_Q, bk = HX_ATTN_BLOCK_K;
    return d * bq + bk * bq + bq * hx_attn_dpad(d) + 3 * bq + 16;
}

void hx_attention_block_ref(const hx_attention_head *h, size_t q0, size_t nq, float *scratch) {
    const size_t d = h->head_dim, L = h->seq_len;
    float *s = hx_attn_align(scratch); /* one row of scores, BK floats */
    float *acc = s + HX_ATTN_BLOCK_K;  /* d floats */
    for (size_t qi = 0; qi < nq; qi++) {
        const float *q = h->q + (q0 + qi) * h->ldq;
        float m = -FLT_MAX, l = 0.0f;
        memset(acc, 0, d * sizeof *acc);
        for (size_t kb = 0; kb < L; kb += HX_ATTN_BLOCK_K) {
            size_t nk = L - kb < HX_ATTN_BLOCK_K ? L - kb : HX_ATTN_BLOCK_K;
            float mb = m;
            for (size_t j = 0; j < nk; j++) {
                const float *k = h->k + (kb + j) * h->ldk;
                float dot = 0.0f;
                for (size_t c = 0; c < d; c++) dot += q[c] * k[c];
                s[j] = h->scale * dot + (h->key_bias ? h->key_bias[kb + j] : 0.0f);
                if (s[j] > mb) mb = s[j];
            }
            float corr = expf(m - mb);
            l *= corr;
            for (size_t c = 0; c < d; c++) acc[c] *= corr;
            for (size_t j = 0; j < nk; j++) {
                float p = expf(s[j] - mb);
                const float *v = h->v + (kb + j) * h->ldv;
                l += p;
                for (size_t c = 0; c < d; c++) acc[c] += p * v[c];
            }
            m = mb;
        }
        float *out = h->out + (q0 + qi) * h->ldo;
        float inv = l > 0.0f ? 1.0f / l : 0.0f;
        for (size_t c = 0; c < d; c++) out[c] = acc[c] * inv;
    }
}
