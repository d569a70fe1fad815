/* .hlx round trip: what the writer puts in, the reader gives back exactly,
 * zero-copy and 64-byte aligned; the checksum matches published XXH64
 * values. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helix/hlx.h"
#include "weights/checksum.h"

/* Published XXH64 test vectors (seed 0), from the xxHash documentation and
 * the python-xxhash README: independent of this implementation. */
Test(hlx_checksum, known_vectors) {
    cr_assert_eq(hx_xxh64("", 0, 0), 0xEF46DB3751D8E999ULL);
    cr_assert_eq(hx_xxh64("a", 1, 0), 0xD24EC4F1A98C6E5BULL);
    cr_assert_eq(hx_xxh64("abc", 3, 0), 0x44BC2CF5AD770999ULL);
    const char *s = "Nobody inspects the spammish repetition";
    cr_assert_eq(hx_xxh64(s, strlen(s), 0), 0xFBCEA83C8A378BF1ULL);
}

Test(hlx_checksum, streaming_equals_one_shot) {
    unsigned char buf[1000];
    for (int i = 0; i < 1000; i++) buf[i] = (unsigned char)(i * 131 + 7);
    for (size_t n = 0; n <= 1000; n += 37) {
        uint64_t want = hx_xxh64(buf, n, 42);
        hx_xxh64_state s;
        hx_xxh64_init(&s, 42);
        for (size_t i = 0; i < n;) {
            size_t k = (i % 13) + 1;
            if (k > n - i) k = n - i;
            hx_xxh64_update(&s, buf + i, k);
            i += k;
        }
        cr_assert_eq(hx_xxh64_final(&s), want, "n=%zu", n);
    }
}

static char *tmp_path(const char *stem) {
    static char path[256];
    snprintf(path, sizeof path, "/tmp/hx_test_%s_%d.hlx", stem, (int)getpid());
    return path;
}

