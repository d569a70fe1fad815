/* Hugging Face BERT -> .hlx. Reads config.json for the hyper-parameters,
 * copies every tensor the encoder needs (checking its shape against the
 * config) under the BertForSequenceClassification names of
 * docs/architecture.md, and stores the tokenizer settings built by
 * weights/tokenizer_meta.c. */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helix/convert.h"
#include "helix/hlx.h"
#include "helix/safetensors.h"
#include "helix/tokenizer_meta.h"
#include "weights/convert_internal.h"

typedef struct {
    long vocab, hidden, layers, heads, inter, max_pos, types;
    double eps;
} bert_cfg;

typedef struct {
    const hx_safetensors *st;
    unsigned char *used;
    hx_hlx_writer *w;
    hx_convert_report *rep;
    int prefixed; /* checkpoint names start with "bert." */
} ctx;

static hx_status cfg_int(const cJSON *cfg, const char *key, long lo, long hi, long *out,
                         hx_error *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo ||
        v->valuedouble > hi)
        return hx_fail(err, HX_EFORMAT, "config.json: '%s' is missing or not an integer in [%ld, %ld]",
                       key, lo, hi);
    *out = (long)v->valuedouble;
    return HX_OK;
}

static hx_status read_config(const cJSON *cfg, bert_cfg *c, hx_error *err) {
    const cJSON *mt = cJSON_GetObjectItemCaseSensitive(cfg, "model_type");
    if (mt && (!cJSON_IsString(mt) || strcmp(mt->valuestring, "bert")))
        return hx_fail(err, HX_EUNSUPPORTED, "config.json: model_type '%s' is not supported (only bert)",
                       cJSON_IsString(mt) ? mt->valuestring : "?");
    hx_status s;
    if ((s = cfg_int(cfg, "vocab_size", 1, 10000000, &c->vocab, err)) ||
        (s = cfg_int(cfg, "hidden_size", 1, 65536, &c->hidden, err)) ||
        (s = cfg_int(cfg, "num_hidden_layers", 1, 1024, &c->layers, err)) ||
        (s = cfg_int(cfg, "num_attention_heads", 1, 4096, &c->heads, err)) ||
        (s = cfg_int(cfg, "intermediate_size", 1, 1 << 20, &c->inter, err)) ||
        (s = cfg_int(cfg, "max_position_embeddings", 1, 1 << 20, &c->max_pos, err)))
        return s;
    c->types = 2;
    if (cJSON_GetObjectItemCaseSensitive(cfg, "type_vocab_size") &&
        (s = cfg_int(cfg, "type_vocab_size", 1, 1024, &c->types, err)))
        return s;
    if (c->hidden % c->heads)
        return hx_fail(err, HX_EFORMAT, "config.json: hidden_size %ld is not a multiple of num_attention_heads %ld",
                       c->hidden, c->heads);
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(cfg, "hidden_act");
    if (act && (!cJSON_IsString(act) || strcmp(act->valuestring, "gelu")))
        return hx_fail(err, HX_EUNSUPPORTED, "config.json: hidden_act '%s' is not supported (only gelu)",
                       cJSON_IsString(act) ? act->valuestring : "?");
    const cJSON *pe = cJSON_GetObjectItemCaseSensitive(cfg, "position_embedding_type");
    if (pe && !cJSON_IsNull(pe) && (!cJSON_IsString(pe) || strcmp(pe->valuestring, "absolute")))
        return hx_fail(err, HX_EUNSUPPORTED,
                       "config.json: position_embedding_type '%s' is not supported (only absolute)",
                       cJSON_IsString(pe) ? pe->valuestring : "?");
    const cJSON *eps = cJSON_GetObjectItemCaseSensitive(cfg, "layer_norm_eps");
    c->eps = 1e-12;
    if (eps) {
        if (!cJSON_IsNumber(eps) || !(eps->valuedouble > 0) || eps->valuedouble > 1)
            return hx_fail(err, HX_EFORMAT, "config.json: layer_norm_eps must be a number in (0, 1]");
        c->eps = eps->valuedouble;
    }
    return HX_OK;
}

/* Finds the checkpoint tensor for helix name `target` (which starts with
 * "bert." for encoder tensors): drops the prefix for BertModel checkpoints
 * and accepts the old LayerNorm.gamma/beta spelling. */
