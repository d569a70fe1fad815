/* Converters: a tiny Hugging Face BERT and a tiny timm SE-ResNet made by
 * tests/oracle/make_convert_fixtures.py (PyTorch, timm, safetensors).
 * Converted tensors must equal the source (BERT, SE, fc: bit for bit), and
 * folded BatchNorm must match PyTorch's own fold and reproduce its conv+BN
 * outputs within 1e-5. */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helix/convert.h"
#include "helix/hlx.h"
#include "helix/safetensors.h"

#define FIX HX_TEST_FIXTURES "/convert/"

static const char *out_path(const char *stem) {
    static char p[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "/tmp/hx_test_convert_%s_%d.hlx", stem, (int)getpid());
    return p[k];
}

static hx_hlx *convert_bert(const char *dir, const char *stem) {
    hx_error err;
    const char *out = out_path(stem);
    hx_convert_report rep;
    hx_status s = hx_convert_bert(dir, out, NULL, &rep, &err);
    cr_assert_eq(s, HX_OK, "%s", err.msg);
    hx_hlx *f;
    cr_assert_eq(hx_hlx_open(out, &f, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_hlx_verify(f, &err), HX_OK, "%s", err.msg);
    unlink(out);
    return f;
}

static cJSON *meta_of(const hx_hlx *f) {
    size_t n;
    const char *t = hx_hlx_metadata(f, &n);
    cJSON *m = cJSON_ParseWithLength(t, n);
    cr_assert_not_null(m);
    return m;
}

/* The tensor in f named `name` equals the checkpoint tensor `t` exactly. */
static void expect_same(const hx_hlx *f, const char *name, const hx_st_tensor *t) {
    hx_tensor_view v;
    hx_error err;
    cr_assert_eq(hx_hlx_find(f, name, &v, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(v.dtype, HX_DT_F32);
    cr_assert_eq(t->dtype, HX_ST_F32);
    cr_assert_eq(v.rank, t->rank, "%s", name);
    for (int d = 0; d < v.rank; d++) cr_assert_eq(v.dims[d], t->dims[d], "%s dim %d", name, d);
    cr_assert_eq(v.nbytes, t->nbytes, "%s", name);
    cr_assert_eq(memcmp(v.data, t->data, t->nbytes), 0, "%s differs from the checkpoint", name);
}

Test(convert_bert, tiny_classifier_tensors_equal_source) {
    hx_hlx *f = convert_bert(FIX "bert_tiny", "bert");
    hx_safetensors *st;
    hx_error err;
    cr_assert_eq(hx_safetensors_open(FIX "bert_tiny/model.safetensors", &st, &err), HX_OK, "%s", err.msg);
    size_t floats = 0;
    for (size_t i = 0; i < hx_safetensors_count(st); i++) {
        const hx_st_tensor *t = hx_safetensors_at(st, i);
        if (!t->is_float) continue;
        floats++;
        expect_same(f, t->name, t);
    }
    cr_assert_eq(floats, 41);
    cr_assert_eq(hx_hlx_tensor_count(f), 41);
    hx_tensor_view v;
    cr_assert_eq(hx_hlx_find(f, "bert.embeddings.position_ids", &v, &err), HX_ENOTFOUND);

    cJSON *m = meta_of(f);
    cr_assert_str_eq(cJSON_GetObjectItem(m, "arch")->valuestring, "bert");
    const cJSON *labels = cJSON_GetObjectItem(m, "labels");
    cr_assert_eq(cJSON_GetArraySize(labels), 3);
    cr_assert_str_eq(cJSON_GetArrayItem(labels, 2)->valuestring, "uncertain");
    const cJSON *b = cJSON_GetObjectItem(m, "bert");
    cr_assert_eq(cJSON_GetObjectItem(b, "hidden_size")->valueint, 32);
    cr_assert_eq(cJSON_GetObjectItem(b, "num_hidden_layers")->valueint, 2);
    cr_assert_eq(cJSON_GetObjectItem(b, "num_attention_heads")->valueint, 4);
    cr_assert_eq(cJSON_GetObjectItem(b, "intermediate_size")->valueint, 64);
    cr_assert_eq(cJSON_GetObjectItem(b, "vocab_size")->valueint, 59);
    cr_assert_eq(cJSON_GetObjectItem(b, "num_labels")->valueint, 3);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(b, "has_pooler")));
    cr_assert_float_eq(cJSON_GetObjectItem(b, "layer_norm_eps")->valuedouble, 1e-12, 1e-20);
    const cJSON *tok = cJSON_GetObjectItem(m, "tokenizer");
    const cJSON *vocab = cJSON_GetObjectItem(tok, "vocab");
    cr_assert_eq(cJSON_GetArraySize(vocab), 59);
    cr_assert_str_eq(cJSON_GetArrayItem(vocab, 3)->valuestring, "[CLS]");
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(tok, "lowercase")));
    cr_assert_eq(cJSON_GetObjectItem(tok, "model_max_length")->valueint, 64);
    cJSON_Delete(m);
    hx_safetensors_close(st);
    hx_hlx_close(f);
}

