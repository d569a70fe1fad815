/* A forest in an .hlx file: the "forest" metadata object and the node-array
 * tensors described in docs/forest-format.md. The file keeps sklearn's own
 * arrays (the evaluator's layout is built at load time), so a file stays
 * valid whatever the evaluator does. .hlx has no float64 dtype: thresholds
 * and leaf values are stored as their IEEE-754 bit patterns in i64 tensors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "helix/forest_file.h"

#define T_OFFSET "forest.tree_offset"
#define T_LEFT "forest.children_left"
#define T_RIGHT "forest.children_right"
#define T_FEATURE "forest.feature"
#define T_THRESHOLD "forest.threshold_f64"
#define T_VALUE "forest.value_f64"
#define T_MISSING "forest.missing_go_to_left"
#define T_INIT "forest.init_raw_f64" /* gradient boosting only */

static cJSON *string_array(char **s, int n) {
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < n; i++) cJSON_AddItemToArray(a, cJSON_CreateString(s[i]));
    return a;
}

static char *metadata_json(const hx_forest_arrays *a, const char *source) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "arch", "forest");
    cJSON_AddStringToObject(root, "name", a->estimator ? a->estimator : "forest");
    cJSON_AddStringToObject(root, "source", source ? source : "");
    if (a->classes) cJSON_AddItemToObject(root, "labels", string_array(a->classes, a->n_values));
    cJSON *f = cJSON_AddObjectToObject(root, "forest");
    /* 2 = gradient boosting: a reader that knows only 1 must refuse it. */
    bool gb = a->link != HX_FOREST_MEAN;
    cJSON_AddNumberToObject(f, "format_version", gb ? 2 : 1);
    cJSON_AddStringToObject(f, "task", a->task == HX_FOREST_CLASSIFIER ? "classification" : "regression");
    cJSON_AddStringToObject(f, "estimator", a->estimator ? a->estimator : "");
    cJSON_AddStringToObject(f, "sklearn_version", a->sklearn_version ? a->sklearn_version : "");
    cJSON_AddNumberToObject(f, "n_features", a->n_features);
    cJSON_AddNumberToObject(f, "n_values", a->n_values);
    cJSON_AddNumberToObject(f, "n_trees", a->n_trees);
    cJSON_AddNumberToObject(f, "n_nodes", (double)hx_forest_arrays_nodes(a));
    cJSON_AddBoolToObject(f, "allow_nan", a->allow_nan);
    if (a->feature_names)
        cJSON_AddItemToObject(f, "feature_names", string_array(a->feature_names, a->n_features));
    else
        cJSON_AddNullToObject(f, "feature_names");
    if (gb) {
        cJSON_AddStringToObject(f, "link", hx_forest_link_name(a->link));
        cJSON_AddStringToObject(f, "label_rule",
                                a->label_rule == HX_FOREST_LABEL_RAW ? "raw" : "argmax_proba");
        cJSON_AddNumberToObject(f, "n_raw", a->n_raw);
        /* cJSON prints a double with 15 significant digits only when they
         * read back to the same bits, else with 17: exact either way. */
        cJSON_AddNumberToObject(f, "learning_rate", a->learning_rate);
    }
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return s;
}

