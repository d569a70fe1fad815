/* Per-code-point character classes of the BERT tokenizer (generated tables
 * in unicode_tables.c, by tools/gen_unicode_tables.py). */
#ifndef HELIX_TOKENIZER_UNICODE_TABLES_H
#define HELIX_TOKENIZER_UNICODE_TABLES_H

#include <stddef.h>
#include <stdint.h>

enum {
    HX_UC_DELETE = 1,   /* clean_text deletes it (Cc/Cf/Co but \t\n\r; U+0000; U+FFFD) */
    HX_UC_SPACE = 2,    /* White_Space */
    HX_UC_PUNCT = 4,    /* ASCII punctuation or P* (Unicode 8.0) */
    HX_UC_MN = 8,       /* nonspacing mark (Unicode 8.0): dropped by strip_accents */
    HX_UC_DECOMP = 16,  /* canonical decomposition (Unicode 9.0), Hangul included */
    HX_UC_CCC = 32,     /* canonical combining class != 0 (Unicode 9.0) */
    HX_UC_LOWER = 64,   /* lowercase mapping differs from the character */
    HX_UC_CHINESE = 128 /* one of the fast tokenizer's CJK ranges */
};

extern const uint16_t hx_uc_stage1[0x1100];
extern const uint8_t hx_uc_stage2[][256];
extern const size_t hx_uc_decomp_count;
extern const uint32_t hx_uc_decomp_keys[];
extern const uint16_t hx_uc_decomp_ref[];
extern const uint32_t hx_uc_decomp_data[];
extern const size_t hx_uc_ccc_count;
extern const uint32_t hx_uc_ccc_keys[];
extern const uint8_t hx_uc_ccc_vals[];
extern const size_t hx_uc_lower_count;
extern const uint32_t hx_uc_lower_keys[];
extern const uint32_t hx_uc_lower_vals[];

/* Flags of code point c (c < 0x110000). */
static inline unsigned hx_uc_flags(uint32_t c) {
    return hx_uc_stage2[hx_uc_stage1[c >> 8]][c & 255];
}

#endif
