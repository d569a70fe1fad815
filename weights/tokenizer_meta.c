/* The .hlx "tokenizer" metadata object: built from vocab.txt (+ optional
 * tokenizer_config.json) or from a Hugging Face tokenizer.json, and turned
 * into an hx_tokenizer. Every field of the input files is checked; messages
 * name the field, never a token string. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "helix/file_util.h"
#include "helix/hlx.h"
#include "helix/tokenizer_meta.h"

#define MAX_FILE_BYTES ((size_t)1 << 30)
#define MAX_VOCAB ((size_t)1 << 24)

/* Whole file into a NUL-terminated buffer (the shared reader: regular files
 * only, size checked before allocating). */
static hx_status read_file(const char *path, char **out, size_t *len, hx_error *err) {
    return hx_read_file(path, MAX_FILE_BYTES, out, len, err);
}

static hx_status add_common(cJSON *o, bool lowercase, int strip_accents, bool chinese,
                            int model_max_length, hx_error *err) {
    if (!cJSON_AddStringToObject(o, "type", "wordpiece") ||
        !cJSON_AddBoolToObject(o, "lowercase", lowercase) ||
        !(strip_accents < 0 ? cJSON_AddNullToObject(o, "strip_accents")
                            : cJSON_AddBoolToObject(o, "strip_accents", strip_accents)) ||
        !cJSON_AddBoolToObject(o, "handle_chinese_chars", chinese) ||
        !cJSON_AddBoolToObject(o, "clean_text", 1) ||
        !cJSON_AddStringToObject(o, "unk_token", "[UNK]") ||
        !cJSON_AddStringToObject(o, "cls_token", "[CLS]") ||
        !cJSON_AddStringToObject(o, "sep_token", "[SEP]") ||
        !cJSON_AddStringToObject(o, "pad_token", "[PAD]") ||
        !cJSON_AddStringToObject(o, "mask_token", "[MASK]") ||
        !cJSON_AddStringToObject(o, "continuing_subword_prefix", "##") ||
        !cJSON_AddNumberToObject(o, "max_input_chars_per_word", 100) ||
        !cJSON_AddNumberToObject(o, "model_max_length", model_max_length))
        return hx_fail(err, HX_ENOMEM, "out of memory building tokenizer metadata");
    return HX_OK;
}

/* vocab.txt: one token per line; "\n" then one optional "\r" is stripped. */
static hx_status vocab_array_from_text(const char *text, size_t len, cJSON **out, hx_error *err) {
    cJSON *arr = cJSON_CreateArray();
    if (!arr) return hx_fail(err, HX_ENOMEM, "out of memory");
    size_t pos = 0, line = 0;
    char *tmp = NULL;
    size_t tmp_cap = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t n = end - pos;
        if (n > 0 && text[pos + n - 1] == '\r') n--;
        line++;
        if (line > MAX_VOCAB) {
            free(tmp);
            cJSON_Delete(arr);
            return hx_fail(err, HX_ERANGE, "vocabulary has more than %zu lines", MAX_VOCAB);
        }
        if (memchr(text + pos, 0, n)) {
            free(tmp);
            cJSON_Delete(arr);
            return hx_fail(err, HX_EFORMAT, "vocabulary line %zu contains a NUL byte", line);
        }
        if (n + 1 > tmp_cap) {
            char *nt = realloc(tmp, n + 1);
            if (!nt) {
                free(tmp);
                cJSON_Delete(arr);
                return hx_fail(err, HX_ENOMEM, "out of memory");
            }
            tmp = nt;
            tmp_cap = n + 1;
        }
        memcpy(tmp, text + pos, n);
        tmp[n] = 0;
        cJSON *s = cJSON_CreateString(tmp);
        if (!s || !cJSON_AddItemToArray(arr, s)) {
            cJSON_Delete(s);
            free(tmp);
            cJSON_Delete(arr);
            return hx_fail(err, HX_ENOMEM, "out of memory");
        }
        pos = end + 1;
    }
    free(tmp);
    if (line == 0) {
        cJSON_Delete(arr);
        return hx_fail(err, HX_EFORMAT, "vocabulary is empty");
    }
    *out = arr;
    return HX_OK;
}

static int clamp_max_length(const cJSON *v) {
    if (!cJSON_IsNumber(v)) return 512;
    double d = v->valuedouble;
    if (!(d >= 0)) return 512;
    if (d > 1e9) return 0; /* transformers' "very large" sentinel: no limit known */
    return (int)d;
}

