/* BERT weights: look every tensor up by its Hugging Face name, check its
 * shape, and pack the Linear weights ([out, in] as PyTorch stores them) once
 * for the GEMM. Query, key and value are packed as one [H -> 3H] projection so
 * a layer's three input projections are a single GEMM. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert_internal.h"

hx_status hx_bert_config_check(const hx_bert_config *c, hx_error *err) {
    const size_t lim = (size_t)1 << 24; /* far above any real BERT dimension */
    struct { const char *name; size_t v; } dims[] = {
        {"vocab_size", c->vocab_size}, {"hidden_size", c->hidden_size},
        {"num_hidden_layers", c->num_layers}, {"num_attention_heads", c->num_heads},
        {"intermediate_size", c->intermediate_size}, {"max_position_embeddings", c->max_position},
        {"type_vocab_size", c->type_vocab_size}};
    for (size_t i = 0; i < sizeof dims / sizeof *dims; i++)
        if (dims[i].v == 0 || dims[i].v > lim)
            return hx_fail(err, HX_EFORMAT, "bert: %s = %zu is out of range (1..%zu)", dims[i].name,
                           dims[i].v, lim);
    if (c->num_layers > 1024 || c->num_labels > 1 << 20)
        return hx_fail(err, HX_EFORMAT, "bert: num_hidden_layers or num_labels out of range");
    if (c->hidden_size % c->num_heads)
        return hx_fail(err, HX_EFORMAT, "bert: hidden_size %zu is not a multiple of num_attention_heads %zu",
                       c->hidden_size, c->num_heads);
    if (!(c->layer_norm_eps > 0.0f && c->layer_norm_eps < 1.0f))
        return hx_fail(err, HX_EFORMAT, "bert: layer_norm_eps must be in (0, 1)");
    if (c->num_labels > 0 && !c->has_pooler)
        return hx_fail(err, HX_EUNSUPPORTED, "bert: a classifier head needs the pooler");
    /* Largest product used for sizes: vocab x hidden, and 3 hidden x hidden. */
    if (c->vocab_size > SIZE_MAX / sizeof(float) / c->hidden_size ||
        c->intermediate_size > SIZE_MAX / sizeof(float) / c->hidden_size)
        return hx_fail(err, HX_ERANGE, "bert: tensor sizes overflow");
    return HX_OK;
}

typedef struct {
    const hx_tensor_source *src;
    const hx_bert_options *opt;
    hx_error *err;
    char name[160];
} loader;

static hx_status get(loader *ld, const char *name, size_t d0, size_t d1, const float **out) {
    int64_t dims[2] = {(int64_t)d0, (int64_t)d1};
    return hx_tensor_get_f32(ld->src, name, d1 ? 2 : 1, dims, out, ld->err);
}

static void released(loader *ld, const float *w, size_t n) {
    if (ld->opt && ld->opt->weight_packed) ld->opt->weight_packed(ld->opt->ctx, w, n * sizeof *w);
}

/* Packs the Linear `prefix`.weight [out, in] and returns `prefix`.bias. */
static hx_status linear(loader *ld, const char *prefix, size_t in, size_t out, hx_packed_b **pw,
                        const float **bias) {
    const float *w;
    hx_status st;
    snprintf(ld->name, sizeof ld->name, "%s.weight", prefix);
    if ((st = get(ld, ld->name, out, in, &w)) != HX_OK) return st;
    snprintf(ld->name, sizeof ld->name, "%s.bias", prefix);
    if ((st = get(ld, ld->name, out, 0, bias)) != HX_OK) return st;
    if ((st = hx_gemm_pack_b(HX_TRANS, in, out, w, in, pw, ld->err)) != HX_OK) return st;
    released(ld, w, in * out);
    return HX_OK;
}

static hx_status layer_norm(loader *ld, const char *prefix, size_t n, const float **g,
                            const float **b) {
    hx_status st;
    snprintf(ld->name, sizeof ld->name, "%s.weight", prefix);
    if ((st = get(ld, ld->name, n, 0, g)) != HX_OK) return st;
    snprintf(ld->name, sizeof ld->name, "%s.bias", prefix);
    return get(ld, ld->name, n, 0, b);
}

/* Query, key and value weights stacked as one [3H, H] matrix, then packed. */
static hx_status load_qkv(loader *ld, size_t i, size_t H, bert_layer *L) {
    static const char *const part[3] = {"query", "key", "value"};
    float *w = malloc(3 * H * H * sizeof *w);
    L->qkv_bias = malloc(3 * H * sizeof *L->qkv_bias);
    if (!w || !L->qkv_bias) {
        free(w);
        return hx_fail(ld->err, HX_ENOMEM, "bert: out of memory loading layer %zu", i);
    }
    const float *src_w[3];
    hx_status st = HX_OK;
    for (int p = 0; p < 3 && st == HX_OK; p++) {
        char name[160];
        const float *b;
        snprintf(name, sizeof name, "bert.encoder.layer.%zu.attention.self.%s.weight", i, part[p]);
        if ((st = get(ld, name, H, H, &src_w[p])) != HX_OK) break;
        snprintf(name, sizeof name, "bert.encoder.layer.%zu.attention.self.%s.bias", i, part[p]);
        if ((st = get(ld, name, H, 0, &b)) != HX_OK) break;
        memcpy(w + p * H * H, src_w[p], H * H * sizeof *w);
        memcpy(L->qkv_bias + p * H, b, H * sizeof *b);
    }
    if (st == HX_OK) st = hx_gemm_pack_b(HX_TRANS, H, 3 * H, w, H, &L->qkv, ld->err);
    free(w);
    if (st == HX_OK)
        for (int p = 0; p < 3; p++) released(ld, src_w[p], H * H);
    return st;
}

