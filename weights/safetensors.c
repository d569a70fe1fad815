/* safetensors reader. A file is: u64 little-endian N, N bytes of JSON
 * header {"name": {"dtype", "shape", "data_offsets": [begin, end]}, ...,
 * "__metadata__": {...}}, then the data buffer that the offsets index.
 * Everything in the header is checked against the file before use. */
#include "helix/safetensors.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helix/file_util.h"
#include "weights/hlx_internal.h"

typedef struct {
    const unsigned char *buf;
    size_t len;
    int mapped;
    cJSON *header;
} shard;

struct hx_safetensors {
    shard *shards;
    size_t n_shards;
    hx_st_tensor *t;
    size_t n, cap;
};

static const struct {
    const char *name;
    unsigned size;
} dtypes[HX_ST_DTYPE_COUNT] = {
    [HX_ST_F64] = {"F64", 8},  [HX_ST_F32] = {"F32", 4}, [HX_ST_F16] = {"F16", 2},
    [HX_ST_BF16] = {"BF16", 2}, [HX_ST_I64] = {"I64", 8}, [HX_ST_I32] = {"I32", 4},
    [HX_ST_I16] = {"I16", 2},  [HX_ST_I8] = {"I8", 1},   [HX_ST_U64] = {"U64", 8},
    [HX_ST_U32] = {"U32", 4},  [HX_ST_U16] = {"U16", 2}, [HX_ST_U8] = {"U8", 1},
    [HX_ST_BOOL] = {"BOOL", 1},
};

const char *hx_st_dtype_name(hx_st_dtype dt) {
    return (unsigned)dt < HX_ST_DTYPE_COUNT ? dtypes[dt].name : "unknown";
}

void hx_safetensors_close(hx_safetensors *st) {
    if (!st) return;
    for (size_t i = 0; i < st->n_shards; i++) {
        if (st->shards[i].mapped) munmap((void *)st->shards[i].buf, st->shards[i].len);
        cJSON_Delete(st->shards[i].header);
    }
    free(st->shards);
    free(st->t);
    free(st);
}

/* A JSON number that is a non-negative integer exactly representable. */
static int json_u64(const cJSON *v, uint64_t *out) {
    if (!cJSON_IsNumber(v)) return 0;
    double d = v->valuedouble;
    if (!(d >= 0) || d > 9007199254740992.0 || floor(d) != d) return 0;
    *out = (uint64_t)d;
    return 1;
}

static hx_status add_tensor(hx_safetensors *st, const hx_st_tensor *t, hx_error *err) {
    if (st->n == st->cap) {
        size_t ncap = st->cap ? st->cap * 2 : 256;
        hx_st_tensor *nt = realloc(st->t, ncap * sizeof *nt);
        if (!nt) return hx_fail(err, HX_ENOMEM, "out of memory reading a safetensors header");
        st->t = nt, st->cap = ncap;
    }
    st->t[st->n++] = *t;
    return HX_OK;
}

/* Parses one tensor entry of the header. */
static hx_status parse_entry(const cJSON *e, const unsigned char *data, uint64_t data_len,
                             hx_st_tensor *t, hx_error *err) {
    const char *name = e->string;
    memset(t, 0, sizeof *t);
    t->name = name;
    if (!cJSON_IsObject(e))
        return hx_fail(err, HX_EFORMAT, "safetensors tensor %s: entry is not an object", name);
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(e, "dtype");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(e, "shape");
    const cJSON *offs = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
    if (!cJSON_IsString(dt))
        return hx_fail(err, HX_EFORMAT, "safetensors tensor %s: missing or non-string dtype", name);
    int code = -1;
    for (int i = 0; i < HX_ST_DTYPE_COUNT; i++)
        if (!strcmp(dt->valuestring, dtypes[i].name)) code = i;
    if (code < 0)
        return hx_fail(err, HX_EUNSUPPORTED, "safetensors tensor %s: unsupported dtype", name);
    t->dtype = (hx_st_dtype)code;
    t->is_float = code <= HX_ST_BF16;
    if (!cJSON_IsArray(shape))
        return hx_fail(err, HX_EFORMAT, "safetensors tensor %s: shape is not an array", name);
    int rank = cJSON_GetArraySize(shape);
    if (rank > HX_MAX_RANK)
        return hx_fail(err, HX_EUNSUPPORTED, "safetensors tensor %s: rank %d exceeds %d", name,
                       rank, HX_MAX_RANK);
    t->rank = rank;
    uint64_t count = 1;
    int d = 0;
    for (const cJSON *s = shape->child; s; s = s->next, d++) {
        uint64_t v;
        if (!json_u64(s, &v))
            return hx_fail(err, HX_EFORMAT, "safetensors tensor %s: dim %d is not a non-negative integer",
                           name, d);
        if (!hlx_mul_ok(count, v, &count))
            return hx_fail(err, HX_ERANGE, "safetensors tensor %s: product of dims overflows", name);
        t->dims[d] = (int64_t)v;
    }
    t->count = count;
    uint64_t nbytes, begin, end;
    if (!hlx_mul_ok(count, dtypes[code].size, &nbytes))
        return hx_fail(err, HX_ERANGE, "safetensors tensor %s: byte size overflows", name);
    if (!cJSON_IsArray(offs) || cJSON_GetArraySize(offs) != 2 || !json_u64(offs->child, &begin) ||
        !json_u64(offs->child->next, &end))
        return hx_fail(err, HX_EFORMAT, "safetensors tensor %s: data_offsets is not [begin, end]",
                       name);
    if (begin > end || end > data_len)
        return hx_fail(err, HX_EFORMAT,
                       "safetensors tensor %s: data_offsets [%llu, %llu] outside the %llu-byte data buffer",
                       name, (unsigned long long)begin, (unsigned long long)end,
                       (unsigned long long)data_len);
    if (end - begin != nbytes)
        return hx_fail(err, HX_EFORMAT,
                       "safetensors tensor %s: %llu data bytes but dtype and shape need %llu", name,
                       (unsigned long long)(end - begin), (unsigned long long)nbytes);
    t->data = data + begin;
    t->nbytes = (size_t)nbytes;
    return HX_OK;
}

