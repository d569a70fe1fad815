/* One sequence through the whole fast-tokenizer pipeline, streamed code point
 * by code point (spec sections 2-5):
 *
 *   raw text -> added-token split -> clean_text -> CJK spacing -> NFD ->
 *   drop Mn -> lowercase -> split on whitespace / isolate punctuation ->
 *   WordPiece (greedy longest match) per word
 *
 * Every stage except NFD's canonical reordering maps one code point to zero
 * or more code points independently, so the stages compose per character;
 * reordering needs the run of combining marks, buffered in s->marks until the
 * next starter. Each normalized code point carries the span of the input
 * character it came from, which gives Hugging Face's offsets: a piece runs
 * from the start of its first character's origin to the end of its last's.
 * ASCII takes a table-driven shortcut that does the same in one lookup. */
#include <stdlib.h>
#include <string.h>

#include "tokenizer/tokenizer_internal.h"
#include "tokenizer/unicode_tables.h"

/* ---- output ------------------------------------------------------------ */

static void emit(hx_tok_scratch *s, int which, int32_t id, hx_span a, hx_span b) {
    if (s->n_pieces[which] == s->cap_pieces[which]) {
        size_t cap = s->cap_pieces[which] ? s->cap_pieces[which] * 2 : 256;
        hx_piece *p = realloc(s->pieces[which], cap * sizeof *p);
        if (!p) {
            s->oom = true;
            return;
        }
        s->pieces[which] = p;
        s->cap_pieces[which] = cap;
    }
    s->pieces[which][s->n_pieces[which]++] = (hx_piece){id, a.c, b.c + 1, a.b0, b.b1};
}

/* ---- WordPiece --------------------------------------------------------- */

/* Greedy longest-match-first over the word's bytes: from `start`, walk the
 * trie (rooted at the subword prefix after the first piece) and keep the
 * last node that ends a token. No match anywhere: the whole word is unk. */
static void wordpiece(const hx_tokenizer *t, hx_tok_scratch *s, int which) {
    const uint8_t *w = s->word;
    size_t n = s->word_len, start = 0;
    size_t mark = s->n_pieces[which];
    /* Most words are whole tokens: one hash probe settles them. */
    int32_t whole = hx_tok_lookup(t, (const char *)w, n);
    if (whole >= 0) {
        emit(s, which, whole, s->word_span[0], s->word_span[n - 1]);
        return;
    }
    while (start < n) {
        int32_t node = start == 0 ? 0 : t->cont_root;
        int32_t best_id = -1;
        size_t best_end = 0;
        for (size_t i = start; i < n && node >= 0; i++) {
            node = hx_trie_child(t, node, w[i]);
            if (node >= 0 && t->nodes[node].id >= 0) {
                best_id = t->nodes[node].id;
                best_end = i + 1;
            }
        }
        if (best_id < 0) {
            s->n_pieces[which] = mark;
            emit(s, which, t->unk_id, s->word_span[0], s->word_span[n - 1]);
            return;
        }
        emit(s, which, best_id, s->word_span[start], s->word_span[best_end - 1]);
        start = best_end;
    }
}

static void end_word(const hx_tokenizer *t, hx_tok_scratch *s, int which) {
    if (s->word_chars == 0) return;
    if (s->word_overflow) emit(s, which, t->unk_id, s->word_first, s->word_last);
    else wordpiece(t, s, which);
    s->word_len = 0;
    s->word_chars = 0;
    s->word_overflow = false;
}

static void word_append(const hx_tokenizer *t, hx_tok_scratch *s, uint32_t cp, hx_span sp) {
    if (s->word_chars == 0) s->word_first = sp;
    s->word_last = sp;
    if (++s->word_chars > (size_t)t->cfg.max_input_chars_per_word) {
        s->word_overflow = true; /* becomes one unk spanning the word */
        return;
    }
    uint8_t buf[4];
    size_t k = hx_utf8_encode(cp, buf);
    for (size_t i = 0; i < k; i++) {
        s->word[s->word_len] = buf[i];
        s->word_span[s->word_len++] = sp;
    }
}

/* ---- pre-tokenizer and the last normalizer stages ---------------------- */

/* A normalized code point: whitespace ends the word, punctuation is a word
 * of its own, anything else extends the word. */
static void pretok(const hx_tokenizer *t, hx_tok_scratch *s, int which, uint32_t cp, hx_span sp) {
    unsigned f = hx_uc_flags(cp);
    if (f & HX_UC_SPACE) {
        end_word(t, s, which);
    } else if (f & HX_UC_PUNCT) {
        end_word(t, s, which);
        word_append(t, s, cp, sp);
        end_word(t, s, which);
    } else {
        word_append(t, s, cp, sp);
    }
}