hx_status hx_tokenizer_meta_from_vocab_file(const char *vocab_path, const char *config_path,
                                            int lowercase, cJSON **out, hx_error *err) {
    bool lc = true, chinese = true;
    int strip = -1, mml = 512;
    if (config_path) {
        char *text;
        size_t len;
        hx_status st = read_file(config_path, &text, &len, err);
        if (st) return st;
        cJSON *cfg = cJSON_ParseWithLength(text, len);
        free(text);
        if (!cJSON_IsObject(cfg)) {
            cJSON_Delete(cfg);
            return hx_fail(err, HX_EFORMAT, "%s is not a JSON object", config_path);
        }
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, "do_lower_case");
        if (cJSON_IsBool(v)) lc = cJSON_IsTrue(v);
        v = cJSON_GetObjectItemCaseSensitive(cfg, "strip_accents");
        if (cJSON_IsBool(v)) strip = cJSON_IsTrue(v);
        v = cJSON_GetObjectItemCaseSensitive(cfg, "tokenize_chinese_chars");
        if (cJSON_IsBool(v)) chinese = cJSON_IsTrue(v);
        v = cJSON_GetObjectItemCaseSensitive(cfg, "model_max_length");
        if (v) mml = clamp_max_length(v);
        cJSON_Delete(cfg);
    }
    if (lowercase >= 0) lc = lowercase != 0;

    char *text;
    size_t len;
    hx_status st = read_file(vocab_path, &text, &len, err);
    if (st) return st;
    cJSON *vocab = NULL;
    st = vocab_array_from_text(text, len, &vocab, err);
    free(text);
    if (st) return st;
    cJSON *o = cJSON_CreateObject();
    if (!o) {
        cJSON_Delete(vocab);
        return hx_fail(err, HX_ENOMEM, "out of memory");
    }
    st = add_common(o, lc, strip, chinese, mml, err);
    if (st == HX_OK) cJSON_AddItemToObject(o, "vocab", vocab);
    else cJSON_Delete(vocab);
    if (st) {
        cJSON_Delete(o);
        return st;
    }
    cJSON_AddStringToObject(o, "source", "vocab.txt");
    *out = o;
    return HX_OK;
}

/* ---- tokenizer.json ---------------------------------------------------- */

