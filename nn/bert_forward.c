/* The BERT forward pass on a batch packed without padding.
 *
 * With T = total tokens of the batch and H, I the hidden and intermediate
 * sizes, one encoder layer is
 *
 *   qkv = x Wqkvᵀ + bqkv                       [T, 3H]   one GEMM
 *   ctx = softmax(q kᵀ/√d) v per sequence, head [T, H]    attention kernel
 *   x   = LN(ctx Woᵀ + bo + x)                  [T, H]    GEMM (beta = 1) + LN
 *   f   = gelu(x W1ᵀ + b1)                      [T, I]    GEMM, GELU epilogue
 *   x   = LN(f W2ᵀ + b2 + x)                    [T, H]    GEMM (beta = 1) + LN
 *
 * and the FFN runs in fixed chunks of FFN_ROWS tokens so that f never needs
 * [T, I] floats. Every buffer, the GEMMs' workspace included, lives in one
 * arena allocated by hx_bert_session_create, so a batch allocates nothing. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bert_internal.h"
#include "helix/transformer_ops.h"

#define FFN_ROWS 512

struct hx_bert_session {
    const hx_bert *m;
    hx_threadpool *pool;
    size_t max_batch, max_len, max_tokens;
    void *arena;
    size_t arena_bytes;
    float *x, *qkv, *ctx, *ffn, *attn_scratch, *rows, *pooled;
    hx_gemm_workspace gemm_ws; /* packed A of every GEMM, one after another */
    size_t *offsets;
    size_t n_tokens, n_seqs; /* of the last batch */
};

/* Carves n floats (64-byte aligned) from the arena cursor. */
static float *carve(char **cursor, size_t n) {
    float *p = (float *)*cursor;
    *cursor += (n * sizeof(float) + 63) & ~(size_t)63;
    return p;
}

hx_status hx_bert_session_create(const hx_bert *m, size_t max_batch, size_t max_len,
                                 hx_threadpool *pool, hx_bert_session **out, hx_error *err) {
    *out = NULL;
    const hx_bert_config *c = &m->cfg;
    if (max_batch == 0 || max_len == 0)
        return hx_fail(err, HX_EINVAL, "bert session: batch and length must be positive");
    if (max_len > c->max_position)
        return hx_fail(err, HX_EINVAL, "bert session: max length %zu exceeds the model's %zu positions",
                       max_len, c->max_position);
    if (max_batch > ((size_t)1 << 20) || max_len > ((size_t)1 << 20) ||
        max_batch * max_len > ((size_t)1 << 24) ||
        max_batch * max_len > SIZE_MAX / sizeof(float) / (5 * c->hidden_size + 64))
        return hx_fail(err, HX_ERANGE, "bert session: %zu x %zu tokens is too large", max_batch, max_len);
    const size_t H = c->hidden_size, T = max_batch * max_len;
    const size_t F = T < FFN_ROWS ? T : FFN_ROWS;
    const size_t threads = (size_t)hx_threadpool_size(pool);
    const size_t sizes[] = {T * H, T * 3 * H, T * H, F * c->intermediate_size,
                            threads * hx_attention_scratch_floats(H / c->num_heads),
                            max_batch * H, max_batch * H};
    /* The largest A any GEMM packs: [T, H] (QKV, attention output) or an FFN
     * chunk's [F, I] (the pooler's and classifier's [batch, H] are smaller). */
    size_t ws_a = hx_gemm_workspace_size(T, 0, H), ws_f = hx_gemm_workspace_size(F, 0, c->intermediate_size);
    const size_t ws_bytes = (ws_a > ws_f ? ws_a : ws_f);
    if (ws_bytes > SIZE_MAX / 2) return hx_fail(err, HX_ERANGE, "bert session: arena too large");
    size_t bytes = 64 + (max_batch + 1) * sizeof(size_t) + ((ws_bytes + 63) & ~(size_t)63);
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        size_t b = (sizes[i] * sizeof(float) + 63) & ~(size_t)63;
        if (b > SIZE_MAX - bytes) return hx_fail(err, HX_ERANGE, "bert session: arena too large");
        bytes += b;
    }
    hx_bert_session *s = calloc(1, sizeof *s);
    void *arena = NULL;
    if (!s || posix_memalign(&arena, 64, bytes) != 0) {
        free(s);
        return hx_fail(err, HX_ENOMEM, "bert session: out of memory for a %zu-byte arena", bytes);
    }
    *s = (hx_bert_session){.m = m, .pool = pool, .max_batch = max_batch, .max_len = max_len,
                           .max_tokens = T, .arena = arena, .arena_bytes = bytes};
    char *cur = arena;
    s->x = carve(&cur, sizes[0]);
    s->qkv = carve(&cur, sizes[1]);
    s->ctx = carve(&cur, sizes[2]);
    s->ffn = carve(&cur, sizes[3]);
    s->attn_scratch = carve(&cur, sizes[4]);
    s->rows = carve(&cur, sizes[5]);
    s->pooled = carve(&cur, sizes[6]);
    s->gemm_ws = (hx_gemm_workspace){cur, ws_bytes};
    cur += (ws_bytes + 63) & ~(size_t)63;
    s->offsets = (size_t *)cur;
    *out = s;
    return HX_OK;
}

