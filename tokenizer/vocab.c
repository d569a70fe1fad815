/* Tokenizer construction: copies of the vocabulary and configuration, an
 * exact-string hash (token -> id), the byte trie WordPiece walks for its
 * greedy longest match, the added-token list and the ASCII fast-path tables. */
#include <stdlib.h>
#include <string.h>

#include "tokenizer/tokenizer_internal.h"
#include "tokenizer/unicode_tables.h"

void hx_tokenizer_config_default(hx_tokenizer_config *cfg, bool lowercase) {
    memset(cfg, 0, sizeof *cfg);
    cfg->clean_text = true;
    cfg->handle_chinese_chars = true;
    cfg->lowercase = lowercase;
    cfg->strip_accents = HX_STRIP_ACCENTS_AUTO;
    cfg->unk_token = "[UNK]";
    cfg->continuing_subword_prefix = "##";
    cfg->max_input_chars_per_word = 100;
    cfg->cls_token = "[CLS]";
    cfg->sep_token = "[SEP]";
    cfg->pad_token = "[PAD]";
    cfg->mask_token = "[MASK]";
    cfg->model_max_length = 512;
}

/* FNV-1a, 64-bit. */
static uint64_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
    return h;
}

static const char *tok_str(const hx_tokenizer *t, size_t id) { return t->arena + t->tok_off[id]; }
static size_t tok_len(const hx_tokenizer *t, size_t id) {
    return t->tok_off[id + 1] - t->tok_off[id] - 1;
}

int32_t hx_tok_lookup(const hx_tokenizer *t, const char *s, size_t len) {
    size_t i = (size_t)hash_bytes(s, len) & t->hash_mask;
    for (;;) {
        uint32_t e = t->hash[i];
        if (!e) return -1;
        size_t id = e - 1;
        if (tok_len(t, id) == len && !memcmp(tok_str(t, id), s, len)) return (int32_t)id;
        i = (i + 1) & t->hash_mask;
    }
}

typedef struct {
    const char *s;
    uint32_t len;
    int32_t id;
} sort_item;

