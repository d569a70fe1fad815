/* The .hlx reader: maps the file and validates everything a model will
 * touch before handing out a single pointer. Tensor views point straight
 * into the mapping (zero copy); nothing in the file is trusted: every
 * offset, size, count and name is checked, with overflow-safe arithmetic,
 * and every failure names the section, field or tensor at fault. */
#include "helix/hlx.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "weights/checksum.h"
#include "weights/hlx_internal.h"

typedef struct {
    const char *name;      /* NUL-terminated, inside the file's name table */
    hx_dtype dtype;
    int rank;
    int64_t dims[HX_MAX_RANK];
    uint64_t offset, size; /* the data region in the file */
    uint64_t checksum;
    size_t nbytes;         /* bytes of the values (I8: without the scales) */
    const float *scales;
} rtensor;

struct hx_hlx {
    const unsigned char *buf;
    size_t len;
    int mapped;
    const char *meta;
    size_t meta_len;
    uint64_t meta_sum, dir_sum, file_sum;
    uint64_t meta_off, meta_size, dir_off, dir_size, data_off, data_size, header_size;
    rtensor *t;
    size_t n;
    size_t *by_name; /* indices sorted by name, for hx_hlx_find */
};

static int host_is_little_endian(void) {
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* a + b <= limit without overflow. */
static int fits(uint64_t a, uint64_t b, uint64_t limit) { return a <= limit && b <= limit - a; }

/* Which section a file cut at len falls into, for truncation messages. */
static const char *section_at(const hx_hlx *f, uint64_t len) {
    if (len < f->header_size) return "header";
    if (len < f->meta_off + f->meta_size) return "metadata";
    if (len < f->dir_off + f->dir_size) return "tensor directory";
    return "tensor data";
}

/* Type checks on the metadata keys every reader relies on. */
static hx_status check_metadata(const char *text, size_t len, hx_error *err) {
    if (!hlx_utf8_valid(text, len))
        return hx_fail(err, HX_EFORMAT, "metadata is not valid UTF-8");
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!root) return hx_fail(err, HX_EFORMAT, "metadata is not valid JSON");
    hx_status st = HX_OK;
    if (!cJSON_IsObject(root)) {
        st = hx_fail(err, HX_EFORMAT, "metadata must be a JSON object");
        goto out;
    }
    static const char *const strings[] = {"arch", "name"};
    for (size_t i = 0; i < 2; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, strings[i]);
        if (v && !cJSON_IsString(v)) {
            st = hx_fail(err, HX_EFORMAT, "metadata field '%s' must be a string", strings[i]);
            goto out;
        }
    }
    static const char *const objects[] = {"bert", "tokenizer", "resnet", "preprocess", "forest"};
    for (size_t i = 0; i < 5; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, objects[i]);
        if (v && !cJSON_IsObject(v)) {
            st = hx_fail(err, HX_EFORMAT, "metadata field '%s' must be an object", objects[i]);
            goto out;
        }
    }
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(root, "labels");
    if (labels) {
        if (!cJSON_IsArray(labels)) {
            st = hx_fail(err, HX_EFORMAT, "metadata field 'labels' must be an array of strings");
            goto out;
        }
        int i = 0;
        for (const cJSON *e = labels->child; e; e = e->next, i++)
            if (!cJSON_IsString(e)) {
                st = hx_fail(err, HX_EFORMAT,
                             "metadata field 'labels' must be an array of strings (element %d is not)",
                             i);
                goto out;
            }
    }
out:
    cJSON_Delete(root);
    return st;
}

/* Sort keys (qsort has no context argument in C11, so each key carries
 * what its comparison needs). */
typedef struct {
    const char *name;
    uint64_t offset;
    size_t index;
} sort_key;
static int cmp_name(const void *a, const void *b) {
    return strcmp(((const sort_key *)a)->name, ((const sort_key *)b)->name);
}
static int cmp_offset(const void *a, const void *b) {
    uint64_t x = ((const sort_key *)a)->offset, y = ((const sort_key *)b)->offset;
    return x < y ? -1 : x > y;
}

