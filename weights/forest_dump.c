/* Reads the forest dump written by tools/export_sklearn_forest.py: a JSON
 * object whose per-tree node arrays are base64 strings of little-endian
 * binary (exact doubles, compact). Schema: docs/forest-format.md. Every
 * count and length is checked here; the tree structure by hx_forest_build. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "helix/file_util.h"
#include "helix/forest_file.h"

#define MAX_FEATURES (1 << 24)
#define MAX_VALUES (1 << 16)
#define MAX_TREES (1 << 20)
#define MAX_NODES ((int64_t)1 << 28) /* per forest */
/* A dump is read whole: far above any forest of MAX_NODES that fits in memory. */
#define FOREST_DUMP_MAX_BYTES ((size_t)1 << 32)

static int b64_digit(unsigned char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Decodes standard padded base64 into exactly n bytes at dst; false on any
 * bad character, bad padding or a length other than n. */
static bool b64_decode_exact(const char *s, unsigned char *dst, size_t n) {
    size_t len = strlen(s);
    if (len % 4 != 0 || len / 4 != (n + 2) / 3) return false;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        int d[4];
        int pad = 0;
        for (int j = 0; j < 4; j++) {
            unsigned char c = (unsigned char)s[i + j];
            if (c == '=' && i + 4 == len && j >= 2) {
                d[j] = 0;
                pad++;
            } else {
                if (pad) return false; /* data after '=' */
                d[j] = b64_digit(c);
                if (d[j] < 0) return false;
            }
        }
        uint32_t v = (uint32_t)d[0] << 18 | (uint32_t)d[1] << 12 | (uint32_t)d[2] << 6 | (uint32_t)d[3];
        unsigned char b[3] = {(unsigned char)(v >> 16), (unsigned char)(v >> 8), (unsigned char)v};
        for (int j = 0; j < 3 - pad; j++) {
            if (o >= n) return false;
            dst[o++] = b[j];
        }
    }
    return o == n;
}

static bool get_int(const cJSON *obj, const char *key, int64_t lo, int64_t hi, int64_t *out) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(it)) return false;
    double v = it->valuedouble;
    if (!(v >= (double)lo && v <= (double)hi) || v != floor(v)) return false;
    *out = (int64_t)v;
    return true;
}

static char *dup_string(const cJSON *it) {
    if (!cJSON_IsString(it) || !it->valuestring) return NULL;
    size_t n = strlen(it->valuestring);
    char *s = malloc(n + 1);
    if (s) memcpy(s, it->valuestring, n + 1);
    return s;
}

/* An array of exactly n strings, copied; NULL entries on error. */
static hx_status get_strings(const cJSON *arr, int n, const char *what, char ***out, hx_error *err) {
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != n)
        return hx_fail(err, HX_EFORMAT, "forest dump: \"%s\" must be an array of %d strings", what, n);
    char **v = calloc((size_t)n, sizeof *v);
    if (!v) return hx_fail(err, HX_ENOMEM, "forest dump: out of memory");
    *out = v;
    int i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        v[i] = dup_string(it);
        if (!v[i]) return hx_fail(err, HX_EFORMAT, "forest dump: \"%s\"[%d] is not a string", what, i);
        i++;
    }
    return HX_OK;
}

/* Little-endian bytes to host values (helix targets are little-endian, but
 * do not rely on the layout of the decode buffer). */
static void le_to_i32(const unsigned char *b, int32_t *dst, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        uint32_t u = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 | (uint32_t)b[4 * i + 2] << 16 |
                     (uint32_t)b[4 * i + 3] << 24;
        memcpy(&dst[i], &u, 4);
    }
}

static void le_to_f64(const unsigned char *b, double *dst, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        uint64_t u = 0;
        for (int j = 7; j >= 0; j--) u = u << 8 | b[8 * i + j];
        memcpy(&dst[i], &u, 8);
    }
}

static hx_status decode_array(const cJSON *tree, int t, const char *key, size_t elem, int64_t n,
                              unsigned char *buf, hx_error *err) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(tree, key);
    if (!cJSON_IsString(it) || !it->valuestring)
        return hx_fail(err, HX_EFORMAT, "forest dump: tree %d: \"%s\" missing or not a string", t, key);
    if (!b64_decode_exact(it->valuestring, buf, (size_t)n * elem))
        return hx_fail(err, HX_EFORMAT,
                       "forest dump: tree %d: \"%s\" is not base64 of %lld values of %zu bytes", t,
                       key, (long long)n, elem);
    return HX_OK;
}

