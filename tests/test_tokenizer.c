/* Unit tests of the tokenizer API: the invalid-UTF-8 policy, toy-vocabulary
 * behaviours recorded in ../shared/specs/tokenizer.md (each "verified" there
 * against Hugging Face tokenizers), truncation and padding rules, encoding
 * reuse and thread safety, metadata loading (vocab.txt, tokenizer.json,
 * .hlx) with hostile inputs, and the `helix tokenize` command line. The
 * real-vocabulary comparisons are in test_tokenizer_fixtures.c. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cJSON.h"
#include "helix/hlx.h"
#include "helix/tokenizer.h"
#include "helix/tokenizer_meta.h"
#include "tokenizer/tokenizer_internal.h"
#include "test_util.h"

#define DATA HX_SHARED_DIR "/data"

/* ---- UTF-8 policy ----------------------------------------------------------- */

/* Number of U+FFFD and characters the decoder sees in s. */
static void decode_all(const char *s, size_t n, uint32_t *cps, size_t *count) {
    size_t i = 0, k = 0;
    while (i < n) {
        uint32_t c;
        i += hx_utf8_decode((const uint8_t *)s + i, n - i, &c);
        cps[k++] = c;
    }
    *count = k;
}

Test(tokenizer_utf8, maximal_subparts_like_python_replace) {
    /* Expected code points: Python bytes.decode("utf-8", errors="replace"). */
    struct {
        const char *s;
        size_t n;
        uint32_t want[8];
        size_t nwant;
    } cases[] = {
        {"a\xff" "b", 3, {'a', 0xFFFD, 'b'}, 3},
        {"a\xe2\x82" "b", 4, {'a', 0xFFFD, 'b'}, 3},
        {"a\xed\xa0\x80" "b", 5, {'a', 0xFFFD, 0xFFFD, 0xFFFD, 'b'}, 5},
        {"\xf0\x9f\x98", 3, {0xFFFD}, 1},
        {"a\xc0\xaf" "b", 4, {'a', 0xFFFD, 0xFFFD, 'b'}, 4},
        {"\xf4\x90\x80\x80", 4, {0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD}, 4},
        {"\xe2\x82\xac", 3, {0x20AC}, 1},
        {"\xf0\x9f\x98\x80", 4, {0x1F600}, 1},
        {"\xef\xbf\xbd", 3, {0xFFFD}, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t got[16];
        size_t k;
        decode_all(cases[i].s, cases[i].n, got, &k);
        cr_assert_eq(k, cases[i].nwant, "case %zu: %zu code points", i, k);
        for (size_t j = 0; j < k; j++)
            cr_assert_eq(got[j], cases[i].want[j], "case %zu cp %zu: %x", i, j, got[j]);
    }
}

/* ---- toy vocabulary ------------------------------------------------------------ */

static const char *toy_vocab[] = {
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "##b", "un", "##aff", "##able",
    "hello", "x", "##x", "\xf0\xab\xa0\xa0" /* U+2B820 */, "##\xf0\xab\xa0\xa0", "##a", ",",
    "\xe4\xb8\x80" /* U+4E00 */, "c", "##c", "\xc3\xa9" /* é */, "e", "##\xcc\x81" /* ##U+0301 */,
    "b", /* duplicate: the last id (24) wins */
};
#define TOY_N (sizeof toy_vocab / sizeof toy_vocab[0])

static hx_tokenizer *toy(bool lowercase) {
    hx_tokenizer_config cfg;
    hx_tokenizer_config_default(&cfg, lowercase);
    hx_tokenizer *t = NULL;
    hx_error err;
    cr_assert_eq(hx_tokenizer_create(&cfg, toy_vocab, TOY_N, &t, &err), HX_OK, "%s", err.msg);
    return t;
}

/* Encodes s (single, no options) and compares ids (without [CLS]/[SEP]). */
static void expect_ids(hx_tokenizer *t, const char *s, size_t n, const int32_t *want, size_t nw) {
    hx_encoding e;
    hx_encoding_init(&e);
    hx_error err;
    cr_assert_eq(hx_tokenizer_encode(t, s, n, NULL, 0, NULL, &e, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(e.length, nw + 2, "length %zu, want %zu", e.length, nw + 2);
    cr_assert_eq(e.ids[0], 2);
    cr_assert_eq(e.ids[e.length - 1], 3);
    for (size_t i = 0; i < nw; i++) cr_assert_eq(e.ids[i + 1], want[i], "token %zu: %d", i, e.ids[i + 1]);
    hx_encoding_free(&e);
}

Test(tokenizer_toy, wordpiece_and_duplicates) {
    hx_tokenizer *t = toy(true);
    cr_assert_eq(hx_tokenizer_token_to_id(t, "b", 1), 24, "duplicate: last id wins");
    expect_ids(t, "unaffable", 9, (int32_t[]){8, 9, 10}, 3);
    expect_ids(t, "unaffableq", 10, (int32_t[]){1}, 1); /* whole word unk */
    expect_ids(t, "Hello, a", 8, (int32_t[]){11, 17, 5}, 3);
    expect_ids(t, "", 0, NULL, 0);
    expect_ids(t, " \t\n", 3, NULL, 0);
    /* Spec 3.2: U+2B820 is not isolated by the fast tokenizer, U+4E00 is. */
    expect_ids(t, "a\xf0\xab\xa0\xa0" "b", 6, (int32_t[]){5, 15, 7}, 3);
    expect_ids(t, "a\xe4\xb8\x80" "b", 5, (int32_t[]){5, 18, 24}, 3);
    /* Zero-width space is deleted: one word "ab". */
    expect_ids(t, "a\xe2\x80\x8b" "b", 5, (int32_t[]){5, 7}, 2);
    /* Special tokens in raw text, case-sensitive. */
    expect_ids(t, "x[SEP]x", 7, (int32_t[]){12, 3, 12}, 3);
    expect_ids(t, "[MASK][MASK]", 12, (int32_t[]){4, 4}, 2);
    /* Invalid UTF-8 is deleted like U+FFFD. */
    expect_ids(t, "a\xff" "b", 3, (int32_t[]){5, 7}, 2);
    hx_tokenizer_free(t);
}

Test(tokenizer_toy, accents_cased_and_uncased) {
    hx_tokenizer *u = toy(true), *c = toy(false);
    /* uncased: é -> e (NFD, Mn dropped); cased: é kept, a + U+0301 split. */
    expect_ids(u, "\xc3\xa9", 2, (int32_t[]){22}, 1);
    expect_ids(c, "\xc3\xa9", 2, (int32_t[]){21}, 1);
    expect_ids(c, "e\xcc\x81", 3, (int32_t[]){22, 23}, 2);
    hx_tokenizer_free(u);
    hx_tokenizer_free(c);
}

Test(tokenizer_toy, word_length_limit) {
    hx_tokenizer *t = toy(true);
    char buf[128];
    memset(buf, 'x', sizeof buf);
    int32_t want[100];
    want[0] = 12;
    for (int i = 1; i < 100; i++) want[i] = 13;
    expect_ids(t, buf, 100, want, 100);
    expect_ids(t, buf, 101, (int32_t[]){1}, 1);
    hx_tokenizer_free(t);
}

Test(tokenizer_toy, offsets_code_points_and_bytes) {
    hx_tokenizer *t = toy(true);
    hx_encoding e;
    hx_encoding_init(&e);
    hx_error err;
    /* "é, a\u200bb": é (2 bytes) -> e; zero-width space inside "ab". */
    const char *s = "\xc3\xa9, a\xe2\x80\x8b" "b";
    cr_assert_eq(hx_tokenizer_encode(t, s, strlen(s), NULL, 0, NULL, &e, &err), HX_OK);
    cr_assert_eq(e.length, 6);
    uint32_t cp[][2] = {{0, 0}, {0, 1}, {1, 2}, {3, 4}, {5, 6}, {0, 0}};
    uint32_t by[][2] = {{0, 0}, {0, 2}, {2, 3}, {4, 5}, {8, 9}, {0, 0}};
    for (size_t i = 0; i < e.length; i++) {
        cr_assert_eq(e.offsets[i].start, cp[i][0], "cp start %zu", i);
        cr_assert_eq(e.offsets[i].end, cp[i][1], "cp end %zu", i);
        cr_assert_eq(e.byte_offsets[i].start, by[i][0], "byte start %zu", i);
        cr_assert_eq(e.byte_offsets[i].end, by[i][1], "byte end %zu", i);
    }
    hx_encoding_free(&e);
    hx_tokenizer_free(t);
}

/* issue 14.14: a word of combining marks only, where NFD's canonical
 * reordering swaps a mark that accent stripping deletes with one it keeps.
 * Hugging Face applies the reordered characters to the string position by
 * position, so the kept mark takes the origin of the position it lands on,
 * and the [UNK] of the word spans that (tokenizers 0.23.3, verified; the
 * same cases are in the fixture). Each case: text, [UNK] code-point span,
 * byte span. */
Test(tokenizer_toy, reordered_marks_keep_positional_offsets) {
    hx_tokenizer *t = toy(true);
    static const struct { const char *s; uint32_t c0, c1, b0, b1; } cases[] = {
        /* U+0F8D (Mn, ccc 0) U+0363 (Mn, 230) U+A9C0 (Mc, 9): A9C0 moves
         * before 0363 and takes position 1 */
        {"\xe0\xbe\x8d\xcd\xa3\xea\xa7\x80", 1, 2, 3, 5},
        /* U+1E00B (Unicode 9 mark, ccc 230; unassigned, so kept, in the 8.0
         * categories) U+0324 (Mn, 220): swapped, the kept one at position 3 */
        {"a \xf0\x9e\x80\x8b\xcc\xa4 b", 3, 4, 6, 8},
        /* U+1E00E (230) U+302E (Mc, 224): both kept, swapped: span 2..4 */
        {"x \xf0\x9e\x80\x8e\xe3\x80\xae", 2, 4, 2, 9},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        hx_encoding e;
        hx_encoding_init(&e);
        hx_error err;
        const char *s = cases[k].s;
        cr_assert_eq(hx_tokenizer_encode(t, s, strlen(s), NULL, 0, NULL, &e, &err), HX_OK);
        size_t u = 0;
        while (u < e.length && e.ids[u] != 1) u++;
        cr_assert_lt(u, e.length, "case %zu: no [UNK]", k);
        cr_assert(e.offsets[u].start == cases[k].c0 && e.offsets[u].end == cases[k].c1,
                  "case %zu: [UNK] at (%u, %u), want (%u, %u)", k, e.offsets[u].start,
                  e.offsets[u].end, cases[k].c0, cases[k].c1);
        cr_assert(e.byte_offsets[u].start == cases[k].b0 && e.byte_offsets[u].end == cases[k].b1,
                  "case %zu: [UNK] bytes (%u, %u), want (%u, %u)", k, e.byte_offsets[u].start,
                  e.byte_offsets[u].end, cases[k].b0, cases[k].b1);
        hx_encoding_free(&e);
    }
    hx_tokenizer_free(t);
}

static hx_status enc_pair(hx_tokenizer *t, size_t n1, size_t n2, size_t max_len,
                          hx_truncation tr, hx_encoding *e, hx_error *err) {
    char a[512], b[512];
    for (size_t i = 0; i < n1; i++) a[2 * i] = 'a', a[2 * i + 1] = ' ';
    for (size_t i = 0; i < n2; i++) b[2 * i] = 'c', b[2 * i + 1] = ' ';
    hx_encode_options o = {0};
    o.max_length = max_len;
    o.truncation = tr;
    return hx_tokenizer_encode(t, a, 2 * n1, b, 2 * n2, &o, e, err);
}

Test(tokenizer_toy, truncation_rules) {
    hx_tokenizer *t = toy(true);
    hx_encoding e;
    hx_encoding_init(&e);
    hx_error err;
    /* Spec 6 / row 8: (10,11)@18 -> (7,8); (11,10)@18 -> (8,7); ties: A floor. */
    cr_assert_eq(enc_pair(t, 10, 11, 18, HX_TRUNCATE_LONGEST_FIRST, &e, &err), HX_OK);
    cr_assert(e.n_first == 7 && e.n_second == 8 && e.length == 18 && e.n_truncated == 6);
    cr_assert_eq(enc_pair(t, 11, 10, 18, HX_TRUNCATE_LONGEST_FIRST, &e, &err), HX_OK);
    cr_assert(e.n_first == 8 && e.n_second == 7);
    cr_assert_eq(enc_pair(t, 200, 200, 200, HX_TRUNCATE_LONGEST_FIRST, &e, &err), HX_OK);
    cr_assert(e.n_first == 98 && e.n_second == 99);
    cr_assert_eq(enc_pair(t, 5, 200, 19, HX_TRUNCATE_LONGEST_FIRST, &e, &err), HX_OK);
    cr_assert(e.n_first == 5 && e.n_second == 11);
    /* only_first / only_second and their errors. */
    cr_assert_eq(enc_pair(t, 10, 3, 10, HX_TRUNCATE_ONLY_FIRST, &e, &err), HX_OK);
    cr_assert(e.n_first == 4 && e.n_second == 3);
    cr_assert_eq(enc_pair(t, 3, 2, 5, HX_TRUNCATE_ONLY_FIRST, &e, &err), HX_EINVAL);
    cr_assert_str_eq(err.msg, "Truncation error: Sequence to truncate too short to respect the "
                              "provided max_length");
    hx_encode_options o = {.max_length = 3, .truncation = HX_TRUNCATE_ONLY_SECOND};
    cr_assert_eq(hx_tokenizer_encode(t, "a a a", 5, NULL, 0, &o, &e, &err), HX_EINVAL);
    cr_assert_str_eq(err.msg, "Truncation error: Second sequence not provided");
    /* max_length below the special tokens: no truncation at all. */
    cr_assert_eq(enc_pair(t, 3, 3, 2, HX_TRUNCATE_LONGEST_FIRST, &e, &err), HX_OK);
    cr_assert_eq(e.length, 9);
    hx_encoding_free(&e);
    hx_tokenizer_free(t);
}

Test(tokenizer_toy, padding_and_pair_template) {
    hx_tokenizer *t = toy(true);
    hx_encoding e;
    hx_encoding_init(&e);
    hx_error err;
    /* Spec 8: pair padded to 8: ids 2 5 6 3 5 3 0 0 (here "b" is id 24). */
    hx_encode_options o = {.pad_to = 8};
    cr_assert_eq(hx_tokenizer_encode(t, "a b", 3, "a", 1, &o, &e, &err), HX_OK);
    int32_t ids[] = {2, 5, 24, 3, 5, 3, 0, 0}, ty[] = {0, 0, 0, 0, 1, 1, 0, 0},
            am[] = {1, 1, 1, 1, 1, 1, 0, 0};
    cr_assert_eq(e.length, 8);
    for (int i = 0; i < 8; i++) {
        cr_assert_eq(e.ids[i], ids[i]);
        cr_assert_eq(e.type_ids[i], ty[i]);
        cr_assert_eq(e.attention_mask[i], am[i]);
    }
    o = (hx_encode_options){.pad_to_multiple_of = 8};
    cr_assert_eq(hx_tokenizer_encode(t, "a", 1, "", 0, &o, &e, &err), HX_OK);
    cr_assert_eq(e.length, 8);
    cr_assert_eq(e.type_ids[3], 1); /* ("a","") -> [CLS] a [SEP] [SEP] with types 0 0 0 1 */
    o = (hx_encode_options){.no_special_tokens = true};
    cr_assert_eq(hx_tokenizer_encode(t, "a b", 3, NULL, 0, &o, &e, &err), HX_OK);
    cr_assert(e.length == 2 && e.ids[0] == 5);
    hx_encoding_free(&e);
    hx_tokenizer_free(t);
}

Test(tokenizer_toy, bad_configurations) {
    hx_tokenizer_config cfg;
    hx_tokenizer_config_default(&cfg, true);
    hx_tokenizer *t = NULL;
    hx_error err;
    const char *no_unk[] = {"[CLS]", "[SEP]", "a"};
    cr_assert_eq(hx_tokenizer_create(&cfg, no_unk, 3, &t, &err), HX_EINVAL);
    cr_assert_null(t);
    const char *bad_utf8[] = {"[UNK]", "[CLS]", "[SEP]", "\xff"};
    cr_assert_eq(hx_tokenizer_create(&cfg, bad_utf8, 4, &t, &err), HX_EFORMAT);
    cr_assert_eq(hx_tokenizer_create(&cfg, no_unk, 0, &t, &err), HX_EINVAL);
    cfg.max_input_chars_per_word = -1;
    cr_assert_eq(hx_tokenizer_create(&cfg, toy_vocab, TOY_N, &t, &err), HX_EINVAL);
}

/* ---- threads ------------------------------------------------------------------ */

typedef struct {
    hx_tokenizer *t;
    const char *text;
    uint64_t sum;
} thread_job;

static void *thread_fn(void *arg) {
    thread_job *j = arg;
    hx_encoding e;
    hx_encoding_init(&e);
    for (int r = 0; r < 200; r++) {
        if (hx_tokenizer_encode(j->t, j->text, strlen(j->text), j->text, 5, NULL, &e, NULL)) break;
        for (size_t i = 0; i < e.length; i++) j->sum += (uint64_t)e.ids[i] * (i + 1) + e.offsets[i].end;
    }
    hx_encoding_free(&e);
    return NULL;
}

Test(tokenizer_toy, shared_tokenizer_across_threads) {
    hx_tokenizer *t = toy(true);
    const char *text = "unaffable hello, a b c \xc3\xa9 x[SEP]x a\xe4\xb8\x80" "b unaffableq";
    thread_job serial = {t, text, 0};
    thread_fn(&serial);
    pthread_t th[4];
    thread_job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (thread_job){t, text, 0};
        cr_assert_eq(pthread_create(&th[i], NULL, thread_fn, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        cr_assert_eq(jobs[i].sum, serial.sum);
    }
    cr_assert_neq(serial.sum, 0);
    hx_tokenizer_free(t);
}

/* ---- metadata ------------------------------------------------------------------ */

static char *write_temp(const char *content, size_t n) {
    char *path = strdup("/tmp/hx_tok_testXXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, content, n), (ssize_t)n);
    close(fd);
    return path;
}

Test(tokenizer_meta, vocab_file_crlf_and_config) {
    const char vocab[] = "[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\n[MASK]\r\nhello\r\n##s";
    char *vp = write_temp(vocab, sizeof vocab - 1);
    const char cfgj[] = "{\"do_lower_case\": false, \"model_max_length\": 128}";
    char *cp = write_temp(cfgj, sizeof cfgj - 1);
    cJSON *meta = NULL;
    hx_error err;
    cr_assert_eq(hx_tokenizer_meta_from_vocab_file(vp, cp, -1, &meta, &err), HX_OK, "%s", err.msg);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(meta, "lowercase")));
    cr_assert_eq(cJSON_GetObjectItem(meta, "model_max_length")->valueint, 128);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(meta, "vocab")), 7);
    hx_tokenizer *t = NULL;
    cr_assert_eq(hx_tokenizer_from_meta(meta, &t, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_tokenizer_token_to_id(t, "##s", 3), 6);
    cr_assert_eq(hx_tokenizer_model_max_length(t), 128);
    hx_encoding e;
    hx_encoding_init(&e);
    cr_assert_eq(hx_tokenizer_encode(t, "hellos Hello", 12, NULL, 0, NULL, &e, &err), HX_OK);
    cr_assert(e.length == 5 && e.ids[1] == 5 && e.ids[2] == 6 && e.ids[3] == 1, "cased: Hello is unk");
    hx_encoding_free(&e);
    hx_tokenizer_free(t);
    cJSON_Delete(meta);
    unlink(vp);
    unlink(cp);
    free(vp);
    free(cp);
}

Test(tokenizer_meta, hostile_metadata) {
    const char *bad[] = {
        "[]",
        "{\"type\": \"bpe\", \"vocab\": [\"[UNK]\"]}",
        "{\"vocab\": \"x\"}",
        "{\"vocab\": []}",
        "{\"vocab\": [\"[UNK]\", 3]}",
        "{\"vocab\": [\"[UNK]\", \"[CLS]\", \"[SEP]\"], \"lowercase\": 1}",
        "{\"vocab\": [\"[UNK]\", \"[CLS]\", \"[SEP]\"], \"max_input_chars_per_word\": -5}",
        "{\"vocab\": [\"[UNK]\", \"[CLS]\", \"[SEP]\"], \"added_tokens\": [\"nope\"]}",
        "{\"vocab\": [\"[CLS]\", \"[SEP]\"]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *m = cJSON_Parse(bad[i]);
        hx_tokenizer *t = NULL;
        hx_error err;
        cr_assert_neq(hx_tokenizer_from_meta(m, &t, &err), HX_OK, "case %zu accepted", i);
        cr_assert_null(t);
        cJSON_Delete(m);
    }
    const char *bad_json[] = {
        "{", "{}", "{\"normalizer\": {\"type\": \"NFC\"}}",
        "{\"normalizer\": {\"type\": \"BertNormalizer\", \"clean_text\": true, "
        "\"handle_chinese_chars\": true, \"strip_accents\": null, \"lowercase\": true}, "
        "\"pre_tokenizer\": {\"type\": \"BertPreTokenizer\"}, \"model\": {\"type\": \"WordPiece\", "
        "\"unk_token\": \"[UNK]\", \"continuing_subword_prefix\": \"##\", "
        "\"max_input_chars_per_word\": 100, \"vocab\": {\"[UNK]\": 0, \"a\": 5}}, "
        "\"post_processor\": {\"type\": \"BertProcessing\", \"cls\": [\"[CLS]\", 1], "
        "\"sep\": [\"[SEP]\", 2]}}",
    };
    for (size_t i = 0; i < sizeof bad_json / sizeof bad_json[0]; i++) {
        cJSON *m = NULL;
        hx_error err;
        cr_assert_neq(hx_tokenizer_meta_from_json_text(bad_json[i], strlen(bad_json[i]), &m, &err),
                      HX_OK, "json case %zu accepted", i);
        cr_assert_null(m);
    }
}

Test(tokenizer_meta, tokenizer_json_and_hlx_round_trip) {
    cJSON *meta = NULL;
    hx_error err;
    cr_assert_eq(hx_tokenizer_meta_from_json_file(DATA "/bert/bert-base-uncased-tokenizer.json",
                                                  &meta, &err),
                 HX_OK, "%s", err.msg);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(meta, "vocab")), 30522);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(meta, "lowercase")));
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "arch", "bert");
    cJSON_AddItemToObject(root, "tokenizer", meta);
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    hx_hlx_writer *w = NULL;
    cr_assert_eq(hx_hlx_writer_new(&w, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_hlx_writer_set_metadata(w, text, &err), HX_OK, "%s", err.msg);
    free(text);
    char path[] = "/tmp/hx_tok_hlxXXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    cr_assert_eq(hx_hlx_writer_write(w, path, &err), HX_OK, "%s", err.msg);
    hx_hlx_writer_free(w);
    hx_hlx *f = NULL;
    cr_assert_eq(hx_hlx_open(path, &f, &err), HX_OK, "%s", err.msg);
    hx_tokenizer *t = NULL;
    cr_assert_eq(hx_tokenizer_from_hlx(f, &t, &err), HX_OK, "%s", err.msg);
    hx_hlx_close(f);
    unlink(path);
    hx_encoding e;
    hx_encoding_init(&e);
    /* bert-base-uncased: "Hello, world!" -> 101 7592 1010 2088 999 102 */
    cr_assert_eq(hx_tokenizer_encode(t, "Hello, world!", 13, NULL, 0, NULL, &e, &err), HX_OK);
    int32_t want[] = {101, 7592, 1010, 2088, 999, 102};
    cr_assert_eq(e.length, 6);
    for (int i = 0; i < 6; i++) cr_assert_eq(e.ids[i], want[i]);
    hx_encoding_free(&e);
    hx_tokenizer_free(t);
}