/* Indices of f's tensors sorted by cmp; NULL when out of memory. */
static size_t *sorted_indices(const hx_hlx *f, int (*cmp)(const void *, const void *)) {
    sort_key *k = malloc((f->n ? f->n : 1) * sizeof *k);
    size_t *idx = malloc((f->n ? f->n : 1) * sizeof *idx);
    if (!k || !idx) {
        free(k), free(idx);
        return NULL;
    }
    for (size_t i = 0; i < f->n; i++) k[i] = (sort_key){f->t[i].name, f->t[i].offset, i};
    qsort(k, f->n, sizeof *k, cmp);
    for (size_t i = 0; i < f->n; i++) idx[i] = k[i].index;
    free(k);
    return idx;
}

/* Reads and checks directory entry i. */
static hx_status parse_entry(hx_hlx *f, size_t i, const unsigned char *dir, uint64_t entry_size,
                             uint64_t names_off, hx_error *err) {
    const unsigned char *e = dir + i * entry_size;
    const unsigned char *names = dir + names_off;
    uint64_t names_size = f->dir_size - names_off;
    rtensor *t = &f->t[i];
    uint64_t noff = hlx_get32(e + HLX_E_NAME_OFFSET), nlen = hlx_get32(e + HLX_E_NAME_LEN);
    if (nlen == 0 || nlen > HLX_MAX_NAME || !fits(noff, nlen + 1, names_size) ||
        names[noff + nlen] != 0)
        return hx_fail(err, HX_EFORMAT, "tensor %zu: name lies outside the name table or is not NUL-terminated", i);
    if (!hlx_utf8_valid((const char *)names + noff, (size_t)nlen))
        return hx_fail(err, HX_EFORMAT, "tensor %zu: name is not valid UTF-8", i);
    t->name = (const char *)names + noff;
    uint32_t dt = hlx_get32(e + HLX_E_DTYPE);
    if (dt >= HX_DT_COUNT)
        return hx_fail(err, HX_EFORMAT, "tensor %s: unknown dtype code %u", t->name, dt);
    t->dtype = (hx_dtype)dt;
    uint32_t rank = hlx_get32(e + HLX_E_RANK);
    if (rank > HX_MAX_RANK)
        return hx_fail(err, HX_EFORMAT, "tensor %s: rank %u exceeds %d", t->name, rank, HX_MAX_RANK);
    t->rank = (int)rank;
    uint64_t count = 1;
    for (int d = 0; d < HX_MAX_RANK; d++) {
        uint64_t v = hlx_get64(e + HLX_E_DIMS + 8 * d);
        if (d >= t->rank) {
            if (v != 0)
                return hx_fail(err, HX_EFORMAT, "tensor %s: unused dim %d is not zero", t->name, d);
            t->dims[d] = 0;
            continue;
        }
        if (v > (uint64_t)INT64_MAX)
            return hx_fail(err, HX_EFORMAT, "tensor %s: dim %d is negative", t->name, d);
        t->dims[d] = (int64_t)v;
        if (!hlx_mul_ok(count, v, &count))
            return hx_fail(err, HX_ERANGE, "tensor %s: product of dims overflows", t->name);
    }
    t->offset = hlx_get64(e + HLX_E_DATA_OFFSET);
    t->size = hlx_get64(e + HLX_E_DATA_SIZE);
    t->checksum = hlx_get64(e + HLX_E_CHECKSUM);
    uint64_t want;
    if (t->dtype == HX_DT_I8) {
        if (t->rank < 1)
            return hx_fail(err, HX_EFORMAT, "tensor %s: int8 tensor needs rank >= 1", t->name);
        if (count > ((uint64_t)1 << 60) || (uint64_t)t->dims[0] > ((uint64_t)1 << 60))
            return hx_fail(err, HX_ERANGE, "tensor %s: element count too large", t->name);
        want = hlx_i8_region_size(count, (uint64_t)t->dims[0]);
    } else if (!hlx_mul_ok(count, hx_dtype_size(t->dtype), &want)) {
        return hx_fail(err, HX_ERANGE, "tensor %s: byte size overflows", t->name);
    }
    if (t->size != want)
        return hx_fail(err, HX_EFORMAT,
                       "tensor %s: data size %llu does not match dtype %s and dims (%llu bytes)",
                       t->name, (unsigned long long)t->size, hx_dtype_name(t->dtype),
                       (unsigned long long)want);
    if (t->offset % HLX_DATA_ALIGN)
        return hx_fail(err, HX_EFORMAT, "tensor %s: data offset %llu is not aligned to %u bytes",
                       t->name, (unsigned long long)t->offset, HLX_DATA_ALIGN);
    if (t->offset < f->data_off || !fits(t->offset, t->size, f->data_off + f->data_size))
        return hx_fail(err, HX_EFORMAT, "tensor %s: data [%llu, +%llu) lies outside the data section",
                       t->name, (unsigned long long)t->offset, (unsigned long long)t->size);
    t->nbytes = (size_t)(t->dtype == HX_DT_I8 ? count : t->size);
    t->scales = t->dtype == HX_DT_I8
                    ? (const float *)(const void *)(f->buf + t->offset + ((count + 3) & ~(uint64_t)3))
                    : NULL;
    return HX_OK;
}

