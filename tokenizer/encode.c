/* hx_tokenizer_encode: both sequences through the pipeline, then Hugging
 * Face's truncation (utils/truncation.rs), the BERT template
 * [CLS] A [SEP] (B [SEP]) with token types, and right padding
 * (spec sections 6-9). */
#include <stdlib.h>
#include <string.h>

#include "tokenizer/tokenizer_internal.h"

static const char *const TOO_SHORT =
    "Truncation error: Sequence to truncate too short to respect the provided max_length";
static const char *const NO_SECOND = "Truncation error: Second sequence not provided";

void hx_encoding_init(hx_encoding *enc) { memset(enc, 0, sizeof *enc); }

void hx_encoding_free(hx_encoding *enc) {
    if (!enc) return;
    hx_tok_scratch *s = enc->scratch;
    if (s) {
        free(s->pieces[0]);
        free(s->pieces[1]);
        free(s->word);
        free(s->word_span);
        free(s->marks);
        free(s->origins);
        free(s);
    }
    free(enc->ids);
    free(enc->type_ids);
    free(enc->attention_mask);
    free(enc->offsets);
    free(enc->byte_offsets);
    memset(enc, 0, sizeof *enc);
}

static bool reserve(hx_encoding *e, size_t n) {
    if (n <= e->capacity) return true;
    size_t cap = e->capacity ? e->capacity : 64;
    while (cap < n) cap *= 2;
    int32_t *ids = realloc(e->ids, cap * sizeof *ids);
    if (ids) e->ids = ids;
    int32_t *ty = realloc(e->type_ids, cap * sizeof *ty);
    if (ty) e->type_ids = ty;
    int32_t *am = realloc(e->attention_mask, cap * sizeof *am);
    if (am) e->attention_mask = am;
    hx_token_offset *of = realloc(e->offsets, cap * sizeof *of);
    if (of) e->offsets = of;
    hx_token_offset *bo = realloc(e->byte_offsets, cap * sizeof *bo);
    if (bo) e->byte_offsets = bo;
    if (!ids || !ty || !am || !of || !bo) return false;
    e->capacity = cap;
    return true;
}

/* How many text tokens of A and B survive truncation to budget m (the
 * max_length minus the template's special tokens). longest_first: the
 * closed form of truncation.rs -- the shorter sequence (A on ties) keeps
 * min(its length, m/2 rounded down), the longer one the rest. */
static hx_status truncate(hx_truncation strategy, bool has_pair, size_t m, size_t n1, size_t n2,
                          size_t *k1, size_t *k2, hx_error *err) {
    *k1 = n1;
    *k2 = n2;
    if (m == 0) {
        *k1 = *k2 = 0;
        return HX_OK;
    }
    if (n1 + n2 <= m) return HX_OK;
    size_t remove = n1 + n2 - m;
    if (strategy == HX_TRUNCATE_LONGEST_FIRST) {
        if (!has_pair) {
            *k1 = m;
            return HX_OK;
        }
        bool a_short = n1 <= n2;
        size_t sh = a_short ? n1 : n2, lg = a_short ? n2 : n1;
        size_t sh2 = sh, lg2;
        if (sh > m) lg2 = sh;
        else lg2 = (m - sh) > sh ? (m - sh) : sh;
        if (sh + lg2 > m) {
            sh2 = m / 2;
            lg2 = sh2 + m % 2;
        }
        if (lg2 > lg) lg2 = lg; /* never lengthens */
        *k1 = a_short ? sh2 : lg2;
        *k2 = a_short ? lg2 : sh2;
        return HX_OK;
    }
    if (strategy == HX_TRUNCATE_ONLY_SECOND && !has_pair)
        return hx_fail(err, HX_EINVAL, "%s", NO_SECOND);
    size_t *k = strategy == HX_TRUNCATE_ONLY_FIRST ? k1 : k2;
    if (*k <= remove) return hx_fail(err, HX_EINVAL, "%s", TOO_SHORT);
    *k -= remove;
    return HX_OK;
}

