/* Layout constants of the .hlx file shared by the writer, the reader and the
 * tests (the byte-level specification is docs/hlx-format.md). */
#ifndef HELIX_WEIGHTS_HLX_INTERNAL_H
#define HELIX_WEIGHTS_HLX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define HLX_MAGIC "\x89HLX\r\n\x1a\n" /* 8 bytes, PNG-style: catches text-mode copies */
#define HLX_BOM 0x01020304u           /* stored little-endian: 04 03 02 01 */
#define HLX_MAJOR 1
#define HLX_MINOR 0
#define HLX_HEADER_SIZE 128u          /* size written by this version */
#define HLX_ENTRY_SIZE 112u           /* directory entry size written by this version */
#define HLX_DATA_ALIGN 64u
#define HLX_MAX_NAME 4096u
#define HLX_MAX_TENSORS (1u << 24)

/* Header field offsets. */
enum {
    HLX_OFF_MAGIC = 0,
    HLX_OFF_BOM = 8,
    HLX_OFF_MAJOR = 12,
    HLX_OFF_MINOR = 14,
    HLX_OFF_HEADER_SIZE = 16,
    HLX_OFF_FLAGS = 20,
    HLX_OFF_FILE_SIZE = 24,
    HLX_OFF_META_OFFSET = 32,
    HLX_OFF_META_SIZE = 40,
    HLX_OFF_DIR_OFFSET = 48,
    HLX_OFF_DIR_SIZE = 56,
    HLX_OFF_TENSOR_COUNT = 64,
    HLX_OFF_ENTRY_SIZE = 72,
    HLX_OFF_NAMES_OFFSET = 76, /* u32: start of the name table inside the directory */
    HLX_OFF_DATA_OFFSET = 80,
    HLX_OFF_DATA_SIZE = 88,
    HLX_OFF_META_SUM = 96,
    HLX_OFF_DIR_SUM = 104,
    HLX_OFF_FILE_SUM = 112,
    /* the header checksum is the header's last 8 bytes */
};

/* Directory entry field offsets. */
enum {
    HLX_E_NAME_OFFSET = 0, /* u32, into the name table */
    HLX_E_NAME_LEN = 4,    /* u32, bytes, without the NUL that follows */
    HLX_E_DTYPE = 8,       /* u32 */
    HLX_E_RANK = 12,       /* u32 */
    HLX_E_DIMS = 16,       /* 8 x i64 */
    HLX_E_DATA_OFFSET = 80,
    HLX_E_DATA_SIZE = 88,
    HLX_E_CHECKSUM = 96,
    HLX_E_RESERVED = 104,
};

static inline uint16_t hlx_get16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t hlx_get32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t hlx_get64(const unsigned char *p) {
    return (uint64_t)hlx_get32(p) | (uint64_t)hlx_get32(p + 4) << 32;
}
static inline void hlx_put16(unsigned char *p, uint16_t v) { p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8); }
static inline void hlx_put32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static inline void hlx_put64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* Bytes of an HX_DT_I8 tensor's data region: n int8 values, zero padding to
 * a multiple of 4, then `rows` f32 scales. */
static inline uint64_t hlx_i8_region_size(uint64_t n, uint64_t rows) {
    return ((n + 3) & ~(uint64_t)3) + 4 * rows;
}

/* Recomputes the metadata, directory, file and header checksums of an .hlx
 * image in place from the offsets its header gives (the tensor checksums
 * are left alone unless fix_tensors). Tests use it to build hostile files
 * that get past the checksums; the fuzzer uses it to reach the deeper
 * checks. Never reads outside buf; returns 0 if the header is too damaged
 * to locate the sections. */
int hx_hlx_reseal(unsigned char *buf, size_t len, int fix_tensors);

/* 1 if s[0..n) is well-formed UTF-8 (no overlongs, no surrogates) with no
 * NUL byte, else 0. (Not tokenizer/'s hx_utf8_valid, which accepts NUL: the
 * two once shared a name, and a static link silently used either.) */
int hlx_utf8_valid(const char *s, size_t n);

/* a * b into *out; 0 on uint64 overflow. */
static inline int hlx_mul_ok(uint64_t a, uint64_t b, uint64_t *out) {
    if (a && b > UINT64_MAX / a) return 0;
    *out = a * b;
    return 1;
}

#endif
