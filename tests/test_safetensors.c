/* safetensors parser: files written by the Python safetensors library
 * (tests/fixtures/convert) parse; dtype conversions give the exact IEEE
 * values; every malformed header is refused with its own message. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helix/safetensors.h"

#define FIX HX_TEST_FIXTURES "/convert/"

/* u64 header length + header + data, into a malloc'd buffer. */
static unsigned char *build(const char *header, const void *data, size_t data_len, size_t *len) {
    size_t h = strlen(header);
    *len = 8 + h + data_len;
    unsigned char *b = malloc(*len + 1);
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)((uint64_t)h >> (8 * i));
    memcpy(b + 8, header, h);
    if (data_len) memcpy(b + 8 + h, data, data_len);
    return b;
}

static void expect_bad(const char *header, size_t data_len, hx_status code, const char *needle) {
    unsigned char data[256] = {0};
    size_t len;
    unsigned char *b = build(header, data, data_len, &len);
    hx_safetensors *st = NULL;
    hx_error err;
    hx_error_clear(&err);
    hx_status s = hx_safetensors_open_memory(b, len, &st, &err);
    cr_assert_eq(s, code, "%s: got %s: %s", header, hx_status_name(s), err.msg);
    cr_assert_null(st);
    cr_assert(strstr(err.msg, needle), "'%s' not in '%s'", needle, err.msg);
    free(b);
}

Test(safetensors, dtypes_convert_exactly) {
    /* f32 1.5, -2; f16 1, -2, 65504, 2^-24 (subnormal), -0, inf; bf16 1, -3;
     * f64 0.1; i64 7 */
    unsigned char data[8 + 12 + 4 + 8 + 8];
    float f[2] = {1.5f, -2.0f};
    uint16_t h[6] = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x8000, 0x7C00};
    uint16_t bf[2] = {0x3F80, 0xC040};
    double d = 0.1;
    int64_t i = 7;
    memcpy(data, f, 8);
    memcpy(data + 8, h, 12);
    memcpy(data + 20, bf, 4);
    memcpy(data + 24, &d, 8);
    memcpy(data + 32, &i, 8);
    const char *hdr =
        "{\"__metadata__\":{\"format\":\"pt\"},"
        "\"f\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        "\"h\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[8,20]},"
        "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[20,24]},"
        "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[24,32]},"
        "\"i\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[32,40]}}";
    size_t len;
    unsigned char *buf = build(hdr, data, sizeof data, &len);
    hx_safetensors *st;
    hx_error err;
    cr_assert_eq(hx_safetensors_open_memory(buf, len, &st, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_safetensors_count(st), 5);
    float out[6];
    const hx_st_tensor *t = hx_safetensors_find(st, "f");
    cr_assert_eq(hx_safetensors_read_f32(t, out, &err), HX_OK);
    cr_assert(out[0] == 1.5f && out[1] == -2.0f);
    t = hx_safetensors_find(st, "h");
    cr_assert_eq(t->rank, 2);
    cr_assert_eq(t->count, 6);
    cr_assert_eq(hx_safetensors_read_f32(t, out, &err), HX_OK);
    cr_assert(out[0] == 1.0f && out[1] == -2.0f && out[2] == 65504.0f);
    cr_assert(out[3] == ldexpf(1.0f, -24));
    cr_assert(out[4] == 0.0f && signbit(out[4]));
    cr_assert(isinf(out[5]) && out[5] > 0);
    t = hx_safetensors_find(st, "b");
    cr_assert_eq(hx_safetensors_read_f32(t, out, &err), HX_OK);
    cr_assert(out[0] == 1.0f && out[1] == -3.0f);
    t = hx_safetensors_find(st, "d");
    cr_assert_eq(t->rank, 0);
    cr_assert_eq(hx_safetensors_read_f32(t, out, &err), HX_OK);
    cr_assert(out[0] == 0.1f);
    t = hx_safetensors_find(st, "i");
    cr_assert(!t->is_float);
    cr_assert_eq(hx_safetensors_read_f32(t, out, &err), HX_EUNSUPPORTED);
    cr_assert_null(hx_safetensors_find(st, "__metadata__"));
    hx_safetensors_close(st);
    free(buf);
}

