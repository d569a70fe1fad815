/* helix-bow-v1 text features: see text_features.h for the definition. The
 * vocabulary sits in an open-addressing hash table keyed by the token bytes;
 * a text is scanned once, hashing each token as it is read. */
#include "helix/text_features.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "helix/file_util.h"
#include "helix/hlx.h"

#define FEATURES_FILE_MAX ((size_t)1 << 28)

#define MAX_VOCAB ((size_t)1 << 24)

struct hx_text_features {
    hx_text_feature_kind kind;
    size_t n;
    char **vocab;      /* n tokens */
    size_t *len;       /* their lengths */
    double *idf;       /* n, tfidf only */
    int32_t *slots;    /* hash table: vocabulary index or -1 */
    size_t n_slots;    /* power of two, >= 2n */
};

static inline unsigned char fold(unsigned char c) { return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c; }
static inline int is_token_byte(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/* FNV-1a over the (already lowered) token bytes. */
static inline uint64_t fnv_step(uint64_t h, unsigned char c) { return (h ^ c) * 1099511628211ull; }
#define FNV_INIT 14695981039346656037ull

static int32_t lookup(const hx_text_features *tf, uint64_t h, const unsigned char *tok, size_t len,
                      int lowered) {
    size_t mask = tf->n_slots - 1;
    for (size_t s = (size_t)h & mask;; s = (s + 1) & mask) {
        int32_t j = tf->slots[s];
        if (j < 0) return -1;
        if (tf->len[j] != len) continue;
        const char *v = tf->vocab[j];
        size_t i = 0;
        for (; i < len; i++)
            if ((unsigned char)v[i] != (lowered ? tok[i] : fold(tok[i]))) break;
        if (i == len) return j;
    }
}

void hx_text_features_free(hx_text_features *tf) {
    if (!tf) return;
    if (tf->vocab)
        for (size_t j = 0; j < tf->n; j++) free(tf->vocab[j]);
    free(tf->vocab);
    free(tf->len);
    free(tf->idf);
    free(tf->slots);
    free(tf);
}

hx_status hx_text_features_create(hx_text_feature_kind kind, const char *const *vocab,
                                  const double *idf, size_t n, hx_text_features **out,
                                  hx_error *err) {
    *out = NULL;
    if (kind != HX_TEXT_COUNTS && kind != HX_TEXT_TFIDF)
        return hx_fail(err, HX_EINVAL, "text features: unknown kind");
    if (n == 0 || n > MAX_VOCAB)
        return hx_fail(err, HX_ERANGE, "text features: vocabulary size %zu out of range", n);
    if (kind == HX_TEXT_TFIDF && !idf)
        return hx_fail(err, HX_EINVAL, "text features: tfidf needs idf values");
    hx_text_features *tf = calloc(1, sizeof *tf);
    if (!tf) return hx_fail(err, HX_ENOMEM, "text features: out of memory");
    tf->kind = kind;
    tf->n_slots = 16;
    while (tf->n_slots < 2 * n) tf->n_slots *= 2;
    tf->vocab = calloc(n, sizeof *tf->vocab);
    tf->len = calloc(n, sizeof *tf->len);
    tf->slots = malloc(tf->n_slots * sizeof *tf->slots);
    if (kind == HX_TEXT_TFIDF) tf->idf = malloc(n * sizeof *tf->idf);
    if (!tf->vocab || !tf->len || !tf->slots || (kind == HX_TEXT_TFIDF && !tf->idf)) {
        hx_text_features_free(tf);
        return hx_fail(err, HX_ENOMEM, "text features: out of memory");
    }
    memset(tf->slots, 0xff, tf->n_slots * sizeof *tf->slots);
    for (size_t j = 0; j < n; j++) {
        const char *v = vocab[j];
        size_t len = v ? strlen(v) : 0;
        int ok = len >= 2;
        for (size_t i = 0; ok && i < len; i++) ok = is_token_byte((unsigned char)v[i]);
        if (!ok) {
            hx_text_features_free(tf);
            return hx_fail(err, HX_EFORMAT,
                           "text features: vocabulary entry %zu is not a token of 2+ bytes [a-z0-9]", j);
        }
        if (kind == HX_TEXT_TFIDF) {
            if (!isfinite(idf[j]) || idf[j] <= 0) {
                hx_text_features_free(tf);
                return hx_fail(err, HX_EFORMAT, "text features: idf %zu is not a positive number", j);
            }
            tf->idf[j] = idf[j];
        }
        uint64_t h = FNV_INIT;
        for (size_t i = 0; i < len; i++) h = fnv_step(h, (unsigned char)v[i]);
        tf->n = j; /* entries 0..j-1 are in the table */
        if (lookup(tf, h, (const unsigned char *)v, len, 1) >= 0) {
            hx_text_features_free(tf);
            return hx_fail(err, HX_EFORMAT, "text features: vocabulary entry %zu is a duplicate", j);
        }
        tf->vocab[j] = malloc(len + 1);
        if (!tf->vocab[j]) {
            tf->n = j;
            hx_text_features_free(tf);
            return hx_fail(err, HX_ENOMEM, "text features: out of memory");
        }
        memcpy(tf->vocab[j], v, len + 1);
        tf->len[j] = len;
        size_t mask = tf->n_slots - 1, s = (size_t)h & mask;
        while (tf->slots[s] >= 0) s = (s + 1) & mask;
        tf->slots[s] = (int32_t)j;
    }
    tf->n = n;
    *out = tf;
    return HX_OK;
}

hx_status hx_text_features_from_json(const cJSON *obj, hx_text_features **out, hx_error *err) {
    *out = NULL;
    if (!cJSON_IsObject(obj)) return hx_fail(err, HX_EFORMAT, "text features: not a JSON object");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(obj, "type");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "helix-bow-v1") != 0)
        return hx_fail(err, HX_EUNSUPPORTED, "text features: \"type\" must be \"helix-bow-v1\"");
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(obj, "kind");
    hx_text_feature_kind k;
    if (cJSON_IsString(kind) && !strcmp(kind->valuestring, "counts")) k = HX_TEXT_COUNTS;
    else if (cJSON_IsString(kind) && !strcmp(kind->valuestring, "tfidf")) k = HX_TEXT_TFIDF;
    else return hx_fail(err, HX_EFORMAT, "text features: \"kind\" must be \"counts\" or \"tfidf\"");
    const cJSON *vocab = cJSON_GetObjectItemCaseSensitive(obj, "vocab");
    if (!cJSON_IsArray(vocab)) return hx_fail(err, HX_EFORMAT, "text features: \"vocab\" must be an array");
    int n = cJSON_GetArraySize(vocab);
    if (n <= 0) return hx_fail(err, HX_EFORMAT, "text features: empty \"vocab\"");
    const cJSON *idf = NULL;
    if (k == HX_TEXT_TFIDF) {
        idf = cJSON_GetObjectItemCaseSensitive(obj, "idf");
        if (!cJSON_IsArray(idf) || cJSON_GetArraySize(idf) != n)
            return hx_fail(err, HX_EFORMAT, "text features: \"idf\" must be an array as long as \"vocab\"");
    }
    const char **v = calloc((size_t)n, sizeof *v);
    double *d = k == HX_TEXT_TFIDF ? calloc((size_t)n, sizeof *d) : NULL;
    if (!v || (k == HX_TEXT_TFIDF && !d)) {
        free(v);
        free(d);
        return hx_fail(err, HX_ENOMEM, "text features: out of memory");
    }
    hx_status st = HX_OK;
    int j = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, vocab) {
        if (!cJSON_IsString(it)) {
            st = hx_fail(err, HX_EFORMAT, "text features: vocab entry %d is not a string", j);
            break;
        }
        v[j++] = it->valuestring;
    }
    if (st == HX_OK && d) {
        j = 0;
        cJSON_ArrayForEach(it, idf) {
            if (!cJSON_IsNumber(it)) {
                st = hx_fail(err, HX_EFORMAT, "text features: idf entry %d is not a number", j);
                break;
            }
            d[j++] = it->valuedouble;
        }
    }
    if (st == HX_OK) st = hx_text_features_create(k, v, d, (size_t)n, out, err);
    free(v);
    free(d);
    return st;
}

