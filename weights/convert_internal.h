/* Helpers shared by the converters (weights/convert_*.c). */
#ifndef HELIX_WEIGHTS_CONVERT_INTERNAL_H
#define HELIX_WEIGHTS_CONVERT_INTERNAL_H

#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helix/convert.h"
#include "helix/hlx.h"
#include "helix/safetensors.h"

/* "[a, b, c]" into buf. */
static inline void cv_format_dims(char *buf, size_t cap, int rank, const int64_t *dims) {
    size_t n = (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < rank && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, i ? ", %lld" : "%lld", (long long)dims[i]);
    if (n < cap) snprintf(buf + n, cap - n, "]");
}

/* The float tensor `name` of the checkpoint, checked against rank/dims
 * (dims entries < 0 match anything). */
static inline hx_status cv_get(const hx_safetensors *st, const char *name, int rank,
                               const int64_t *dims, const hx_st_tensor **out, hx_error *err) {
    const hx_st_tensor *t = hx_safetensors_find(st, name);
    if (!t) return hx_fail(err, HX_ENOTFOUND, "checkpoint has no tensor %s", name);
    if (!t->is_float)
        return hx_fail(err, HX_EFORMAT, "tensor %s has dtype %s, expected a float type", name,
                       hx_st_dtype_name(t->dtype));
    int ok = t->rank == rank;
    for (int i = 0; ok && i < rank; i++) ok = dims[i] < 0 || dims[i] == t->dims[i];
    if (!ok) {
        char got[128], want[128];
        cv_format_dims(got, sizeof got, t->rank, t->dims);
        cv_format_dims(want, sizeof want, rank, dims);
        return hx_fail(err, HX_EFORMAT, "tensor %s has shape %s, expected %s", name, got, want);
    }
    *out = t;
    return HX_OK;
}

/* Refuses a tensor holding NaN or ±Inf (or, from F64, a value beyond the
 * f32 range): such weights would run and print non-finite numbers into
 * every result, so conversion is the place to stop them. The message names
 * the checkpoint tensor and the flat index of the first bad element. */
static inline hx_status cv_check_finite(const char *name, const float *v, uint64_t n,
                                        hx_error *err) {
    for (uint64_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return hx_fail(err, HX_EFORMAT, "tensor %s: element %llu is %s (weights must be finite)",
                           name, (unsigned long long)i,
                           isnan(v[i]) ? "NaN" : v[i] > 0 ? "+Inf" : "-Inf");
    return HX_OK;
}

/* The same check on little-endian f32 bytes (a borrowed, unconverted
 * tensor): exponent bits all ones means Inf or NaN. */
static inline hx_status cv_check_finite_f32_bytes(const char *name, const unsigned char *p,
                                                  uint64_t n, hx_error *err) {
    for (uint64_t i = 0; i < n; i++) {
        uint32_t b = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
                     (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
        if ((b & 0x7F800000u) == 0x7F800000u)
            return hx_fail(err, HX_EFORMAT, "tensor %s: element %llu is %s (weights must be finite)",
                           name, (unsigned long long)i,
                           (b & 0x007FFFFFu) ? "NaN" : (b >> 31) ? "-Inf" : "+Inf");
    }
    return HX_OK;
}

/* Reads float tensor t as f32 into out and refuses non-finite values. */
static inline hx_status cv_read_finite(const hx_st_tensor *t, float *out, hx_error *err) {
    hx_status s = hx_safetensors_read_f32(t, out, err);
    return s != HX_OK ? s : cv_check_finite(t->name, out, t->count, err);
}

/* Adds t to the file as `name` in f32: F32 data is borrowed straight from
 * the mapped checkpoint (the writer copies it to the file, not to memory);
 * other float types are converted into a buffer. */
static inline hx_status cv_add(hx_hlx_writer *w, const char *name, const hx_st_tensor *t,
                               hx_convert_report *rep, hx_error *err) {
    const uint16_t one = 1;
    if (t->dtype == HX_ST_F32 && *(const unsigned char *)&one == 1) {
        hx_status s = cv_check_finite_f32_bytes(t->name, t->data, t->count, err);
        if (s != HX_OK) return s;
        s = hx_hlx_writer_add_borrowed(w, name, HX_DT_F32, t->rank, t->dims, t->data,
                                                 t->nbytes, err);
        if (s == HX_OK) rep->tensors_written++, rep->parameters += t->count;
        return s;
    }
    float *buf = malloc(t->count ? t->count * sizeof *buf : 1);
    if (!buf) return hx_fail(err, HX_ENOMEM, "out of memory converting %s", t->name);
    hx_status s = cv_read_finite(t, buf, err);
    if (s == HX_OK)
        s = hx_hlx_writer_add(w, name, HX_DT_F32, t->rank, t->dims, buf, t->count * sizeof *buf, err);
    free(buf);
    if (s == HX_OK) rep->tensors_written++, rep->parameters += t->count;
    return s;
}

/* Reads a JSON file; *out is NULL (and HX_OK) when the file does not exist
 * and !required. */
static inline hx_status cv_read_json(const char *path, int required, cJSON **out, hx_error *err) {
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (!required) return HX_OK;
        return hx_fail(err, HX_EIO, "cannot open %s", path);
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap) break;
        if (cap >= (256u << 20)) { free(buf); buf = NULL; break; }
        char *nb = realloc(buf, cap * 2);
        if (!nb) { free(buf); buf = NULL; break; }
        buf = nb, cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        return hx_fail(err, HX_EIO, "cannot read %s", path);
    }
    *out = cJSON_ParseWithLength(buf, len);
    free(buf);
    if (!*out || !cJSON_IsObject(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        return hx_fail(err, HX_EFORMAT, "%s is not a JSON object", path);
    }
    return HX_OK;
}

/* dir + "/" + file, malloc'd. */
static inline char *cv_path(const char *dir, const char *file) {
    size_t n = strlen(dir) + strlen(file) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, file);
    return p;
}

static inline int cv_exists(const char *dir, const char *file) {
    char *p = cv_path(dir, file);
    FILE *f = p ? fopen(p, "rb") : NULL;
    free(p);
    if (f) fclose(f);
    return f != NULL;
}

/* The last path component of dir (without trailing slashes) into buf. */
static inline void cv_basename(const char *dir, char *buf, size_t cap) {
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    size_t b = n;
    while (b > 0 && dir[b - 1] != '/') b--;
    size_t k = n - b < cap - 1 ? n - b : cap - 1;
    memcpy(buf, dir + b, k);
    buf[k] = 0;
}

/* Counts the checkpoint's tensors the conversion did not use. used[i] marks
 * tensor i (in hx_safetensors_at order). */
static inline void cv_report_unused(const hx_safetensors *st, const unsigned char *used,
                                    hx_convert_report *rep) {
    for (size_t i = 0; i < hx_safetensors_count(st); i++) {
        const hx_st_tensor *t = hx_safetensors_at(st, i);
        if (used[i]) continue;
        if (!t->is_float) {
            rep->tensors_skipped_int++;
        } else {
            if (!rep->tensors_unused)
                snprintf(rep->first_unused, sizeof rep->first_unused, "%s", t->name);
            rep->tensors_unused++;
        }
    }
}

/* Marks t as used (t points into st's table). */
static inline void cv_mark(const hx_safetensors *st, unsigned char *used, const hx_st_tensor *t) {
    used[t - hx_safetensors_at(st, 0)] = 1;
}

#endif
