/* timm SE-ResNet / ResNet (basic blocks) -> .hlx, with every BatchNorm
 * folded into the conv before it. For BN with running mean m, variance v,
 * weight g, bias b and eps, applied to a conv y = W*x + c:
 *
 *   s = g / sqrt(v + eps)           (per output channel)
 *   W' = W * s,  c' = (c - m) * s + b
 *
 * computed in double and rounded once to f32. Structure (blocks per
 * stage, squeeze-excitation, widths) is read from the key names and shapes;
 * anything else (bottlenecks, deep stems, avg-pool downsampling) is refused
 * with the name of the tensor that gave it away. */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helix/convert.h"
#include "helix/hlx.h"
#include "helix/safetensors.h"
#include "weights/convert_internal.h"

typedef struct {
    const hx_safetensors *st;
    unsigned char *used;
    hx_hlx_writer *w;
    hx_convert_report *rep;
    double eps;
} ctx;

/* Adds conv `conv` (OIHW, given in_ch, kernel k; out channels returned)
 * folded with BatchNorm `bn`, under the conv's name. */
static hx_status fold(ctx *c, const char *conv, const char *bn, int64_t in_ch, int64_t k,
                      int64_t *out_ch, hx_error *err) {
    char name[300];
    const hx_st_tensor *w = NULL, *cb = NULL, *g = NULL, *b = NULL, *m = NULL, *v = NULL;
    snprintf(name, sizeof name, "%s.weight", conv);
    int64_t wd[4] = {-1, in_ch, k, k};
    hx_status s = cv_get(c->st, name, 4, wd, &w, err);
    if (s != HX_OK) return s;
    int64_t o = w->dims[0], od[1] = {o};
    snprintf(name, sizeof name, "%s.bias", conv);
    if (hx_safetensors_find(c->st, name) && (s = cv_get(c->st, name, 1, od, &cb, err))) return s;
    const hx_st_tensor **bn_t[4] = {&g, &b, &m, &v};
    static const char *const bn_n[4] = {"weight", "bias", "running_mean", "running_var"};
    for (int i = 0; i < 4; i++) {
        snprintf(name, sizeof name, "%s.%s", bn, bn_n[i]);
        if ((s = cv_get(c->st, name, 1, od, bn_t[i], err))) return s;
    }
    size_t per = (size_t)(w->count / (uint64_t)(o ? o : 1));
    float *wf = malloc(w->count * sizeof *wf);
    float *vec = malloc(5 * (size_t)o * sizeof *vec); /* g, b, m, v, conv bias */
    float *bias = malloc((size_t)o * sizeof *bias);
    if (!wf || !vec || !bias) {
        free(wf), free(vec), free(bias);
        return hx_fail(err, HX_ENOMEM, "out of memory folding %s", conv);
    }
    const hx_st_tensor *src[5] = {g, b, m, v, cb};
    s = cv_read_finite(w, wf, err);
    for (int i = 0; i < 5 && s == HX_OK; i++) {
        if (src[i]) s = cv_read_finite(src[i], vec + (size_t)i * o, err);
        else memset(vec + (size_t)i * o, 0, (size_t)o * sizeof *vec);
    }
    for (int64_t oc = 0; s == HX_OK && oc < o; oc++) {
        double var = vec[3 * o + oc];
        if (!(var + c->eps > 0)) {
            s = hx_fail(err, HX_EFORMAT, "tensor %s.running_var has a negative or NaN entry", bn);
            break;
        }
        double scale = (double)vec[oc] / sqrt(var + c->eps);
        for (size_t j = 0; j < per; j++)
            wf[(size_t)oc * per + j] = (float)((double)wf[(size_t)oc * per + j] * scale);
        bias[oc] = (float)(((double)vec[4 * o + oc] - (double)vec[2 * o + oc]) * scale +
                           (double)vec[o + oc]);
    }
    /* Finite inputs can still fold to Inf (a huge gamma over a tiny
     * variance): refuse that too, naming the folded tensor. */
    if (s == HX_OK) {
        snprintf(name, sizeof name, "%s.weight (folded with %s)", conv, bn);
        s = cv_check_finite(name, wf, w->count, err);
    }
    if (s == HX_OK) {
        snprintf(name, sizeof name, "%s.bias (folded with %s)", conv, bn);
        s = cv_check_finite(name, bias, (uint64_t)o, err);
    }
    if (s == HX_OK) {
        snprintf(name, sizeof name, "%s.weight", conv);
        s = hx_hlx_writer_add(c->w, name, HX_DT_F32, 4, w->dims, wf, w->count * sizeof *wf, err);
    }
    if (s == HX_OK) {
        snprintf(name, sizeof name, "%s.bias", conv);
        s = hx_hlx_writer_add(c->w, name, HX_DT_F32, 1, od, bias, (size_t)o * sizeof *bias, err);
    }
    free(wf), free(vec), free(bias);
    if (s != HX_OK) return s;
    c->rep->tensors_written += 2;
    c->rep->parameters += w->count + (uint64_t)o;
    cv_mark(c->st, c->used, w);
    if (cb) cv_mark(c->st, c->used, cb);
    for (int i = 0; i < 4; i++) cv_mark(c->st, c->used, *bn_t[i]);
    *out_ch = o;
    return HX_OK;
}

