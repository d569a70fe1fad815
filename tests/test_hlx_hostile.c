/* Hand-made bad .hlx files, one per failure mode: each must be refused with
 * its own clear error (never a crash or an out-of-bounds read; run under
 * ASan to see the latter). Files are damaged in memory, then "resealed"
 * (checksums recomputed) so that the structural check itself is reached. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helix/hlx.h"
#include "weights/hlx_internal.h"
#include "test_util.h"

static unsigned char *base;
static size_t base_len;

/* A valid file: metadata with labels, tensors w0 f32 [2,3], w1 f32 [4],
 * w2 f16 [3]. */
static void make_base(void) {
    hx_error err;
    hx_hlx_writer *w;
    cr_assert_eq(hx_hlx_writer_new(&w, &err), HX_OK);
    cr_assert_eq(hx_hlx_writer_set_metadata(w, "{\"arch\":\"test\",\"labels\":[\"a\",\"b\"]}", &err), HX_OK);
    float a[6] = {1, 2, 3, 4, 5, 6}, b[4] = {-1, -2, -3, -4};
    uint16_t h[3] = {0x3C00, 0x4000, 0x4200};
    int64_t da[2] = {2, 3}, db[1] = {4}, dh[1] = {3};
    cr_assert_eq(hx_hlx_writer_add(w, "w0", HX_DT_F32, 2, da, a, sizeof a, &err), HX_OK);
    cr_assert_eq(hx_hlx_writer_add(w, "w1", HX_DT_F32, 1, db, b, sizeof b, &err), HX_OK);
    cr_assert_eq(hx_hlx_writer_add(w, "w2", HX_DT_F16, 1, dh, h, sizeof h, &err), HX_OK);
    char path[128];
    snprintf(path, sizeof path, "/tmp/hx_test_hostile_%d.hlx", (int)getpid());
    cr_assert_eq(hx_hlx_writer_write(w, path, &err), HX_OK, "%s", err.msg);
    hx_hlx_writer_free(w);
    char *bytes = tu_read_file(path, &base_len);
    base = aligned_alloc(64, (base_len + 63) / 64 * 64); /* aligned like a mapped file */
    memcpy(base, bytes, base_len);
    free(bytes);
    unlink(path);
}

static unsigned char *copy_base(void) {
    if (!base) make_base();
    unsigned char *c = aligned_alloc(64, (base_len + 63) / 64 * 64);
    memcpy(c, base, base_len);
    return c;
}

static unsigned char *entry(unsigned char *buf, int i) {
    return buf + hlx_get64(buf + HLX_OFF_DIR_OFFSET) + (size_t)i * HLX_ENTRY_SIZE;
}

/* Opens buf[0, len) and expects `code` with `needle` in the message. */
static void expect(const unsigned char *buf, size_t len, hx_status code, const char *needle) {
    hx_hlx *f = NULL;
    hx_error err;
    hx_error_clear(&err);
    hx_status s = hx_hlx_open_memory(buf, len, &f, &err);
    cr_assert_eq(s, code, "expected %s, got %s: %s", hx_status_name(code), hx_status_name(s), err.msg);
    cr_assert_null(f);
    cr_assert(strstr(err.msg, needle), "'%s' not in '%s'", needle, err.msg);
}

static void expect_resealed(unsigned char *buf, hx_status code, const char *needle) {
    hx_hlx_reseal(buf, base_len, 0);
    expect(buf, base_len, code, needle);
    free(buf);
}