size_t hx_text_features_dim(const hx_text_features *tf) { return tf->n; }
hx_text_feature_kind hx_text_features_kind(const hx_text_features *tf) { return tf->kind; }

hx_status hx_text_features_compute(const hx_text_features *tf, const char *text, size_t len,
                                   float *x, hx_error *err) {
    /* counts first, in doubles (exact to 2^53: no text is that long) */
    double *c = calloc(tf->n, sizeof *c);
    if (!c) return hx_fail(err, HX_ENOMEM, "text features: out of memory");
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        if (!is_token_byte(fold(s[i]))) {
            i++;
            continue;
        }
        size_t start = i;
        uint64_t h = FNV_INIT;
        while (i < len && is_token_byte(fold(s[i]))) h = fnv_step(h, fold(s[i++]));
        if (i - start >= 2) {
            int32_t j = lookup(tf, h, s + start, i - start, 0);
            if (j >= 0) c[j] += 1.0;
        }
    }
    if (tf->kind == HX_TEXT_COUNTS) {
        for (size_t j = 0; j < tf->n; j++) x[j] = (float)c[j];
    } else {
        double sum = 0.0;
        for (size_t j = 0; j < tf->n; j++) {
            c[j] *= tf->idf[j];
            sum += c[j] * c[j];
        }
        double norm = sqrt(sum);
        for (size_t j = 0; j < tf->n; j++) x[j] = norm > 0 ? (float)(c[j] / norm) : 0.0f;
    }
    free(c);
    return HX_OK;
}