/* Copies a float tensor of the given shape as is. */
static hx_status copy(ctx *c, const char *name, int rank, const int64_t *dims, hx_error *err) {
    const hx_st_tensor *t;
    hx_status s = cv_get(c->st, name, rank, dims, &t, err);
    if (s != HX_OK) return s;
    cv_mark(c->st, c->used, t);
    return cv_add(c->w, name, t, c->rep, err);
}

static int has(const ctx *c, const char *fmt, int a, int b) {
    char name[128];
    snprintf(name, sizeof name, fmt, a, b);
    return hx_safetensors_find(c->st, name) != NULL;
}

/* Reads the network's shape and writes its tensors. */
static hx_status convert_net(ctx *c, int layers[4], int *se, int64_t *classes, hx_error *err) {
    if (hx_safetensors_find(c->st, "conv1.0.weight"))
        return hx_fail(err, HX_EUNSUPPORTED, "deep stem (tensor conv1.0.weight, timm resnet*d/t) is not supported");
    if (has(c, "layer1.0.conv3.weight", 0, 0))
        return hx_fail(err, HX_EUNSUPPORTED,
                       "bottleneck blocks (tensor layer1.0.conv3.weight, resnet50 and deeper) are not supported");
    if (!hx_safetensors_find(c->st, "conv1.weight"))
        return hx_fail(err, HX_ENOTFOUND, "checkpoint has no tensor conv1.weight (not a timm ResNet?)");
    for (int l = 0; l < 4; l++) {
        layers[l] = 0;
        while (layers[l] < 1000 && has(c, "layer%d.%d.conv1.weight", l + 1, layers[l])) layers[l]++;
        if (!layers[l])
            return hx_fail(err, HX_ENOTFOUND, "checkpoint has no tensor layer%d.0.conv1.weight", l + 1);
    }
    *se = has(c, "layer1.0.se.fc1.weight", 0, 0);
    int64_t ch, next;
    hx_status s = fold(c, "conv1", "bn1", 3, 7, &ch, err);
    if (s != HX_OK) return s;
    char p[64], a[96], b[96];
    for (int l = 1; l <= 4; l++) {
        for (int k = 0; k < layers[l - 1]; k++) {
            snprintf(p, sizeof p, "layer%d.%d.", l, k);
            if (has(c, "layer%d.%d.downsample.2.weight", l, k))
                return hx_fail(err, HX_EUNSUPPORTED,
                               "average-pool downsampling (tensor %sdownsample.2.weight) is not supported", p);
            int64_t in = ch;
            snprintf(a, sizeof a, "%sconv1", p), snprintf(b, sizeof b, "%sbn1", p);
            if ((s = fold(c, a, b, in, 3, &ch, err))) return s;
            snprintf(a, sizeof a, "%sconv2", p), snprintf(b, sizeof b, "%sbn2", p);
            if ((s = fold(c, a, b, ch, 3, &next, err))) return s;
            if (next != ch)
                return hx_fail(err, HX_EFORMAT, "tensor %sconv2.weight has %lld output channels, expected %lld",
                               p, (long long)next, (long long)ch);
            int needs_down = k == 0 && (l > 1 || in != ch);
            int has_down = has(c, "layer%d.%d.downsample.0.weight", l, k);
            if (needs_down && !has_down)
                return hx_fail(err, HX_ENOTFOUND, "checkpoint has no tensor %sdownsample.0.weight", p);
            if (has_down) {
                if (k != 0)
                    return hx_fail(err, HX_EUNSUPPORTED, "downsample in block %s is not supported (only block 0)", p);
                snprintf(a, sizeof a, "%sdownsample.0", p), snprintf(b, sizeof b, "%sdownsample.1", p);
                if ((s = fold(c, a, b, in, 1, &next, err))) return s;
                if (next != ch)
                    return hx_fail(err, HX_EFORMAT, "tensor %sdownsample.0.weight has %lld output channels, expected %lld",
                                   p, (long long)next, (long long)ch);
            }
            if (has(c, "layer%d.%d.se.fc1.weight", l, k) != *se)
                return hx_fail(err, HX_EFORMAT, "block %s %s squeeze-excitation tensors unlike layer1.0",
                               p, *se ? "lacks" : "has");
            if (*se) {
                snprintf(a, sizeof a, "%sse.fc1.weight", p);
                const hx_st_tensor *fc1 = hx_safetensors_find(c->st, a);
                if (fc1->rank != 4 || fc1->dims[0] < 1)
                    return hx_fail(err, HX_EFORMAT, "tensor %s must be [reduced, %lld, 1, 1]", a, (long long)ch);
                int64_t r = fc1->dims[0];
                int64_t d1[4] = {r, ch, 1, 1}, d2[4] = {ch, r, 1, 1}, br[1] = {r}, bc[1] = {ch};
                if ((s = copy(c, a, 4, d1, err))) return s;
                snprintf(a, sizeof a, "%sse.fc1.bias", p);
                if ((s = copy(c, a, 1, br, err))) return s;
                snprintf(a, sizeof a, "%sse.fc2.weight", p);
                if ((s = copy(c, a, 4, d2, err))) return s;
                snprintf(a, sizeof a, "%sse.fc2.bias", p);
                if ((s = copy(c, a, 1, bc, err))) return s;
            }
        }
    }
    const hx_st_tensor *fc = hx_safetensors_find(c->st, "fc.weight");
    if (!fc) return hx_fail(err, HX_ENOTFOUND, "checkpoint has no tensor fc.weight (classifier head)");
    if (fc->rank != 2 || fc->dims[0] < 1 || fc->dims[0] > 1000000)
        return hx_fail(err, HX_EFORMAT, "tensor fc.weight must be [num_classes, %lld]", (long long)ch);
    *classes = fc->dims[0];
    int64_t fw[2] = {*classes, ch}, fb[1] = {*classes};
    if ((s = copy(c, "fc.weight", 2, fw, err))) return s;
    return copy(c, "fc.bias", 1, fb, err);
}