Test(hlx_hostile, base_file_is_valid) {
    unsigned char *b = copy_base();
    hx_hlx *f;
    hx_error err;
    cr_assert_eq(hx_hlx_open_memory(b, base_len, &f, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_hlx_verify(f, &err), HX_OK, "%s", err.msg);
    hx_hlx_close(f);
    /* Resealing a valid file changes nothing. */
    hx_hlx_reseal(b, base_len, 1);
    cr_assert_eq(memcmp(b, base, base_len), 0);
    free(b);
}

Test(hlx_hostile, truncated_in_every_section) {
    unsigned char *b = copy_base();
    uint64_t meta = hlx_get64(b + HLX_OFF_META_OFFSET), dir = hlx_get64(b + HLX_OFF_DIR_OFFSET);
    uint64_t data = hlx_get64(b + HLX_OFF_DATA_OFFSET);
    expect(b, 0, HX_EFORMAT, "empty");
    expect(b, 5, HX_EFORMAT, "truncated in the header");
    expect(b, 100, HX_EFORMAT, "truncated in the header");
    expect(b, meta + 4, HX_EFORMAT, "truncated in the metadata");
    expect(b, dir + 4, HX_EFORMAT, "truncated in the tensor directory");
    expect(b, data + 4, HX_EFORMAT, "truncated in the tensor data");
    expect(b, base_len - 1, HX_EFORMAT, "truncated in the tensor data");
    /* And every other length fails cleanly. */
    for (size_t n = 0; n < base_len; n++) {
        hx_hlx *f;
        hx_error err;
        cr_assert_neq(hx_hlx_open_memory(b, n, &f, &err), HX_OK, "length %zu", n);
    }
    free(b);
}

Test(hlx_hostile, trailing_bytes) {
    if (!base) make_base();
    unsigned char *b = aligned_alloc(64, (base_len + 127) / 64 * 64);
    memcpy(b, base, base_len);
    memset(b + base_len, 0, 64);
    expect(b, base_len + 10, HX_EFORMAT, "10 bytes after its end");
    free(b);
}

Test(hlx_hostile, bit_flip_in_data_names_the_tensor) {
    unsigned char *b = copy_base();
    unsigned char *e = entry(b, 1);
    b[hlx_get64(e + HLX_E_DATA_OFFSET) + 5] ^= 0x10;
    hx_hlx *f;
    hx_error err;
    /* The default open verifies the data (issue 14.13)... */
    cr_assert_eq(hx_hlx_open_memory(b, base_len, &f, &err), HX_ECHECKSUM);
    cr_assert_null(f);
    cr_assert(strstr(err.msg, "tensor w1 is damaged"), "%s", err.msg);
    /* ...a structure-only open does not, and verify finds it later. */
    cr_assert_eq(hx_hlx_open_memory_with(b, base_len, HX_HLX_OPEN_NO_VERIFY, &f, &err), HX_OK,
                 "%s", err.msg);
    cr_assert_eq(hx_hlx_verify(f, &err), HX_ECHECKSUM);
    cr_assert(strstr(err.msg, "tensor w1 is damaged"), "%s", err.msg);
    hx_hlx_close(f);
    free(b);
}

Test(hlx_hostile, every_single_bit_flip_is_detected) {
    unsigned char *b = copy_base();
    for (size_t i = 0; i < base_len; i++)
        for (int bit = 0; bit < 8; bit++) {
            b[i] ^= (unsigned char)(1 << bit);
            hx_hlx *f;
            hx_error err;
            hx_status s = hx_hlx_open_memory(b, base_len, &f, &err);
            cr_assert_neq(s, HX_OK, "flip of bit %d of byte %zu went unnoticed by open", bit, i);
            b[i] ^= (unsigned char)(1 << bit);
        }
    free(b);
}

Test(hlx_hostile, damaged_header_and_metadata) {
    unsigned char *b = copy_base();
    b[HLX_OFF_DATA_SIZE] ^= 1;
    expect(b, base_len, HX_ECHECKSUM, "header checksum");
    memcpy(b, base, base_len);
    b[hlx_get64(b + HLX_OFF_META_OFFSET) + 3] ^= 1;
    expect(b, base_len, HX_ECHECKSUM, "metadata checksum");
    memcpy(b, base, base_len);
    b[hlx_get64(b + HLX_OFF_DIR_OFFSET) + 3] ^= 1;
    expect(b, base_len, HX_ECHECKSUM, "directory checksum");
    free(b);
}

Test(hlx_hostile, bad_magic) {
    unsigned char *b = copy_base();
    b[1] = 'X';
    expect_resealed(b, HX_EFORMAT, "bad magic");
    /* A text-mode copy that turned \r\n into \n. */
    b = copy_base();
    memmove(b + 4, b + 5, base_len - 5);
    expect(b, base_len - 1, HX_EFORMAT, "bad magic");
    free(b);
}

Test(hlx_hostile, wrong_byte_order_mark) {
    unsigned char *b = copy_base();
    b[8] = 1, b[9] = 2, b[10] = 3, b[11] = 4;
    expect_resealed(b, HX_EFORMAT, "big-endian");
    b = copy_base();
    b[9] = 0x77;
    expect_resealed(b, HX_EFORMAT, "bad byte-order mark");
}

Test(hlx_hostile, future_major_version_refused_newer_minor_read) {
    unsigned char *b = copy_base();
    hlx_put16(b + HLX_OFF_MAJOR, 2);
    expect_resealed(b, HX_EVERSION, "version 2.0");
    b = copy_base();
    hlx_put16(b + HLX_OFF_MINOR, 7);
    hx_hlx_reseal(b, base_len, 0);
    hx_hlx *f;
    hx_error err;
    cr_assert_eq(hx_hlx_open_memory(b, base_len, &f, &err), HX_OK, "a 1.7 file is readable: %s", err.msg);
    hx_hlx_close(f);
    /* A must-understand flag this reader does not know. */
    hlx_put32(b + HLX_OFF_FLAGS, 1);
    expect_resealed(b, HX_EVERSION, "features");
}

Test(hlx_hostile, dims_product_overflow) {
    unsigned char *b = copy_base();
    unsigned char *e = entry(b, 0);
    hlx_put32(e + HLX_E_RANK, 3);
    for (int d = 0; d < 3; d++) hlx_put64(e + HLX_E_DIMS + 8 * d, (uint64_t)1 << 30);
    expect_resealed(b, HX_ERANGE, "tensor w0: product of dims overflows");
    b = copy_base();
    hlx_put64(entry(b, 0) + HLX_E_DIMS, (uint64_t)1 << 63);
    expect_resealed(b, HX_EFORMAT, "tensor w0: dim 0 is negative");
    b = copy_base();
    /* 2^62 f32 elements: the count fits, the byte size does not. */
    e = entry(b, 0);
    hlx_put32(e + HLX_E_RANK, 1);
    hlx_put64(e + HLX_E_DIMS, (uint64_t)1 << 62);
    hlx_put64(e + HLX_E_DIMS + 8, 0);
    expect_resealed(b, HX_ERANGE, "tensor w0: byte size overflows");
}

Test(hlx_hostile, offset_past_end) {
    unsigned char *b = copy_base();
    hlx_put64(entry(b, 2) + HLX_E_DATA_OFFSET, (base_len + 63) / 64 * 64);
    expect_resealed(b, HX_EFORMAT, "tensor w2: data");
    b = copy_base();
    hlx_put64(entry(b, 2) + HLX_E_DATA_OFFSET, UINT64_MAX - 63);
    expect_resealed(b, HX_EFORMAT, "outside the data section");
    b = copy_base();
    hlx_put64(b + HLX_OFF_META_SIZE, UINT64_MAX - 100);
    expect_resealed(b, HX_EFORMAT, "metadata section lies outside the file");
}

Test(hlx_hostile, overlapping_tensors) {
    unsigned char *b = copy_base();
    hlx_put64(entry(b, 1) + HLX_E_DATA_OFFSET, hlx_get64(entry(b, 0) + HLX_E_DATA_OFFSET));
    expect_resealed(b, HX_EFORMAT, "tensors w0 and w1 overlap");
}

Test(hlx_hostile, misaligned_offset) {
    unsigned char *b = copy_base();
    hlx_put64(entry(b, 1) + HLX_E_DATA_OFFSET, hlx_get64(entry(b, 1) + HLX_E_DATA_OFFSET) + 4);
    expect_resealed(b, HX_EFORMAT, "tensor w1: data offset");
}

static unsigned char *name_of(unsigned char *b, int i) {
    uint64_t dir = hlx_get64(b + HLX_OFF_DIR_OFFSET);
    return b + dir + hlx_get32(b + HLX_OFF_NAMES_OFFSET) + hlx_get32(entry(b, i) + HLX_E_NAME_OFFSET);
}

Test(hlx_hostile, duplicate_names) {
    unsigned char *b = copy_base();
    name_of(b, 2)[1] = '0';
    expect_resealed(b, HX_EFORMAT, "duplicate tensor name w0");
}

Test(hlx_hostile, non_utf8_name) {
    unsigned char *b = copy_base();
    name_of(b, 1)[0] = 0xFF;
    expect_resealed(b, HX_EFORMAT, "tensor 1: name is not valid UTF-8");
    b = copy_base();
    hlx_put32(entry(b, 1) + HLX_E_NAME_LEN, 1000);
    expect_resealed(b, HX_EFORMAT, "tensor 1: name lies outside");
}

Test(hlx_hostile, unknown_dtype) {
    unsigned char *b = copy_base();
    hlx_put32(entry(b, 1) + HLX_E_DTYPE, 99);
    expect_resealed(b, HX_EFORMAT, "tensor w1: unknown dtype code 99");
    b = copy_base();
    hlx_put32(entry(b, 1) + HLX_E_DTYPE, HX_DT_I64);
    expect_resealed(b, HX_EFORMAT, "tensor w1: data size 16 does not match dtype i64");
}

Test(hlx_hostile, bad_rank_and_counts) {
    unsigned char *b = copy_base();
    hlx_put32(entry(b, 0) + HLX_E_RANK, 9);
    expect_resealed(b, HX_EFORMAT, "rank 9");
    b = copy_base();
    hlx_put64(b + HLX_OFF_TENSOR_COUNT, 1000000);
    expect_resealed(b, HX_EFORMAT, "too small for 1000000 tensors");
    b = copy_base();
    hlx_put32(b + HLX_OFF_ENTRY_SIZE, 8);
    expect_resealed(b, HX_EFORMAT, "entry size");
}

/* Replaces the metadata by text of the same length. */
static void expect_metadata(const char *text, const char *needle) {
    unsigned char *b = copy_base();
    uint64_t off = hlx_get64(b + HLX_OFF_META_OFFSET), n = hlx_get64(b + HLX_OFF_META_SIZE) - 1;
    cr_assert_eq(strlen(text), n, "test text must keep the length");
    memcpy(b + off, text, n);
    expect_resealed(b, HX_EFORMAT, needle);
}

Test(hlx_hostile, metadata_of_the_wrong_type) {
    /* original: {"arch":"test","labels":["a","b"]} */
    expect_metadata("{\"arch\":\"test\",\"labels\":123456789}", "'labels' must be an array of strings");
    expect_metadata("{\"arch\":\"test\",\"labels\":[\"a\",666]}", "(element 1 is not)");
    expect_metadata("{\"arch\":123456,\"labels\":[\"a\",\"b\"]}", "'arch' must be a string");
    expect_metadata("{\"bert\":\"test\",\"labels\":[\"a\",\"b\"]}", "'bert' must be an object");
    expect_metadata("[\"arch\",\"test\",\"labels\",\"a\",  \"b\"]", "must be a JSON object");
    expect_metadata("{\"arch\":\"test\",\"labels\":[\"a\",\"b\"] ", "not valid JSON");
    expect_metadata("{\"arch\":\"t\xff\xfet\",\"labels\":[\"a\",\"b\"]}", "not valid UTF-8");
}

/* An int8 tensor whose row count would make the scales' size wrap around. */
Test(hlx_hostile, int8_rows_overflow) {
    unsigned char *b = copy_base();
    unsigned char *e = entry(b, 1); /* w1: f32 [4], 16 bytes */
    hlx_put32(e + HLX_E_DTYPE, HX_DT_I8);
    hlx_put32(e + HLX_E_RANK, 2);
    hlx_put64(e + HLX_E_DIMS, ((uint64_t)1 << 62) + 4);  /* 4 * rows wraps to 16 */
    hlx_put64(e + HLX_E_DIMS + 8, 0);
    expect_resealed(b, HX_ERANGE, "tensor w1: element count too large");
}

/* issue 14.13: a damaged bundled model does not open. Bits are flipped in a
 * copy of models/triage/bert_a.hlx at chosen offsets in the header, the
 * metadata, the directory, the name table, the first, middle and last
 * bytes of tensors, the padding between tensor regions, and at 40 offsets
 * from a fixed pseudo-random sequence; every open of the damaged file (the
 * path each model loader takes) must fail with a checksum or format error.
 * Before checksums were verified on open, flips in tensor data and padding
 * opened and classified. */
Test(hlx_hostile, damaged_bundled_model_does_not_open) {
    size_t len;
    char *orig = tu_read_file(HX_SOURCE_DIR "/models/triage/bert_a.hlx", &len);
    const unsigned char *o = (const unsigned char *)orig;
    const uint64_t meta = hlx_get64(o + HLX_OFF_META_OFFSET), meta_n = hlx_get64(o + HLX_OFF_META_SIZE);
    const uint64_t dir = hlx_get64(o + HLX_OFF_DIR_OFFSET), dir_n = hlx_get64(o + HLX_OFF_DIR_SIZE);
    const uint64_t names = dir + hlx_get32(o + HLX_OFF_NAMES_OFFSET);
    const uint64_t count = hlx_get64(o + HLX_OFF_TENSOR_COUNT), esz = hlx_get32(o + HLX_OFF_ENTRY_SIZE);
    uint64_t offs[128];
    size_t n = 0;
    offs[n++] = 20;                      /* header: flags */
    offs[n++] = HLX_OFF_FILE_SUM + 3;    /* header: file checksum */
    offs[n++] = meta + 1;                /* metadata: JSON text */
    offs[n++] = meta + meta_n / 2;
    offs[n++] = dir + HLX_E_DIMS;        /* directory: first entry's dims */
    offs[n++] = dir + (count - 1) * esz + HLX_E_CHECKSUM; /* last entry's checksum */
    offs[n++] = names + 2;               /* name table */
    offs[n++] = dir + dir_n - 2;
    for (uint64_t t = 0; t < count; t += count / 4 + 1) {
        const unsigned char *e = o + dir + t * esz;
        const uint64_t at = hlx_get64(e + HLX_E_DATA_OFFSET), sz = hlx_get64(e + HLX_E_DATA_SIZE);
        if (sz == 0) continue;
        offs[n++] = at;                  /* tensor data: first, middle, last byte */
        offs[n++] = at + sz / 2;
        offs[n++] = at + sz - 1;
        if (sz % 64) offs[n++] = at + sz; /* zero padding after the region */
    }
    uint64_t x = 0x9E3779B97F4A7C15ULL; /* splitmix64: 40 reproducible offsets */
    for (int k = 0; k < 40; k++) {
        x += 0x9E3779B97F4A7C15ULL;
        uint64_t z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        offs[n++] = (z ^ (z >> 31)) % len;
    }
    char path[128];
    snprintf(path, sizeof path, "/tmp/hx_test_flip_%d.hlx", (int)getpid());
    for (size_t k = 0; k < n; k++) {
        cr_assert_lt(offs[k], len);
        orig[offs[k]] ^= (char)(1 << (k % 8));
        FILE *f = fopen(path, "wb");
        cr_assert_not_null(f);
        cr_assert_eq(fwrite(orig, 1, len, f), len);
        cr_assert_eq(fclose(f), 0);
        orig[offs[k]] ^= (char)(1 << (k % 8));
        hx_hlx *h = NULL;
        hx_error err;
        hx_status s = hx_hlx_open(path, &h, &err);
        hx_hlx_close(h);
        cr_assert(s == HX_ECHECKSUM || s == HX_EFORMAT,
                  "flip of bit %zu at byte %llu: open gave %s", k % 8, (unsigned long long)offs[k],
                  hx_status_name(s));
    }
    /* the undamaged copy opens */
    FILE *f = fopen(path, "wb");
    cr_assert_eq(fwrite(orig, 1, len, f), len);
    fclose(f);
    hx_hlx *h;
    hx_error err;
    cr_assert_eq(hx_hlx_open(path, &h, &err), HX_OK, "%s", err.msg);
    hx_hlx_close(h);
    unlink(path);
    free(orig);
}
