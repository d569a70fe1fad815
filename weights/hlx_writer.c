/* The .hlx writer: collects metadata and tensors in memory, then lays the
 * file out in one go (header, metadata, directory, 64-byte-aligned data) and
 * writes it to a temporary name that is renamed over the target only when
 * complete, so an interrupted conversion never leaves a plausible file. */
#include "helix/hlx.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weights/checksum.h"
#include "weights/hlx_internal.h"

typedef struct {
    char *name;
    size_t name_len;
    hx_dtype dtype;
    int rank;
    int64_t dims[HX_MAX_RANK];
    unsigned char *data; /* the whole region (for I8: values, pad, scales) */
    int borrowed;        /* data belongs to the caller (hx_hlx_writer_add_borrowed) */
    uint64_t size;
    uint64_t checksum;
} wtensor;

struct hx_hlx_writer {
    char *meta;
    size_t meta_len;
    wtensor *t;
    size_t n, cap;
};

hx_status hx_hlx_writer_new(hx_hlx_writer **out, hx_error *err) {
    *out = calloc(1, sizeof **out);
    if (!*out) return hx_fail(err, HX_ENOMEM, "out of memory creating the .hlx writer");
    return HX_OK;
}

void hx_hlx_writer_free(hx_hlx_writer *w) {
    if (!w) return;
    for (size_t i = 0; i < w->n; i++) {
        free(w->t[i].name);
        if (!w->t[i].borrowed) free(w->t[i].data);
    }
    free(w->t);
    free(w->meta);
    free(w);
}

hx_status hx_hlx_writer_set_metadata(hx_hlx_writer *w, const char *json, hx_error *err) {
    size_t len = strlen(json);
    if (!hlx_utf8_valid(json, len))
        return hx_fail(err, HX_EINVAL, "metadata is not valid UTF-8");
    cJSON *root = cJSON_ParseWithLength(json, len);
    int is_obj = cJSON_IsObject(root);
    cJSON_Delete(root);
    if (!is_obj) return hx_fail(err, HX_EINVAL, "metadata must be a JSON object");
    char *copy = malloc(len + 1);
    if (!copy) return hx_fail(err, HX_ENOMEM, "out of memory copying the metadata");
    memcpy(copy, json, len + 1);
    free(w->meta);
    w->meta = copy;
    w->meta_len = len;
    return HX_OK;
}

/* Checks name, dtype, rank and dims; returns the element count in *count. */
static hx_status check_new_tensor(const hx_hlx_writer *w, const char *name, hx_dtype dtype,
                                  int rank, const int64_t *dims, uint64_t *count,
                                  hx_error *err) {
    if (!name) return hx_fail(err, HX_EINVAL, "tensor name is NULL");
    size_t len = strlen(name);
    if (len == 0 || len > HLX_MAX_NAME || !hlx_utf8_valid(name, len))
        return hx_fail(err, HX_EINVAL, "tensor name is empty, too long or not UTF-8 (tensor %zu)",
                       w->n);
    for (size_t i = 0; i < w->n; i++)
        if (w->t[i].name_len == len && !memcmp(w->t[i].name, name, len))
            return hx_fail(err, HX_EINVAL, "duplicate tensor name %s", name);
    if ((unsigned)dtype >= HX_DT_COUNT)
        return hx_fail(err, HX_EINVAL, "tensor %s: unknown dtype %d", name, (int)dtype);
    if (rank < 0 || rank > HX_MAX_RANK)
        return hx_fail(err, HX_EINVAL, "tensor %s: rank %d outside 0..%d", name, rank,
                       HX_MAX_RANK);
    if (rank > 0 && !dims) return hx_fail(err, HX_EINVAL, "tensor %s: dims is NULL", name);
    uint64_t n = 1;
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0) return hx_fail(err, HX_EINVAL, "tensor %s: negative dim %d", name, i);
        if (!hlx_mul_ok(n, (uint64_t)dims[i], &n))
            return hx_fail(err, HX_ERANGE, "tensor %s: element count overflows", name);
    }
    if (w->n >= HLX_MAX_TENSORS) return hx_fail(err, HX_ERANGE, "too many tensors");
    *count = n;
    return HX_OK;
}