typedef struct {
    const char *name;
    uint64_t begin, end;
} span;
static int cmp_span(const void *a, const void *b) {
    const span *x = a, *y = b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

/* Parses one safetensors image and appends its tensors to st. */
static hx_status parse_shard(hx_safetensors *st, shard *sh, hx_error *err) {
    if (sh->len < 8)
        return hx_fail(err, HX_EFORMAT, "safetensors file is %zu bytes, too short for its header length",
                       sh->len);
    uint64_t hlen = hlx_get64(sh->buf);
    if (hlen > sh->len - 8)
        return hx_fail(err, HX_EFORMAT,
                       "safetensors header length %llu is larger than the file (%zu bytes)",
                       (unsigned long long)hlen, sh->len);
    if (hlen > HX_ST_MAX_HEADER)
        return hx_fail(err, HX_EFORMAT, "safetensors header length %llu exceeds the %u-byte limit",
                       (unsigned long long)hlen, HX_ST_MAX_HEADER);
    const char *text = (const char *)sh->buf + 8;
    sh->header = cJSON_ParseWithLength(text, (size_t)hlen);
    if (!sh->header) return hx_fail(err, HX_EFORMAT, "safetensors header is not valid JSON");
    if (!cJSON_IsObject(sh->header))
        return hx_fail(err, HX_EFORMAT, "safetensors header is not a JSON object");
    const unsigned char *data = sh->buf + 8 + hlen;
    uint64_t data_len = sh->len - 8 - hlen;
    size_t first = st->n;
    int index = 0;
    for (const cJSON *e = sh->header->child; e; e = e->next, index++) {
        if (!e->string || !hlx_utf8_valid(e->string, strlen(e->string)) || !e->string[0])
            return hx_fail(err, HX_EFORMAT, "safetensors header entry %d: name is empty or not valid UTF-8",
                           index);
        if (!strcmp(e->string, "__metadata__")) {
            if (!cJSON_IsObject(e))
                return hx_fail(err, HX_EFORMAT, "safetensors __metadata__ is not an object");
            continue;
        }
        hx_st_tensor t;
        hx_status s = parse_entry(e, data, data_len, &t, err);
        if (s == HX_OK) s = add_tensor(st, &t, err);
        if (s != HX_OK) return s;
    }
    /* No two tensors may share bytes. */
    size_t n = st->n - first;
    span *sp = malloc((n ? n : 1) * sizeof *sp);
    if (!sp) return hx_fail(err, HX_ENOMEM, "out of memory checking safetensors offsets");
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const hx_st_tensor *t = &st->t[first + i];
        if (!t->nbytes) continue;
        uint64_t b = (uint64_t)((const unsigned char *)t->data - data);
        sp[m++] = (span){t->name, b, b + t->nbytes};
    }
    qsort(sp, m, sizeof *sp, cmp_span);
    for (size_t i = 1; i < m; i++)
        if (sp[i - 1].end > sp[i].begin) {
            hx_status s = hx_fail(err, HX_EFORMAT, "safetensors tensors %s and %s overlap",
                                  sp[i - 1].name, sp[i].name);
            free(sp);
            return s;
        }
    free(sp);
    return HX_OK;
}

static int cmp_tensor(const void *a, const void *b) {
    return strcmp(((const hx_st_tensor *)a)->name, ((const hx_st_tensor *)b)->name);
}

