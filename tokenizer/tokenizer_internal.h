/* Private structures of the WordPiece tokenizer, shared by vocab.c (build
 * and lookup), pipeline.c (normalizer + pre-tokenizer + WordPiece) and
 * encode.c (truncation, template, padding). */
#ifndef HELIX_TOKENIZER_INTERNAL_H
#define HELIX_TOKENIZER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "helix/tokenizer.h"

/* Upper bounds that keep every size computation far from overflow. */
#define HX_TOK_MAX_VOCAB ((size_t)1 << 24)
#define HX_TOK_MAX_TOKEN_BYTES 4096
#define HX_TOK_MAX_WORD_CHARS (1 << 16)
#define HX_TOK_MAX_TEXT_BYTES ((size_t)1 << 31)

/* ASCII fast-path classes, fixed per configuration at creation. */
enum { ASCII_WORD = 0, ASCII_SPLIT = 1, ASCII_PUNCT = 2, ASCII_DELETE = 3 };

/* Byte trie over the vocabulary, nodes in breadth-first order so that a
 * node's children are contiguous: edges [first, first + count) sorted by
 * byte. Nodes with many children also get a 256-entry direct table. */
typedef struct {
    uint32_t first;  /* index of the first edge */
    uint16_t count;  /* number of children */
    int32_t id;      /* token id ending here, or -1 */
    int32_t direct;  /* index into trie_direct (x256), or -1 */
} hx_trie_node;

/* An added (special) token matched in the raw text. */
typedef struct {
    const char *str;
    uint32_t len;    /* bytes */
    uint32_t chars;  /* code points */
    int32_t id;
} hx_added_token;

struct hx_tokenizer {
    hx_tokenizer_config cfg; /* string fields point into `strings` below */
    bool strip;              /* strip_accents resolved */
    size_t n_vocab;
    char *arena;             /* all vocab strings, NUL-terminated */
    uint32_t *tok_off;       /* n_vocab offsets into arena */
    uint32_t *hash;          /* open addressing: id + 1, 0 = empty */
    size_t hash_mask;
    hx_trie_node *nodes;
    size_t n_nodes;
    uint8_t *edge_byte;
    uint32_t *edge_node;
    int32_t *trie_direct;
    int32_t cont_root;       /* node of the continuing-subword prefix, or -1 */
    int32_t unk_id, cls_id, sep_id, pad_id;
    hx_added_token *added;   /* sorted by decreasing length */
    size_t n_added;
    uint8_t added_first[256];/* 1 when some added token starts with this byte */
    uint8_t ascii_class[128];
    uint8_t ascii_map[128];  /* lowercased byte (or itself) */
    char *strings;           /* copies of the config strings */
};

/* One text token of a sequence, before the template. Offsets: code points
 * [cs, ce) and bytes [bs, be) of the sequence's own input. */
typedef struct {
    int32_t id;
    uint32_t cs, ce, bs, be;
} hx_piece;

/* Origin of one normalized code point in the input. */
typedef struct {
    uint32_t c;      /* code-point index */
    uint32_t b0, b1; /* byte range */
} hx_span;

/* A pending combining mark (NFD canonical reordering). */
typedef struct {
    uint32_t cp;
    uint8_t ccc;
    bool added;   /* not the first code point of its input character's decomposition */
    hx_span span;
} hx_mark;

/* Per-encoding scratch, reused across calls. */
typedef struct {
    hx_piece *pieces[2];
    size_t n_pieces[2], cap_pieces[2];
    uint8_t *word;         /* normalized UTF-8 bytes of the current word */
    hx_span *word_span;    /* origin of each byte of `word` */
    size_t word_len, word_cap, word_chars;
    bool word_overflow;    /* more than max_input_chars_per_word chars */
    hx_span word_first, word_last;
    hx_mark *marks;
    hx_span *origins;      /* cap_marks entries: flush_marks' input-order spans */
    size_t n_marks, cap_marks;
    bool oom;
} hx_tok_scratch;

/* Vocabulary lookups (vocab.c). */
int32_t hx_tok_lookup(const struct hx_tokenizer *t, const char *s, size_t len);
static inline int32_t hx_trie_child(const struct hx_tokenizer *t, int32_t node, uint8_t b) {
    const hx_trie_node *n = &t->nodes[node];
    if (n->direct >= 0) return t->trie_direct[(size_t)n->direct * 256 + b];
    const uint8_t *eb = t->edge_byte + n->first;
    for (uint32_t i = 0; i < n->count; i++) {
        if (eb[i] == b) return (int32_t)t->edge_node[n->first + i];
        if (eb[i] > b) break;
    }
    return -1;
}

/* Tokenizes one sequence into s->pieces[which] (pipeline.c). */
hx_status hx_tok_sequence(const struct hx_tokenizer *t, hx_tok_scratch *s, int which,
                          const uint8_t *text, size_t len, hx_error *err);

/* Decodes one UTF-8 character at p (n > 0 bytes available): returns its
 * length, the code point in *cp; an invalid maximal subpart gives U+FFFD
 * and the subpart's length (utf8.c). */
size_t hx_utf8_decode(const uint8_t *p, size_t n, uint32_t *cp);
/* Encodes cp (valid scalar) into out (4 bytes room); returns the length. */
size_t hx_utf8_encode(uint32_t cp, uint8_t *out);
/* True when s[0..n) is valid UTF-8. */
bool hx_utf8_valid(const uint8_t *s, size_t n);

#endif