static uint32_t lookup_lower(uint32_t cp) {
    size_t lo = 0, hi = hx_uc_lower_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (hx_uc_lower_keys[mid] < cp) lo = mid + 1;
        else hi = mid;
    }
    return (lo < hx_uc_lower_count && hx_uc_lower_keys[lo] == cp) ? hx_uc_lower_vals[lo] : cp;
}

/* After NFD: drop nonspacing marks (when stripping), lowercase (full
 * mapping: U+0130 becomes i + U+0307), then pre-tokenize. */
static void after_nfd(const hx_tokenizer *t, hx_tok_scratch *s, int which, uint32_t cp,
                      hx_span sp) {
    unsigned f = hx_uc_flags(cp);
    if (t->strip && (f & HX_UC_MN)) return;
    if (t->cfg.lowercase && (f & HX_UC_LOWER)) {
        if (cp == 0x130) {
            pretok(t, s, which, 0x69, sp);
            pretok(t, s, which, 0x307, sp);
            return;
        }
        cp = lookup_lower(cp);
    }
    pretok(t, s, which, cp, sp);
}

static uint8_t lookup_ccc(uint32_t cp) {
    size_t lo = 0, hi = hx_uc_ccc_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (hx_uc_ccc_keys[mid] < cp) lo = mid + 1;
        else hi = mid;
    }
    return (lo < hx_uc_ccc_count && hx_uc_ccc_keys[lo] == cp) ? hx_uc_ccc_vals[lo] : 0;
}

/* Canonical ordering: a stable sort of the pending marks by combining class,
 * then on to the next stages. The origins do not move with the marks:
 * Hugging Face applies NFD as (char, change) pairs to the string position
 * by position (NormalizedString::transform), so after reordering the k-th
 * mark that starts an input character's decomposition gets the k-th input
 * character's span, and an added one (the rest of a decomposition) the
 * span of the input character consumed last. Visible when marks deleted by
 * accent stripping and kept ones trade places: the [UNK] of a word of kept
 * marks then spans where the deleted ones were. */
static void flush_marks(const hx_tokenizer *t, hx_tok_scratch *s, int which) {
    hx_mark *m = s->marks;
    size_t n = s->n_marks;
    /* Input-order origins of the marks that consume an input character. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!m[i].added) s->origins[k++] = m[i].span;
    for (size_t i = 1; i < n; i++) {
        hx_mark x = m[i];
        size_t j = i;
        while (j > 0 && m[j - 1].ccc > x.ccc) {
            m[j] = m[j - 1];
            j--;
        }
        m[j] = x;
    }
    s->n_marks = 0;
    size_t next = 0;
    hx_span last = k ? s->origins[0] : (n ? m[0].span : (hx_span){0, 0, 0});
    for (size_t i = 0; i < n; i++) {
        if (!m[i].added && next < k) last = s->origins[next++];
        after_nfd(t, s, which, m[i].cp, last);
    }
}

/* One code point of the canonical decomposition; `added` when it is not
 * the first one of its input character. */
static void nfd_out(const hx_tokenizer *t, hx_tok_scratch *s, int which, uint32_t cp, hx_span sp,
                    bool added) {
    if (hx_uc_flags(cp) & HX_UC_CCC) {
        if (s->n_marks == s->cap_marks) {
            size_t cap = s->cap_marks ? s->cap_marks * 2 : 32;
            hx_mark *m = realloc(s->marks, cap * sizeof *m);
            hx_span *o = m ? realloc(s->origins, cap * sizeof *o) : NULL;
            if (m) s->marks = m;
            if (!m || !o) {
                s->oom = true;
                return;
            }
            s->origins = o;
            s->cap_marks = cap;
        }
        s->marks[s->n_marks++] = (hx_mark){cp, lookup_ccc(cp), added, sp};
        return;
    }
    if (s->n_marks) flush_marks(t, s, which);
    after_nfd(t, s, which, cp, sp);
}

/* NFD (only when stripping accents), Hangul syllables algorithmically. */
static void nfd(const hx_tokenizer *t, hx_tok_scratch *s, int which, uint32_t cp, hx_span sp) {
    if (!t->strip) {
        after_nfd(t, s, which, cp, sp);
        return;
    }
    if (!(hx_uc_flags(cp) & HX_UC_DECOMP)) {
        nfd_out(t, s, which, cp, sp, false);
        return;
    }
    if (cp >= 0xAC00 && cp <= 0xD7A3) {
        uint32_t si = cp - 0xAC00;
        nfd_out(t, s, which, 0x1100 + si / 588, sp, false);
        nfd_out(t, s, which, 0x1161 + (si % 588) / 28, sp, true);
        if (si % 28) nfd_out(t, s, which, 0x11A7 + si % 28, sp, true);
        return;
    }
    size_t lo = 0, hi = hx_uc_decomp_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (hx_uc_decomp_keys[mid] < cp) lo = mid + 1;
        else hi = mid;
    }
    if (lo == hx_uc_decomp_count || hx_uc_decomp_keys[lo] != cp) {
        nfd_out(t, s, which, cp, sp, false);
        return;
    }
    uint16_t ref = hx_uc_decomp_ref[lo];
    for (unsigned i = 0; i < (ref & 7u); i++)
        nfd_out(t, s, which, hx_uc_decomp_data[(ref >> 3) + i], sp, i > 0);
}