/* Splits "a,b,c" into a JSON array; NULL on empty names. */
static cJSON *split_labels(const char *list) {
    cJSON *arr = cJSON_CreateArray();
    const char *p = list;
    while (arr) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 0 || n > 1000) {
            cJSON_Delete(arr);
            return NULL;
        }
        char *s = malloc(n + 1);
        if (!s) {
            cJSON_Delete(arr);
            return NULL;
        }
        memcpy(s, p, n);
        s[n] = 0;
        cJSON_AddItemToArray(arr, cJSON_CreateString(s));
        free(s);
        if (!e) break;
        p = e + 1;
    }
    return arr;
}

static hx_status make_labels(const hx_convert_image_opts *o, const cJSON *cfg, int64_t k,
                             cJSON **out, hx_error *err) {
    cJSON *arr = NULL;
    if (o->labels) {
        arr = split_labels(o->labels);
        if (!arr) return hx_fail(err, HX_EINVAL, "--labels: empty label name");
        if (cJSON_GetArraySize(arr) != k) {
            int n = cJSON_GetArraySize(arr);
            cJSON_Delete(arr);
            return hx_fail(err, HX_EINVAL, "--labels gives %d names but the model has %lld classes", n,
                           (long long)k);
        }
        *out = arr;
        return HX_OK;
    }
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(cfg, "label_names");
    if (!names) {
        const cJSON *pc = cJSON_GetObjectItemCaseSensitive(cfg, "pretrained_cfg");
        names = cJSON_GetObjectItemCaseSensitive(pc, "label_names");
    }
    int ok = cJSON_IsArray(names) && cJSON_GetArraySize(names) == k;
    for (const cJSON *e = ok ? names->child : NULL; e; e = e->next) ok &= cJSON_IsString(e);
    if (ok) {
        *out = cJSON_Duplicate(names, 1);
        return *out ? HX_OK : hx_fail(err, HX_ENOMEM, "out of memory");
    }
    arr = cJSON_CreateArray();
    for (int64_t i = 0; arr && i < k; i++) {
        char n[32];
        snprintf(n, sizeof n, "class_%lld", (long long)i);
        cJSON_AddItemToArray(arr, cJSON_CreateString(n));
    }
    *out = arr;
    return arr ? HX_OK : hx_fail(err, HX_ENOMEM, "out of memory");
}