static hx_status parse(hx_hlx *f, hx_error *err) {
    const unsigned char *b = f->buf;
    uint64_t len = f->len;
    if (memcmp(b, HLX_MAGIC, len < 8 ? (size_t)len : 8) != 0)
        return hx_fail(err, HX_EFORMAT, "not an .hlx file (bad magic)");
    if (len < 8 + 4 + 4 + 4)
        return hx_fail(err, HX_EFORMAT, "file truncated in the header (%llu bytes)",
                       (unsigned long long)len);
    uint32_t bom = hlx_get32(b + HLX_OFF_BOM);
    if (bom == 0x04030201u)
        return hx_fail(err, HX_EFORMAT, "byte-order mark says big-endian; .hlx files are little-endian");
    if (bom != HLX_BOM) return hx_fail(err, HX_EFORMAT, "bad byte-order mark");
    unsigned major = hlx_get16(b + HLX_OFF_MAJOR), minor = hlx_get16(b + HLX_OFF_MINOR);
    if (major != HLX_MAJOR)
        return hx_fail(err, HX_EVERSION, "file format version %u.%u; this reader reads %u.x",
                       major, minor, HLX_MAJOR);
    f->header_size = hlx_get32(b + HLX_OFF_HEADER_SIZE);
    if (f->header_size < HLX_HEADER_SIZE || f->header_size % 8 || f->header_size > 65536)
        return hx_fail(err, HX_EFORMAT, "bad header size %llu", (unsigned long long)f->header_size);
    if (len < f->header_size)
        return hx_fail(err, HX_EFORMAT, "file truncated in the header (%llu of %llu bytes)",
                       (unsigned long long)len, (unsigned long long)f->header_size);
    uint64_t hsum = hlx_get64(b + f->header_size - 8);
    if (hx_xxh64(b, (size_t)f->header_size - 8, 0) != hsum)
        return hx_fail(err, HX_ECHECKSUM, "header checksum mismatch: the header is damaged");
    uint32_t flags = hlx_get32(b + HLX_OFF_FLAGS);
    if (flags & 0xFFFFu)
        return hx_fail(err, HX_EVERSION, "file needs features this reader lacks (flags 0x%x)", flags);

    uint64_t file_size = hlx_get64(b + HLX_OFF_FILE_SIZE);
    f->meta_off = hlx_get64(b + HLX_OFF_META_OFFSET);
    f->meta_size = hlx_get64(b + HLX_OFF_META_SIZE);
    f->dir_off = hlx_get64(b + HLX_OFF_DIR_OFFSET);
    f->dir_size = hlx_get64(b + HLX_OFF_DIR_SIZE);
    f->data_off = hlx_get64(b + HLX_OFF_DATA_OFFSET);
    f->data_size = hlx_get64(b + HLX_OFF_DATA_SIZE);
    uint64_t count = hlx_get64(b + HLX_OFF_TENSOR_COUNT);
    uint64_t entry_size = hlx_get32(b + HLX_OFF_ENTRY_SIZE);
    uint64_t names_off = hlx_get32(b + HLX_OFF_NAMES_OFFSET);
    f->meta_sum = hlx_get64(b + HLX_OFF_META_SUM);
    f->dir_sum = hlx_get64(b + HLX_OFF_DIR_SUM);
    f->file_sum = hlx_get64(b + HLX_OFF_FILE_SUM);

    /* Sections: in order, inside the file, not overlapping. */
    if (f->meta_off < f->header_size || !fits(f->meta_off, f->meta_size, file_size))
        return hx_fail(err, HX_EFORMAT, "metadata section lies outside the file");
    if (f->dir_off < f->meta_off + f->meta_size || !fits(f->dir_off, f->dir_size, file_size))
        return hx_fail(err, HX_EFORMAT, "tensor directory lies outside the file or overlaps the metadata");
    if (f->data_off < f->dir_off + f->dir_size || !fits(f->data_off, f->data_size, file_size))
        return hx_fail(err, HX_EFORMAT, "data section lies outside the file or overlaps the directory");
    if (f->data_off % HLX_DATA_ALIGN)
        return hx_fail(err, HX_EFORMAT, "data section offset is not aligned to %u bytes", HLX_DATA_ALIGN);
    if (len < file_size)
        return hx_fail(err, HX_EFORMAT, "file truncated in the %s (%llu of %llu bytes)",
                       section_at(f, len), (unsigned long long)len, (unsigned long long)file_size);
    if (len > file_size)
        return hx_fail(err, HX_EFORMAT, "file has %llu bytes after its end (header says %llu bytes)",
                       (unsigned long long)(len - file_size), (unsigned long long)file_size);

    /* Metadata: NUL-terminated UTF-8 JSON object. */
    if (f->meta_size < 3 || f->meta_size > SIZE_MAX / 2)
        return hx_fail(err, HX_EFORMAT, "metadata section size %llu is invalid",
                       (unsigned long long)f->meta_size);
    if (hx_xxh64(b + f->meta_off, (size_t)f->meta_size, 0) != f->meta_sum)
        return hx_fail(err, HX_ECHECKSUM, "metadata checksum mismatch: the metadata is damaged");
    f->meta = (const char *)b + f->meta_off;
    f->meta_len = (size_t)f->meta_size - 1;
    if (f->meta[f->meta_len] != 0 || memchr(f->meta, 0, f->meta_len))
        return hx_fail(err, HX_EFORMAT, "metadata is not a single NUL-terminated string");
    hx_status st = check_metadata(f->meta, f->meta_len, err);
    if (st != HX_OK) return st;

    /* Directory. */
    if (hx_xxh64(b + f->dir_off, (size_t)f->dir_size, 0) != f->dir_sum)
        return hx_fail(err, HX_ECHECKSUM, "tensor directory checksum mismatch: the directory is damaged");
    if (count > HLX_MAX_TENSORS)
        return hx_fail(err, HX_EFORMAT, "tensor count %llu is too large", (unsigned long long)count);
    if (entry_size < HLX_ENTRY_SIZE || entry_size % 8)
        return hx_fail(err, HX_EFORMAT, "bad directory entry size %llu", (unsigned long long)entry_size);
    if (count * entry_size > names_off || names_off > f->dir_size)
        return hx_fail(err, HX_EFORMAT, "tensor directory is too small for %llu tensors",
                       (unsigned long long)count);
    f->n = (size_t)count;
    f->t = calloc(f->n ? f->n : 1, sizeof *f->t);
    if (!f->t) return hx_fail(err, HX_ENOMEM, "out of memory reading the tensor directory");
    for (size_t i = 0; i < f->n; i++) {
        st = parse_entry(f, i, b + f->dir_off, entry_size, names_off, err);
        if (st != HX_OK) return st;
    }
    f->by_name = sorted_indices(f, cmp_name);
    size_t *by_off = sorted_indices(f, cmp_offset);
    if (!f->by_name || !by_off) {
        free(by_off);
        return hx_fail(err, HX_ENOMEM, "out of memory reading the tensor directory");
    }
    for (size_t i = 1; i < f->n; i++)
        if (!strcmp(f->t[f->by_name[i - 1]].name, f->t[f->by_name[i]].name)) {
            free(by_off);
            return hx_fail(err, HX_EFORMAT, "duplicate tensor name %s", f->t[f->by_name[i]].name);
        }
    const rtensor *prev = NULL;
    for (size_t i = 0; i < f->n; i++) {
        const rtensor *cur = &f->t[by_off[i]];
        if (cur->size == 0) continue;
        if (prev && prev->offset + prev->size > cur->offset) {
            free(by_off);
            return hx_fail(err, HX_EFORMAT, "tensors %s and %s overlap", prev->name, cur->name);
        }
        prev = cur;
    }
    free(by_off);
    return HX_OK;
}