Test(convert_bert, sharded_checkpoint_and_tokenizer_json) {
    hx_hlx *a = convert_bert(FIX "bert_tiny", "a");
    hx_hlx *b = convert_bert(FIX "bert_tiny_sharded", "b");
    cr_assert_eq(hx_hlx_tensor_count(a), hx_hlx_tensor_count(b));
    hx_error err;
    for (size_t i = 0; i < hx_hlx_tensor_count(a); i++) {
        hx_tensor_view va, vb;
        cr_assert_eq(hx_hlx_tensor_at(a, i, &va, &err), HX_OK);
        cr_assert_eq(hx_hlx_find(b, va.name, &vb, &err), HX_OK, "%s", err.msg);
        cr_assert_eq(va.nbytes, vb.nbytes);
        cr_assert_eq(memcmp(va.data, vb.data, va.nbytes), 0, "%s", va.name);
    }
    cJSON *m = meta_of(b);
    const cJSON *vocab = cJSON_GetObjectItem(cJSON_GetObjectItem(m, "tokenizer"), "vocab");
    cr_assert_eq(cJSON_GetArraySize(vocab), 59);
    cr_assert_str_eq(cJSON_GetArrayItem(vocab, 58)->valuestring, "learning");
    cJSON_Delete(m);
    hx_hlx_close(a);
    hx_hlx_close(b);
}

Test(convert_bert, bert_model_without_head_gains_prefix) {
    hx_hlx *f = convert_bert(FIX "bert_tiny_base", "base");
    hx_safetensors *st;
    hx_error err;
    cr_assert_eq(hx_safetensors_open(FIX "bert_tiny_base", &st, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_hlx_tensor_count(f), hx_safetensors_count(st));
    for (size_t i = 0; i < hx_safetensors_count(st); i++) {
        const hx_st_tensor *t = hx_safetensors_at(st, i);
        char name[256];
        snprintf(name, sizeof name, "bert.%s", t->name);
        size_t n = strlen(name);
        if (n > 6 && !strcmp(name + n - 6, ".gamma")) strcpy(name + n - 6, ".weight");
        if (n > 5 && !strcmp(name + n - 5, ".beta")) strcpy(name + n - 5, ".bias");
        expect_same(f, name, t);
    }
    cJSON *m = meta_of(f);
    const cJSON *b = cJSON_GetObjectItem(m, "bert");
    cr_assert_eq(cJSON_GetObjectItem(b, "num_labels")->valueint, 0);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(m, "labels")), 0);
    cJSON_Delete(m);
    hx_safetensors_close(st);
    hx_hlx_close(f);
}

/* A copy of the tiny BERT whose config.json has `key` set to `value` (raw
 * JSON), in a fresh folder; returns the folder. */