static const hx_st_tensor *lookup(const ctx *c, const char *target, char *src, size_t cap) {
    const char *base = target;
    if (!c->prefixed && !strncmp(target, "bert.", 5)) base = target + 5;
    snprintf(src, cap, "%s", base);
    const hx_st_tensor *t = hx_safetensors_find(c->st, src);
    if (t) return t;
    size_t n = strlen(src);
    const char *alt = NULL;
    if (n > 16 && !strcmp(src + n - 16, "LayerNorm.weight")) alt = "LayerNorm.gamma";
    if (n > 14 && !strcmp(src + n - 14, "LayerNorm.bias")) alt = "LayerNorm.beta";
    if (!alt) return NULL;
    size_t stem = n - (alt[10] == 'g' ? 6 : 4); /* strip "weight" / "bias" */
    snprintf(src + stem, cap - stem, "%s", alt + 10);
    return hx_safetensors_find(c->st, src);
}

/* Copies tensor `target` of the given shape (d1 < 0: rank 1). */
static hx_status take(ctx *c, const char *target, int64_t d0, int64_t d1, hx_error *err) {
    char src[256];
    const hx_st_tensor *t = lookup(c, target, src, sizeof src);
    if (!t) {
        snprintf(src, sizeof src, "%s", c->prefixed ? target : target + 5);
        return hx_fail(err, HX_ENOTFOUND, "checkpoint has no tensor %s", src);
    }
    int64_t dims[2] = {d0, d1};
    hx_status s = cv_get(c->st, t->name, d1 < 0 ? 1 : 2, dims, &t, err);
    if (s != HX_OK) return s;
    cv_mark(c->st, c->used, t);
    return cv_add(c->w, target, t, c->rep, err);
}

static hx_status take_linear(ctx *c, const char *stem, int64_t out, int64_t in, hx_error *err) {
    char name[280];
    snprintf(name, sizeof name, "%s.weight", stem);
    hx_status s = take(c, name, out, in, err);
    if (s != HX_OK) return s;
    snprintf(name, sizeof name, "%s.bias", stem);
    return take(c, name, out, -1, err);
}

static hx_status take_tensors(ctx *c, const bert_cfg *b, int *has_pooler, long *num_labels,
                              hx_error *err) {
    const int64_t H = b->hidden, I = b->inter;
    hx_status s;
    if ((s = take(c, "bert.embeddings.word_embeddings.weight", b->vocab, H, err)) ||
        (s = take(c, "bert.embeddings.position_embeddings.weight", b->max_pos, H, err)) ||
        (s = take(c, "bert.embeddings.token_type_embeddings.weight", b->types, H, err)) ||
        (s = take(c, "bert.embeddings.LayerNorm.weight", H, -1, err)) ||
        (s = take(c, "bert.embeddings.LayerNorm.bias", H, -1, err)))
        return s;
    char p[128], n[256];
    for (long i = 0; i < b->layers; i++) {
        snprintf(p, sizeof p, "bert.encoder.layer.%ld.", i);
        static const char *const qkv[] = {"query", "key", "value"};
        for (int k = 0; k < 3; k++) {
            snprintf(n, sizeof n, "%sattention.self.%s", p, qkv[k]);
            if ((s = take_linear(c, n, H, H, err))) return s;
        }
        snprintf(n, sizeof n, "%sattention.output.dense", p);
        if ((s = take_linear(c, n, H, H, err))) return s;
        snprintf(n, sizeof n, "%sattention.output.LayerNorm", p);
        if ((s = take_linear(c, n, H, -1, err))) return s;
        snprintf(n, sizeof n, "%sintermediate.dense", p);
        if ((s = take_linear(c, n, I, H, err))) return s;
        snprintf(n, sizeof n, "%soutput.dense", p);
        if ((s = take_linear(c, n, H, I, err))) return s;
        snprintf(n, sizeof n, "%soutput.LayerNorm", p);
        if ((s = take_linear(c, n, H, -1, err))) return s;
    }
    char src[256];
    *has_pooler = lookup(c, "bert.pooler.dense.weight", src, sizeof src) != NULL;
    if (*has_pooler && (s = take_linear(c, "bert.pooler.dense", H, H, err))) return s;
    const hx_st_tensor *cls = hx_safetensors_find(c->st, "classifier.weight");
    *num_labels = 0;
    if (cls) {
        if (cls->rank != 2 || cls->dims[0] < 1 || cls->dims[0] > 1000000)
            return hx_fail(err, HX_EFORMAT, "tensor classifier.weight must be [num_labels, %lld]",
                           (long long)H);
        *num_labels = (long)cls->dims[0];
        if (!*has_pooler)
            return hx_fail(err, HX_EFORMAT, "checkpoint has a classifier but no bert.pooler.dense.weight");
        if ((s = take_linear(c, "classifier", *num_labels, H, err))) return s;
    }
    return HX_OK;
}