/* Opens over buf (mapped: owned by f and unmapped on close). */
static hx_status open_buffer(const void *buf, size_t len, int mapped, unsigned flags, hx_hlx **out,
                             hx_error *err) {
    *out = NULL;
    if (!host_is_little_endian())
        return hx_fail(err, HX_EUNSUPPORTED, ".hlx views need a little-endian host");
    if (!buf && len) return hx_fail(err, HX_EINVAL, "buffer is NULL");
    if (len == 0) return hx_fail(err, HX_EFORMAT, "file is empty");
    hx_hlx *f = calloc(1, sizeof *f);
    if (!f) return hx_fail(err, HX_ENOMEM, "out of memory opening an .hlx file");
    f->buf = buf;
    f->len = len;
    hx_status st = parse(f, err);
    /* A model that runs on damaged weights gives wrong answers with exit 0;
     * the data checksums exist to stop that, so they are checked here, on
     * the path every model loader takes, not only by `info --verify`. */
    if (st == HX_OK && !(flags & HX_HLX_OPEN_NO_VERIFY)) {
        f->mapped = mapped; /* lets verify prefault large regions */
        st = hx_hlx_verify(f, err);
    }
    f->mapped = 0; /* the caller unmaps on failure */
    if (st != HX_OK) {
        hx_hlx_close(f);
        return st;
    }
    f->mapped = mapped;
    *out = f;
    return HX_OK;
}