static const char *bert_with_config(const char *key, const char *value) {
    static char dir[128];
    snprintf(dir, sizeof dir, "/tmp/hx_test_cfg_%d_XXXXXX", (int)getpid());
    cr_assert_not_null(mkdtemp(dir));
    char p[256];
    snprintf(p, sizeof p, "%s/model.safetensors", dir);
    cr_assert_eq(symlink(FIX "bert_tiny/model.safetensors", p), 0);
    snprintf(p, sizeof p, "%s/vocab.txt", dir);
    cr_assert_eq(symlink(FIX "bert_tiny/vocab.txt", p), 0);
    FILE *in = fopen(FIX "bert_tiny/config.json", "rb");
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, in);
    fclose(in);
    buf[n] = 0;
    cJSON *cfg = cJSON_Parse(buf);
    cJSON_DeleteItemFromObject(cfg, key);
    cJSON_AddItemToObject(cfg, key, cJSON_Parse(value));
    char *text = cJSON_Print(cfg);
    snprintf(p, sizeof p, "%s/config.json", dir);
    FILE *out = fopen(p, "wb");
    fputs(text, out);
    fclose(out);
    free(text);
    cJSON_Delete(cfg);
    return dir;
}

static void remove_dir(const char *dir) {
    static const char *const files[] = {"model.safetensors", "vocab.txt", "config.json"};
    char p[256];
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

static void expect_bert_error(const char *key, const char *value, hx_status code,
                              const char *needle) {
    const char *dir = bert_with_config(key, value);
    hx_error err;
    hx_status s = hx_convert_bert(dir, out_path("bad"), NULL, NULL, &err);
    remove_dir(dir);
    cr_assert_eq(s, code, "%s=%s: got %s: %s", key, value, hx_status_name(s), err.msg);
    cr_assert(strstr(err.msg, needle), "'%s' not in '%s'", needle, err.msg);
    cr_assert_eq(access(out_path("bad"), F_OK), -1, "no output file on failure");
}

Test(convert_bert, mismatches_are_named) {
    expect_bert_error("num_hidden_layers", "3", HX_ENOTFOUND, "bert.encoder.layer.2.attention.self.query.weight");
    expect_bert_error("intermediate_size", "65", HX_EFORMAT,
                      "bert.encoder.layer.0.intermediate.dense.weight has shape [64, 32], expected [65, 32]");
    expect_bert_error("hidden_act", "\"relu\"", HX_EUNSUPPORTED, "hidden_act");
    expect_bert_error("model_type", "\"roberta\"", HX_EUNSUPPORTED, "model_type");
    expect_bert_error("hidden_size", "30", HX_EFORMAT, "hidden_size");
    expect_bert_error("vocab_size", "50", HX_EFORMAT, "word_embeddings.weight has shape [59, 32], expected [50, 32]");
    expect_bert_error("position_embedding_type", "\"relative_key\"", HX_EUNSUPPORTED, "position_embedding_type");
}

/* ---- non-finite weights (issue 14.8) ---- */

/* A fresh folder with symlinks to src_dir's files, except model.safetensors,
 * which is a copy with element `index` of tensor `tensor` set to the f32 bit
 * pattern `bits`. Returns the folder. */
static const char *poisoned_copy(const char *src_dir, const char *const *files, int n_files,
                                 const char *tensor, uint64_t index, uint32_t bits) {
    static char dir[128];
    snprintf(dir, sizeof dir, "/tmp/hx_test_nan_%d_XXXXXX", (int)getpid());
    cr_assert_not_null(mkdtemp(dir));
    char p[512];
    for (int i = 0; i < n_files; i++) {
        char from[512];
        snprintf(from, sizeof from, "%s/%s", src_dir, files[i]);
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        cr_assert_eq(symlink(from, p), 0);
    }
    snprintf(p, sizeof p, "%s/model.safetensors", src_dir);
    FILE *in = fopen(p, "rb");
    cr_assert_not_null(in, "%s", p);
    fseek(in, 0, SEEK_END);
    long len = ftell(in);
    rewind(in);
    unsigned char *buf = malloc((size_t)len);
    cr_assert_eq(fread(buf, 1, (size_t)len, in), (size_t)len);
    fclose(in);
    hx_safetensors *st;
    hx_error err;
    cr_assert_eq(hx_safetensors_open_memory(buf, (size_t)len, &st, &err), HX_OK, "%s", err.msg);
    const hx_st_tensor *t = hx_safetensors_find(st, tensor);
    cr_assert_not_null(t, "%s", tensor);
    cr_assert_eq(t->dtype, HX_ST_F32);
    cr_assert_lt(index, t->count);
    size_t at = (size_t)((const unsigned char *)t->data - buf) + 4 * (size_t)index;
    hx_safetensors_close(st);
    for (int k = 0; k < 4; k++) buf[at + (size_t)k] = (unsigned char)(bits >> (8 * k));
    snprintf(p, sizeof p, "%s/model.safetensors", dir);
    FILE *out = fopen(p, "wb");
    cr_assert_eq(fwrite(buf, 1, (size_t)len, out), (size_t)len);
    fclose(out);
    free(buf);
    return dir;
}

static void remove_poisoned(const char *dir, const char *const *files, int n_files) {
    char p[512];
    for (int i = 0; i < n_files; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    snprintf(p, sizeof p, "%s/model.safetensors", dir);
    unlink(p);
    rmdir(dir);
}

#define F32_NAN 0x7FC00000u
#define F32_PINF 0x7F800000u
#define F32_NINF 0xFF800000u

Test(convert_bert, non_finite_weights_are_refused) {
    static const char *const files[] = {"config.json", "vocab.txt", "tokenizer_config.json"};
    static const struct { const char *tensor; uint64_t index; uint32_t bits; const char *what; } cases[] = {
        {"bert.encoder.layer.1.attention.self.query.weight", 37, F32_NAN, "NaN"},
        {"bert.embeddings.word_embeddings.weight", 0, F32_PINF, "+Inf"},
        {"classifier.bias", 1, F32_NINF, "-Inf"},
        {"bert.embeddings.LayerNorm.weight", 5, 0x7F800001u, "NaN"}, /* signalling NaN */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *dir = poisoned_copy(FIX "bert_tiny", files, 3, cases[i].tensor, cases[i].index,
                                        cases[i].bits);
        hx_error err;
        hx_status s = hx_convert_bert(dir, out_path("nan"), NULL, NULL, &err);
        remove_poisoned(dir, files, 3);
        cr_assert_eq(s, HX_EFORMAT, "%s: got %s: %s", cases[i].tensor, hx_status_name(s), err.msg);
        char want[256];
        snprintf(want, sizeof want, "tensor %s: element %llu is %s", cases[i].tensor,
                 (unsigned long long)cases[i].index, cases[i].what);
        cr_assert(strstr(err.msg, want), "'%s' not in '%s'", want, err.msg);
        cr_assert_eq(access(out_path("nan"), F_OK), -1, "no output file on failure");
    }
}

/* ---- SE-ResNet ---- */

static hx_hlx *convert_se(const char *dir, const hx_convert_image_opts *o, hx_convert_report *rep) {
    hx_error err;
    const char *out = out_path("se");
    cr_assert_eq(hx_convert_seresnet(dir, out, o, rep, &err), HX_OK, "%s", err.msg);
    hx_hlx *f;
    cr_assert_eq(hx_hlx_open(out, &f, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_hlx_verify(f, &err), HX_OK, "%s", err.msg);
    unlink(out);
    return f;
}

static const float *ref_f32(const hx_safetensors *ref, const char *name, const hx_st_tensor **t) {
    *t = hx_safetensors_find(ref, name);
    cr_assert_not_null(*t, "reference lacks %s", name);
    cr_assert_eq((*t)->dtype, HX_ST_F32);
    return (*t)->data; /* safetensors data offsets of F32 files are 4-aligned here */
}

/* y = conv(x; w, b) with stride and padding, in double: the plain definition. */
static void conv2d(const float *x, int c, int h, int wd, const float *w, const float *b, int o,
                   int k, int stride, int pad, double *y, int *oh, int *ow) {
    *oh = (h + 2 * pad - k) / stride + 1;
    *ow = (wd + 2 * pad - k) / stride + 1;
    for (int oc = 0; oc < o; oc++)
        for (int i = 0; i < *oh; i++)
            for (int j = 0; j < *ow; j++) {
                double acc = b[oc];
                for (int ic = 0; ic < c; ic++)
                    for (int u = 0; u < k; u++)
                        for (int v = 0; v < k; v++) {
                            int yy = i * stride - pad + u, xx = j * stride - pad + v;
                            if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
                            acc += (double)w[((oc * c + ic) * k + u) * k + v] * x[(ic * h + yy) * wd + xx];
                        }
                y[(oc * *oh + i) * *ow + j] = acc;
            }
}

Test(convert_seresnet, folded_batchnorm_matches_pytorch) {
    hx_convert_report rep;
    hx_hlx *f = convert_se(FIX "seresnet_tiny", NULL, &rep);
    hx_safetensors *ref;
    hx_error err;
    cr_assert_eq(hx_safetensors_open(FIX "seresnet_tiny_ref.safetensors", &ref, &err), HX_OK, "%s", err.msg);
    int convs = 0;
    for (size_t i = 0; i < hx_safetensors_count(ref); i++) {
        const hx_st_tensor *sp = hx_safetensors_at(ref, i);
        size_t n = strlen(sp->name);
        if (n < 11 || strcmp(sp->name + n - 11, ".stride_pad")) continue;
        char conv[128], key[160];
        snprintf(conv, sizeof conv, "%.*s", (int)(n - 11), sp->name);
        int64_t stride, pad;
        memcpy(&stride, sp->data, 8);
        memcpy(&pad, (const char *)sp->data + 8, 8);
        hx_tensor_view wv, bv;
        snprintf(key, sizeof key, "%s.weight", conv);
        cr_assert_eq(hx_hlx_find(f, key, &wv, &err), HX_OK, "%s", err.msg);
        const hx_st_tensor *rw, *rb, *rx, *ry;
        const float *wref = ref_f32(ref, key, &rw);
        snprintf(key, sizeof key, "%s.bias", conv);
        cr_assert_eq(hx_hlx_find(f, key, &bv, &err), HX_OK, "%s", err.msg);
        const float *bref = ref_f32(ref, key, &rb);
        /* Same fold as PyTorch's float64 one, rounded once to f32. */
        const float *w = wv.data, *b = bv.data;
        for (size_t j = 0; j < rw->count; j++)
            cr_assert(fabsf(w[j] - wref[j]) <= 1e-6f * fmaxf(1.f, fabsf(wref[j])), "%s.weight[%zu]", conv, j);
        for (size_t j = 0; j < rb->count; j++)
            cr_assert(fabsf(b[j] - bref[j]) <= 1e-6f * fmaxf(1.f, fabsf(bref[j])), "%s.bias[%zu]", conv, j);
        /* The folded conv reproduces conv+BN. */
        snprintf(key, sizeof key, "%s.x", conv);
        const float *x = ref_f32(ref, key, &rx);
        snprintf(key, sizeof key, "%s.y", conv);
        const float *y = ref_f32(ref, key, &ry);
        double *out = malloc(ry->count * sizeof *out);
        int oh, ow;
        conv2d(x, (int)rx->dims[1], (int)rx->dims[2], (int)rx->dims[3], w, b, (int)wv.dims[0],
               (int)wv.dims[2], (int)stride, (int)pad, out, &oh, &ow);
        cr_assert_eq((int64_t)oh, ry->dims[2]);
        cr_assert_eq((int64_t)ow, ry->dims[3]);
        for (size_t j = 0; j < ry->count; j++)
            cr_assert(fabs(out[j] - y[j]) <= 1e-5, "%s output %zu: %g vs %g", conv, j, out[j], (double)y[j]);
        free(out);
        convs++;
    }
    cr_assert_eq(convs, 1 + 2 * 6 + 3, "stem, 6 blocks x 2 convs, 3 downsamples");
    hx_safetensors_close(ref);
    hx_hlx_close(f);
}

Test(convert_seresnet, structure_metadata_and_unfolded_tensors) {
    hx_convert_report rep;
    hx_hlx *f = convert_se(FIX "seresnet_tiny", NULL, &rep);
    hx_safetensors *st;
    hx_error err;
    cr_assert_eq(hx_safetensors_open(FIX "seresnet_tiny", &st, &err), HX_OK, "%s", err.msg);
    /* SE and classifier tensors are copied bit for bit. */
    int copied = 0;
    for (size_t i = 0; i < hx_safetensors_count(st); i++) {
        const hx_st_tensor *t = hx_safetensors_at(st, i);
        if (strstr(t->name, ".se.") || !strncmp(t->name, "fc.", 3)) {
            expect_same(f, t->name, t);
            copied++;
        }
    }
    cr_assert_eq(copied, 6 * 4 + 2);
    /* No BatchNorm tensor survives. */
    for (size_t i = 0; i < hx_hlx_tensor_count(f); i++) {
        hx_tensor_view v;
        hx_hlx_tensor_at(f, i, &v, &err);
        cr_assert_null(strstr(v.name, "bn"), "%s", v.name);
        cr_assert_null(strstr(v.name, "downsample.1"), "%s", v.name);
    }
    cr_assert_eq(rep.tensors_unused, 0);
    cr_assert_eq(rep.tensors_skipped_int, 16, "one num_batches_tracked per BatchNorm");
    cJSON *m = meta_of(f);
    cr_assert_str_eq(cJSON_GetObjectItem(m, "arch")->valuestring, "seresnet");
    const cJSON *r = cJSON_GetObjectItem(m, "resnet");
    const cJSON *layers = cJSON_GetObjectItem(r, "layers");
    int want[4] = {2, 1, 1, 2};
    for (int i = 0; i < 4; i++) cr_assert_eq(cJSON_GetArrayItem(layers, i)->valueint, want[i]);
    cr_assert_eq(cJSON_GetObjectItem(r, "depth")->valueint, 14);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(r, "se")));
    cr_assert_eq(cJSON_GetObjectItem(r, "num_classes")->valueint, 3);
    cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(m, "labels"), 0)->valuestring, "neurogenic");
    const cJSON *p = cJSON_GetObjectItem(m, "preprocess");
    cr_assert_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(p, "input_size"), 2)->valueint, 64);
    cr_assert_float_eq(cJSON_GetObjectItem(p, "crop_pct")->valuedouble, 0.9, 1e-12);
    cr_assert_str_eq(cJSON_GetObjectItem(p, "interpolation")->valuestring, "bilinear");
    cr_assert_float_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(p, "std"), 1)->valuedouble, 0.2, 1e-12);
    cJSON_Delete(m);
    hx_safetensors_close(st);
    hx_hlx_close(f);
}