/* Labels from config.json's id2label when it has exactly ids 0..K-1, else
 * LABEL_0.. (Hugging Face's own default names). */
static cJSON *make_labels(const cJSON *cfg, long k) {
    cJSON *arr = cJSON_CreateArray();
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(cfg, "id2label");
    int from_config = cJSON_IsObject(map) && cJSON_GetArraySize(map) == k;
    for (long i = 0; from_config && i < k; i++) {
        char key[32];
        snprintf(key, sizeof key, "%ld", i);
        from_config = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(map, key));
    }
    for (long i = 0; arr && i < k; i++) {
        char key[32], fallback[32];
        snprintf(key, sizeof key, "%ld", i);
        snprintf(fallback, sizeof fallback, "LABEL_%ld", i);
        const char *label =
            from_config ? cJSON_GetObjectItemCaseSensitive(map, key)->valuestring : fallback;
        cJSON_AddItemToArray(arr, cJSON_CreateString(label));
    }
    return arr;
}

static hx_status load_tokenizer(const char *dir, int lowercase, const bert_cfg *b, cJSON **out,
                                hx_error *err) {
    hx_status s;
    *out = NULL;
    if (cv_exists(dir, "tokenizer.json")) {
        char *p = cv_path(dir, "tokenizer.json");
        if (!p) return hx_fail(err, HX_ENOMEM, "out of memory");
        s = hx_tokenizer_meta_from_json_file(p, out, err);
        free(p);
    } else if (cv_exists(dir, "vocab.txt")) {
        char *v = cv_path(dir, "vocab.txt");
        char *c = cv_exists(dir, "tokenizer_config.json") ? cv_path(dir, "tokenizer_config.json") : NULL;
        s = v ? hx_tokenizer_meta_from_vocab_file(v, c, lowercase, out, err)
              : hx_fail(err, HX_ENOMEM, "out of memory");
        free(v), free(c);
    } else {
        return hx_fail(err, HX_ENOTFOUND, "%s has neither tokenizer.json nor vocab.txt", dir);
    }
    if (s != HX_OK) return s;
    if (lowercase >= 0 && cJSON_GetObjectItemCaseSensitive(*out, "lowercase"))
        cJSON_ReplaceItemInObjectCaseSensitive(*out, "lowercase", cJSON_CreateBool(lowercase));
    const cJSON *vocab = cJSON_GetObjectItemCaseSensitive(*out, "vocab");
    if (!cJSON_IsArray(vocab) || cJSON_GetArraySize(vocab) > b->vocab)
        return hx_fail(err, HX_EFORMAT,
                       "tokenizer vocabulary has %d tokens but the model's vocab_size is %ld",
                       cJSON_IsArray(vocab) ? cJSON_GetArraySize(vocab) : 0, b->vocab);
    /* Inputs can never be longer than the position table. */
    const cJSON *ml = cJSON_GetObjectItemCaseSensitive(*out, "model_max_length");
    if (!cJSON_IsNumber(ml) || ml->valuedouble > (double)b->max_pos || ml->valuedouble < 1) {
        if (ml) cJSON_DeleteItemFromObjectCaseSensitive(*out, "model_max_length");
        cJSON_AddNumberToObject(*out, "model_max_length", (double)b->max_pos);
    }
    return HX_OK;
}

