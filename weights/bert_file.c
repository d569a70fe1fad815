/* .hlx metadata -> BERT config, labels and tokenizer; tensors -> hx_bert. */
#include "helix/bert_file.h"

#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "helix/tokenizer_meta.h"
#include "weights/bert_file_internal.h"

static hx_status json_size(const cJSON *o, const char *key, size_t lo, size_t hi, size_t *out,
                           hx_error *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v))
        return hx_fail(err, HX_EFORMAT, "metadata: bert.%s is missing or not a number", key);
    double d = v->valuedouble;
    if (!(d >= (double)lo && d <= (double)hi) || d != floor(d))
        return hx_fail(err, HX_EFORMAT, "metadata: bert.%s must be an integer in %zu..%zu", key, lo, hi);
    *out = (size_t)d;
    return HX_OK;
}

hx_status hx_bert_config_from_json(const cJSON *b, hx_bert_config *c, hx_error *err) {
    if (!cJSON_IsObject(b)) return hx_fail(err, HX_EFORMAT, "metadata: no \"bert\" object");
    const size_t big = (size_t)1 << 24;
    hx_status st;
    memset(c, 0, sizeof *c);
    if ((st = json_size(b, "vocab_size", 1, big, &c->vocab_size, err)) ||
        (st = json_size(b, "hidden_size", 1, big, &c->hidden_size, err)) ||
        (st = json_size(b, "num_hidden_layers", 1, 1024, &c->num_layers, err)) ||
        (st = json_size(b, "num_attention_heads", 1, big, &c->num_heads, err)) ||
        (st = json_size(b, "intermediate_size", 1, big, &c->intermediate_size, err)) ||
        (st = json_size(b, "max_position_embeddings", 1, big, &c->max_position, err)) ||
        (st = json_size(b, "type_vocab_size", 1, big, &c->type_vocab_size, err)) ||
        (st = json_size(b, "num_labels", 0, 1 << 20, &c->num_labels, err)))
        return st;
    const cJSON *eps = cJSON_GetObjectItemCaseSensitive(b, "layer_norm_eps");
    if (!cJSON_IsNumber(eps) || !(eps->valuedouble > 0 && eps->valuedouble < 1))
        return hx_fail(err, HX_EFORMAT, "metadata: bert.layer_norm_eps must be a number in (0, 1)");
    c->layer_norm_eps = (float)eps->valuedouble;
    const cJSON *pool = cJSON_GetObjectItemCaseSensitive(b, "has_pooler");
    if (!cJSON_IsBool(pool)) return hx_fail(err, HX_EFORMAT, "metadata: bert.has_pooler must be true or false");
    c->has_pooler = cJSON_IsTrue(pool);
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(b, "hidden_act");
    if (act && !(cJSON_IsString(act) && !strcmp(act->valuestring, "gelu")))
        return hx_fail(err, HX_EUNSUPPORTED, "metadata: bert.hidden_act must be \"gelu\" (exact erf)");
    return hx_bert_config_check(c, err);
}

/* The model packed a weight and will not read it again: drop the file pages
 * wholly inside it (they are re-read from the file if ever touched). Safe
 * only because hx_hlx_open maps the file read-only. */
static void release_pages(void *ctx, const void *data, size_t nbytes) {
    (void)ctx;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uintptr_t a = ((uintptr_t)data + page - 1) & ~(uintptr_t)(page - 1);
    uintptr_t b = ((uintptr_t)data + nbytes) & ~(uintptr_t)(page - 1);
    if (b > a) madvise((void *)a, b - a, MADV_DONTNEED);
}

static hx_status read_labels(const cJSON *root, hx_bert_file *a, hx_error *err) {
    const size_t K = a->cfg.num_labels;
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(root, "labels");
    if (labels && (!cJSON_IsArray(labels) || (size_t)cJSON_GetArraySize(labels) != K))
        return hx_fail(err, HX_EFORMAT, "metadata: \"labels\" must be an array of %zu strings", K);
    a->labels = calloc(K ? K : 1, sizeof *a->labels);
    if (!a->labels) return hx_fail(err, HX_ENOMEM, "out of memory");
    for (size_t i = 0; i < K; i++) {
        const cJSON *l = labels ? cJSON_GetArrayItem(labels, (int)i) : NULL;
        char buf[32];
        if (labels && !cJSON_IsString(l))
            return hx_fail(err, HX_EFORMAT, "metadata: labels[%zu] is not a string", i);
        snprintf(buf, sizeof buf, "label_%zu", i);
        a->labels[i] = strdup(l ? l->valuestring : buf);
        if (!a->labels[i]) return hx_fail(err, HX_ENOMEM, "out of memory");
    }
    return HX_OK;
}

hx_status hx_bert_file_open(const char *path, int with_tokenizer, hx_bert_file *a, hx_error *err) {
    memset(a, 0, sizeof *a);
    hx_status st = hx_hlx_open(path, &a->file, err);
    if (st != HX_OK) return st;
    cJSON *root = cJSON_Parse(hx_hlx_metadata(a->file, NULL));
    if (!root) {
        st = hx_fail(err, HX_EFORMAT, "%s: metadata is not valid JSON", path);
        goto fail;
    }
    const cJSON *arch = cJSON_GetObjectItemCaseSensitive(root, "arch");
    if (!cJSON_IsString(arch) || strcmp(arch->valuestring, "bert")) {
        st = hx_fail(err, HX_EUNSUPPORTED, "%s is not a BERT model (metadata arch is not \"bert\")", path);
        goto fail;
    }
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "name");
    a->name = strdup(cJSON_IsString(name) ? name->valuestring : "");
    if (!a->name) {
        st = hx_fail(err, HX_ENOMEM, "out of memory");
        goto fail;
    }
    if ((st = hx_bert_config_from_json(cJSON_GetObjectItemCaseSensitive(root, "bert"), &a->cfg, err)) ||
        (st = read_labels(root, a, err)))
        goto fail;
    if (with_tokenizer && (st = hx_tokenizer_from_hlx(a->file, &a->tok, err)) != HX_OK) goto fail;
    hx_tensor_source src = hx_hlx_source(a->file);
    hx_bert_options opt = {release_pages, NULL};
    if ((st = hx_bert_create(&a->cfg, &src, &opt, &a->model, err)) != HX_OK) goto fail;
    cJSON_Delete(root);
    return HX_OK;
fail:
    cJSON_Delete(root);
    hx_bert_file_close(a);
    return st;
}

void hx_bert_file_close(hx_bert_file *a) {
    hx_bert_free(a->model);
    hx_tokenizer_free(a->tok);
    for (size_t i = 0; a->labels && i < a->cfg.num_labels; i++) free(a->labels[i]);
    free(a->labels);
    free(a->name);
    hx_hlx_close(a->file);
    memset(a, 0, sizeof *a);
}
