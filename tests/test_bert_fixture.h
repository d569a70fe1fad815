/* Test-side reader of the BERT fixtures written by
 * tests/oracle/make_bert_fixtures.py (format described there): a tensor
 * source over weights.bin, the config from config.json, and the cases. */
#ifndef HX_TEST_BERT_FIXTURE_H
#define HX_TEST_BERT_FIXTURE_H

#include <cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helix/bert.h"
#include "test_util.h"

typedef struct {
    char name[128];
    hx_tensor_view view;
    float *data;
} fx_tensor;

typedef struct {
    fx_tensor *t;
    size_t n;
} fx_weights;

typedef struct {
    char name[64];
    size_t n_seqs, n_tokens;
    size_t *lengths;
    int32_t *ids, *types;
    float *logits, *cls, *mean, *pooler;
} fx_case;

typedef struct {
    hx_bert_config cfg;
    fx_weights w;
    fx_case *cases;
    size_t n_cases;
    char *labels_json;
} fx_model;

typedef struct { const unsigned char *p, *end; int bad; } fx_cursor;
static uint32_t fx_u32(fx_cursor *c) {
    uint32_t v = 0;
    if (c->end - c->p < 4) { c->bad = 1; return 0; }
    memcpy(&v, c->p, 4);
    c->p += 4;
    return v;
}
static void fx_bytes(fx_cursor *c, void *dst, size_t n) {
    if ((size_t)(c->end - c->p) < n) { c->bad = 1; memset(dst, 0, n); return; }
    memcpy(dst, c->p, n);
    c->p += n;
}

static hx_status fx_lookup(void *ctx, const char *name, hx_tensor_view *out, hx_error *err) {
    fx_weights *w = ctx;
    for (size_t i = 0; i < w->n; i++)
        if (!strcmp(w->t[i].name, name)) { *out = w->t[i].view; return HX_OK; }
    return hx_fail(err, HX_ENOTFOUND, "tensor %s not found", name);
}

static int fx_load_weights(const char *path, fx_weights *w) {
    size_t len;
    unsigned char *buf = (unsigned char *)tu_read_file(path, &len);
    fx_cursor c = {buf + 8, buf + len, memcmp(buf, "HXBERTW1", 8) != 0};
    w->n = fx_u32(&c);
    w->t = calloc(w->n, sizeof *w->t);
    for (size_t i = 0; i < w->n && !c.bad; i++) {
        fx_tensor *t = &w->t[i];
        uint32_t nl = fx_u32(&c);
        if (nl >= sizeof t->name) { c.bad = 1; break; }
        fx_bytes(&c, t->name, nl);
        t->view.name = t->name;
        t->view.dtype = HX_DT_F32;
        t->view.rank = (int)fx_u32(&c);
        size_t n = 1;
        for (int k = 0; k < t->view.rank && k < HX_MAX_RANK; k++) n *= (t->view.dims[k] = fx_u32(&c));
        t->data = calloc(n ? n : 1, sizeof(float));
        uint32_t rows = fx_u32(&c);
        if (rows == 0xFFFFFFFFu) {
            fx_bytes(&c, t->data, n * sizeof(float));
        } else { /* sparse rows of a [V, H] matrix; the others stay zero */
            size_t H = (size_t)t->view.dims[1];
            uint32_t *ids = malloc(rows * sizeof *ids + 1);
            fx_bytes(&c, ids, rows * sizeof *ids);
            for (uint32_t r = 0; r < rows && !c.bad; r++) {
                if (ids[r] >= t->view.dims[0]) { c.bad = 1; break; }
                fx_bytes(&c, t->data + (size_t)ids[r] * H, H * sizeof(float));
            }
            free(ids);
        }
        t->view.data = t->data;
        t->view.nbytes = n * sizeof(float);
    }
    free(buf);
    return !c.bad;
}