hx_status hx_convert_bert(const char *hf_dir, const char *out_path,
                          const hx_convert_bert_opts *opts, hx_convert_report *rep,
                          hx_error *err) {
    hx_convert_bert_opts defaults = {NULL, -1};
    if (!opts) opts = &defaults;
    hx_convert_report local;
    if (!rep) rep = &local;
    memset(rep, 0, sizeof *rep);

    cJSON *cfg = NULL, *tok = NULL, *meta = NULL;
    hx_safetensors *st = NULL;
    hx_hlx_writer *w = NULL;
    unsigned char *used = NULL;
    char *json = NULL;
    char *cfg_path = cv_path(hf_dir, "config.json");
    hx_status s = cfg_path ? cv_read_json(cfg_path, 1, &cfg, err) : hx_fail(err, HX_ENOMEM, "out of memory");
    free(cfg_path);
    bert_cfg b = {0};
    if (s == HX_OK) s = read_config(cfg, &b, err);
    if (s == HX_OK) s = hx_safetensors_open(hf_dir, &st, err);
    if (s == HX_OK) {
        used = calloc(hx_safetensors_count(st) + 1, 1);
        if (!used) s = hx_fail(err, HX_ENOMEM, "out of memory");
    }
    if (s == HX_OK) s = hx_hlx_writer_new(&w, err);
    int has_pooler = 0;
    long num_labels = 0;
    if (s == HX_OK) {
        ctx c = {st, used, w, rep, 0};
        if (hx_safetensors_find(st, "bert.embeddings.word_embeddings.weight")) c.prefixed = 1;
        else if (!hx_safetensors_find(st, "embeddings.word_embeddings.weight"))
            s = hx_fail(err, HX_EFORMAT,
                        "no BERT embeddings in the checkpoint (expected bert.embeddings.word_embeddings.weight)");
        if (s == HX_OK) s = take_tensors(&c, &b, &has_pooler, &num_labels, err);
    }
    if (s == HX_OK) s = load_tokenizer(hf_dir, opts->lowercase, &b, &tok, err);
    if (s == HX_OK) {
        char name[256];
        if (opts->name) snprintf(name, sizeof name, "%s", opts->name);
        else cv_basename(hf_dir, name, sizeof name);
        meta = cJSON_CreateObject();
        cJSON_AddStringToObject(meta, "arch", "bert");
        cJSON_AddStringToObject(meta, "name", name);
        cJSON *src = cJSON_AddObjectToObject(meta, "source");
        cJSON_AddStringToObject(src, "format", "huggingface-safetensors");
        char base[256];
        cv_basename(hf_dir, base, sizeof base);
        cJSON_AddStringToObject(src, "path", base);
        cJSON_AddStringToObject(src, "converter", "helix convert bert");
        cJSON_AddItemToObject(meta, "labels", make_labels(cfg, num_labels));
        cJSON *bo = cJSON_AddObjectToObject(meta, "bert");
        cJSON_AddNumberToObject(bo, "vocab_size", (double)b.vocab);
        cJSON_AddNumberToObject(bo, "hidden_size", (double)b.hidden);
        cJSON_AddNumberToObject(bo, "num_hidden_layers", (double)b.layers);
        cJSON_AddNumberToObject(bo, "num_attention_heads", (double)b.heads);
        cJSON_AddNumberToObject(bo, "intermediate_size", (double)b.inter);
        cJSON_AddStringToObject(bo, "hidden_act", "gelu");
        cJSON_AddNumberToObject(bo, "max_position_embeddings", (double)b.max_pos);
        cJSON_AddNumberToObject(bo, "type_vocab_size", (double)b.types);
        cJSON_AddNumberToObject(bo, "layer_norm_eps", b.eps);
        cJSON_AddBoolToObject(bo, "has_pooler", has_pooler);
        cJSON_AddNumberToObject(bo, "num_labels", (double)num_labels);
        const cJSON *pt = cJSON_GetObjectItemCaseSensitive(cfg, "problem_type");
        if (cJSON_IsString(pt)) cJSON_AddStringToObject(bo, "problem_type", pt->valuestring);
        cJSON_AddItemToObject(meta, "tokenizer", tok);
        tok = NULL;
        json = cJSON_PrintUnformatted(meta);
        s = json ? hx_hlx_writer_set_metadata(w, json, err)
                 : hx_fail(err, HX_ENOMEM, "out of memory building the metadata");
    }
    if (s == HX_OK) s = hx_hlx_writer_write(w, out_path, err);
    if (s == HX_OK) cv_report_unused(st, used, rep);
    free(json);
    cJSON_Delete(meta);
    cJSON_Delete(tok);
    cJSON_Delete(cfg);
    free(used);
    hx_hlx_writer_free(w);
    hx_safetensors_close(st);
    return s;
}