static const cJSON *get(const cJSON *o, const char *k) {
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static bool type_is(const cJSON *o, const char *t) {
    const cJSON *v = get(o, "type");
    return cJSON_IsString(v) && !strcmp(v->valuestring, t);
}

/* Template item {"SpecialToken": {"id": tok, "type_id": t}} or
 * {"Sequence": {"id": "A"|"B", "type_id": t}}; returns its token (special)
 * or NULL, checking the type id. */
static bool template_item(const cJSON *item, const char *want_seq, int want_type,
                          const char **special) {
    const cJSON *sp = get(item, "SpecialToken"), *sq = get(item, "Sequence");
    const cJSON *body = sp ? sp : sq;
    if (!body) return false;
    const cJSON *id = get(body, "id"), *ty = get(body, "type_id");
    if (!cJSON_IsString(id) || !cJSON_IsNumber(ty) || ty->valuedouble != want_type) return false;
    if (sq) return want_seq && !strcmp(id->valuestring, want_seq);
    if (want_seq) return false;
    *special = id->valuestring;
    return true;
}

/* Accepts TemplateProcessing equal to BERT's, or BertProcessing. */
static hx_status check_post_processor(const cJSON *pp, const char **cls, const char **sep,
                                      hx_error *err) {
    if (cJSON_IsNull(pp) || !pp)
        return hx_fail(err, HX_EUNSUPPORTED, "tokenizer.json: post_processor is missing");
    if (type_is(pp, "BertProcessing")) {
        const cJSON *c = get(pp, "cls"), *s = get(pp, "sep");
        if (!cJSON_IsArray(c) || !cJSON_IsArray(s) || !cJSON_IsString(cJSON_GetArrayItem(c, 0)) ||
            !cJSON_IsString(cJSON_GetArrayItem(s, 0)))
            return hx_fail(err, HX_EFORMAT, "tokenizer.json: post_processor.cls/sep malformed");
        *cls = cJSON_GetArrayItem(c, 0)->valuestring;
        *sep = cJSON_GetArrayItem(s, 0)->valuestring;
        return HX_OK;
    }
    if (!type_is(pp, "TemplateProcessing"))
        return hx_fail(err, HX_EUNSUPPORTED,
                       "tokenizer.json: post_processor type is not TemplateProcessing/BertProcessing");
    const cJSON *single = get(pp, "single"), *pair = get(pp, "pair");
    const char *c1 = NULL, *s1 = NULL, *c2 = NULL, *s2 = NULL, *s3 = NULL;
    if (!cJSON_IsArray(single) || cJSON_GetArraySize(single) != 3 || !cJSON_IsArray(pair) ||
        cJSON_GetArraySize(pair) != 5 ||
        !template_item(cJSON_GetArrayItem(single, 0), NULL, 0, &c1) ||
        !template_item(cJSON_GetArrayItem(single, 1), "A", 0, NULL) ||
        !template_item(cJSON_GetArrayItem(single, 2), NULL, 0, &s1) ||
        !template_item(cJSON_GetArrayItem(pair, 0), NULL, 0, &c2) ||
        !template_item(cJSON_GetArrayItem(pair, 1), "A", 0, NULL) ||
        !template_item(cJSON_GetArrayItem(pair, 2), NULL, 0, &s2) ||
        !template_item(cJSON_GetArrayItem(pair, 3), "B", 1, NULL) ||
        !template_item(cJSON_GetArrayItem(pair, 4), NULL, 1, &s3) || strcmp(c1, c2) ||
        strcmp(s1, s2) || strcmp(s1, s3))
        return hx_fail(err, HX_EUNSUPPORTED,
                       "tokenizer.json: post_processor template is not [CLS] A [SEP] (B [SEP])");
    /* Each special token of the template must map to exactly one token. */
    const cJSON *specials = get(pp, "special_tokens");
    const char *names[2] = {c1, s1};
    for (int i = 0; i < 2; i++) {
        const cJSON *e = get(specials, names[i]);
        const cJSON *toks = get(e, "tokens");
        if (!cJSON_IsArray(toks) || cJSON_GetArraySize(toks) != 1 ||
            !cJSON_IsString(cJSON_GetArrayItem(toks, 0)))
            return hx_fail(err, HX_EUNSUPPORTED,
                           "tokenizer.json: post_processor.special_tokens entry malformed");
        if (i == 0) *cls = cJSON_GetArrayItem(toks, 0)->valuestring;
        else *sep = cJSON_GetArrayItem(toks, 0)->valuestring;
    }
    return HX_OK;
}

hx_status hx_tokenizer_meta_from_json_text(const char *text, size_t len, cJSON **out,
                                           hx_error *err) {
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return hx_fail(err, HX_EFORMAT, "tokenizer.json is not a JSON object");
    }
    hx_status st = HX_OK;
    cJSON *o = NULL, *vocab = NULL;
    const cJSON *norm = get(root, "normalizer"), *pre = get(root, "pre_tokenizer");
    const cJSON *model = get(root, "model"), *added = get(root, "added_tokens");
    if (!type_is(norm, "BertNormalizer")) {
        st = hx_fail(err, HX_EUNSUPPORTED, "tokenizer.json: normalizer is not BertNormalizer");
        goto done;
    }
    if (!type_is(pre, "BertPreTokenizer")) {
        st = hx_fail(err, HX_EUNSUPPORTED, "tokenizer.json: pre_tokenizer is not BertPreTokenizer");
        goto done;
    }
    if (!type_is(model, "WordPiece")) {
        st = hx_fail(err, HX_EUNSUPPORTED, "tokenizer.json: model is not WordPiece");
        goto done;
    }
    const char *cls = NULL, *sep = NULL;
    st = check_post_processor(get(root, "post_processor"), &cls, &sep, err);
    if (st) goto done;

    /* Normalizer flags. */
    const cJSON *ct = get(norm, "clean_text"), *hc = get(norm, "handle_chinese_chars");
    const cJSON *sa = get(norm, "strip_accents"), *lc = get(norm, "lowercase");
    if (!cJSON_IsBool(ct) || !cJSON_IsBool(hc) || !cJSON_IsBool(lc) ||
        !(cJSON_IsBool(sa) || cJSON_IsNull(sa) || !sa)) {
        st = hx_fail(err, HX_EFORMAT, "tokenizer.json: normalizer flags malformed");
        goto done;
    }
    /* Model. */
    const cJSON *unk = get(model, "unk_token"), *pfx = get(model, "continuing_subword_prefix");
    const cJSON *maxc = get(model, "max_input_chars_per_word"), *vmap = get(model, "vocab");
    if (!cJSON_IsString(unk) || !cJSON_IsString(pfx) || !cJSON_IsNumber(maxc) ||
        maxc->valuedouble < 0 || maxc->valuedouble > 1e9 || !cJSON_IsObject(vmap)) {
        st = hx_fail(err, HX_EFORMAT, "tokenizer.json: model fields malformed");
        goto done;
    }
    size_t n = (size_t)cJSON_GetArraySize(vmap);
    if (n == 0 || n > MAX_VOCAB) {
        st = hx_fail(err, HX_EFORMAT, "tokenizer.json: model.vocab has %zu entries", n);
        goto done;
    }
    /* vocab map -> array in id order; ids must be exactly 0..n-1. */
    const char **by_id = calloc(n, sizeof *by_id);
    if (!by_id) {
        st = hx_fail(err, HX_ENOMEM, "out of memory");
        goto done;
    }
    for (const cJSON *e = vmap->child; e; e = e->next) {
        double d = cJSON_IsNumber(e) ? e->valuedouble : -1;
        if (!(d >= 0 && d < (double)n) || d != (double)(size_t)d || by_id[(size_t)d]) {
            free(by_id);
            st = hx_fail(err, HX_EFORMAT, "tokenizer.json: model.vocab ids are not 0..%zu, each once",
                         n - 1);
            goto done;
        }
        by_id[(size_t)d] = e->string;
    }
    vocab = cJSON_CreateArray();
    for (size_t i = 0; vocab && i < n; i++) {
        cJSON *s = cJSON_CreateString(by_id[i]);
        if (!s || !cJSON_AddItemToArray(vocab, s)) {
            cJSON_Delete(s);
            cJSON_Delete(vocab);
            vocab = NULL;
        }
    }
    free(by_id);
    if (!vocab) {
        st = hx_fail(err, HX_ENOMEM, "out of memory");
        goto done;
    }

    /* Added tokens: only the special, un-normalized kind is supported. */
    cJSON *added_arr = cJSON_CreateArray();
    if (!added_arr) {
        st = hx_fail(err, HX_ENOMEM, "out of memory");
        goto done;
    }
    const char *pad = NULL, *mask = NULL;
    int idx = 0;
    for (const cJSON *a = cJSON_IsArray(added) ? added->child : NULL; a; a = a->next, idx++) {
        const cJSON *content = get(a, "content"), *id = get(a, "id");
        if (!cJSON_IsString(content) || !cJSON_IsNumber(id)) {
            cJSON_Delete(added_arr);
            st = hx_fail(err, HX_EFORMAT, "tokenizer.json: added_tokens[%d] malformed", idx);
            goto done;
        }
        if (cJSON_IsTrue(get(a, "normalized")) || cJSON_IsTrue(get(a, "lstrip")) ||
            cJSON_IsTrue(get(a, "rstrip")) || cJSON_IsTrue(get(a, "single_word")) ||
            !cJSON_IsTrue(get(a, "special"))) {
            cJSON_Delete(added_arr);
            st = hx_fail(err, HX_EUNSUPPORTED,
                         "tokenizer.json: added_tokens[%d] is not a plain special token", idx);
            goto done;
        }
        double d = id->valuedouble;
        if (!(d >= 0 && d < (double)n) ||
            strcmp(cJSON_GetArrayItem(vocab, (int)d)->valuestring, content->valuestring)) {
            cJSON_Delete(added_arr);
            st = hx_fail(err, HX_EUNSUPPORTED,
                         "tokenizer.json: added_tokens[%d] is not in model.vocab under its id", idx);
            goto done;
        }
        if (!strcmp(content->valuestring, "[PAD]")) pad = "[PAD]";
        if (!strcmp(content->valuestring, "[MASK]")) mask = "[MASK]";
        cJSON_AddItemToArray(added_arr, cJSON_CreateString(content->valuestring));
    }

    o = cJSON_CreateObject();
    if (!o) {
        cJSON_Delete(added_arr);
        st = hx_fail(err, HX_ENOMEM, "out of memory");
        goto done;
    }
    int strip = cJSON_IsBool(sa) ? cJSON_IsTrue(sa) : -1;
    if (!cJSON_AddStringToObject(o, "type", "wordpiece") ||
        !cJSON_AddBoolToObject(o, "lowercase", cJSON_IsTrue(lc)) ||
        !(strip < 0 ? cJSON_AddNullToObject(o, "strip_accents")
                    : cJSON_AddBoolToObject(o, "strip_accents", strip)) ||
        !cJSON_AddBoolToObject(o, "handle_chinese_chars", cJSON_IsTrue(hc)) ||
        !cJSON_AddBoolToObject(o, "clean_text", cJSON_IsTrue(ct)) ||
        !cJSON_AddStringToObject(o, "unk_token", unk->valuestring) ||
        !cJSON_AddStringToObject(o, "cls_token", cls) ||
        !cJSON_AddStringToObject(o, "sep_token", sep) ||
        !cJSON_AddStringToObject(o, "pad_token", pad ? pad : "[PAD]") ||
        !cJSON_AddStringToObject(o, "mask_token", mask ? mask : "[MASK]") ||
        !cJSON_AddStringToObject(o, "continuing_subword_prefix", pfx->valuestring) ||
        !cJSON_AddNumberToObject(o, "max_input_chars_per_word", (int)maxc->valuedouble) ||
        !cJSON_AddNumberToObject(o, "model_max_length", 512) ||
        !cJSON_AddStringToObject(o, "source", "tokenizer.json")) {
        cJSON_Delete(added_arr);
        st = hx_fail(err, HX_ENOMEM, "out of memory");
        goto done;
    }
    cJSON_AddItemToObject(o, "added_tokens", added_arr);
    cJSON_AddItemToObject(o, "vocab", vocab);
    vocab = NULL;

done:
    cJSON_Delete(vocab);
    cJSON_Delete(root);
    if (st) {
        cJSON_Delete(o);
        return st;
    }
    *out = o;
    return HX_OK;
}