static hx_status push(hx_hlx_writer *w, const char *name, hx_dtype dtype, int rank,
                      const int64_t *dims, unsigned char *region, uint64_t size, int borrowed,
                      hx_error *err) {
    if (w->n == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 64;
        wtensor *nt = realloc(w->t, ncap * sizeof *nt);
        if (!nt) {
            if (!borrowed) free(region);
            return hx_fail(err, HX_ENOMEM, "out of memory adding tensor %s", name);
        }
        w->t = nt, w->cap = ncap;
    }
    wtensor *t = &w->t[w->n];
    memset(t, 0, sizeof *t);
    t->name_len = strlen(name);
    t->name = malloc(t->name_len + 1);
    if (!t->name) {
        if (!borrowed) free(region);
        return hx_fail(err, HX_ENOMEM, "out of memory adding tensor %s", name);
    }
    memcpy(t->name, name, t->name_len + 1);
    t->dtype = dtype;
    t->rank = rank;
    for (int i = 0; i < rank; i++) t->dims[i] = dims[i];
    t->data = region;
    t->borrowed = borrowed;
    t->size = size;
    t->checksum = hx_xxh64(region, (size_t)size, 0);
    w->n++;
    return HX_OK;
}

/* Checks a plain (non-int8) tensor's byte count against dtype and dims. */
static hx_status check_plain(const hx_hlx_writer *w, const char *name, hx_dtype dtype, int rank,
                             const int64_t *dims, size_t nbytes, hx_error *err) {
    uint64_t count, want;
    hx_status st = check_new_tensor(w, name, dtype, rank, dims, &count, err);
    if (st != HX_OK) return st;
    if (dtype == HX_DT_I8)
        return hx_fail(err, HX_EINVAL, "tensor %s: int8 tensors need scales (hx_hlx_writer_add_i8)",
                       name);
    if (!hlx_mul_ok(count, hx_dtype_size(dtype), &want) || want > SIZE_MAX)
        return hx_fail(err, HX_ERANGE, "tensor %s: byte size overflows", name);
    if (nbytes != want)
        return hx_fail(err, HX_EINVAL, "tensor %s: %zu bytes given, dtype and dims need %llu",
                       name, nbytes, (unsigned long long)want);
    return HX_OK;
}

hx_status hx_hlx_writer_add_borrowed(hx_hlx_writer *w, const char *name, hx_dtype dtype, int rank,
                                     const int64_t *dims, const void *data, size_t nbytes,
                                     hx_error *err) {
    hx_status st = check_plain(w, name, dtype, rank, dims, nbytes, err);
    if (st != HX_OK) return st;
    static const unsigned char none[1];
    return push(w, name, dtype, rank, dims, nbytes ? (unsigned char *)data : (unsigned char *)none,
                nbytes, 1, err);
}

hx_status hx_hlx_writer_add(hx_hlx_writer *w, const char *name, hx_dtype dtype, int rank,
                            const int64_t *dims, const void *data, size_t nbytes,
                            hx_error *err) {
    hx_status st = check_plain(w, name, dtype, rank, dims, nbytes, err);
    if (st != HX_OK) return st;
    size_t want = nbytes;
    unsigned char *copy = malloc(want ? (size_t)want : 1);
    if (!copy) return hx_fail(err, HX_ENOMEM, "out of memory copying tensor %s", name);
    if (want) memcpy(copy, data, want);
    return push(w, name, dtype, rank, dims, copy, want, 0, err);
}

