/* Fuzz target: arbitrary bytes through the tokenizer (both casings, pairs,
 * truncation and padding chosen by the first byte) never crash, every id is
 * inside the vocabulary, offsets lie within the text; with the high bit of
 * the first byte set, the bytes are a tokenizer.json instead. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "helix/tokenizer.h"
#include "helix/tokenizer_meta.h"

static const char *vocab[] = {
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "##b", "##a", "un", "##aff",
    "##able", "the", ",", ".", "!", "\xe4\xb8\x80", "\xc3\xa9", "e", "##\xcc\x81", "i",
    "##\xcc\x87", "\xcf\x83", "##s", "x", "##x", "[", "]", "cls", "\xe1\x84\x80",
};
#define NV (sizeof vocab / sizeof vocab[0])

static hx_tokenizer *toks[2];

static void check(const hx_encoding *e, size_t cps_a, size_t cps_b) {
    for (size_t i = 0; i < e->length; i++) {
        if (e->ids[i] < 0 || (size_t)e->ids[i] >= NV) abort();
        if (e->offsets[i].start > e->offsets[i].end) abort();
        size_t lim = e->type_ids[i] ? cps_b : cps_a;
        if (e->offsets[i].end > lim) abort();
        if (e->attention_mask[i] != 0 && e->attention_mask[i] != 1) abort();
    }
}

/* Upper bound of the code points in s (bytes count at most one each). */
static size_t max_cps(size_t n) { return n; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    if (!toks[0]) {
        for (int c = 0; c < 2; c++) {
            hx_tokenizer_config cfg;
            hx_tokenizer_config_default(&cfg, c == 0);
            cfg.max_input_chars_per_word = 20;
            if (hx_tokenizer_create(&cfg, vocab, NV, &toks[c], NULL)) abort();
        }
    }
    uint8_t mode = data[0];
    data++;
    size--;
    if (mode & 0x80) {
        cJSON *m = NULL;
        hx_tokenizer *t = NULL;
        if (hx_tokenizer_meta_from_json_text((const char *)data, size, &m, NULL) == 0) {
            if (hx_tokenizer_from_meta(m, &t, NULL) == 0) hx_tokenizer_free(t);
            cJSON_Delete(m);
        }
        return 0;
    }
    hx_tokenizer *t = toks[mode & 1];
    hx_encode_options opt = {0};
    opt.max_length = (mode >> 1) & 7 ? (size_t)((mode >> 1) & 7) * 3 - 1 : 0;
    opt.truncation = (hx_truncation)((mode >> 4) % 3);
    opt.pad_to = (mode & 64) ? 24 : 0;
    const uint8_t *sep = memchr(data, 0xFE, size);
    hx_encoding e;
    hx_encoding_init(&e);
    if (sep) {
        size_t na = (size_t)(sep - data);
        if (hx_tokenizer_encode(t, (const char *)data, na, (const char *)sep + 1, size - na - 1,
                                &opt, &e, NULL) == 0)
            check(&e, max_cps(na), max_cps(size - na - 1));
    } else if (hx_tokenizer_encode(t, (const char *)data, size, NULL, 0, &opt, &e, NULL) == 0) {
        check(&e, max_cps(size), 0);
    }
    hx_encoding_free(&e);
    return 0;
}
