/* LM.json reading and writing with cJSON (include/helix/label_model_file.h). */
#include "helix/label_model_file.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "helix/file_util.h"

/* An LM.json holds at most HX_LM_MAX_D rows of HX_LM_MAX_CARDINALITY + 1
 * numbers: far below this. */
#define LM_FILE_MAX_BYTES ((size_t)1 << 31)

void hx_lm_file_free(hx_lm_file *f) {
    if (!f) return;
    if (f->is_dawid_skene) hx_ds_free(&f->ds);
    else hx_lm_free(&f->lm);
    if (f->sources)
        for (int j = 0; j < f->m; j++) free(f->sources[j]);
    free(f->sources);
    memset(f, 0, sizeof *f);
}

static void write_row(FILE *o, const double *v, int k) {
    fputc('[', o);
    for (int y = 0; y < k; y++) fprintf(o, "%s%.9g", y ? ", " : "", v[y]);
    fputc(']', o);
}

static void write_string(FILE *o, const char *s) {
    cJSON *j = cJSON_CreateString(s);
    char *t = j ? cJSON_PrintUnformatted(j) : NULL;
    fputs(t ? t : "\"\"", o);
    free(t);
    cJSON_Delete(j);
}

hx_status hx_lm_file_write_stream(FILE *o, const char *what, const hx_lm_file *f,
                                  const char *fit_json, hx_error *err) {
    int k = f->k, m = f->m;
    size_t d = (size_t)m * k;
    double row[HX_LM_MAX_CARDINALITY + 1];
    fprintf(o, "{\"format\": \"helix-label-model\", \"version\": 1, \"method\": \"%s\",\n",
            f->is_dawid_skene ? "dawid-skene" : "snorkel");
    fprintf(o, " \"cardinality\": %d, \"n_sources\": %d,\n", k, m);
    if (f->sources) {
        fputs(" \"sources\": [", o);
        for (int j = 0; j < m; j++) {
            if (j) fputs(", ", o);
            write_string(o, f->sources[j]);
        }
        fputs("],\n", o);
    }
    if (fit_json) fprintf(o, " \"fit\": %s,\n", fit_json);
    if (!f->is_dawid_skene) {
        fputs(" \"class_balance\": ", o);
        write_row(o, f->lm.p, k);
        fputs(",\n \"coverage\": ", o);
        fputc('[', o);
        for (int j = 0; j < m; j++) fprintf(o, "%s%.17g", j ? ", " : "", f->lm.coverage[j]);
        fputs("],\n \"mu\": [", o);
        for (size_t a = 0; a < d; a++) {
            for (int y = 0; y < k; y++) row[y] = f->lm.mu[a * k + y];
            fputs(a ? ",\n   " : "\n   ", o);
            write_row(o, row, k);
        }
    } else {
        fputs(" \"pi\": ", o);
        for (int y = 0; y < k; y++) row[y] = f->ds.pi[y];
        write_row(o, row, k);
        fprintf(o, ",\n \"model_abstain\": %s", f->ds.model_abstain ? "true" : "false");
        fputs(",\n \"theta\": [", o);
        for (size_t a = 0; a < d; a++) {
            fputs(a ? ",\n   " : "\n   ", o);
            write_row(o, f->ds.theta + a * (k + 1), k + 1);
        }
    }
    fputs("]}\n", o);
    if (fflush(o) != 0 || ferror(o)) return hx_fail(err, HX_EIO, "error writing %s", what);
    return HX_OK;
}

hx_status hx_lm_file_write(const char *path, const hx_lm_file *f, const char *fit_json,
                           hx_error *err) {
    FILE *o = fopen(path, "w");
    if (!o) return hx_fail(err, HX_EIO, "cannot create %s: %s", path, strerror(errno));
    hx_status st = hx_lm_file_write_stream(o, path, f, fit_json, err);
    if (fclose(o) != 0 && st == HX_OK) st = hx_fail(err, HX_EIO, "error writing %s", path);
    return st;
}

/* Reads a JSON array of exactly `count` numbers in [lo, hi] into out. */
static hx_status read_numbers(const cJSON *arr, size_t count, double lo, double hi, double *out,
                              const char *field, const char *path, hx_error *err) {
    if (!cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != count)
        return hx_fail(err, HX_EFORMAT, "%s: \"%s\" must be an array of %zu numbers", path, field, count);
    size_t i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) || it->valuedouble < lo ||
            it->valuedouble > hi)
            return hx_fail(err, HX_EFORMAT, "%s: \"%s\" entry %zu is not a number in [%g, %g]", path,
                           field, i, lo, hi);
        out[i++] = it->valuedouble;
    }
    return HX_OK;
}

/* A d x k matrix as an array of d arrays of k numbers in [0, 1], positive
 * from column `first_positive` on. */
static hx_status read_matrix(const cJSON *arr, size_t d, int k, int first_positive, double *out,
                             const char *field, const char *path, hx_error *err) {
    if (!cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != d)
        return hx_fail(err, HX_EFORMAT, "%s: \"%s\" must have %zu rows", path, field, d);
    size_t a = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        hx_status st = read_numbers(it, (size_t)k, 0.0, 1.0, out + a * k, field, path, err);
        if (st != HX_OK) return st;
        for (int y = first_positive; y < k; y++)
            if (!(out[a * k + y] > 0))
                return hx_fail(err, HX_EFORMAT, "%s: \"%s\" row %zu has a zero probability", path, field, a);
        a++;
    }
    return HX_OK;
}