hx_status hx_hlx_open_memory_with(const void *buf, size_t len, unsigned flags, hx_hlx **out,
                                  hx_error *err) {
    return open_buffer(buf, len, 0, flags, out, err);
}

hx_status hx_hlx_open_memory(const void *buf, size_t len, hx_hlx **out, hx_error *err) {
    return open_buffer(buf, len, 0, 0, out, err);
}

hx_status hx_hlx_open_with(const char *path, unsigned flags, hx_hlx **out, hx_error *err) {
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return hx_fail(err, HX_EIO, "cannot open %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return hx_fail(err, HX_EIO, "cannot stat %s: %s", path, strerror(e));
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return hx_fail(err, HX_EIO, "%s is not a regular file", path);
    }
    if (sb.st_size == 0) {
        close(fd);
        return hx_fail(err, HX_EFORMAT, "%s: file is empty", path);
    }
    if ((uint64_t)sb.st_size > SIZE_MAX) {
        close(fd);
        return hx_fail(err, HX_ERANGE, "%s: file too large for this machine", path);
    }
    size_t len = (size_t)sb.st_size;
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd); /* the mapping keeps the file alive */
    if (map == MAP_FAILED) return hx_fail(err, HX_EIO, "cannot map %s: %s", path, strerror(e));
    hx_status st = open_buffer(map, len, 1, flags, out, err);
    if (st != HX_OK) {
        munmap(map, len);
        if (err) {
            /* Prefix the path so the user knows which file is bad. */
            char msg[HX_ERROR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            hx_fail(err, st, "%s: %s", path, msg);
        }
        return st;
    }
    return HX_OK;
}

hx_status hx_hlx_open(const char *path, hx_hlx **out, hx_error *err) {
    return hx_hlx_open_with(path, 0, out, err);
}

void hx_hlx_close(hx_hlx *f) {
    if (!f) return;
    if (f->mapped) munmap((void *)f->buf, f->len);
    free(f->t);
    free(f->by_name);
    free(f);
}

const char *hx_hlx_metadata(const hx_hlx *f, size_t *len) {
    if (len) *len = f->meta_len;
    return f->meta;
}

size_t hx_hlx_tensor_count(const hx_hlx *f) { return f->n; }
size_t hx_hlx_file_size(const hx_hlx *f) { return f->len; }

void hx_hlx_version(const hx_hlx *f, int *major, int *minor) {
    if (major) *major = hlx_get16(f->buf + HLX_OFF_MAJOR);
    if (minor) *minor = hlx_get16(f->buf + HLX_OFF_MINOR);
}

static void fill_view(const hx_hlx *f, const rtensor *t, hx_tensor_view *out) {
    memset(out, 0, sizeof *out);
    out->name = t->name;
    out->dtype = t->dtype;
    out->rank = t->rank;
    memcpy(out->dims, t->dims, sizeof out->dims);
    out->data = f->buf + t->offset;
    out->nbytes = t->nbytes;
    out->scales = t->scales;
}

hx_status hx_hlx_tensor_at(const hx_hlx *f, size_t i, hx_tensor_view *out, hx_error *err) {
    if (i >= f->n)
        return hx_fail(err, HX_ERANGE, "tensor index %zu out of range (%zu tensors)", i, f->n);
    fill_view(f, &f->t[i], out);
    return HX_OK;
}