Test(convert_seresnet, plain_resnet_defaults_and_flags) {
    hx_convert_image_opts o;
    memset(&o, 0, sizeof o);
    o.labels = "neurogenic,myogenic,control";
    o.interpolation = "bilinear";
    o.has_mean = true;
    o.mean[0] = 0.1, o.mean[1] = 0.2, o.mean[2] = 0.3;
    hx_hlx *f = convert_se(FIX "resnet_tiny", &o, NULL);
    cJSON *m = meta_of(f);
    cr_assert_str_eq(cJSON_GetObjectItem(m, "arch")->valuestring, "resnet");
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "resnet"), "se")));
    cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(m, "labels"), 2)->valuestring, "control");
    const cJSON *p = cJSON_GetObjectItem(m, "preprocess");
    cr_assert_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(p, "input_size"), 1)->valueint, 224);
    cr_assert_float_eq(cJSON_GetObjectItem(p, "crop_pct")->valuedouble, 0.875, 1e-12);
    cr_assert_str_eq(cJSON_GetObjectItem(p, "interpolation")->valuestring, "bilinear");
    cr_assert_float_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(p, "mean"), 2)->valuedouble, 0.3, 1e-12);
    cr_assert_float_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(p, "std"), 0)->valuedouble, 0.229, 1e-12);
    hx_tensor_view v;
    hx_error err;
    cr_assert_eq(hx_hlx_find(f, "layer1.0.se.fc1.weight", &v, &err), HX_ENOTFOUND);
    cJSON_Delete(m);
    hx_hlx_close(f);
}