/* Length of the padded base64 text of `bytes` bytes. */
static size_t b64_len(uint64_t bytes) { return (size_t)((bytes + 2) / 3 * 4); }

/* Checks that each node array of tree t is a string whose length fits n
 * nodes (cols leaf values each), before anything of size n is allocated.
 * The content is decoded and checked later. */
static hx_status check_lengths(const cJSON *tree, int t, int64_t n, int64_t cols, bool allow_nan,
                               hx_error *err) {
    static const struct { const char *key; unsigned elem; bool per_value, nan_only; } arrays[] = {
        {"children_left", 4, false, false}, {"children_right", 4, false, false},
        {"feature", 4, false, false},       {"threshold", 8, false, false},
        {"value", 8, true, false},          {"missing_go_to_left", 1, false, true},
    };
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) {
        if (arrays[i].nan_only && !allow_nan) continue;
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(tree, arrays[i].key);
        if (!cJSON_IsString(it) || !it->valuestring)
            return hx_fail(err, HX_EFORMAT, "forest dump: tree %d: \"%s\" missing or not a string",
                           t, arrays[i].key);
        uint64_t bytes = (uint64_t)n * arrays[i].elem * (uint64_t)(arrays[i].per_value ? cols : 1);
        if (strlen(it->valuestring) != b64_len(bytes))
            return hx_fail(err, HX_EFORMAT,
                           "forest dump: tree %d: \"%s\" has the wrong length for node_count %lld",
                           t, arrays[i].key, (long long)n);
    }
    return HX_OK;
}

/* Version-2 fields: link, label_rule, n_raw, learning_rate, init_raw.
 * Their agreement with the task and tree count is checked by
 * hx_forest_build; here only types and sizes. */
static hx_status parse_boosting(const cJSON *root, hx_forest_arrays *a, hx_error *err) {
    const cJSON *link = cJSON_GetObjectItemCaseSensitive(root, "link");
    int l = cJSON_IsString(link) ? hx_forest_link_parse(link->valuestring) : -1;
    if (l <= HX_FOREST_MEAN)
        return hx_fail(err, HX_EFORMAT, "forest dump: \"link\" missing or not a boosting link");
    a->link = (hx_forest_link)l;
    const cJSON *rule = cJSON_GetObjectItemCaseSensitive(root, "label_rule");
    if (cJSON_IsString(rule) && !strcmp(rule->valuestring, "argmax_proba"))
        a->label_rule = HX_FOREST_LABEL_ARGMAX_PROBA;
    else if (cJSON_IsString(rule) && !strcmp(rule->valuestring, "raw"))
        a->label_rule = HX_FOREST_LABEL_RAW;
    else
        return hx_fail(err, HX_EFORMAT, "forest dump: \"label_rule\" must be argmax_proba or raw");
    int64_t v;
    if (!get_int(root, "n_raw", 1, MAX_VALUES, &v))
        return hx_fail(err, HX_EFORMAT, "forest dump: \"n_raw\" missing or out of range");
    a->n_raw = (int32_t)v;
    const cJSON *lr = cJSON_GetObjectItemCaseSensitive(root, "learning_rate");
    if (!cJSON_IsNumber(lr) || !isfinite(lr->valuedouble))
        return hx_fail(err, HX_EFORMAT, "forest dump: \"learning_rate\" missing or not finite");
    a->learning_rate = lr->valuedouble;
    /* init_raw: base64 of n_raw little-endian doubles (exact bits). */
    const cJSON *init = cJSON_GetObjectItemCaseSensitive(root, "init_raw");
    if (!cJSON_IsString(init) || !init->valuestring ||
        strlen(init->valuestring) != b64_len((uint64_t)a->n_raw * 8))
        return hx_fail(err, HX_EFORMAT, "forest dump: \"init_raw\" is not base64 of %d doubles",
                       (int)a->n_raw);
    unsigned char *buf = malloc((size_t)a->n_raw * 8);
    a->init_raw = malloc((size_t)a->n_raw * sizeof *a->init_raw);
    if (!buf || !a->init_raw) {
        free(buf);
        return hx_fail(err, HX_ENOMEM, "forest dump: out of memory");
    }
    bool ok = cJSON_IsString(init) && init->valuestring &&
              b64_decode_exact(init->valuestring, buf, (size_t)a->n_raw * 8);
    if (ok) le_to_f64(buf, a->init_raw, a->n_raw);
    free(buf);
    if (!ok)
        return hx_fail(err, HX_EFORMAT, "forest dump: \"init_raw\" is not base64 of %d doubles",
                       (int)a->n_raw);
    for (int k = 0; k < a->n_raw; k++)
        if (!isfinite(a->init_raw[k]))
            return hx_fail(err, HX_EFORMAT, "forest dump: init_raw[%d] not finite", k);
    return HX_OK;
}