hx_status hx_forest_hlx_write(const hx_forest_arrays *a, const char *source, const char *path,
                              hx_error *err) {
    int64_t n = hx_forest_arrays_nodes(a);
    if (a->link != HX_FOREST_MEAN && (!a->init_raw || a->n_raw < 1))
        return hx_fail(err, HX_EINVAL, "forest: boosted model without initial raw scores");
    char *meta = metadata_json(a, source);
    if (!meta) return hx_fail(err, HX_ENOMEM, "forest: out of memory");
    hx_hlx_writer *w = NULL;
    hx_status st = hx_hlx_writer_new(&w, err);
    if (st == HX_OK) st = hx_hlx_writer_set_metadata(w, meta, err);
    int64_t cols = hx_forest_arrays_value_cols(a);
    int64_t d_off[1] = {a->n_trees + 1}, d_n[1] = {n}, d_val[2] = {n, cols}, d_init[1] = {a->n_raw};
    if (st == HX_OK)
        st = hx_hlx_writer_add(w, T_OFFSET, HX_DT_I64, 1, d_off, a->tree_offset,
                               (size_t)d_off[0] * 8, err);
    if (st == HX_OK)
        st = hx_hlx_writer_add(w, T_LEFT, HX_DT_I32, 1, d_n, a->left, (size_t)n * 4, err);
    if (st == HX_OK)
        st = hx_hlx_writer_add(w, T_RIGHT, HX_DT_I32, 1, d_n, a->right, (size_t)n * 4, err);
    if (st == HX_OK)
        st = hx_hlx_writer_add(w, T_FEATURE, HX_DT_I32, 1, d_n, a->feature, (size_t)n * 4, err);
    /* double and int64 have the same size and byte order on every helix
     * target, so the bits go in as they are. */
    if (st == HX_OK)
        st = hx_hlx_writer_add(w, T_THRESHOLD, HX_DT_I64, 1, d_n, a->threshold, (size_t)n * 8, err);
    if (st == HX_OK)
        st = hx_hlx_writer_add(w, T_VALUE, HX_DT_I64, 2, d_val, a->value, (size_t)(n * cols) * 8,
                               err);
    if (st == HX_OK && a->link != HX_FOREST_MEAN)
        st = hx_hlx_writer_add(w, T_INIT, HX_DT_I64, 1, d_init, a->init_raw, (size_t)a->n_raw * 8,
                               err);
    if (st == HX_OK && a->allow_nan)
        st = hx_hlx_writer_add(w, T_MISSING, HX_DT_U8, 1, d_n, a->missing_left, (size_t)n, err);
    if (st == HX_OK) st = hx_hlx_writer_write(w, path, err);
    hx_hlx_writer_free(w);
    free(meta);
    return st;
}

static bool meta_int(const cJSON *o, const char *key, int64_t lo, int64_t hi, int64_t *out) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(it) || !(it->valuedouble >= (double)lo && it->valuedouble <= (double)hi) ||
        it->valuedouble != floor(it->valuedouble))
        return false;
    *out = (int64_t)it->valuedouble;
    return true;
}

static char *meta_strdup(const cJSON *it) {
    if (!cJSON_IsString(it)) return NULL;
    size_t n = strlen(it->valuestring);
    char *s = malloc(n + 1);
    if (s) memcpy(s, it->valuestring, n + 1);
    return s;
}

static hx_status meta_strings(const cJSON *arr, int n, const char *what, char ***out, hx_error *err) {
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != n)
        return hx_fail(err, HX_EFORMAT, "forest .hlx: \"%s\" must be an array of %d strings", what, n);
    char **v = calloc((size_t)n, sizeof *v);
    if (!v) return hx_fail(err, HX_ENOMEM, "forest .hlx: out of memory");
    *out = v;
    int i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        if (!(v[i] = meta_strdup(it)))
            return hx_fail(err, HX_EFORMAT, "forest .hlx: \"%s\"[%d] is not a string", what, i);
        i++;
    }
    return HX_OK;
}

/* Copies tensor name, which must have exactly the given dtype and dims. */
static hx_status get_tensor(const hx_hlx *f, const char *name, hx_dtype dt, int rank,
                            const int64_t *dims, void **out, hx_error *err) {
    hx_tensor_view v;
    hx_status st = hx_hlx_find(f, name, &v, err);
    if (st != HX_OK) return st;
    bool ok = v.dtype == dt && v.rank == rank;
    size_t bytes = hx_dtype_size(dt);
    for (int i = 0; ok && i < rank; i++) {
        ok = v.dims[i] == dims[i];
        bytes *= (size_t)dims[i];
    }
    if (!ok || v.nbytes != bytes)
        return hx_fail(err, HX_EFORMAT, "forest .hlx: tensor %s has the wrong dtype or shape", name);
    *out = malloc(bytes ? bytes : 1);
    if (!*out) return hx_fail(err, HX_ENOMEM, "forest .hlx: out of memory");
    memcpy(*out, v.data, bytes);
    return HX_OK;
}