/* Preprocessing: timm's seresnet34 defaults, then config.json's
 * pretrained_cfg, then the options. */
static hx_status make_preprocess(const hx_convert_image_opts *o, const cJSON *cfg, cJSON **out,
                                 hx_error *err) {
    double size = 224, crop = 0.875, mean[3] = {0.485, 0.456, 0.406}, std[3] = {0.229, 0.224, 0.225};
    const char *interp = "bicubic", *mode = "center";
    const cJSON *pc = cJSON_GetObjectItemCaseSensitive(cfg, "pretrained_cfg");
    if (pc) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(pc, "input_size");
        if (v) {
            if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 3 ||
                !cJSON_IsNumber(cJSON_GetArrayItem(v, 0)) || cJSON_GetArrayItem(v, 0)->valuedouble != 3 ||
                !cJSON_IsNumber(cJSON_GetArrayItem(v, 1)) || !cJSON_IsNumber(cJSON_GetArrayItem(v, 2)) ||
                cJSON_GetArrayItem(v, 1)->valuedouble != cJSON_GetArrayItem(v, 2)->valuedouble)
                return hx_fail(err, HX_EUNSUPPORTED, "config.json: pretrained_cfg.input_size must be [3, N, N]");
            size = cJSON_GetArrayItem(v, 1)->valuedouble;
        }
        v = cJSON_GetObjectItemCaseSensitive(pc, "crop_pct");
        if (cJSON_IsNumber(v)) crop = v->valuedouble;
        v = cJSON_GetObjectItemCaseSensitive(pc, "interpolation");
        if (cJSON_IsString(v)) interp = v->valuestring;
        v = cJSON_GetObjectItemCaseSensitive(pc, "crop_mode");
        if (cJSON_IsString(v)) mode = v->valuestring;
        static const char *const keys[2] = {"mean", "std"};
        double *dst[2] = {mean, std};
        for (int k = 0; k < 2; k++) {
            v = cJSON_GetObjectItemCaseSensitive(pc, keys[k]);
            if (!v) continue;
            if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 3)
                return hx_fail(err, HX_EFORMAT, "config.json: pretrained_cfg.%s must have 3 numbers", keys[k]);
            for (int i = 0; i < 3; i++) {
                const cJSON *x = cJSON_GetArrayItem(v, i);
                if (!cJSON_IsNumber(x))
                    return hx_fail(err, HX_EFORMAT, "config.json: pretrained_cfg.%s must have 3 numbers", keys[k]);
                dst[k][i] = x->valuedouble;
            }
        }
    }
    if (o->input_size) size = o->input_size;
    if (o->crop_pct > 0) crop = o->crop_pct;
    if (o->interpolation) interp = o->interpolation;
    if (o->crop_mode) mode = o->crop_mode;
    if (o->has_mean) memcpy(mean, o->mean, sizeof mean);
    if (o->has_std) memcpy(std, o->std, sizeof std);
    if (!(size >= 8 && size <= 4096) || size != floor(size))
        return hx_fail(err, HX_EINVAL, "input size %g is outside 8..4096", size);
    if (!(crop > 0 && crop <= 1))
        return hx_fail(err, HX_EINVAL, "crop fraction %g is outside (0, 1]", crop);
    if (strcmp(interp, "bilinear") && strcmp(interp, "bicubic"))
        return hx_fail(err, HX_EUNSUPPORTED, "interpolation '%s' is not supported (bilinear, bicubic)", interp);
    if (strcmp(mode, "center"))
        return hx_fail(err, HX_EUNSUPPORTED, "crop mode '%s' is not supported (only center)", mode);
    for (int i = 0; i < 3; i++)
        if (!(std[i] > 0) || !isfinite(mean[i]))
            return hx_fail(err, HX_EINVAL, "mean must be finite and std positive");
    cJSON *p = cJSON_CreateObject();
    int sz[3] = {3, (int)size, (int)size};
    cJSON_AddItemToObject(p, "input_size", cJSON_CreateIntArray(sz, 3));
    cJSON_AddNumberToObject(p, "crop_pct", crop);
    cJSON_AddStringToObject(p, "crop_mode", mode);
    cJSON_AddStringToObject(p, "interpolation", interp);
    cJSON_AddItemToObject(p, "mean", cJSON_CreateDoubleArray(mean, 3));
    cJSON_AddItemToObject(p, "std", cJSON_CreateDoubleArray(std, 3));
    *out = p;
    return HX_OK;
}