void hx_bert_session_free(hx_bert_session *s) {
    if (!s) return;
    free(s->arena);
    free(s);
}

size_t hx_bert_session_bytes(const hx_bert_session *s) { return s->arena_bytes; }

const float *hx_bert_last_hidden(const hx_bert_session *s, size_t *n_tokens) {
    if (n_tokens) *n_tokens = s->n_tokens;
    return s->x;
}

/* Checks the batch against the arena and the vocabulary; fills offsets. */
static hx_status check_batch(hx_bert_session *s, const hx_bert_batch *b, hx_error *err) {
    const hx_bert_config *c = &s->m->cfg;
    if (b->n_seqs == 0 || b->n_seqs > s->max_batch)
        return hx_fail(err, HX_EINVAL, "bert: batch of %zu sequences (session holds 1..%zu)",
                       b->n_seqs, s->max_batch);
    s->offsets[0] = 0;
    for (size_t i = 0; i < b->n_seqs; i++) {
        if (b->lengths[i] == 0 || b->lengths[i] > s->max_len)
            return hx_fail(err, HX_EINVAL, "bert: sequence %zu has %zu tokens (session holds 1..%zu)",
                           i, b->lengths[i], s->max_len);
        s->offsets[i + 1] = s->offsets[i] + b->lengths[i];
    }
    size_t T = s->offsets[b->n_seqs];
    for (size_t t = 0; t < T; t++) {
        if (b->ids[t] < 0 || (size_t)b->ids[t] >= c->vocab_size)
            return hx_fail(err, HX_EINVAL, "bert: token %zu has id %ld outside the vocabulary (%zu)",
                           t, (long)b->ids[t], c->vocab_size);
        if (b->type_ids && (b->type_ids[t] < 0 || (size_t)b->type_ids[t] >= c->type_vocab_size))
            return hx_fail(err, HX_EINVAL, "bert: token %zu has type id %ld (model has %zu types)",
                           t, (long)b->type_ids[t], c->type_vocab_size);
    }
    s->n_seqs = b->n_seqs;
    s->n_tokens = T;
    return HX_OK;
}

/* x[t] = LN((word[id] + type[tt]) + position[p]), p counted per sequence. */
static void embed(hx_bert_session *s, const hx_bert_batch *b) {
    const hx_bert *m = s->m;
    const size_t H = m->cfg.hidden_size;
    for (size_t i = 0; i < b->n_seqs; i++) {
        for (size_t p = 0; p < b->lengths[i]; p++) {
            size_t t = s->offsets[i] + p;
            const float *w = m->word_emb + (size_t)b->ids[t] * H;
            const float *ty = m->type_emb + (size_t)(b->type_ids ? b->type_ids[t] : 0) * H;
            const float *pos = m->pos_emb + p * H;
            float *x = s->x + t * H;
            for (size_t k = 0; k < H; k++) x[k] = (w[k] + ty[k]) + pos[k];
        }
    }
    hx_layernorm(s->n_tokens, H, s->x, H, m->emb_ln_g, m->emb_ln_b, m->cfg.layer_norm_eps, s->x, H,
                 s->pool);
}

static hx_status encoder_layer(hx_bert_session *s, const bert_layer *L, hx_error *err) {
    const hx_bert_config *c = &s->m->cfg;
    const size_t H = c->hidden_size, I = c->intermediate_size, T = s->n_tokens;
    const size_t d = H / c->num_heads;
    const float eps = c->layer_norm_eps;
    hx_status st;

    hx_epilogue ep = {L->qkv_bias, HX_ACT_NONE};
    if ((st = hx_sgemm_packed(HX_NOTRANS, T, 1.0f, s->x, H, L->qkv, 0.0f, s->qkv, 3 * H, &ep,
                              &s->gemm_ws, s->pool, err)) != HX_OK)
        return st;
    hx_attention_batch ab = {.n_seqs = s->n_seqs, .offsets = s->offsets, .n_heads = c->num_heads,
                             .head_dim = d, .q = s->qkv, .k = s->qkv + H, .v = s->qkv + 2 * H,
                             .ldq = 3 * H, .ldk = 3 * H, .ldv = 3 * H, .out = s->ctx, .ldo = H,
                             .scale = 1.0f / sqrtf((float)d)};
    if ((st = hx_attention(&ab, s->attn_scratch, s->pool, err)) != HX_OK) return st;
    ep = (hx_epilogue){L->attn_out_bias, HX_ACT_NONE};
    if ((st = hx_sgemm_packed(HX_NOTRANS, T, 1.0f, s->ctx, H, L->attn_out, 1.0f, s->x, H, &ep,
                              &s->gemm_ws, s->pool, err)) != HX_OK)
        return st;
    hx_layernorm(T, H, s->x, H, L->ln1_g, L->ln1_b, eps, s->x, H, s->pool);

    for (size_t r0 = 0; r0 < T; r0 += FFN_ROWS) {
        size_t nr = T - r0 < FFN_ROWS ? T - r0 : FFN_ROWS;
        float *x = s->x + r0 * H;
        ep = (hx_epilogue){L->ffn_in_bias, HX_ACT_GELU};
        if ((st = hx_sgemm_packed(HX_NOTRANS, nr, 1.0f, x, H, L->ffn_in, 0.0f, s->ffn, I, &ep,
                                  &s->gemm_ws, s->pool, err)) != HX_OK)
            return st;
        ep = (hx_epilogue){L->ffn_out_bias, HX_ACT_NONE};
        if ((st = hx_sgemm_packed(HX_NOTRANS, nr, 1.0f, s->ffn, I, L->ffn_out, 1.0f, x, H, &ep,
                                  &s->gemm_ws, s->pool, err)) != HX_OK)
            return st;
        hx_layernorm(nr, H, x, H, L->ln2_g, L->ln2_b, eps, x, H, s->pool);
    }
    return HX_OK;
}