static hx_status read_meta(const cJSON *root, hx_forest_arrays *a, int64_t *n_nodes, hx_error *err) {
    const cJSON *arch = cJSON_GetObjectItemCaseSensitive(root, "arch");
    if (!cJSON_IsString(arch) || strcmp(arch->valuestring, "forest") != 0)
        return hx_fail(err, HX_EFORMAT, "not a forest model (\"arch\" is not \"forest\")");
    const cJSON *fo = cJSON_GetObjectItemCaseSensitive(root, "forest");
    if (!cJSON_IsObject(fo)) return hx_fail(err, HX_EFORMAT, "forest .hlx: no \"forest\" object");
    int64_t v;
    if (!meta_int(fo, "format_version", 0, 1000000, &v) || (v != 1 && v != 2))
        return hx_fail(err, HX_EVERSION, "forest .hlx: unknown forest format_version");
    if (v == 2) {
        const cJSON *link = cJSON_GetObjectItemCaseSensitive(fo, "link");
        int l = cJSON_IsString(link) ? hx_forest_link_parse(link->valuestring) : -1;
        const cJSON *rule = cJSON_GetObjectItemCaseSensitive(fo, "label_rule");
        const cJSON *lr = cJSON_GetObjectItemCaseSensitive(fo, "learning_rate");
        int64_t nr;
        if (l <= HX_FOREST_MEAN || !cJSON_IsString(rule) || !cJSON_IsNumber(lr) ||
            !isfinite(lr->valuedouble) || !meta_int(fo, "n_raw", 1, 1 << 16, &nr))
            return hx_fail(err, HX_EFORMAT,
                           "forest .hlx: boosting fields (link, label_rule, n_raw, learning_rate) missing or bad");
        if (!strcmp(rule->valuestring, "raw"))
            a->label_rule = HX_FOREST_LABEL_RAW;
        else if (!strcmp(rule->valuestring, "argmax_proba"))
            a->label_rule = HX_FOREST_LABEL_ARGMAX_PROBA;
        else
            return hx_fail(err, HX_EFORMAT, "forest .hlx: bad \"label_rule\"");
        a->link = (hx_forest_link)l;
        a->n_raw = (int32_t)nr;
        a->learning_rate = lr->valuedouble;
    }
    const cJSON *task = cJSON_GetObjectItemCaseSensitive(fo, "task");
    if (cJSON_IsString(task) && !strcmp(task->valuestring, "classification"))
        a->task = HX_FOREST_CLASSIFIER;
    else if (cJSON_IsString(task) && !strcmp(task->valuestring, "regression"))
        a->task = HX_FOREST_REGRESSOR;
    else
        return hx_fail(err, HX_EFORMAT, "forest .hlx: bad \"task\"");
    int64_t nf, nv, nt;
    if (!meta_int(fo, "n_features", 1, 1 << 24, &nf) || !meta_int(fo, "n_values", 1, 1 << 16, &nv) ||
        !meta_int(fo, "n_trees", 1, 1 << 20, &nt) || !meta_int(fo, "n_nodes", 1, (int64_t)1 << 28, n_nodes))
        return hx_fail(err, HX_EFORMAT, "forest .hlx: n_features/n_values/n_trees/n_nodes missing or out of range");
    if ((a->link == HX_FOREST_MEAN ? nv : 1) * *n_nodes > ((int64_t)1 << 32))
        return hx_fail(err, HX_ERANGE, "forest .hlx: leaf values too large");
    a->n_features = (int32_t)nf;
    a->n_values = (int32_t)nv;
    a->n_trees = (int32_t)nt;
    const cJSON *nan = cJSON_GetObjectItemCaseSensitive(fo, "allow_nan");
    if (!cJSON_IsBool(nan)) return hx_fail(err, HX_EFORMAT, "forest .hlx: \"allow_nan\" missing");
    a->allow_nan = cJSON_IsTrue(nan);
    a->estimator = meta_strdup(cJSON_GetObjectItemCaseSensitive(fo, "estimator"));
    a->sklearn_version = meta_strdup(cJSON_GetObjectItemCaseSensitive(fo, "sklearn_version"));
    if (!a->estimator || !a->sklearn_version)
        return hx_fail(err, HX_EFORMAT, "forest .hlx: \"estimator\" or \"sklearn_version\" missing");
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(fo, "feature_names");
    hx_status st = HX_OK;
    if (names && !cJSON_IsNull(names))
        st = meta_strings(names, a->n_features, "feature_names", &a->feature_names, err);
    if (st == HX_OK && a->task == HX_FOREST_CLASSIFIER)
        st = meta_strings(cJSON_GetObjectItemCaseSensitive(root, "labels"), a->n_values, "labels",
                          &a->classes, err);
    return st;
}