static int cmp_item(const void *a, const void *b) {
    const sort_item *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    if (c) return c;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

typedef struct {
    uint32_t lo, hi, depth;
} trie_range;

/* Builds the trie breadth-first from the sorted vocabulary: the node of a
 * prefix covers a contiguous range of sorted tokens. */
static hx_status build_trie(hx_tokenizer *t, hx_error *err) {
    size_t n = t->n_vocab;
    sort_item *items = malloc(n * sizeof *items);
    size_t total = 1;
    for (size_t i = 0; i < n; i++) total += tok_len(t, i);
    t->nodes = malloc(total * sizeof *t->nodes);
    t->edge_byte = malloc(total);
    t->edge_node = malloc(total * sizeof *t->edge_node);
    trie_range *queue = malloc(total * sizeof *queue);
    if (!items || !t->nodes || !t->edge_byte || !t->edge_node || !queue) {
        free(items);
        free(queue);
        return hx_fail(err, HX_ENOMEM, "out of memory building the vocabulary trie");
    }
    for (size_t i = 0; i < n; i++)
        items[i] = (sort_item){tok_str(t, i), (uint32_t)tok_len(t, i), (int32_t)i};
    qsort(items, n, sizeof *items, cmp_item);

    size_t n_nodes = 1, n_edges = 0, n_direct = 0;
    queue[0] = (trie_range){0, (uint32_t)n, 0};
    for (size_t q = 0; q < n_nodes; q++) {
        trie_range r = queue[q];
        hx_trie_node *node = &t->nodes[q];
        node->id = -1;
        node->direct = -1;
        uint32_t i = r.lo;
        /* Tokens equal to the prefix sort first; the last duplicate wins. */
        while (i < r.hi && items[i].len == r.depth) {
            if (items[i].id > node->id) node->id = items[i].id;
            i++;
        }
        node->first = (uint32_t)n_edges;
        node->count = 0;
        while (i < r.hi) {
            uint8_t b = (uint8_t)items[i].s[r.depth];
            uint32_t j = i + 1;
            while (j < r.hi && (uint8_t)items[j].s[r.depth] == b) j++;
            t->edge_byte[n_edges] = b;
            t->edge_node[n_edges] = (uint32_t)n_nodes;
            n_edges++;
            node->count++;
            queue[n_nodes++] = (trie_range){i, j, r.depth + 1};
            i = j;
        }
        if (node->count > 16) n_direct++;
    }
    t->n_nodes = n_nodes;
    free(items);
    free(queue);
    t->trie_direct = malloc((n_direct ? n_direct : 1) * 256 * sizeof *t->trie_direct);
    if (!t->trie_direct) return hx_fail(err, HX_ENOMEM, "out of memory building the vocabulary trie");
    int32_t d = 0;
    for (size_t k = 0; k < n_nodes; k++) {
        hx_trie_node *node = &t->nodes[k];
        if (node->count <= 16) continue;
        int32_t *tab = t->trie_direct + (size_t)d * 256;
        for (int b = 0; b < 256; b++) tab[b] = -1;
        for (uint32_t e = 0; e < node->count; e++)
            tab[t->edge_byte[node->first + e]] = (int32_t)t->edge_node[node->first + e];
        node->direct = d++;
    }
    /* Node of the continuing-subword prefix. */
    int32_t node = 0;
    for (const char *p = t->cfg.continuing_subword_prefix; *p && node >= 0; p++)
        node = hx_trie_child(t, node, (uint8_t)*p);
    t->cont_root = node;
    return HX_OK;
}

static int cmp_added(const void *a, const void *b) {
    const hx_added_token *x = a, *y = b;
    return x->len < y->len ? 1 : x->len > y->len ? -1 : 0;
}

/* Copies the config's strings into one block so the tokenizer owns them. */
static hx_status copy_strings(hx_tokenizer *t, const hx_tokenizer_config *cfg, hx_error *err) {
    const char **fields[] = {&t->cfg.unk_token, &t->cfg.continuing_subword_prefix,
                             &t->cfg.cls_token, &t->cfg.sep_token, &t->cfg.pad_token,
                             &t->cfg.mask_token};
    size_t need = 0;
    for (size_t i = 0; i < 6; i++)
        if (*fields[i]) need += strlen(*fields[i]) + 1;
    t->strings = malloc(need ? need : 1);
    if (!t->strings) return hx_fail(err, HX_ENOMEM, "out of memory");
    char *p = t->strings;
    for (size_t i = 0; i < 6; i++) {
        if (!*fields[i]) continue;
        size_t l = strlen(*fields[i]) + 1;
        memcpy(p, *fields[i], l);
        *fields[i] = p;
        p += l;
    }
    t->cfg.added_tokens = NULL;
    t->cfg.n_added_tokens = 0;
    return HX_OK;
}

static size_t utf8_chars(const char *s, size_t n) {
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += ((uint8_t)s[i] & 0xC0) != 0x80;
    return c;
}

static hx_status add_added(hx_tokenizer *t, const char *s, bool required, const char *what,
                           hx_error *err) {
    if (!s) {
        if (required) return hx_fail(err, HX_EINVAL, "tokenizer: %s is not set", what);
        return HX_OK;
    }
    size_t len = strlen(s);
    int32_t id = hx_tok_lookup(t, s, len);
    if (id < 0 || len == 0) {
        if (required) return hx_fail(err, HX_EINVAL, "tokenizer: %s is not in the vocabulary", what);
        return HX_OK;
    }
    for (size_t i = 0; i < t->n_added; i++)
        if (t->added[i].len == len && !memcmp(t->added[i].str, s, len)) return HX_OK;
    t->added[t->n_added++] = (hx_added_token){tok_str(t, (size_t)id), (uint32_t)len,
                                              (uint32_t)utf8_chars(s, len), id};
    return HX_OK;
}

hx_status hx_tokenizer_create(const hx_tokenizer_config *cfg, const char *const *vocab,
                              size_t n_vocab, hx_tokenizer **out, hx_error *err) {
    if (!cfg || !vocab || !out) return hx_fail(err, HX_EINVAL, "tokenizer: NULL argument");
    *out = NULL;
    if (n_vocab == 0 || n_vocab > HX_TOK_MAX_VOCAB)
        return hx_fail(err, HX_EINVAL, "tokenizer: vocabulary size %zu out of range", n_vocab);
    if (!cfg->unk_token || !cfg->cls_token || !cfg->sep_token || !cfg->continuing_subword_prefix)
        return hx_fail(err, HX_EINVAL, "tokenizer: unk, cls, sep tokens and prefix are required");
    if (cfg->max_input_chars_per_word < 0 || cfg->max_input_chars_per_word > HX_TOK_MAX_WORD_CHARS)
        return hx_fail(err, HX_EINVAL, "tokenizer: max_input_chars_per_word out of range");
    if (cfg->n_added_tokens > 1024)
        return hx_fail(err, HX_EINVAL, "tokenizer: more than 1024 added tokens");
    hx_tokenizer *t = calloc(1, sizeof *t);
    if (!t) return hx_fail(err, HX_ENOMEM, "out of memory");
    t->cfg = *cfg;
    hx_status st = copy_strings(t, cfg, err);
    if (st) goto fail;
    t->strip = cfg->strip_accents == HX_STRIP_ACCENTS_AUTO ? cfg->lowercase
                                                           : cfg->strip_accents == HX_STRIP_ACCENTS_ON;
    t->n_vocab = n_vocab;

    /* Arena of vocabulary strings. */
    size_t bytes = 0;
    for (size_t i = 0; i < n_vocab; i++) {
        if (!vocab[i]) {
            st = hx_fail(err, HX_EINVAL, "tokenizer: vocabulary entry %zu is NULL", i);
            goto fail;
        }
        size_t l = strlen(vocab[i]);
        if (l > HX_TOK_MAX_TOKEN_BYTES || !hx_utf8_valid((const uint8_t *)vocab[i], l)) {
            st = hx_fail(err, HX_EFORMAT,
                         "tokenizer: vocabulary entry %zu is too long or not UTF-8", i);
            goto fail;
        }
        bytes += l + 1;
    }
    if (bytes > UINT32_MAX) {
        st = hx_fail(err, HX_ERANGE, "tokenizer: vocabulary larger than 4 GiB");
        goto fail;
    }
    t->arena = malloc(bytes ? bytes : 1);
    t->tok_off = malloc((n_vocab + 1) * sizeof *t->tok_off);
    size_t hsize = 16;
    while (hsize < 2 * n_vocab) hsize *= 2;
    t->hash = calloc(hsize, sizeof *t->hash);
    t->hash_mask = hsize - 1;
    if (!t->arena || !t->tok_off || !t->hash) {
        st = hx_fail(err, HX_ENOMEM, "out of memory");
        goto fail;
    }
    size_t off = 0;
    for (size_t i = 0; i < n_vocab; i++) {
        size_t l = strlen(vocab[i]) + 1;
        memcpy(t->arena + off, vocab[i], l);
        t->tok_off[i] = (uint32_t)off;
        off += l;
    }
    t->tok_off[n_vocab] = (uint32_t)off;
    /* Hash: a later duplicate replaces the earlier id. */
    for (size_t i = 0; i < n_vocab; i++) {
        size_t l = tok_len(t, i);
        size_t h = (size_t)hash_bytes(tok_str(t, i), l) & t->hash_mask;
        for (;;) {
            uint32_t e = t->hash[h];
            if (!e) {
                t->hash[h] = (uint32_t)i + 1;
                break;
            }
            if (tok_len(t, e - 1) == l && !memcmp(tok_str(t, e - 1), tok_str(t, i), l)) {
                t->hash[h] = (uint32_t)i + 1;
                break;
            }
            h = (h + 1) & t->hash_mask;
        }
    }
    if ((st = build_trie(t, err))) goto fail;

    t->unk_id = hx_tok_lookup(t, t->cfg.unk_token, strlen(t->cfg.unk_token));
    t->cls_id = hx_tok_lookup(t, t->cfg.cls_token, strlen(t->cfg.cls_token));
    t->sep_id = hx_tok_lookup(t, t->cfg.sep_token, strlen(t->cfg.sep_token));
    t->pad_id = t->cfg.pad_token ? hx_tok_lookup(t, t->cfg.pad_token, strlen(t->cfg.pad_token)) : -1;
    if (t->unk_id < 0) {
        st = hx_fail(err, HX_EINVAL, "tokenizer: unk_token is not in the vocabulary");
        goto fail;
    }
    if (t->cls_id < 0 || t->sep_id < 0) {
        st = hx_fail(err, HX_EINVAL, "tokenizer: cls_token or sep_token is not in the vocabulary");
        goto fail;
    }

    /* Added tokens, longest first (leftmost-longest matching). */
    t->added = calloc(cfg->n_added_tokens + 5, sizeof *t->added);
    if (!t->added) {
        st = hx_fail(err, HX_ENOMEM, "out of memory");
        goto fail;
    }
    if (cfg->added_tokens) {
        for (size_t i = 0; i < cfg->n_added_tokens; i++)
            if ((st = add_added(t, cfg->added_tokens[i], true, "an added token", err))) goto fail;
    } else {
        if ((st = add_added(t, t->cfg.pad_token, false, "pad_token", err)) ||
            (st = add_added(t, t->cfg.unk_token, true, "unk_token", err)) ||
            (st = add_added(t, t->cfg.cls_token, true, "cls_token", err)) ||
            (st = add_added(t, t->cfg.sep_token, true, "sep_token", err)) ||
            (st = add_added(t, t->cfg.mask_token, false, "mask_token", err)))
            goto fail;
    }
    qsort(t->added, t->n_added, sizeof *t->added, cmp_added);
    for (size_t i = 0; i < t->n_added; i++) t->added_first[(uint8_t)t->added[i].str[0]] = 1;

    /* ASCII fast path: the whole normalizer + pre-tokenizer per byte. */
    for (int c = 0; c < 128; c++) {
        unsigned f = hx_uc_flags((uint32_t)c);
        uint8_t cls = ASCII_WORD;
        if (t->cfg.clean_text && (f & HX_UC_DELETE)) cls = ASCII_DELETE;
        else if (f & HX_UC_SPACE) cls = ASCII_SPLIT;
        else if (f & HX_UC_PUNCT) cls = ASCII_PUNCT;
        t->ascii_class[c] = cls;
        t->ascii_map[c] = (uint8_t)((t->cfg.lowercase && c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    *out = t;
    return HX_OK;
fail:
    hx_tokenizer_free(t);
    return st;
}

void hx_tokenizer_free(hx_tokenizer *t) {
    if (!t) return;
    free(t->arena);
    free(t->tok_off);
    free(t->hash);
    free(t->nodes);
    free(t->edge_byte);
    free(t->edge_node);
    free(t->trie_direct);
    free(t->added);
    free(t->strings);
    free(t);
}

size_t hx_tokenizer_vocab_size(const hx_tokenizer *t) { return t->n_vocab; }

int32_t hx_tokenizer_token_to_id(const hx_tokenizer *t, const char *token, size_t len) {
    return hx_tok_lookup(t, token, len);
}

const char *hx_tokenizer_id_to_token(const hx_tokenizer *t, int32_t id) {
    if (id < 0 || (size_t)id >= t->n_vocab) return NULL;
    return tok_str(t, (size_t)id);
}

int32_t hx_tokenizer_cls_id(const hx_tokenizer *t) { return t->cls_id; }
int32_t hx_tokenizer_sep_id(const hx_tokenizer *t) { return t->sep_id; }
int32_t hx_tokenizer_pad_id(const hx_tokenizer *t) { return t->pad_id; }
int32_t hx_tokenizer_unk_id(const hx_tokenizer *t) { return t->unk_id; }
int hx_tokenizer_model_max_length(const hx_tokenizer *t) { return t->cfg.model_max_length; }