hx_status hx_convert_seresnet(const char *dir, const char *out_path,
                              const hx_convert_image_opts *opts, hx_convert_report *rep,
                              hx_error *err) {
    hx_convert_image_opts defaults;
    memset(&defaults, 0, sizeof defaults);
    if (!opts) opts = &defaults;
    hx_convert_report local;
    if (!rep) rep = &local;
    memset(rep, 0, sizeof *rep);
    cJSON *cfg = NULL, *meta = NULL, *labels = NULL, *pre = NULL;
    hx_safetensors *st = NULL;
    hx_hlx_writer *w = NULL;
    unsigned char *used = NULL;
    char *json = NULL;
    char *cfg_path = cv_path(dir, "config.json");
    hx_status s = cfg_path ? cv_read_json(cfg_path, 0, &cfg, err) : hx_fail(err, HX_ENOMEM, "out of memory");
    free(cfg_path);
    if (s == HX_OK) {
        const cJSON *arch = cJSON_GetObjectItemCaseSensitive(cfg, "architecture");
        if (arch && (!cJSON_IsString(arch) || !strstr(arch->valuestring, "resnet")))
            s = hx_fail(err, HX_EUNSUPPORTED, "config.json: architecture '%s' is not a (SE-)ResNet",
                        cJSON_IsString(arch) ? arch->valuestring : "?");
    }
    if (s == HX_OK) s = make_preprocess(opts, cfg, &pre, err);
    if (s == HX_OK) s = hx_safetensors_open(dir, &st, err);
    if (s == HX_OK) {
        used = calloc(hx_safetensors_count(st) + 1, 1);
        if (!used) s = hx_fail(err, HX_ENOMEM, "out of memory");
    }
    if (s == HX_OK) s = hx_hlx_writer_new(&w, err);
    int layers[4] = {0}, se = 0;
    int64_t classes = 0;
    if (s == HX_OK) {
        double eps = opts->bn_eps > 0 ? opts->bn_eps : 1e-5;
        ctx c = {st, used, w, rep, eps};
        s = convert_net(&c, layers, &se, &classes, err);
    }
    if (s == HX_OK) s = make_labels(opts, cfg, classes, &labels, err);
    if (s == HX_OK) {
        char name[256], base[256];
        cv_basename(dir, base, sizeof base);
        snprintf(name, sizeof name, "%s", opts->name ? opts->name : base);
        meta = cJSON_CreateObject();
        cJSON_AddStringToObject(meta, "arch", se ? "seresnet" : "resnet");
        cJSON_AddStringToObject(meta, "name", name);
        cJSON *src = cJSON_AddObjectToObject(meta, "source");
        cJSON_AddStringToObject(src, "format", "timm-safetensors");
        cJSON_AddStringToObject(src, "path", base);
        cJSON_AddStringToObject(src, "converter", "helix convert seresnet");
        cJSON_AddNumberToObject(src, "bn_eps", opts->bn_eps > 0 ? opts->bn_eps : 1e-5);
        cJSON_AddItemToObject(meta, "labels", labels);
        labels = NULL;
        cJSON *r = cJSON_AddObjectToObject(meta, "resnet");
        cJSON_AddNumberToObject(r, "depth", 2 * (layers[0] + layers[1] + layers[2] + layers[3]) + 2);
        cJSON_AddItemToObject(r, "layers", cJSON_CreateIntArray(layers, 4));
        cJSON_AddStringToObject(r, "block", "basic");
        cJSON_AddBoolToObject(r, "se", se);
        cJSON_AddNumberToObject(r, "num_classes", (double)classes);
        cJSON_AddItemToObject(meta, "preprocess", pre);
        pre = NULL;
        json = cJSON_PrintUnformatted(meta);
        s = json ? hx_hlx_writer_set_metadata(w, json, err)
                 : hx_fail(err, HX_ENOMEM, "out of memory building the metadata");
    }
    if (s == HX_OK) s = hx_hlx_writer_write(w, out_path, err);
    if (s == HX_OK) cv_report_unused(st, used, rep);
    free(json);
    cJSON_Delete(meta);
    cJSON_Delete(labels);
    cJSON_Delete(pre);
    cJSON_Delete(cfg);
    free(used);
    hx_hlx_writer_free(w);
    hx_safetensors_close(st);
    return s;
}