/* Sorts by name and rejects duplicates (within a file they come from
 * repeated JSON keys; across shards from a bad index). */
static hx_status finish(hx_safetensors *st, hx_error *err) {
    if (st->n > 1) qsort(st->t, st->n, sizeof *st->t, cmp_tensor); /* st->t is NULL when empty */
    for (size_t i = 1; i < st->n; i++)
        if (!strcmp(st->t[i - 1].name, st->t[i].name))
            return hx_fail(err, HX_EFORMAT, "safetensors tensor %s appears twice", st->t[i].name);
    return HX_OK;
}

static hx_status new_set(size_t n_shards, hx_safetensors **out, hx_error *err) {
    hx_safetensors *st = calloc(1, sizeof *st);
    if (st) st->shards = calloc(n_shards ? n_shards : 1, sizeof *st->shards);
    if (!st || !st->shards) {
        free(st);
        return hx_fail(err, HX_ENOMEM, "out of memory opening safetensors");
    }
    *out = st;
    return HX_OK;
}

hx_status hx_safetensors_open_memory(const void *buf, size_t len, hx_safetensors **out,
                                     hx_error *err) {
    *out = NULL;
    hx_safetensors *st = NULL;
    hx_status s = new_set(1, &st, err);
    if (s != HX_OK) return s;
    st->n_shards = 1;
    st->shards[0].buf = buf;
    st->shards[0].len = len;
    s = parse_shard(st, &st->shards[0], err);
    if (s == HX_OK) s = finish(st, err);
    if (s != HX_OK) {
        hx_safetensors_close(st);
        return s;
    }
    *out = st;
    return HX_OK;
}

/* Maps a whole regular file read-only (empty files give buf = NULL). */
static hx_status map_file(const char *path, const unsigned char **buf, size_t *len, hx_error *err) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return hx_fail(err, HX_EIO, "cannot open %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return hx_fail(err, HX_EIO, "%s is not a readable regular file", path);
    }
    *len = (size_t)sb.st_size;
    *buf = NULL;
    if (*len) {
        void *m = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            int e = errno;
            close(fd);
            return hx_fail(err, HX_EIO, "cannot map %s: %s", path, strerror(e));
        }
        *buf = m;
    }
    close(fd);
    return HX_OK;
}