Test(hlx, round_trip_exact) {
    hx_error err;
    hx_hlx_writer *w;
    cr_assert_eq(hx_hlx_writer_new(&w, &err), HX_OK);
    const char *meta = "{\"arch\":\"test\",\"labels\":[\"a\",\"b\"],\"x\":{\"y\":[1,2,3]}}";
    cr_assert_eq(hx_hlx_writer_set_metadata(w, meta, &err), HX_OK, "%s", err.msg);
    float a[2 * 3 * 5];
    for (int i = 0; i < 30; i++) a[i] = (float)i * 0.25f - 3.0f;
    a[7] = -0.0f;
    int64_t da[] = {2, 3, 5};
    cr_assert_eq(hx_hlx_writer_add(w, "layer.0.weight", HX_DT_F32, 3, da, a, sizeof a, &err), HX_OK,
                 "%s", err.msg);
    uint16_t h[7] = {1, 2, 3, 0xFFFF, 0x8000, 0x3C00, 9};
    int64_t dh[] = {7};
    cr_assert_eq(hx_hlx_writer_add(w, "half", HX_DT_F16, 1, dh, h, sizeof h, &err), HX_OK);
    float s = 3.5f;
    cr_assert_eq(hx_hlx_writer_add(w, "scalar", HX_DT_F32, 0, NULL, &s, 4, &err), HX_OK);
    int8_t q[6] = {-128, -1, 0, 1, 2, 127};
    float sc[3] = {0.5f, 0.25f, 2.0f};
    int64_t dq[] = {3, 2};
    cr_assert_eq(hx_hlx_writer_add_i8(w, "q", 2, dq, q, sc, &err), HX_OK, "%s", err.msg);
    int64_t dz[] = {0, 4};
    cr_assert_eq(hx_hlx_writer_add(w, "empty", HX_DT_F32, 2, dz, NULL, 0, &err), HX_OK);
    /* Writer-side checks. */
    cr_assert_eq(hx_hlx_writer_add(w, "half", HX_DT_F16, 1, dh, h, sizeof h, &err), HX_EINVAL);
    cr_assert(strstr(err.msg, "duplicate"));
    cr_assert_eq(hx_hlx_writer_add(w, "bad", HX_DT_F32, 1, dh, h, sizeof h, &err), HX_EINVAL);
    cr_assert_eq(hx_hlx_writer_add(w, "bad\xff", HX_DT_F16, 1, dh, h, sizeof h, &err), HX_EINVAL);
    cr_assert_eq(hx_hlx_writer_set_metadata(w, "[1]", &err), HX_EINVAL);

    const char *path = tmp_path("rt");
    cr_assert_eq(hx_hlx_writer_write(w, path, &err), HX_OK, "%s", err.msg);
    hx_hlx_writer_free(w);

    hx_hlx *f;
    cr_assert_eq(hx_hlx_open(path, &f, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_hlx_verify(f, &err), HX_OK, "%s", err.msg);
    size_t mlen;
    cr_assert_str_eq(hx_hlx_metadata(f, &mlen), meta);
    cr_assert_eq(mlen, strlen(meta));
    cr_assert_eq(hx_hlx_tensor_count(f), 5);

    hx_tensor_view v;
    cr_assert_eq(hx_hlx_tensor_at(f, 0, &v, &err), HX_OK);
    cr_assert_str_eq(v.name, "layer.0.weight");
    cr_assert_eq(v.dtype, HX_DT_F32);
    cr_assert_eq(v.rank, 3);
    cr_assert(v.dims[0] == 2 && v.dims[1] == 3 && v.dims[2] == 5);
    cr_assert_eq(v.nbytes, sizeof a);
    cr_assert_eq((uintptr_t)v.data % 64, 0);
    cr_assert_eq(memcmp(v.data, a, sizeof a), 0);

    cr_assert_eq(hx_hlx_find(f, "half", &v, &err), HX_OK);
    cr_assert_eq(v.dtype, HX_DT_F16);
    cr_assert_eq(memcmp(v.data, h, sizeof h), 0);
    cr_assert_eq((uintptr_t)v.data % 64, 0);
    cr_assert_eq(hx_hlx_find(f, "scalar", &v, &err), HX_OK);
    cr_assert_eq(v.rank, 0);
    cr_assert_eq(*(const float *)v.data, 3.5f);
    cr_assert_eq(hx_hlx_find(f, "q", &v, &err), HX_OK);
    cr_assert_eq(v.dtype, HX_DT_I8);
    cr_assert_eq(v.nbytes, 6);
    cr_assert_eq(memcmp(v.data, q, 6), 0);
    cr_assert_not_null(v.scales);
    cr_assert(v.scales[0] == 0.5f && v.scales[1] == 0.25f && v.scales[2] == 2.0f);
    cr_assert_eq(hx_hlx_find(f, "empty", &v, &err), HX_OK);
    cr_assert_eq(v.nbytes, 0);
    cr_assert_eq(hx_hlx_find(f, "nope", &v, &err), HX_ENOTFOUND);
    cr_assert(strstr(err.msg, "nope"));
    cr_assert_eq(hx_hlx_tensor_at(f, 5, &v, &err), HX_ERANGE);

    /* Through the model-facing source. */
    hx_tensor_source src = hx_hlx_source(f);
    const float *p;
    int64_t want[] = {2, 3, 5};
    cr_assert_eq(hx_tensor_get_f32(&src, "layer.0.weight", 3, want, &p, &err), HX_OK);
    cr_assert_eq(p[29], a[29]);
    int64_t wrong[] = {2, 15};
    cr_assert_neq(hx_tensor_get_f32(&src, "layer.0.weight", 2, wrong, &p, &err), HX_OK);
    hx_hlx_close(f);
    unlink(path);
}

Test(hlx, empty_model_and_no_metadata) {
    hx_error err;
    hx_hlx_writer *w;
    cr_assert_eq(hx_hlx_writer_new(&w, &err), HX_OK);
    const char *path = tmp_path("empty");
    cr_assert_eq(hx_hlx_writer_write(w, path, &err), HX_OK, "%s", err.msg);
    hx_hlx_writer_free(w);
    hx_hlx *f;
    cr_assert_eq(hx_hlx_open(path, &f, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_hlx_tensor_count(f), 0);
    cr_assert_str_eq(hx_hlx_metadata(f, NULL), "{}");
    cr_assert_eq(hx_hlx_verify(f, &err), HX_OK, "%s", err.msg);
    hx_hlx_close(f);
    unlink(path);
}

Test(hlx, missing_file_is_io_error) {
    hx_error err;
    hx_hlx *f;
    cr_assert_eq(hx_hlx_open("/nonexistent/x.hlx", &f, &err), HX_EIO);
    cr_assert_null(f);
}

/* A file written by tests/oracle/hlx_write.py, an independent writer made
 * from docs/hlx-format.md alone (its own XXH64 included): it must open,
 * verify, and hold the values the script recorded. */
Test(hlx, reads_file_from_independent_python_writer) {
    hx_error err;
    hx_hlx *f;
    cr_assert_eq(hx_hlx_open(HX_TEST_FIXTURES "/hlx/py_written.hlx", &f, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_hlx_verify(f, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_hlx_tensor_count(f), 7);
    FILE *jf = fopen(HX_TEST_FIXTURES "/hlx/py_written.json", "rb");
    cr_assert_not_null(jf);
    char text[4096];
    size_t n = fread(text, 1, sizeof text - 1, jf);
    fclose(jf);
    text[n] = 0;
    /* The JSON holds "dense.weight": [15 floats], "q": [12 ints]; parse by hand
     * to keep this test free of cJSON. */
    hx_tensor_view v;
    cr_assert_eq(hx_hlx_find(f, "dense.weight", &v, &err), HX_OK);
    cr_assert(v.rank == 2 && v.dims[0] == 3 && v.dims[1] == 5);
    const char *p = strchr(strstr(text, "\"dense.weight\""), '[') + 1;
    for (int i = 0; i < 15; i++) {
        char *end;
        float want = strtof(p, &end);
        cr_assert_eq(((const float *)v.data)[i], want, "dense.weight[%d]", i);
        p = end + 1;
    }
    cr_assert_eq(hx_hlx_find(f, "q", &v, &err), HX_OK);
    cr_assert(v.dtype == HX_DT_I8 && v.nbytes == 12 && v.scales);
    cr_assert(v.scales[0] == 0.5f && v.scales[3] == 1.0f);
    p = strchr(strstr(text, "\"q\""), '[') + 1;
    for (int i = 0; i < 12; i++) {
        char *end;
        long want = strtol(p, &end, 10);
        cr_assert_eq(((const int8_t *)v.data)[i], want, "q[%d]", i);
        p = end + 1;
    }
    cr_assert_eq(hx_hlx_find(f, "ids", &v, &err), HX_OK);
    cr_assert_eq(v.dtype, HX_DT_I64);
    cr_assert_eq(((const int64_t *)v.data)[1], -2);
    cr_assert_eq(hx_hlx_find(f, "scalar", &v, &err), HX_OK);
    cr_assert(v.rank == 0 && *(const float *)v.data == 0.25f);
    cr_assert_not_null(strstr(hx_hlx_metadata(f, NULL), "\"labels\":[\"\\u03b1\",\"b\"]"));
    hx_hlx_close(f);
}