static hx_status forward(hx_bert_session *s, const hx_bert_batch *b, hx_error *err) {
    hx_status st = check_batch(s, b, err);
    if (st != HX_OK) return st;
    embed(s, b);
    for (size_t i = 0; i < s->m->cfg.num_layers; i++)
        if ((st = encoder_layer(s, &s->m->layers[i], err)) != HX_OK) return st;
    return HX_OK;
}

/* rows[i] = last hidden state of sequence i's first token. */
static void gather_first_tokens(hx_bert_session *s) {
    const size_t H = s->m->cfg.hidden_size;
    for (size_t i = 0; i < s->n_seqs; i++)
        memcpy(s->rows + i * H, s->x + s->offsets[i] * H, H * sizeof(float));
}

/* pooled = tanh(rows Wpᵀ + bp) */
static hx_status pool_first_tokens(hx_bert_session *s, hx_error *err) {
    const hx_bert *m = s->m;
    const size_t H = m->cfg.hidden_size;
    gather_first_tokens(s);
    hx_epilogue ep = {m->pooler_bias, HX_ACT_TANH};
    return hx_sgemm_packed(HX_NOTRANS, s->n_seqs, 1.0f, s->rows, H, m->pooler, 0.0f, s->pooled, H,
                           &ep, &s->gemm_ws, s->pool, err);
}

hx_status hx_bert_classify(hx_bert_session *s, const hx_bert_batch *b, float *logits,
                           hx_error *err) {
    const hx_bert *m = s->m;
    if (!m->classifier)
        return hx_fail(err, HX_EUNSUPPORTED, "bert: this model has no classifier head");
    hx_status st = forward(s, b, err);
    if (st == HX_OK) st = pool_first_tokens(s, err);
    if (st != HX_OK) return st;
    hx_epilogue ep = {m->classifier_bias, HX_ACT_NONE};
    return hx_sgemm_packed(HX_NOTRANS, s->n_seqs, 1.0f, s->pooled, m->cfg.hidden_size,
                           m->classifier, 0.0f, logits, m->cfg.num_labels, &ep, &s->gemm_ws, s->pool,
                           err);
}

hx_status hx_bert_embed(hx_bert_session *s, const hx_bert_batch *b, hx_bert_pooling pooling,
                        float *out, hx_error *err) {
    const size_t H = s->m->cfg.hidden_size;
    if (pooling == HX_BERT_POOL_POOLER && !s->m->pooler)
        return hx_fail(err, HX_EUNSUPPORTED, "bert: this model has no pooler");
    if (pooling != HX_BERT_POOL_CLS && pooling != HX_BERT_POOL_MEAN && pooling != HX_BERT_POOL_POOLER)
        return hx_fail(err, HX_EINVAL, "bert: unknown pooling %d", (int)pooling);
    hx_status st = forward(s, b, err);
    if (st != HX_OK) return st;
    if (pooling == HX_BERT_POOL_POOLER) {
        if ((st = pool_first_tokens(s, err)) != HX_OK) return st;
        memcpy(out, s->pooled, s->n_seqs * H * sizeof(float));
    } else if (pooling == HX_BERT_POOL_CLS) {
        gather_first_tokens(s);
        memcpy(out, s->rows, s->n_seqs * H * sizeof(float));
    } else {
        /* Mean over the sequence's tokens, summed in token order. */
        for (size_t i = 0; i < s->n_seqs; i++) {
            float *o = out + i * H;
            memset(o, 0, H * sizeof *o);
            for (size_t t = s->offsets[i]; t < s->offsets[i + 1]; t++)
                for (size_t k = 0; k < H; k++) o[k] += s->x[t * H + k];
            float inv = 1.0f / (float)(s->offsets[i + 1] - s->offsets[i]);
            for (size_t k = 0; k < H; k++) o[k] *= inv;
        }
    }
    return HX_OK;
}