static hx_status open_shard_file(hx_safetensors *st, const char *path, hx_error *err) {
    shard *sh = &st->shards[st->n_shards];
    hx_status s = map_file(path, &sh->buf, &sh->len, err);
    if (s != HX_OK) return s;
    sh->mapped = sh->len > 0;
    st->n_shards++;
    s = parse_shard(st, sh, err);
    if (s != HX_OK && err) {
        char msg[HX_ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        hx_fail(err, s, "%s: %s", path, msg);
    }
    return s;
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* Opens the shards listed in a model.safetensors.index.json. */
static hx_status open_index(const char *index_path, hx_safetensors **out, hx_error *err) {
    char *text = NULL;
    size_t len = 0;
    /* An index is a small JSON map of tensor names to shard files. */
    hx_status s = hx_read_file(index_path, (size_t)64 << 20, &text, &len, err);
    if (s != HX_OK) return s;
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(root, "weight_map");
    if (!cJSON_IsObject(map)) {
        cJSON_Delete(root);
        return hx_fail(err, HX_EFORMAT, "%s: no \"weight_map\" object", index_path);
    }
    /* Distinct shard file names, in first-seen order. */
    size_t n_entries = (size_t)cJSON_GetArraySize(map);
    const char **files = calloc(n_entries ? n_entries : 1, sizeof *files);
    size_t n_files = 0;
    if (!files) {
        cJSON_Delete(root);
        return hx_fail(err, HX_ENOMEM, "out of memory reading %s", index_path);
    }
    for (const cJSON *e = map->child; e; e = e->next) {
        if (!cJSON_IsString(e) || !e->valuestring[0] || strchr(e->valuestring, '/') ||
            !strcmp(e->valuestring, "..") || !strcmp(e->valuestring, ".")) {
            hx_status bad = hx_fail(err, HX_EFORMAT, "%s: shard of tensor %s is not a plain file name",
                                    index_path, e->string ? e->string : "?");
            free(files);
            cJSON_Delete(root);
            return bad;
        }
        size_t k = 0;
        while (k < n_files && strcmp(files[k], e->valuestring)) k++;
        if (k == n_files && n_files == 4096) {
            free(files);
            cJSON_Delete(root);
            return hx_fail(err, HX_EFORMAT, "%s names more than 4096 shard files", index_path);
        }
        if (k == n_files) files[n_files++] = e->valuestring;
    }
    hx_safetensors *st = NULL;
    s = new_set(n_files, &st, err);
    size_t dlen = strrchr(index_path, '/') ? (size_t)(strrchr(index_path, '/') - index_path + 1) : 0;
    for (size_t k = 0; s == HX_OK && k < n_files; k++) {
        size_t plen = dlen + strlen(files[k]) + 1;
        char *p = malloc(plen);
        if (!p) {
            s = hx_fail(err, HX_ENOMEM, "out of memory");
            break;
        }
        memcpy(p, index_path, dlen);
        strcpy(p + dlen, files[k]);
        s = open_shard_file(st, p, err);
        free(p);
    }
    if (s == HX_OK) s = finish(st, err);
    /* Every tensor the index names must be in the shard it names. */
    for (const cJSON *e = map->child; s == HX_OK && e; e = e->next)
        if (!hx_safetensors_find(st, e->string))
            s = hx_fail(err, HX_EFORMAT, "%s lists tensor %s but its shard %s lacks it", index_path,
                        e->string, e->valuestring);
    free(files);
    cJSON_Delete(root);
    if (s != HX_OK) {
        if (st) hx_safetensors_close(st);
        return s;
    }
    *out = st;
    return HX_OK;
}

hx_status hx_safetensors_open(const char *path, hx_safetensors **out, hx_error *err) {
    *out = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0) return hx_fail(err, HX_EIO, "cannot open %s: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode)) {
        size_t n = strlen(path) + 64;
        char *p = malloc(n);
        if (!p) return hx_fail(err, HX_ENOMEM, "out of memory");
        snprintf(p, n, "%s/model.safetensors.index.json", path);
        hx_status s;
        if (access(p, F_OK) == 0) {
            s = open_index(p, out, err);
        } else {
            snprintf(p, n, "%s/model.safetensors", path);
            if (access(p, F_OK) == 0)
                s = hx_safetensors_open(p, out, err);
            else
                s = hx_fail(err, HX_ENOTFOUND,
                            "%s has no model.safetensors or model.safetensors.index.json "
                            "(PyTorch .bin checkpoints are not supported: save with safetensors)",
                            path);
        }
        free(p);
        return s;
    }
    if (ends_with(path, ".json")) return open_index(path, out, err);
    hx_safetensors *st = NULL;
    hx_status s = new_set(1, &st, err);
    if (s != HX_OK) return s;
    s = open_shard_file(st, path, err);
    if (s == HX_OK) s = finish(st, err);
    if (s != HX_OK) {
        hx_safetensors_close(st);
        return s;
    }
    *out = st;
    return HX_OK;
}

size_t hx_safetensors_count(const hx_safetensors *st) { return st->n; }

const hx_st_tensor *hx_safetensors_at(const hx_safetensors *st, size_t i) {
    return i < st->n ? &st->t[i] : NULL;
}

const hx_st_tensor *hx_safetensors_find(const hx_safetensors *st, const char *name) {
    size_t lo = 0, hi = st->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(st->t[mid].name, name);
        if (!c) return &st->t[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

/* binary16 -> binary32: rebias the exponent, renormalise subnormals. */
static float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1F, man = h & 0x3FF, bits;
    if (exp == 0x1F) {
        bits = sign | 0x7F800000u | (man << 13);
    } else if (exp) {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    } else if (man) {
        int e = -1;
        do { man <<= 1; e++; } while (!(man & 0x400));
        bits = sign | ((uint32_t)(112 - e) << 23) | ((man & 0x3FF) << 13);
    } else {
        bits = sign;
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

hx_status hx_safetensors_read_f32(const hx_st_tensor *t, float *out, hx_error *err) {
    const unsigned char *p = t->data;
    switch (t->dtype) {
    case HX_ST_F32:
        for (uint64_t i = 0; i < t->count; i++) {
            uint32_t b = hlx_get32(p + 4 * i);
            memcpy(&out[i], &b, 4);
        }
        return HX_OK;
    case HX_ST_F16:
        for (uint64_t i = 0; i < t->count; i++) out[i] = half_to_float(hlx_get16(p + 2 * i));
        return HX_OK;
    case HX_ST_BF16:
        for (uint64_t i = 0; i < t->count; i++) {
            uint32_t b = (uint32_t)hlx_get16(p + 2 * i) << 16;
            memcpy(&out[i], &b, 4);
        }
        return HX_OK;
    case HX_ST_F64:
        for (uint64_t i = 0; i < t->count; i++) {
            uint64_t b = hlx_get64(p + 8 * i);
            double d;
            memcpy(&d, &b, 8);
            out[i] = (float)d;
        }
        return HX_OK;
    default:
        return hx_fail(err, HX_EUNSUPPORTED, "safetensors tensor %s has dtype %s, not a float type",
                       t->name, hx_st_dtype_name(t->dtype));
    }
}