static hx_status load_layer(loader *ld, size_t i, const hx_bert_config *c, bert_layer *L) {
    const size_t H = c->hidden_size, I = c->intermediate_size;
    char p[128];
    hx_status st;
    if ((st = load_qkv(ld, i, H, L)) != HX_OK) return st;
    snprintf(p, sizeof p, "bert.encoder.layer.%zu.attention.output.dense", i);
    if ((st = linear(ld, p, H, H, &L->attn_out, &L->attn_out_bias)) != HX_OK) return st;
    snprintf(p, sizeof p, "bert.encoder.layer.%zu.attention.output.LayerNorm", i);
    if ((st = layer_norm(ld, p, H, &L->ln1_g, &L->ln1_b)) != HX_OK) return st;
    snprintf(p, sizeof p, "bert.encoder.layer.%zu.intermediate.dense", i);
    if ((st = linear(ld, p, H, I, &L->ffn_in, &L->ffn_in_bias)) != HX_OK) return st;
    snprintf(p, sizeof p, "bert.encoder.layer.%zu.output.dense", i);
    if ((st = linear(ld, p, I, H, &L->ffn_out, &L->ffn_out_bias)) != HX_OK) return st;
    snprintf(p, sizeof p, "bert.encoder.layer.%zu.output.LayerNorm", i);
    return layer_norm(ld, p, H, &L->ln2_g, &L->ln2_b);
}

hx_status hx_bert_create(const hx_bert_config *cfg, const hx_tensor_source *src,
                         const hx_bert_options *opt, hx_bert **out, hx_error *err) {
    *out = NULL;
    hx_status st = hx_bert_config_check(cfg, err);
    if (st != HX_OK) return st;
    hx_bert *m = calloc(1, sizeof *m);
    if (!m || !(m->layers = calloc(cfg->num_layers, sizeof *m->layers))) {
        free(m);
        return hx_fail(err, HX_ENOMEM, "bert: out of memory");
    }
    m->cfg = *cfg;
    const size_t H = cfg->hidden_size;
    loader ld = {src, opt, err, {0}};
    if ((st = get(&ld, "bert.embeddings.word_embeddings.weight", cfg->vocab_size, H, &m->word_emb)) ||
        (st = get(&ld, "bert.embeddings.position_embeddings.weight", cfg->max_position, H, &m->pos_emb)) ||
        (st = get(&ld, "bert.embeddings.token_type_embeddings.weight", cfg->type_vocab_size, H, &m->type_emb)) ||
        (st = layer_norm(&ld, "bert.embeddings.LayerNorm", H, &m->emb_ln_g, &m->emb_ln_b)))
        goto fail;
    for (size_t i = 0; i < cfg->num_layers; i++)
        if ((st = load_layer(&ld, i, cfg, &m->layers[i])) != HX_OK) goto fail;
    if (cfg->has_pooler &&
        (st = linear(&ld, "bert.pooler.dense", H, H, &m->pooler, &m->pooler_bias)) != HX_OK)
        goto fail;
    if (cfg->num_labels > 0 &&
        (st = linear(&ld, "classifier", H, cfg->num_labels, &m->classifier, &m->classifier_bias)) != HX_OK)
        goto fail;
    *out = m;
    return HX_OK;
fail:
    hx_bert_free(m);
    return st;
}

void hx_bert_free(hx_bert *m) {
    if (!m) return;
    for (size_t i = 0; m->layers && i < m->cfg.num_layers; i++) {
        bert_layer *L = &m->layers[i];
        hx_gemm_packed_free(L->qkv);
        free(L->qkv_bias);
        hx_gemm_packed_free(L->attn_out);
        hx_gemm_packed_free(L->ffn_in);
        hx_gemm_packed_free(L->ffn_out);
    }
    free(m->layers);
    hx_gemm_packed_free(m->pooler);
    hx_gemm_packed_free(m->classifier);
    free(m);
}

const hx_bert_config *hx_bert_get_config(const hx_bert *m) { return &m->cfg; }

size_t hx_bert_packed_bytes(const hx_bert *m) {
    size_t n = 0;
    for (size_t i = 0; i < m->cfg.num_layers; i++) {
        const bert_layer *L = &m->layers[i];
        if (L->qkv) n += hx_gemm_packed_bytes(L->qkv);
        if (L->attn_out) n += hx_gemm_packed_bytes(L->attn_out);
        if (L->ffn_in) n += hx_gemm_packed_bytes(L->ffn_in);
        if (L->ffn_out) n += hx_gemm_packed_bytes(L->ffn_out);
    }
    if (m->pooler) n += hx_gemm_packed_bytes(m->pooler);
    if (m->classifier) n += hx_gemm_packed_bytes(m->classifier);
    return n;
}