hx_status hx_hlx_writer_add_i8(hx_hlx_writer *w, const char *name, int rank, const int64_t *dims,
                               const int8_t *data, const float *scales, hx_error *err) {
    uint64_t count;
    hx_status st = check_new_tensor(w, name, HX_DT_I8, rank, dims, &count, err);
    if (st != HX_OK) return st;
    if (rank < 1) return hx_fail(err, HX_EINVAL, "tensor %s: int8 tensors need rank >= 1", name);
    uint64_t rows = (uint64_t)dims[0];
    if (count > (uint64_t)1 << 60 || rows > (uint64_t)1 << 60)
        return hx_fail(err, HX_ERANGE, "tensor %s: too large", name);
    uint64_t size = hlx_i8_region_size(count, rows);
    if (size > SIZE_MAX) return hx_fail(err, HX_ERANGE, "tensor %s: too large", name);
    unsigned char *region = calloc(size ? (size_t)size : 1, 1);
    if (!region) return hx_fail(err, HX_ENOMEM, "out of memory copying tensor %s", name);
    if (count) memcpy(region, data, (size_t)count);
    for (uint64_t r = 0; r < rows; r++) {
        uint32_t bits;
        memcpy(&bits, &scales[r], 4);
        hlx_put32(region + ((count + 3) & ~(uint64_t)3) + 4 * r, bits);
    }
    return push(w, name, HX_DT_I8, rank, dims, region, size, 0, err);
}