Test(convert_seresnet, errors_are_named) {
    hx_convert_image_opts o;
    memset(&o, 0, sizeof o);
    hx_error err;
    o.labels = "a,b";
    cr_assert_eq(hx_convert_seresnet(FIX "resnet_tiny", out_path("x"), &o, NULL, &err), HX_EINVAL);
    cr_assert(strstr(err.msg, "2 names") && strstr(err.msg, "3 classes"), "%s", err.msg);
    o.labels = NULL;
    o.interpolation = "lanczos";
    cr_assert_eq(hx_convert_seresnet(FIX "resnet_tiny", out_path("x"), &o, NULL, &err), HX_EUNSUPPORTED);
    cr_assert(strstr(err.msg, "lanczos"), "%s", err.msg);
    /* A BERT checkpoint is not a ResNet. */
    cr_assert_eq(hx_convert_seresnet(FIX "bert_tiny", out_path("x"), NULL, NULL, &err), HX_ENOTFOUND);
    cr_assert(strstr(err.msg, "conv1.weight"), "%s", err.msg);
    cr_assert_eq(hx_convert_bert(FIX "seresnet_tiny", out_path("x"), NULL, NULL, &err), HX_EFORMAT);
    cr_assert_eq(access(out_path("x"), F_OK), -1);
}