/* ---- command line ---------------------------------------------------------------- */

/* Runs cmd; its standard output (cut to cap - 1 bytes) goes into out. */
static int run(const char *cmd, char *out, size_t cap) {
    int status;
    size_t n;
    char *s = tu_run_capture(cmd, &n, &status);
    if (n > cap - 1) n = cap - 1;
    memcpy(out, s, n);
    out[n] = 0;
    free(s);
    return status;
}

Test(tokenizer_cli, options_records_and_errors) {
    char out[8192];
    const char *helix = HX_BINARY_DIR "/helix";
    if (access(helix, X_OK)) cr_skip_test("helix binary not built");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s tokenize --help", helix);
    cr_assert_eq(run(cmd, out, sizeof out), 0);
    cr_assert(strstr(out, "--max-len"));
    snprintf(cmd, sizeof cmd, "%s tokenize --vocab x --bogus 2>/dev/null", helix);
    cr_assert_eq(run(cmd, out, sizeof out), 2);
    snprintf(cmd, sizeof cmd, "%s tokenize --vocab /nonexistent 2>/dev/null </dev/null", helix);
    cr_assert_eq(run(cmd, out, sizeof out), 1);
    snprintf(cmd, sizeof cmd,
             "printf '{\"text\": \"Hello, world!\", \"b\": \"a\"}\\nnot json\\n{\"text\": \"a b c\"}\\n' | "
             "%s tokenize --vocab %s --pair-field b --max-len 4 --truncation only_second",
             helix, DATA "/bert/bert-base-uncased-vocab.txt");
    cr_assert_eq(run(cmd, out, sizeof out), 0);
    const char *want =
        "{\"error\":\"Truncation error: Sequence to truncate too short to respect the provided "
        "max_length\",\"line\":1}\n"
        "{\"error\":\"not a JSON object\",\"line\":2}\n"
        "{\"error\":\"pair field missing or not a string\",\"line\":3}\n";
    cr_assert_str_eq(out, want);
    snprintf(cmd, sizeof cmd, "printf 'Hello, world!\\n\\n' | %s tokenize --vocab %s --max-len 4",
             helix, DATA "/bert/bert-base-uncased-vocab.txt");
    cr_assert_eq(run(cmd, out, sizeof out), 0);
    cr_assert_str_eq(out,
                     "{\"input_ids\": [101, 7592, 1010, 102], \"token_type_ids\": [0, 0, 0, 0], "
                     "\"attention_mask\": [1, 1, 1, 1], \"offsets\": [[0, 0], [0, 5], [5, 6], [0, 0]]}\n"
                     "{\"input_ids\": [101, 102], \"token_type_ids\": [0, 0], "
                     "\"attention_mask\": [1, 1], \"offsets\": [[0, 0], [0, 0]]}\n");
}