static hx_status parse_header(const cJSON *root, hx_forest_arrays *a, hx_error *err) {
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, "helix-forest-dump") != 0)
        return hx_fail(err, HX_EFORMAT, "forest dump: \"format\" is not \"helix-forest-dump\"");
    int64_t v;
    if (!get_int(root, "format_version", 0, 1000000, &v))
        return hx_fail(err, HX_EFORMAT, "forest dump: \"format_version\" missing");
    if (v != 1 && v != 2)
        return hx_fail(err, HX_EVERSION, "forest dump: format_version %lld (this reader: 1, 2)",
                       (long long)v);
    const bool boosting = v == 2; /* version 2: gradient boosting (a reader of 1 must refuse it) */
    const cJSON *task = cJSON_GetObjectItemCaseSensitive(root, "task");
    if (cJSON_IsString(task) && !strcmp(task->valuestring, "classification"))
        a->task = HX_FOREST_CLASSIFIER;
    else if (cJSON_IsString(task) && !strcmp(task->valuestring, "regression"))
        a->task = HX_FOREST_REGRESSOR;
    else
        return hx_fail(err, HX_EFORMAT, "forest dump: \"task\" must be classification or regression");
    if (!get_int(root, "n_features", 1, MAX_FEATURES, &v))
        return hx_fail(err, HX_EFORMAT, "forest dump: \"n_features\" missing or out of range");
    a->n_features = (int32_t)v;
    if (!get_int(root, "n_values", 1, MAX_VALUES, &v))
        return hx_fail(err, HX_EFORMAT, "forest dump: \"n_values\" missing or out of range");
    a->n_values = (int32_t)v;
    if (a->task == HX_FOREST_REGRESSOR && a->n_values != 1)
        return hx_fail(err, HX_EUNSUPPORTED, "forest dump: multi-output regression is not supported");
    const cJSON *nan = cJSON_GetObjectItemCaseSensitive(root, "allow_nan");
    if (!cJSON_IsBool(nan)) return hx_fail(err, HX_EFORMAT, "forest dump: \"allow_nan\" missing");
    a->allow_nan = cJSON_IsTrue(nan);
    a->estimator = dup_string(cJSON_GetObjectItemCaseSensitive(root, "estimator"));
    a->sklearn_version = dup_string(cJSON_GetObjectItemCaseSensitive(root, "sklearn_version"));
    if (!a->estimator || !a->sklearn_version)
        return hx_fail(err, HX_EFORMAT, "forest dump: \"estimator\" or \"sklearn_version\" missing");
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(root, "feature_names");
    if (names && !cJSON_IsNull(names)) {
        hx_status st = get_strings(names, a->n_features, "feature_names", &a->feature_names, err);
        if (st != HX_OK) return st;
    }
    if (a->task == HX_FOREST_CLASSIFIER) {
        hx_status st = get_strings(cJSON_GetObjectItemCaseSensitive(root, "classes"), a->n_values,
                                   "classes", &a->classes, err);
        if (st != HX_OK) return st;
    }
    return boosting ? parse_boosting(root, a, err) : HX_OK;
}