/* NaN/Inf in a folded conv or BatchNorm tensor and in a copied tensor are
 * refused, naming the tensor and element (issue 14.8). */
Test(convert_seresnet, non_finite_weights_are_refused) {
    static const char *const files[] = {"config.json"};
    static const struct { const char *tensor; uint64_t index; uint32_t bits; const char *want; } cases[] = {
        {"conv1.weight", 11, F32_NAN, "tensor conv1.weight: element 11 is NaN"},
        {"bn1.running_mean", 2, F32_PINF, "tensor bn1.running_mean: element 2 is +Inf"},
        {"fc.weight", 3, F32_NINF, "tensor fc.weight: element 3 is -Inf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *dir = poisoned_copy(FIX "seresnet_tiny", files, 1, cases[i].tensor,
                                        cases[i].index, cases[i].bits);
        hx_error err;
        hx_status s = hx_convert_seresnet(dir, out_path("nan"), NULL, NULL, &err);
        remove_poisoned(dir, files, 1);
        cr_assert_eq(s, HX_EFORMAT, "%s: got %s: %s", cases[i].tensor, hx_status_name(s), err.msg);
        cr_assert(strstr(err.msg, cases[i].want), "'%s' not in '%s'", cases[i].want, err.msg);
        cr_assert_eq(access(out_path("nan"), F_OK), -1, "no output file on failure");
    }
}