hx_status hx_hlx_find(const hx_hlx *f, const char *name, hx_tensor_view *out, hx_error *err) {
    size_t lo = 0, hi = f->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(f->t[f->by_name[mid]].name, name);
        if (c == 0) {
            fill_view(f, &f->t[f->by_name[mid]], out);
            return HX_OK;
        }
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return hx_fail(err, HX_ENOTFOUND, "tensor %s not found in the model file", name);
}

static hx_status source_lookup(void *ctx, const char *name, hx_tensor_view *out, hx_error *err) {
    return hx_hlx_find(ctx, name, out, err);
}

hx_tensor_source hx_hlx_source(const hx_hlx *f) {
    hx_tensor_source s = {source_lookup, (void *)f};
    return s;
}

/* 1 if buf[a, b) is all zero. */
static int all_zero(const unsigned char *p, uint64_t a, uint64_t b) {
    for (uint64_t i = a; i < b; i++)
        if (p[i]) return 0;
    return 1;
}

/* Maps a large region's pages in one call rather than one fault per few
 * pages as the hash walks it (a hint: failure only costs speed). */
static void prefault(const void *p, size_t n) {
    uintptr_t start = (uintptr_t)p & ~(uintptr_t)4095;
    size_t len = n + ((uintptr_t)p - start);
#ifdef MADV_POPULATE_READ
    if (madvise((void *)start, len, MADV_POPULATE_READ) == 0) return;
#endif
    madvise((void *)start, len, MADV_WILLNEED);
}

hx_status hx_hlx_verify(const hx_hlx *f, hx_error *err) {
    const unsigned char *b = f->buf;
    if (hx_xxh64(b + f->meta_off, (size_t)f->meta_size, 0) != f->meta_sum)
        return hx_fail(err, HX_ECHECKSUM, "metadata checksum mismatch: the metadata is damaged");
    if (hx_xxh64(b + f->dir_off, (size_t)f->dir_size, 0) != f->dir_sum)
        return hx_fail(err, HX_ECHECKSUM, "tensor directory checksum mismatch: the directory is damaged");
    hx_xxh64_state fsum;
    hx_xxh64_init(&fsum, 0);
    unsigned char le[8];
    hlx_put64(le, f->meta_sum);
    hx_xxh64_update(&fsum, le, 8);
    hlx_put64(le, f->dir_sum);
    hx_xxh64_update(&fsum, le, 8);
    for (size_t i = 0; i < f->n; i++) {
        const rtensor *t = &f->t[i];
        if (f->mapped && t->size >= (1u << 20)) prefault(b + t->offset, (size_t)t->size);
        uint64_t h = hx_xxh64(b + t->offset, (size_t)t->size, 0);
        if (h != t->checksum)
            return hx_fail(err, HX_ECHECKSUM, "tensor %s is damaged (checksum mismatch)", t->name);
        hlx_put64(le, h);
        hx_xxh64_update(&fsum, le, 8);
    }
    if (hx_xxh64_final(&fsum) != f->file_sum)
        return hx_fail(err, HX_ECHECKSUM, "whole-file checksum mismatch");
    /* Every byte not covered by a checksum must be zero padding. */
    if (!all_zero(b, f->meta_off + f->meta_size, f->dir_off) ||
        !all_zero(b, f->dir_off + f->dir_size, f->data_off) ||
        !all_zero(b, f->header_size, f->meta_off))
        return hx_fail(err, HX_ECHECKSUM, "padding between sections is not zero: the file is damaged");
    size_t *order = sorted_indices(f, cmp_offset);
    if (!order) return hx_fail(err, HX_ENOMEM, "out of memory verifying");
    uint64_t pos = f->data_off;
    int ok = 1;
    for (size_t i = 0; i < f->n && ok; i++) {
        const rtensor *t = &f->t[order[i]];
        if (t->offset > pos) ok = all_zero(b, pos, t->offset);
        if (t->offset + t->size > pos) pos = t->offset + t->size;
    }
    if (ok) ok = all_zero(b, pos, f->len);
    free(order);
    if (!ok) return hx_fail(err, HX_ECHECKSUM, "padding in the data section is not zero: the file is damaged");
    return HX_OK;
}