/* clean_text and CJK spacing on an input code point. */
static void normalize_char(const hx_tokenizer *t, hx_tok_scratch *s, int which, uint32_t cp,
                           hx_span sp) {
    unsigned f = hx_uc_flags(cp);
    if (t->cfg.clean_text) {
        if (f & HX_UC_DELETE) return;
        if (f & HX_UC_SPACE) cp = ' ';
    }
    if (t->cfg.handle_chinese_chars && (f & HX_UC_CHINESE)) {
        nfd(t, s, which, ' ', sp);
        nfd(t, s, which, cp, sp);
        nfd(t, s, which, ' ', sp);
        return;
    }
    nfd(t, s, which, cp, sp);
}

/* ---- the sequence ------------------------------------------------------ */

/* Longest added token at p, or NULL. */
static const hx_added_token *match_added(const hx_tokenizer *t, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < t->n_added; i++) {
        const hx_added_token *a = &t->added[i];
        if (a->len <= n && !memcmp(p, a->str, a->len)) return a;
    }
    return NULL;
}

static bool ensure_word(const hx_tokenizer *t, hx_tok_scratch *s) {
    size_t need = ((size_t)t->cfg.max_input_chars_per_word + 1) * 4;
    if (s->word_cap >= need) return true;
    uint8_t *w = malloc(need);
    hx_span *sp = malloc(need * sizeof *sp);
    if (!w || !sp) {
        free(w);
        free(sp);
        return false;
    }
    free(s->word);
    free(s->word_span);
    s->word = w;
    s->word_span = sp;
    s->word_cap = need;
    return true;
}

hx_status hx_tok_sequence(const hx_tokenizer *t, hx_tok_scratch *s, int which,
                          const uint8_t *text, size_t len, hx_error *err) {
    s->n_pieces[which] = 0;
    s->word_len = s->word_chars = 0;
    s->word_overflow = false;
    s->n_marks = 0;
    s->oom = false;
    if (len >= HX_TOK_MAX_TEXT_BYTES)
        return hx_fail(err, HX_ERANGE, "tokenizer: text longer than 2 GiB");
    if (!ensure_word(t, s)) return hx_fail(err, HX_ENOMEM, "out of memory");

    const uint8_t *cls = t->ascii_class, *map = t->ascii_map;
    size_t p = 0;
    uint32_t cp = 0; /* code-point index of text[p] */
    while (p < len) {
        uint8_t b = text[p];
        if (t->added_first[b]) {
            const hx_added_token *a = match_added(t, text + p, len - p);
            if (a) {
                if (s->n_marks) flush_marks(t, s, which);
                end_word(t, s, which);
                emit(s, which, a->id, (hx_span){cp, (uint32_t)p, 0},
                     (hx_span){cp + a->chars - 1, 0, (uint32_t)(p + a->len)});
                p += a->len;
                cp += a->chars;
                continue;
            }
        }
        if (b < 0x80) {
            if (s->n_marks) flush_marks(t, s, which);
            hx_span sp = {cp, (uint32_t)p, (uint32_t)p + 1};
            switch (cls[b]) {
            case ASCII_WORD:
                if (s->word_chars == 0) s->word_first = sp;
                s->word_last = sp;
                if (++s->word_chars > (size_t)t->cfg.max_input_chars_per_word) {
                    s->word_overflow = true;
                } else {
                    s->word[s->word_len] = map[b];
                    s->word_span[s->word_len++] = sp;
                }
                break;
            case ASCII_SPLIT:
                end_word(t, s, which);
                break;
            case ASCII_PUNCT:
                end_word(t, s, which);
                word_append(t, s, map[b], sp);
                end_word(t, s, which);
                break;
            default: /* deleted control */
                break;
            }
            p++;
            cp++;
            continue;
        }
        uint32_t c;
        size_t k = hx_utf8_decode(text + p, len - p, &c);
        normalize_char(t, s, which, c, (hx_span){cp, (uint32_t)p, (uint32_t)(p + k)});
        p += k;
        cp++;
    }
    if (s->n_marks) flush_marks(t, s, which);
    end_word(t, s, which);
    if (s->oom) return hx_fail(err, HX_ENOMEM, "out of memory");
    return HX_OK;
}