Test(safetensors, python_written_files_and_shards) {
    hx_safetensors *a, *b;
    hx_error err;
    cr_assert_eq(hx_safetensors_open(FIX "bert_tiny/model.safetensors", &a, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_safetensors_open(FIX "bert_tiny_sharded", &b, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_safetensors_count(a), 42);
    cr_assert_eq(hx_safetensors_count(b), 42);
    const hx_st_tensor *p = hx_safetensors_find(a, "bert.embeddings.position_ids");
    cr_assert_not_null(p);
    cr_assert_eq(p->dtype, HX_ST_I64);
    cr_assert(!p->is_float);
    for (size_t i = 0; i < 42; i++) {
        const hx_st_tensor *x = hx_safetensors_at(a, i), *y = hx_safetensors_at(b, i);
        cr_assert_str_eq(x->name, y->name);
        cr_assert_eq(x->nbytes, y->nbytes);
        cr_assert_eq(memcmp(x->data, y->data, x->nbytes), 0, "%s", x->name);
    }
    cr_assert_null(hx_safetensors_at(a, 42));
    hx_safetensors_close(a);
    hx_safetensors_close(b);
    cr_assert_eq(hx_safetensors_open(FIX "seresnet_tiny", &a, &err), HX_OK, "%s", err.msg);
    p = hx_safetensors_find(a, "bn1.num_batches_tracked");
    cr_assert(p && p->dtype == HX_ST_I64 && p->rank == 0);
    hx_safetensors_close(a);
}

Test(safetensors, header_length_larger_than_file) {
    unsigned char b[64] = {0};
    b[0] = 0xFF, b[1] = 0xFF; /* 65535 > 64 */
    hx_safetensors *st;
    hx_error err;
    cr_assert_eq(hx_safetensors_open_memory(b, sizeof b, &st, &err), HX_EFORMAT);
    cr_assert(strstr(err.msg, "header length 65535 is larger than the file"), "%s", err.msg);
    memset(b, 0xFF, 8);
    cr_assert_eq(hx_safetensors_open_memory(b, sizeof b, &st, &err), HX_EFORMAT);
    cr_assert(strstr(err.msg, "larger than the file"), "%s", err.msg);
    cr_assert_eq(hx_safetensors_open_memory(b, 5, &st, &err), HX_EFORMAT);
    cr_assert(strstr(err.msg, "too short"), "%s", err.msg);
}

Test(safetensors, malformed_headers) {
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", 8, HX_EFORMAT, "not valid JSON");
    expect_bad("[1,2]", 0, HX_EFORMAT, "not a JSON object");
    expect_bad("{\"a\xff\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, HX_EFORMAT,
               "entry 0: name is empty or not valid UTF-8");
    expect_bad("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2, HX_EUNSUPPORTED,
               "tensor a: unsupported dtype");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, HX_EFORMAT,
               "data_offsets [0, 8] outside the 4-byte data buffer");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, HX_EFORMAT,
               "8 data bytes but dtype and shape need 12");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,4]}}", 8, HX_EFORMAT, "outside");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
               "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, HX_EFORMAT,
               "tensors a and b overlap");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
               "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16, HX_EFORMAT,
               "tensor a appears twice");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, HX_EFORMAT,
               "dim 0 is not a non-negative integer");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8, HX_EFORMAT,
               "dim 0 is not");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,8]}}",
               8, HX_ERANGE, "product of dims overflows");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}", 4,
               HX_EUNSUPPORTED, "rank 9");
    expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4, HX_EFORMAT,
               "data_offsets is not [begin, end]");
    expect_bad("{\"a\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}", 4, HX_EFORMAT, "dtype");
    expect_bad("{\"a\":[1,2]}", 0, HX_EFORMAT, "entry is not an object");
    expect_bad("{\"__metadata__\":[1]}", 0, HX_EFORMAT, "__metadata__");
}

Test(safetensors, hostile_index) {
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/hx_test_st_%d_XXXXXX", (int)getpid());
    cr_assert_not_null(mkdtemp(dir));
    char p[128];
    snprintf(p, sizeof p, "%s/model.safetensors.index.json", dir);
    FILE *f = fopen(p, "wb");
    fputs("{\"weight_map\":{\"a\":\"../../etc/passwd\"}}", f);
    fclose(f);
    hx_safetensors *st;
    hx_error err;
    cr_assert_eq(hx_safetensors_open(dir, &st, &err), HX_EFORMAT);
    cr_assert(strstr(err.msg, "not a plain file name"), "%s", err.msg);
    f = fopen(p, "wb");
    fputs("{\"weight_map\":{\"nope\":\"model.safetensors\"}}", f);
    fclose(f);
    char m[128];
    snprintf(m, sizeof m, "%s/model.safetensors", dir);
    cr_assert_eq(symlink(FIX "bert_tiny/model.safetensors", m), 0);
    cr_assert_eq(hx_safetensors_open(p, &st, &err), HX_EFORMAT);
    cr_assert(strstr(err.msg, "lists tensor nope"), "%s", err.msg);
    unlink(m);
    unlink(p);
    rmdir(dir);
    cr_assert_eq(hx_safetensors_open("/nonexistent_dir_hx", &st, &err), HX_EIO);
}