hx_status hx_lm_file_read(const char *path, hx_lm_file *f, hx_error *err) {
    memset(f, 0, sizeof *f);
    char *buf = NULL;
    size_t n = 0;
    hx_status rs = hx_read_file(path, LM_FILE_MAX_BYTES, &buf, &n, err);
    if (rs != HX_OK) return rs;
    cJSON *j = cJSON_ParseWithLength(buf, n);
    free(buf);
    if (!j) return hx_fail(err, HX_EFORMAT, "%s is not valid JSON", path);
    hx_status st = HX_OK;
    double *tmp = NULL;
    const cJSON *fmt = cJSON_GetObjectItem(j, "format"), *meth = cJSON_GetObjectItem(j, "method");
    const cJSON *kj = cJSON_GetObjectItem(j, "cardinality"), *mj = cJSON_GetObjectItem(j, "n_sources");
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, "helix-label-model")) {
        st = hx_fail(err, HX_EFORMAT, "%s is not a helix label model (\"format\")", path);
        goto out;
    }
    const cJSON *ver = cJSON_GetObjectItem(j, "version");
    if (!cJSON_IsNumber(ver) || ver->valuedouble != 1) {
        st = hx_fail(err, HX_EVERSION, "%s: unsupported label-model version", path);
        goto out;
    }
    if (!cJSON_IsNumber(kj) || !cJSON_IsNumber(mj) || kj->valuedouble < 2 ||
        kj->valuedouble > HX_LM_MAX_CARDINALITY || mj->valuedouble < 1 ||
        mj->valuedouble > HX_LM_MAX_SOURCES || kj->valuedouble != (int)kj->valuedouble ||
        mj->valuedouble != (int)mj->valuedouble || mj->valuedouble * kj->valuedouble > HX_LM_MAX_D) {
        st = hx_fail(err, HX_EFORMAT, "%s: bad \"cardinality\" or \"n_sources\"", path);
        goto out;
    }
    int k = kj->valueint, m = mj->valueint;
    size_t d = (size_t)m * k;
    f->k = k;
    f->m = m;
    if (!cJSON_IsString(meth) ||
        (strcmp(meth->valuestring, "snorkel") && strcmp(meth->valuestring, "dawid-skene"))) {
        st = hx_fail(err, HX_EFORMAT, "%s: \"method\" must be snorkel or dawid-skene", path);
        goto out;
    }
    tmp = malloc(d * k * sizeof *tmp);
    if (!tmp) { st = hx_fail(err, HX_ENOMEM, "out of memory"); goto out; }
    if (!strcmp(meth->valuestring, "snorkel")) {
        if ((st = hx_lm_alloc(&f->lm, m, k, err)) != HX_OK) goto out;
        if ((st = read_numbers(cJSON_GetObjectItem(j, "class_balance"), (size_t)k, 1e-300, 1.0,
                               f->lm.p, "class_balance", path, err)) != HX_OK) goto out;
        if ((st = read_numbers(cJSON_GetObjectItem(j, "coverage"), (size_t)m, 0.0, 1.0,
                               f->lm.coverage, "coverage", path, err)) != HX_OK) goto out;
        if ((st = read_matrix(cJSON_GetObjectItem(j, "mu"), d, k, 0, tmp, "mu", path, err)) != HX_OK) goto out;
        for (size_t i = 0; i < d * k; i++) f->lm.mu[i] = (float)tmp[i];
    } else {
        f->is_dawid_skene = 1;
        f->ds.k = k;
        f->ds.m = m;
        f->ds.pi = calloc((size_t)k, sizeof *f->ds.pi);
        f->ds.theta = calloc(d * (k + 1), sizeof *f->ds.theta);
        const cJSON *ma = cJSON_GetObjectItem(j, "model_abstain");
        if (!cJSON_IsBool(ma)) { st = hx_fail(err, HX_EFORMAT, "%s: \"model_abstain\" must be a boolean", path); goto out; }
        f->ds.model_abstain = cJSON_IsTrue(ma);
        if (!f->ds.pi || !f->ds.theta) { st = hx_fail(err, HX_ENOMEM, "out of memory"); goto out; }
        if ((st = read_numbers(cJSON_GetObjectItem(j, "pi"), (size_t)k, 1e-300, 1.0, f->ds.pi, "pi",
                               path, err)) != HX_OK) goto out;
        if ((st = read_matrix(cJSON_GetObjectItem(j, "theta"), d, k + 1, 1, f->ds.theta, "theta", path, err)) != HX_OK)
            goto out;
    }
    const cJSON *src = cJSON_GetObjectItem(j, "sources");
    if (src) {
        if (!cJSON_IsArray(src) || cJSON_GetArraySize(src) != m) {
            st = hx_fail(err, HX_EFORMAT, "%s: \"sources\" must list %d names", path, m);
            goto out;
        }
        f->sources = calloc((size_t)m, sizeof *f->sources);
        if (!f->sources) { st = hx_fail(err, HX_ENOMEM, "out of memory"); goto out; }
        int i = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, src) {
            if (!cJSON_IsString(it)) {
                st = hx_fail(err, HX_EFORMAT, "%s: \"sources\" entry %d is not a string", path, i);
                goto out;
            }
            f->sources[i] = strdup(it->valuestring);
            if (!f->sources[i++]) { st = hx_fail(err, HX_ENOMEM, "out of memory"); goto out; }
        }
    }
out:
    free(tmp);
    cJSON_Delete(j);
    if (st != HX_OK) hx_lm_file_free(f);
    return st;
}

hx_status hx_lm_file_predict_proba(const hx_lm_file *f, const int32_t *L, size_t n, int m,
                                   double *probs, hx_error *err) {
    if (f->is_dawid_skene) return hx_ds_predict_proba(&f->ds, L, n, m, probs, err);
    return hx_lm_predict_proba(&f->lm, L, n, m, probs, err);
}