static uint64_t align_up(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

static int write_zeros(FILE *f, uint64_t n) {
    static const unsigned char zeros[64];
    while (n) {
        size_t k = n > sizeof zeros ? sizeof zeros : (size_t)n;
        if (fwrite(zeros, 1, k, f) != k) return 0;
        n -= k;
    }
    return 1;
}

hx_status hx_hlx_writer_write(hx_hlx_writer *w, const char *path, hx_error *err) {
    const char *meta = w->meta ? w->meta : "{}";
    uint64_t meta_size = (w->meta ? w->meta_len : 2) + 1; /* with its NUL */

    /* Layout. */
    uint64_t meta_off = HLX_HEADER_SIZE;
    uint64_t dir_off = align_up(meta_off + meta_size, 8);
    uint64_t names_rel = (uint64_t)w->n * HLX_ENTRY_SIZE;
    uint64_t names_size = 0;
    for (size_t i = 0; i < w->n; i++) names_size += w->t[i].name_len + 1;
    uint64_t dir_size = names_rel + names_size;
    if (names_rel > UINT32_MAX || names_size > UINT32_MAX)
        return hx_fail(err, HX_ERANGE, "tensor directory too large");
    uint64_t data_off = align_up(dir_off + dir_size, HLX_DATA_ALIGN);
    uint64_t *offs = malloc((w->n ? w->n : 1) * sizeof *offs);
    unsigned char *dir = calloc(dir_size ? (size_t)dir_size : 1, 1);
    if (!offs || !dir) {
        free(offs), free(dir);
        return hx_fail(err, HX_ENOMEM, "out of memory laying out %s", path);
    }
    uint64_t pos = data_off, name_pos = 0;
    hx_xxh64_state fsum;
    hx_xxh64_init(&fsum, 0);
    uint64_t meta_sum = hx_xxh64(meta, (size_t)meta_size, 0);
    unsigned char le[8];
    hlx_put64(le, meta_sum);
    hx_xxh64_update(&fsum, le, 8);
    for (size_t i = 0; i < w->n; i++) {
        const wtensor *t = &w->t[i];
        pos = align_up(pos, HLX_DATA_ALIGN);
        offs[i] = pos;
        unsigned char *e = dir + i * HLX_ENTRY_SIZE;
        hlx_put32(e + HLX_E_NAME_OFFSET, (uint32_t)name_pos);
        hlx_put32(e + HLX_E_NAME_LEN, (uint32_t)t->name_len);
        hlx_put32(e + HLX_E_DTYPE, (uint32_t)t->dtype);
        hlx_put32(e + HLX_E_RANK, (uint32_t)t->rank);
        for (int d = 0; d < t->rank; d++) hlx_put64(e + HLX_E_DIMS + 8 * d, (uint64_t)t->dims[d]);
        hlx_put64(e + HLX_E_DATA_OFFSET, pos);
        hlx_put64(e + HLX_E_DATA_SIZE, t->size);
        hlx_put64(e + HLX_E_CHECKSUM, t->checksum);
        memcpy(dir + names_rel + name_pos, t->name, t->name_len + 1);
        name_pos += t->name_len + 1;
        pos += t->size;
    }
    uint64_t dir_sum = hx_xxh64(dir, (size_t)dir_size, 0);
    hlx_put64(le, dir_sum);
    hx_xxh64_update(&fsum, le, 8);
    for (size_t i = 0; i < w->n; i++) {
        hlx_put64(le, w->t[i].checksum);
        hx_xxh64_update(&fsum, le, 8);
    }
    uint64_t file_size = pos;

    unsigned char hdr[HLX_HEADER_SIZE];
    memset(hdr, 0, sizeof hdr);
    memcpy(hdr + HLX_OFF_MAGIC, HLX_MAGIC, 8);
    hlx_put32(hdr + HLX_OFF_BOM, HLX_BOM);
    hlx_put16(hdr + HLX_OFF_MAJOR, HLX_MAJOR);
    hlx_put16(hdr + HLX_OFF_MINOR, HLX_MINOR);
    hlx_put32(hdr + HLX_OFF_HEADER_SIZE, HLX_HEADER_SIZE);
    hlx_put32(hdr + HLX_OFF_FLAGS, 0);
    hlx_put64(hdr + HLX_OFF_FILE_SIZE, file_size);
    hlx_put64(hdr + HLX_OFF_META_OFFSET, meta_off);
    hlx_put64(hdr + HLX_OFF_META_SIZE, meta_size);
    hlx_put64(hdr + HLX_OFF_DIR_OFFSET, dir_off);
    hlx_put64(hdr + HLX_OFF_DIR_SIZE, dir_size);
    hlx_put64(hdr + HLX_OFF_TENSOR_COUNT, w->n);
    hlx_put32(hdr + HLX_OFF_ENTRY_SIZE, HLX_ENTRY_SIZE);
    hlx_put32(hdr + HLX_OFF_NAMES_OFFSET, (uint32_t)names_rel);
    hlx_put64(hdr + HLX_OFF_DATA_OFFSET, data_off);
    hlx_put64(hdr + HLX_OFF_DATA_SIZE, file_size - data_off);
    hlx_put64(hdr + HLX_OFF_META_SUM, meta_sum);
    hlx_put64(hdr + HLX_OFF_DIR_SUM, dir_sum);
    hlx_put64(hdr + HLX_OFF_FILE_SUM, hx_xxh64_final(&fsum));
    hlx_put64(hdr + HLX_HEADER_SIZE - 8, hx_xxh64(hdr, HLX_HEADER_SIZE - 8, 0));

    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) {
        free(offs), free(dir);
        return hx_fail(err, HX_ENOMEM, "out of memory");
    }
    snprintf(tmp, plen + 16, "%s.partial", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        int e = errno;
        free(offs), free(dir), free(tmp);
        return hx_fail(err, HX_EIO, "cannot create %s: %s", path, strerror(e));
    }
    int ok = fwrite(hdr, 1, sizeof hdr, f) == sizeof hdr &&
             fwrite(meta, 1, (size_t)meta_size, f) == meta_size &&
             write_zeros(f, dir_off - (meta_off + meta_size)) &&
             fwrite(dir, 1, (size_t)dir_size, f) == dir_size &&
             write_zeros(f, data_off - (dir_off + dir_size));
    pos = data_off;
    for (size_t i = 0; ok && i < w->n; i++) {
        ok = write_zeros(f, offs[i] - pos) &&
             fwrite(w->t[i].data, 1, (size_t)w->t[i].size, f) == w->t[i].size;
        pos = offs[i] + w->t[i].size;
    }
    int e = errno;
    if (fclose(f) != 0 && ok) ok = 0, e = errno;
    if (ok && rename(tmp, path) != 0) ok = 0, e = errno;
    if (!ok) remove(tmp);
    free(offs), free(dir), free(tmp);
    if (!ok) return hx_fail(err, HX_EIO, "cannot write %s: %s", path, strerror(e));
    return HX_OK;
}