hx_status hx_tokenizer_meta_from_json_file(const char *path, cJSON **out, hx_error *err) {
    char *text;
    size_t len;
    hx_status st = read_file(path, &text, &len, err);
    if (st) return st;
    st = hx_tokenizer_meta_from_json_text(text, len, out, err);
    free(text);
    return st;
}

/* ---- metadata -> tokenizer --------------------------------------------- */

static hx_status meta_string(const cJSON *meta, const char *key, const char *dflt,
                             const char **out, hx_error *err) {
    const cJSON *v = get(meta, key);
    if (!v || cJSON_IsNull(v)) {
        *out = dflt;
        return HX_OK;
    }
    if (!cJSON_IsString(v))
        return hx_fail(err, HX_EFORMAT, "tokenizer metadata: \"%s\" is not a string", key);
    *out = v->valuestring;
    return HX_OK;
}

static hx_status meta_bool(const cJSON *meta, const char *key, bool dflt, bool *out,
                           hx_error *err) {
    const cJSON *v = get(meta, key);
    if (!v) {
        *out = dflt;
        return HX_OK;
    }
    if (!cJSON_IsBool(v))
        return hx_fail(err, HX_EFORMAT, "tokenizer metadata: \"%s\" is not a boolean", key);
    *out = cJSON_IsTrue(v);
    return HX_OK;
}

