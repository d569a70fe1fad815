/* Reads the "seresnet"/"resnet" metadata of an .hlx file and builds the model. */
#include "helix/seresnet_file.h"

#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "helix/hlx.h"

static hx_status get_num(const cJSON *obj, const char *key, double lo, double hi, double *out,
                         hx_error *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= lo && v->valuedouble <= hi))
        return hx_fail(err, HX_EFORMAT, "metadata field %s is missing or out of range", key);
    *out = v->valuedouble;
    return HX_OK;
}

static hx_status get_floats(const cJSON *obj, const char *key, int n, double lo, double hi,
                            double *out, hx_error *err) {
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != n)
        return hx_fail(err, HX_EFORMAT, "metadata field %s must be an array of %d numbers", key, n);
    for (int i = 0; i < n; i++) {
        const cJSON *v = cJSON_GetArrayItem(a, i);
        if (!cJSON_IsNumber(v) || !(v->valuedouble >= lo && v->valuedouble <= hi))
            return hx_fail(err, HX_EFORMAT, "metadata field %s[%d] is not a number in range", key, i);
        out[i] = v->valuedouble;
    }
    return HX_OK;
}

static hx_status parse(const cJSON *root, hx_seresnet_config *cfg, hx_seresnet_file *m, hx_error *err) {
    hx_status st;
    const cJSON *arch = cJSON_GetObjectItemCaseSensitive(root, "arch");
    if (!cJSON_IsString(arch) || (strcmp(arch->valuestring, "seresnet") && strcmp(arch->valuestring, "resnet")))
        return hx_fail(err, HX_EUNSUPPORTED, "metadata arch is not \"seresnet\" or \"resnet\"");
    const cJSON *rn = cJSON_GetObjectItemCaseSensitive(root, "resnet");
    if (!cJSON_IsObject(rn)) return hx_fail(err, HX_EFORMAT, "metadata has no \"resnet\" object");
    const cJSON *block = cJSON_GetObjectItemCaseSensitive(rn, "block");
    if (block && (!cJSON_IsString(block) || strcmp(block->valuestring, "basic")))
        return hx_fail(err, HX_EUNSUPPORTED, "metadata resnet.block must be \"basic\"");
    double layers[4], nc = 0;
    if ((st = get_floats(rn, "layers", 4, 1, 64, layers, err)) != HX_OK) return st;
    if ((st = get_num(rn, "num_classes", 1, 100000, &nc, err)) != HX_OK) return st;
    const cJSON *se = cJSON_GetObjectItemCaseSensitive(rn, "se");
    if (se && !cJSON_IsBool(se)) return hx_fail(err, HX_EFORMAT, "metadata resnet.se must be a boolean");
    for (int i = 0; i < 4; i++) cfg->layers[i] = (int)layers[i];
    cfg->se = se ? cJSON_IsTrue(se) : !strcmp(arch->valuestring, "seresnet");
    cfg->num_classes = (int)nc;

    const cJSON *pp = cJSON_GetObjectItemCaseSensitive(root, "preprocess");
    if (!cJSON_IsObject(pp)) return hx_fail(err, HX_EFORMAT, "metadata has no \"preprocess\" object");
    double size[3], crop = 0, mean[3], std[3];
    if ((st = get_floats(pp, "input_size", 3, 1, 4096, size, err)) != HX_OK) return st;
    if (size[0] != 3) return hx_fail(err, HX_EUNSUPPORTED, "metadata input_size must have 3 channels");
    if ((st = get_num(pp, "crop_pct", 1e-3, 1.0, &crop, err)) != HX_OK) return st;
    if ((st = get_floats(pp, "mean", 3, -1e3, 1e3, mean, err)) != HX_OK) return st;
    if ((st = get_floats(pp, "std", 3, 1e-6, 1e3, std, err)) != HX_OK) return st;
    const cJSON *mode = cJSON_GetObjectItemCaseSensitive(pp, "crop_mode");
    if (mode && (!cJSON_IsString(mode) || strcmp(mode->valuestring, "center")))
        return hx_fail(err, HX_EUNSUPPORTED, "metadata preprocess.crop_mode must be \"center\"");
    const cJSON *interp = cJSON_GetObjectItemCaseSensitive(pp, "interpolation");
    if (!cJSON_IsString(interp) ||
        (strcmp(interp->valuestring, "bilinear") && strcmp(interp->valuestring, "bicubic")))
        return hx_fail(err, HX_EUNSUPPORTED, "metadata preprocess.interpolation must be bilinear or bicubic");
    m->pre.height = (int)size[1];
    m->pre.width = (int)size[2];
    m->pre.crop_pct = crop;
    m->pre.interp = strcmp(interp->valuestring, "bicubic") ? HX_INTERP_BILINEAR : HX_INTERP_BICUBIC;
    for (int c = 0; c < 3; c++) m->pre.mean[c] = (float)mean[c], m->pre.std[c] = (float)std[c];
    if (m->pre.height != m->pre.width)
        return hx_fail(err, HX_EUNSUPPORTED, "metadata input_size must be square");

    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(root, "labels");
    if (!cJSON_IsArray(labels) || cJSON_GetArraySize(labels) != cfg->num_classes)
        return hx_fail(err, HX_EFORMAT, "metadata labels must be an array of num_classes (%d) strings",
                       cfg->num_classes);
    m->labels = calloc((size_t)cfg->num_classes, sizeof(char *));
    if (!m->labels) return hx_fail(err, HX_ENOMEM, "out of memory for labels");
    m->n_labels = cfg->num_classes;
    for (int i = 0; i < cfg->num_classes; i++) {
        const cJSON *l = cJSON_GetArrayItem(labels, i);
        if (!cJSON_IsString(l)) return hx_fail(err, HX_EFORMAT, "metadata labels[%d] is not a string", i);
        if (!(m->labels[i] = strdup(l->valuestring))) return hx_fail(err, HX_ENOMEM, "out of memory for labels");
    }
    return HX_OK;
}

hx_status hx_seresnet_file_from(const char *meta_json, const hx_tensor_source *src,
                                hx_seresnet_file *m, hx_error *err) {
    memset(m, 0, sizeof *m);
    cJSON *root = cJSON_Parse(meta_json);
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return hx_fail(err, HX_EFORMAT, "model metadata is not a JSON object");
    }
    hx_seresnet_config cfg;
    hx_status st = parse(root, &cfg, m, err);
    cJSON_Delete(root);
    if (st == HX_OK) st = hx_seresnet_create(&cfg, src, &m->net, err);
    if (st != HX_OK) hx_seresnet_file_close(m);
    return st;
}

hx_status hx_seresnet_file_open(const char *path, hx_seresnet_file *m, hx_error *err) {
    memset(m, 0, sizeof *m);
    hx_hlx *f;
    hx_status st = hx_hlx_open(path, &f, err);
    if (st != HX_OK) return st;
    const hx_tensor_source src = hx_hlx_source(f);
    st = hx_seresnet_file_from(hx_hlx_metadata(f, NULL), &src, m, err);
    hx_hlx_close(f);
    return st;
}

void hx_seresnet_file_close(hx_seresnet_file *m) {
    if (!m) return;
    hx_seresnet_free(m->net);
    for (int i = 0; m->labels && i < m->n_labels; i++) free(m->labels[i]);
    free(m->labels);
    memset(m, 0, sizeof *m);
}