static void put(hx_encoding *e, int32_t id, int32_t type, int32_t att, const hx_piece *p) {
    size_t i = e->length++;
    e->ids[i] = id;
    e->type_ids[i] = type;
    e->attention_mask[i] = att;
    e->offsets[i] = p ? (hx_token_offset){p->cs, p->ce} : (hx_token_offset){0, 0};
    e->byte_offsets[i] = p ? (hx_token_offset){p->bs, p->be} : (hx_token_offset){0, 0};
}

hx_status hx_tokenizer_encode(const hx_tokenizer *t, const char *text, size_t len,
                              const char *pair, size_t pair_len,
                              const hx_encode_options *opt, hx_encoding *enc, hx_error *err) {
    static const hx_encode_options defaults = {0};
    if (!t || !enc || (!text && len)) return hx_fail(err, HX_EINVAL, "tokenizer: NULL argument");
    if (!opt) opt = &defaults;
    if (opt->truncation > HX_TRUNCATE_ONLY_SECOND)
        return hx_fail(err, HX_EINVAL, "tokenizer: unknown truncation strategy");
    enc->length = enc->n_first = enc->n_second = enc->n_truncated = 0;
    if (!enc->scratch) {
        enc->scratch = calloc(1, sizeof(hx_tok_scratch));
        if (!enc->scratch) return hx_fail(err, HX_ENOMEM, "out of memory");
    }
    hx_tok_scratch *s = enc->scratch;
    bool has_pair = pair != NULL;
    hx_status st = hx_tok_sequence(t, s, 0, (const uint8_t *)(text ? text : ""), len, err);
    if (st) return st;
    s->n_pieces[1] = 0;
    if (has_pair && (st = hx_tok_sequence(t, s, 1, (const uint8_t *)pair, pair_len, err)))
        return st;

    size_t n1 = s->n_pieces[0], n2 = s->n_pieces[1], k1 = n1, k2 = n2;
    bool specials = !opt->no_special_tokens;
    size_t n_special = specials ? (has_pair ? 3 : 2) : 0;
    /* Hugging Face skips truncation when max_length cannot even hold the
     * special tokens. */
    if (opt->max_length > 0 && opt->max_length >= n_special) {
        st = truncate(opt->truncation, has_pair, opt->max_length - n_special, n1, n2, &k1, &k2,
                      err);
        if (st) return st;
    }
    size_t total = k1 + k2 + n_special;
    /* As padding.rs: the target is pad_to (or, without it, the encoding's own
     * length), rounded up to the multiple; a longer encoding stays as is. */
    size_t target = opt->pad_to ? opt->pad_to : total;
    if (opt->pad_to_multiple_of > 0 && target % opt->pad_to_multiple_of)
        target += opt->pad_to_multiple_of - target % opt->pad_to_multiple_of;
    size_t padded = target > total ? target : total;
    if (padded > total && t->pad_id < 0)
        return hx_fail(err, HX_EINVAL, "tokenizer: padding needs a pad_token in the vocabulary");
    if (!reserve(enc, padded)) return hx_fail(err, HX_ENOMEM, "out of memory");

    if (specials) put(enc, t->cls_id, 0, 1, NULL);
    for (size_t i = 0; i < k1; i++) put(enc, s->pieces[0][i].id, 0, 1, &s->pieces[0][i]);
    if (specials) put(enc, t->sep_id, 0, 1, NULL);
    if (has_pair) {
        for (size_t i = 0; i < k2; i++) put(enc, s->pieces[1][i].id, 1, 1, &s->pieces[1][i]);
        if (specials) put(enc, t->sep_id, 1, 1, NULL);
    }
    while (enc->length < padded) put(enc, t->pad_id, 0, 0, NULL);
    enc->n_first = k1;
    enc->n_second = k2;
    enc->n_truncated = (n1 - k1) + (n2 - k2);
    return HX_OK;
}