static hx_status parse_trees(const cJSON *trees, hx_forest_arrays *a, hx_error *err) {
    int nt = cJSON_GetArraySize(trees);
    if (!cJSON_IsArray(trees) || nt < 1 || nt > MAX_TREES)
        return hx_fail(err, HX_EFORMAT, "forest dump: \"trees\" must be a non-empty array");
    a->n_trees = nt;
    a->tree_offset = malloc(((size_t)nt + 1) * sizeof *a->tree_offset);
    if (!a->tree_offset) return hx_fail(err, HX_ENOMEM, "forest dump: out of memory");
    /* First pass: node counts, so the arrays are allocated once. */
    int64_t total = 0;
    int t = 0;
    const cJSON *tree;
    a->tree_offset[0] = 0;
    const int64_t cols = hx_forest_arrays_value_cols(a);
    cJSON_ArrayForEach(tree, trees) {
        int64_t n;
        if (!cJSON_IsObject(tree) || !get_int(tree, "node_count", 1, MAX_NODES, &n))
            return hx_fail(err, HX_EFORMAT, "forest dump: tree %d: \"node_count\" missing or bad", t);
        /* A declared count is only believed when the tree's own base64
         * strings are long enough to hold it: otherwise a few hundred bytes
         * could make us allocate gigabytes before finding the arrays short. */
        hx_status st = check_lengths(tree, t, n, cols, a->allow_nan, err);
        if (st != HX_OK) return st;
        total += n;
        if (total > MAX_NODES)
            return hx_fail(err, HX_ERANGE, "forest dump: more than %lld nodes", (long long)MAX_NODES);
        a->tree_offset[++t] = total;
    }
    if (cols * total > MAX_NODES * 16)
        return hx_fail(err, HX_ERANGE, "forest dump: leaf values too large");
    size_t n = (size_t)total;
    a->left = malloc(n * sizeof *a->left);
    a->right = malloc(n * sizeof *a->right);
    a->feature = malloc(n * sizeof *a->feature);
    a->threshold = malloc(n * sizeof *a->threshold);
    a->value = malloc(n * (size_t)cols * sizeof *a->value);
    if (a->allow_nan) a->missing_left = malloc(n);
    int64_t max_n = 0;
    for (int i = 0; i < nt; i++)
        if (a->tree_offset[i + 1] - a->tree_offset[i] > max_n) max_n = a->tree_offset[i + 1] - a->tree_offset[i];
    unsigned char *buf = malloc((size_t)max_n * 8 * (size_t)cols + 8);
    if (!a->left || !a->right || !a->feature || !a->threshold || !a->value || !buf ||
        (a->allow_nan && !a->missing_left)) {
        free(buf);
        return hx_fail(err, HX_ENOMEM, "forest dump: out of memory");
    }
    hx_status st = HX_OK;
    t = 0;
    cJSON_ArrayForEach(tree, trees) {
        int64_t base = a->tree_offset[t], cnt = a->tree_offset[t + 1] - base;
        if ((st = decode_array(tree, t, "children_left", 4, cnt, buf, err)) != HX_OK) break;
        le_to_i32(buf, a->left + base, cnt);
        if ((st = decode_array(tree, t, "children_right", 4, cnt, buf, err)) != HX_OK) break;
        le_to_i32(buf, a->right + base, cnt);
        if ((st = decode_array(tree, t, "feature", 4, cnt, buf, err)) != HX_OK) break;
        le_to_i32(buf, a->feature + base, cnt);
        if ((st = decode_array(tree, t, "threshold", 8, cnt, buf, err)) != HX_OK) break;
        le_to_f64(buf, a->threshold + base, cnt);
        if ((st = decode_array(tree, t, "value", 8, cnt * cols, buf, err)) != HX_OK) break;
        le_to_f64(buf, a->value + base * cols, cnt * cols);
        if (a->allow_nan) {
            if ((st = decode_array(tree, t, "missing_go_to_left", 1, cnt, buf, err)) != HX_OK) break;
            memcpy(a->missing_left + base, buf, (size_t)cnt);
        }
        t++;
    }
    free(buf);
    return st;
}

hx_status hx_forest_dump_parse(const char *json, size_t len, hx_forest_arrays *out, hx_error *err) {
    memset(out, 0, sizeof *out);
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) return hx_fail(err, HX_EFORMAT, "forest dump: not valid JSON");
    hx_status st;
    if (!cJSON_IsObject(root))
        st = hx_fail(err, HX_EFORMAT, "forest dump: top level is not an object");
    else if ((st = parse_header(root, out, err)) == HX_OK)
        st = parse_trees(cJSON_GetObjectItemCaseSensitive(root, "trees"), out, err);
    cJSON_Delete(root);
    if (st != HX_OK) hx_forest_arrays_free(out);
    return st;
}

hx_status hx_forest_dump_load(const char *path, hx_forest_arrays *out, hx_error *err) {
    memset(out, 0, sizeof *out);
    char *buf = NULL;
    size_t len = 0;
    hx_status st = hx_read_file(path, FOREST_DUMP_MAX_BYTES, &buf, &len, err);
    if (st != HX_OK) return st;
    st = hx_forest_dump_parse(buf, len, out, err);
    free(buf);
    return st;
}