hx_status hx_tokenizer_from_meta(const cJSON *meta, hx_tokenizer **out, hx_error *err) {
    if (!cJSON_IsObject(meta))
        return hx_fail(err, HX_EFORMAT, "tokenizer metadata is not an object");
    const cJSON *type = get(meta, "type");
    if (type && (!cJSON_IsString(type) || strcmp(type->valuestring, "wordpiece")))
        return hx_fail(err, HX_EUNSUPPORTED, "tokenizer metadata: \"type\" is not \"wordpiece\"");
    hx_tokenizer_config cfg;
    hx_tokenizer_config_default(&cfg, true);
    hx_status st;
    if ((st = meta_bool(meta, "lowercase", true, &cfg.lowercase, err)) ||
        (st = meta_bool(meta, "handle_chinese_chars", true, &cfg.handle_chinese_chars, err)) ||
        (st = meta_bool(meta, "clean_text", true, &cfg.clean_text, err)) ||
        (st = meta_string(meta, "unk_token", "[UNK]", &cfg.unk_token, err)) ||
        (st = meta_string(meta, "cls_token", "[CLS]", &cfg.cls_token, err)) ||
        (st = meta_string(meta, "sep_token", "[SEP]", &cfg.sep_token, err)) ||
        (st = meta_string(meta, "pad_token", "[PAD]", &cfg.pad_token, err)) ||
        (st = meta_string(meta, "mask_token", "[MASK]", &cfg.mask_token, err)) ||
        (st = meta_string(meta, "continuing_subword_prefix", "##",
                          &cfg.continuing_subword_prefix, err)))
        return st;
    const cJSON *sa = get(meta, "strip_accents");
    if (!sa || cJSON_IsNull(sa)) cfg.strip_accents = HX_STRIP_ACCENTS_AUTO;
    else if (cJSON_IsBool(sa)) cfg.strip_accents = cJSON_IsTrue(sa) ? HX_STRIP_ACCENTS_ON
                                                                     : HX_STRIP_ACCENTS_OFF;
    else return hx_fail(err, HX_EFORMAT, "tokenizer metadata: \"strip_accents\" malformed");
    const cJSON *mc = get(meta, "max_input_chars_per_word");
    if (mc) {
        if (!cJSON_IsNumber(mc) || !(mc->valuedouble >= 0 && mc->valuedouble <= 1e9))
            return hx_fail(err, HX_EFORMAT,
                           "tokenizer metadata: \"max_input_chars_per_word\" malformed");
        cfg.max_input_chars_per_word = (int)mc->valuedouble;
    }
    const cJSON *mml = get(meta, "model_max_length");
    if (mml) {
        if (!cJSON_IsNumber(mml) || !(mml->valuedouble >= 0 && mml->valuedouble <= 1e9))
            return hx_fail(err, HX_EFORMAT, "tokenizer metadata: \"model_max_length\" malformed");
        cfg.model_max_length = (int)mml->valuedouble;
    }
    const cJSON *vocab = get(meta, "vocab");
    if (!cJSON_IsArray(vocab))
        return hx_fail(err, HX_EFORMAT, "tokenizer metadata: \"vocab\" is not an array");
    size_t n = (size_t)cJSON_GetArraySize(vocab);
    if (n == 0 || n > MAX_VOCAB)
        return hx_fail(err, HX_EFORMAT, "tokenizer metadata: \"vocab\" has %zu entries", n);
    const cJSON *added = get(meta, "added_tokens");
    if (added && !cJSON_IsArray(added))
        return hx_fail(err, HX_EFORMAT, "tokenizer metadata: \"added_tokens\" is not an array");
    size_t n_added = added ? (size_t)cJSON_GetArraySize(added) : 0;
    const char **strs = malloc((n + n_added + 1) * sizeof *strs);
    if (!strs) return hx_fail(err, HX_ENOMEM, "out of memory");
    size_t i = 0;
    for (const cJSON *e = vocab->child; e; e = e->next, i++) {
        if (!cJSON_IsString(e)) {
            free(strs);
            return hx_fail(err, HX_EFORMAT, "tokenizer metadata: vocab[%zu] is not a string", i);
        }
        strs[i] = e->valuestring;
    }
    const char **added_strs = strs + n;
    i = 0;
    for (const cJSON *e = added ? added->child : NULL; e; e = e->next, i++) {
        if (!cJSON_IsString(e)) {
            free(strs);
            return hx_fail(err, HX_EFORMAT,
                           "tokenizer metadata: added_tokens[%zu] is not a string", i);
        }
        added_strs[i] = e->valuestring;
    }
    if (added) {
        cfg.added_tokens = added_strs;
        cfg.n_added_tokens = n_added;
    }
    st = hx_tokenizer_create(&cfg, strs, n, out, err);
    free(strs);
    return st;
}

hx_status hx_tokenizer_from_hlx(const hx_hlx *f, hx_tokenizer **out, hx_error *err) {
    size_t len = 0;
    const char *text = hx_hlx_metadata(f, &len);
    if (!text) return hx_fail(err, HX_EFORMAT, "model file has no metadata");
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return hx_fail(err, HX_EFORMAT, "model metadata is not a JSON object");
    }
    const cJSON *tok = get(root, "tokenizer");
    hx_status st = tok ? hx_tokenizer_from_meta(tok, out, err)
                       : hx_fail(err, HX_ENOTFOUND, "model metadata has no \"tokenizer\"");
    cJSON_Delete(root);
    return st;
}

hx_status hx_tokenizer_load_file(const char *path, int lowercase, hx_tokenizer **out,
                                 hx_error *err) {
    size_t n = strlen(path);
    cJSON *meta = NULL;
    hx_status st = (n >= 5 && !strcmp(path + n - 5, ".json"))
                       ? hx_tokenizer_meta_from_json_file(path, &meta, err)
                       : hx_tokenizer_meta_from_vocab_file(path, NULL, lowercase, &meta, err);
    if (st) return st;
    st = hx_tokenizer_from_meta(meta, out, err);
    cJSON_Delete(meta);
    return st;
}