static int fx_load_cases(const char *path, const hx_bert_config *cfg, fx_model *m) {
    size_t len;
    unsigned char *buf = (unsigned char *)tu_read_file(path, &len);
    fx_cursor c = {buf + 8, buf + len, memcmp(buf, "HXBERTC1", 8) != 0};
    m->n_cases = fx_u32(&c);
    m->cases = calloc(m->n_cases, sizeof *m->cases);
    const size_t H = cfg->hidden_size, K = cfg->num_labels;
    for (size_t i = 0; i < m->n_cases && !c.bad; i++) {
        fx_case *k = &m->cases[i];
        uint32_t nl = fx_u32(&c);
        if (nl >= sizeof k->name) { c.bad = 1; break; }
        fx_bytes(&c, k->name, nl);
        k->n_seqs = fx_u32(&c);
        k->lengths = calloc(k->n_seqs, sizeof *k->lengths);
        for (size_t s = 0; s < k->n_seqs; s++) k->n_tokens += (k->lengths[s] = fx_u32(&c));
        k->ids = malloc(k->n_tokens * sizeof *k->ids);
        k->types = malloc(k->n_tokens * sizeof *k->types);
        fx_bytes(&c, k->ids, k->n_tokens * 4);
        fx_bytes(&c, k->types, k->n_tokens * 4);
        k->logits = malloc(k->n_seqs * K * sizeof(float));
        k->cls = malloc(k->n_seqs * H * sizeof(float));
        k->mean = malloc(k->n_seqs * H * sizeof(float));
        k->pooler = malloc(k->n_seqs * H * sizeof(float));
        fx_bytes(&c, k->logits, k->n_seqs * K * 4);
        fx_bytes(&c, k->cls, k->n_seqs * H * 4);
        fx_bytes(&c, k->mean, k->n_seqs * H * 4);
        fx_bytes(&c, k->pooler, k->n_seqs * H * 4);
    }
    free(buf);
    return !c.bad;
}

static size_t fx_json_size(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? (size_t)v->valuedouble : 0;
}

/* Loads tests/fixtures/bert/NAME/{config.json,weights.bin,cases.bin}. */
static int fx_load_model(const char *name, fx_model *m) {
    char path[1024];
    memset(m, 0, sizeof *m);
    tu_fixture_path(path, sizeof path, "bert/%s/config.json", name);
    char *json = tu_read_file(path, NULL);
    cJSON *root = cJSON_Parse(json);
    free(json);
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(root, "bert");
    if (!b) { cJSON_Delete(root); return 0; }
    m->cfg = (hx_bert_config){
        .vocab_size = fx_json_size(b, "vocab_size"), .hidden_size = fx_json_size(b, "hidden_size"),
        .num_layers = fx_json_size(b, "num_hidden_layers"),
        .num_heads = fx_json_size(b, "num_attention_heads"),
        .intermediate_size = fx_json_size(b, "intermediate_size"),
        .max_position = fx_json_size(b, "max_position_embeddings"),
        .type_vocab_size = fx_json_size(b, "type_vocab_size"),
        .layer_norm_eps = (float)cJSON_GetObjectItemCaseSensitive(b, "layer_norm_eps")->valuedouble,
        .has_pooler = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b, "has_pooler")),
        .num_labels = fx_json_size(b, "num_labels")};
    cJSON_Delete(root);
    tu_fixture_path(path, sizeof path, "bert/%s/weights.bin", name);
    if (!fx_load_weights(path, &m->w)) return 0;
    tu_fixture_path(path, sizeof path, "bert/%s/cases.bin", name);
    return fx_load_cases(path, &m->cfg, m);
}

static inline hx_tensor_source fx_source(fx_model *m) { return (hx_tensor_source){fx_lookup, &m->w}; }

static void fx_free_model(fx_model *m) {
    for (size_t i = 0; i < m->w.n; i++) free(m->w.t[i].data);
    free(m->w.t);
    for (size_t i = 0; i < m->n_cases; i++) {
        fx_case *k = &m->cases[i];
        free(k->lengths); free(k->ids); free(k->types);
        free(k->logits); free(k->cls); free(k->mean); free(k->pooler);
    }
    free(m->cases);
}

#endif