const char *hx_text_features_token(const hx_text_features *tf, size_t j) {
    return j < tf->n ? tf->vocab[j] : NULL;
}

/* ------------------------------------------------------------------ */
/* Storing the featurizer in a model file                              */

hx_status hx_text_features_attach_hlx(const char *in_path, const cJSON *features, const char *out_path,
                                      hx_error *err) {
    hx_text_features *tf = NULL;
    hx_status st = hx_text_features_from_json(features, &tf, err); /* validate first */
    if (st != HX_OK) return st;
    hx_hlx *f = NULL;
    hx_hlx_writer *w = NULL;
    cJSON *meta = NULL;
    char *text = NULL;
    if ((st = hx_hlx_open(in_path, &f, err)) != HX_OK) goto done;
    size_t mlen = 0;
    const char *mtext = hx_hlx_metadata(f, &mlen);
    meta = cJSON_ParseWithLength(mtext, mlen);
    if (!cJSON_IsObject(meta)) {
        st = hx_fail(err, HX_EFORMAT, "%s: metadata is not a JSON object", in_path);
        goto done;
    }
    /* the forest's feature names, when present, must be the vocabulary */
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(meta, "forest"),
                                                          "feature_names");
    if (cJSON_IsArray(names)) {
        int n = cJSON_GetArraySize(names), j = 0;
        const cJSON *it;
        if ((size_t)n != tf->n) {
            st = hx_fail(err, HX_EFORMAT, "%s: %d features but a vocabulary of %zu", in_path, n, tf->n);
            goto done;
        }
        cJSON_ArrayForEach(it, names) {
            if (!cJSON_IsString(it) || strcmp(it->valuestring, tf->vocab[j])) {
                st = hx_fail(err, HX_EFORMAT, "%s: feature name %d is not vocabulary entry %d", in_path, j, j);
                goto done;
            }
            j++;
        }
    }
    cJSON_DeleteItemFromObjectCaseSensitive(meta, "text_features");
    cJSON *copy = cJSON_Duplicate(features, 1);
    if (!copy || !cJSON_AddItemToObject(meta, "text_features", copy)) {
        cJSON_Delete(copy);
        st = hx_fail(err, HX_ENOMEM, "text features: out of memory");
        goto done;
    }
    if (!(text = cJSON_PrintUnformatted(meta))) {
        st = hx_fail(err, HX_ENOMEM, "text features: out of memory");
        goto done;
    }
    if ((st = hx_hlx_writer_new(&w, err)) != HX_OK) goto done;
    if ((st = hx_hlx_writer_set_metadata(w, text, err)) != HX_OK) goto done;
    for (size_t i = 0; i < hx_hlx_tensor_count(f); i++) {
        hx_tensor_view v;
        if ((st = hx_hlx_tensor_at(f, i, &v, err)) != HX_OK) goto done;
        if (v.dtype == HX_DT_I8)
            st = hx_hlx_writer_add_i8(w, v.name, v.rank, v.dims, v.data, v.scales, err);
        else
            st = hx_hlx_writer_add(w, v.name, v.dtype, v.rank, v.dims, v.data, v.nbytes, err);
        if (st != HX_OK) goto done;
    }
    st = hx_hlx_writer_write(w, out_path, err);
done:
    hx_hlx_writer_free(w);
    cJSON_free(text);
    cJSON_Delete(meta);
    hx_hlx_close(f);
    hx_text_features_free(tf);
    return st;
}

hx_status hx_text_features_attach_hlx_file(const char *in_path, const char *features_path, const char *out_path,
                                           hx_error *err) {
    char *text;
    size_t len;
    hx_status st = hx_read_file(features_path, FEATURES_FILE_MAX, &text, &len, err);
    if (st != HX_OK) return st;
    cJSON *j = cJSON_ParseWithLength(text, len);
    free(text);
    if (!j) return hx_fail(err, HX_EFORMAT, "%s: not valid JSON", features_path);
    st = hx_text_features_attach_hlx(in_path, j, out_path, err);
    cJSON_Delete(j);
    return st;
}

hx_status hx_text_features_from_hlx_metadata(const char *metadata, size_t len, hx_text_features **out,
                                             hx_error *err) {
    *out = NULL;
    cJSON *meta = cJSON_ParseWithLength(metadata, len);
    if (!meta) return hx_fail(err, HX_EFORMAT, "model metadata is not valid JSON");
    const cJSON *tfo = cJSON_GetObjectItemCaseSensitive(meta, "text_features");
    hx_status st = tfo ? hx_text_features_from_json(tfo, out, err)
                       : hx_fail(err, HX_ENOTFOUND, "the model has no \"text_features\" metadata");
    cJSON_Delete(meta);
    return st;
}