/* End to end: the converted tiny SE-ResNet, run by helix's own model, gives
 * timm's logits for the reference input (checks names, folding and SE
 * wiring together). */
#include "helix/seresnet.h"

Test(convert_seresnet, converted_model_reproduces_timm_logits) {
    hx_hlx *f = convert_se(FIX "seresnet_tiny", NULL, NULL);
    hx_safetensors *ref;
    hx_error err;
    cr_assert_eq(hx_safetensors_open(FIX "seresnet_tiny_ref.safetensors", &ref, &err), HX_OK, "%s", err.msg);
    const hx_st_tensor *xt, *lt;
    const float *x = ref_f32(ref, "model.x", &xt);
    const float *want = ref_f32(ref, "model.logits", &lt);
    hx_seresnet_config cfg = {{2, 1, 1, 2}, true, 3};
    hx_tensor_source src = hx_hlx_source(f);
    hx_seresnet *m;
    cr_assert_eq(hx_seresnet_create(&cfg, &src, &m, &err), HX_OK, "%s", err.msg);
    float logits[3];
    cr_assert_eq(hx_seresnet_forward(m, 1, (int)xt->dims[2], (int)xt->dims[3], x, logits, NULL, &err),
                 HX_OK, "%s", err.msg);
    for (int i = 0; i < 3; i++)
        cr_assert(fabsf(logits[i] - want[i]) <= 1e-4f * fmaxf(1.f, fabsf(want[i])), "logit %d: %g vs %g", i,
                  (double)logits[i], (double)want[i]);
    hx_seresnet_free(m);
    hx_safetensors_close(ref);
    hx_hlx_close(f);
}