hx_status hx_forest_hlx_read(const hx_hlx *f, hx_forest_arrays *a, hx_error *err) {
    memset(a, 0, sizeof *a);
    size_t len;
    const char *text = hx_hlx_metadata(f, &len);
    cJSON *root = text ? cJSON_ParseWithLength(text, len) : NULL;
    if (!root) return hx_fail(err, HX_EFORMAT, "forest .hlx: metadata is not valid JSON");
    int64_t n = 0;
    hx_status st = read_meta(root, a, &n, err);
    cJSON_Delete(root);
    int64_t d_off[1] = {(int64_t)a->n_trees + 1}, d_n[1] = {n},
            d_val[2] = {n, hx_forest_arrays_value_cols(a)}, d_init[1] = {a->n_raw};
    if (st == HX_OK) st = get_tensor(f, T_OFFSET, HX_DT_I64, 1, d_off, (void **)&a->tree_offset, err);
    if (st == HX_OK) st = get_tensor(f, T_LEFT, HX_DT_I32, 1, d_n, (void **)&a->left, err);
    if (st == HX_OK) st = get_tensor(f, T_RIGHT, HX_DT_I32, 1, d_n, (void **)&a->right, err);
    if (st == HX_OK) st = get_tensor(f, T_FEATURE, HX_DT_I32, 1, d_n, (void **)&a->feature, err);
    if (st == HX_OK) st = get_tensor(f, T_THRESHOLD, HX_DT_I64, 1, d_n, (void **)&a->threshold, err);
    if (st == HX_OK) st = get_tensor(f, T_VALUE, HX_DT_I64, 2, d_val, (void **)&a->value, err);
    if (st == HX_OK && a->link != HX_FOREST_MEAN)
        st = get_tensor(f, T_INIT, HX_DT_I64, 1, d_init, (void **)&a->init_raw, err);
    if (st == HX_OK && a->allow_nan)
        st = get_tensor(f, T_MISSING, HX_DT_U8, 1, d_n, (void **)&a->missing_left, err);
    /* The offsets must rise from 0 to n: hx_forest_build checks each tree's
     * count, this checks the total the arrays were sized for. */
    if (st == HX_OK) {
        for (int t = 0; t < a->n_trees && st == HX_OK; t++)
            if (a->tree_offset[t + 1] <= a->tree_offset[t])
                st = hx_fail(err, HX_EFORMAT, "forest .hlx: tree %d has no nodes", t);
        if (st == HX_OK && (a->tree_offset[0] != 0 || a->tree_offset[a->n_trees] != n))
            st = hx_fail(err, HX_EFORMAT, "forest .hlx: tree offsets do not span the %lld nodes",
                         (long long)n);
    }
    if (st != HX_OK) hx_forest_arrays_free(a);
    return st;
}
