/* The tokenizer against Hugging Face tokenizers 0.23.3 (fixtures made by
 * tests/oracle/make_tokenizer_fixtures.py): every edge case of the spec with
 * full expected outputs, and every abstract of ../shared/data/pubmed_abstracts
 * under 19 tokenizer/pair/truncation variants, compared by a hash of the
 * whole encoding (ids, type ids, attention mask, offsets). The abstracts are
 * read from HX_SHARED_DIR at test time; missing shared data is a failure. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cJSON.h"
#include "helix/tokenizer.h"
#include "helix/tokenizer_meta.h"
#include "test_util.h"

#define FIXTURE HX_TEST_FIXTURES "/tokenizer/expected.jsonl.xz"
#define DATA HX_SHARED_DIR "/data"
#define MAX_REPORT 20

/* ---- small helpers --------------------------------------------------------- */

/* The standard output of a shell command that must succeed. */
static char *run_read(const char *cmd, size_t *len) {
    int status;
    char *s = tu_run_capture(cmd, len, &status);
    cr_assert_eq(status, 0, "command failed: %s", cmd);
    return s;
}

static uint64_t poly_hash_u32(const uint32_t *v, size_t n) {
    const uint64_t k = 0x9E3779B97F4A7C15ull;
    uint64_t h = 0, pw = 1;
    for (size_t i = 0; i < n; i++) {
        h += ((uint64_t)v[i] + 1) * pw;
        pw *= k;
    }
    return h;
}

static uint64_t text_hash(const char *s, size_t n) {
    const uint64_t k = 0x9E3779B97F4A7C15ull;
    uint64_t h = 0, pw = 1;
    for (size_t i = 0; i < n; i++) {
        h += ((uint64_t)(uint8_t)s[i] + 1) * pw;
        pw *= k;
    }
    return h;
}

static uint64_t enc_hash(const hx_encoding *e) {
    size_t n = e->length;
    uint32_t *v = malloc((1 + 5 * n) * sizeof *v);
    cr_assert(v);
    v[0] = (uint32_t)n;
    for (size_t i = 0; i < n; i++) {
        v[1 + i] = (uint32_t)e->ids[i];
        v[1 + n + i] = (uint32_t)e->type_ids[i];
        v[1 + 2 * n + i] = (uint32_t)e->attention_mask[i];
        v[1 + 3 * n + i] = e->offsets[i].start;
        v[1 + 4 * n + i] = e->offsets[i].end;
    }
    uint64_t h = poly_hash_u32(v, 1 + 5 * n);
    free(v);
    return h;
}

static char *hex_decode(const char *hex, size_t *len) {
    size_t n = strlen(hex) / 2;
    char *s = malloc(n + 1);
    cr_assert(s);
    for (size_t i = 0; i < n; i++) {
        unsigned x;
        cr_assert_eq(sscanf(hex + 2 * i, "%2x", &x), 1);
        s[i] = (char)x;
    }
    s[n] = 0;
    *len = n;
    return s;
}

/* ---- tokenizers -------------------------------------------------------------- */

enum { TOK_UNCASED, TOK_CASED, TOK_JSON, TOK_NOSTRIP, TOK_COUNT };
static const char *const tok_names[TOK_COUNT] = {"uncased", "cased", "json", "uncased_nostrip"};
static hx_tokenizer *toks[TOK_COUNT];

static void load_tokenizers(void) {
    hx_error err;
    cJSON *meta = NULL;
    const char *uv = DATA "/bert/bert-base-uncased-vocab.txt";
    cr_assert_eq(hx_tokenizer_load_file(uv, 1, &toks[TOK_UNCASED], &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_tokenizer_load_file(DATA "/bert/bert-base-cased-vocab.txt", 0, &toks[TOK_CASED],
                                        &err),
                 HX_OK, "%s", err.msg);
    cr_assert_eq(hx_tokenizer_load_file(DATA "/bert/bert-base-uncased-tokenizer.json", -1,
                                        &toks[TOK_JSON], &err),
                 HX_OK, "%s", err.msg);
    cr_assert_eq(hx_tokenizer_meta_from_vocab_file(uv, NULL, 1, &meta, &err), HX_OK, "%s", err.msg);
    cJSON_ReplaceItemInObjectCaseSensitive(meta, "strip_accents", cJSON_CreateBool(0));
    cr_assert_eq(hx_tokenizer_from_meta(meta, &toks[TOK_NOSTRIP], &err), HX_OK, "%s", err.msg);
    cJSON_Delete(meta);
}

static void free_tokenizers(void) {
    for (int i = 0; i < TOK_COUNT; i++) {
        hx_tokenizer_free(toks[i]);
        toks[i] = NULL;
    }
}

static hx_tokenizer *tok_by_name(const char *name) {
    for (int i = 0; i < TOK_COUNT; i++)
        if (!strcmp(name, tok_names[i])) return toks[i];
    cr_assert_fail("unknown tokenizer %s in fixture", name);
    return NULL;
}

static hx_truncation strategy_of(const char *s) {
    if (!strcmp(s, "only_first")) return HX_TRUNCATE_ONLY_FIRST;
    if (!strcmp(s, "only_second")) return HX_TRUNCATE_ONLY_SECOND;
    cr_assert_str_eq(s, "longest_first");
    return HX_TRUNCATE_LONGEST_FIRST;
}

/* ---- corpus ------------------------------------------------------------------ */

typedef struct {
    char *src, *key, *text;
    size_t len;
} text_entry;

static text_entry *corpus;
static size_t n_corpus, cap_corpus;

static void add_text(const char *src, const char *key, const char *text, size_t len) {
    if (n_corpus == cap_corpus) {
        cap_corpus = cap_corpus ? cap_corpus * 2 : 1024;
        corpus = realloc(corpus, cap_corpus * sizeof *corpus);
        cr_assert(corpus);
    }
    text_entry *e = &corpus[n_corpus++];
    e->src = strdup(src);
    e->key = strdup(key);
    e->text = malloc(len + 1);
    cr_assert(e->src && e->key && e->text);
    memcpy(e->text, text, len);
    e->text[len] = 0;
    e->len = len;
}

static const text_entry *find_text(const char *src, const char *key) {
    for (size_t i = 0; i < n_corpus; i++)
        if (!strcmp(corpus[i].key, key) && !strcmp(corpus[i].src, src)) return &corpus[i];
    return NULL;
}

/* Hallmarks of Cancer: unpack the archive once into a temporary directory. */
static void load_hoc(void) {
    char dir[] = "/tmp/hx_tok_hocXXXXXX";
    cr_assert(mkdtemp(dir));
    char cmd[512];
    snprintf(cmd, sizeof cmd, "tar -xJf '%s' -C '%s'",
             DATA "/pubmed_abstracts/hallmarks_of_cancer.tar.xz", dir);
    cr_assert_eq(system(cmd), 0, "cannot unpack the Hallmarks of Cancer archive (shared data)");
    snprintf(cmd, sizeof cmd, "cd '%s' && find . -path '*/text/*.txt' -type f | sort", dir);
    size_t n;
    char *list = run_read(cmd, &n);
    for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
        const char *name = line + 2; /* "./" */
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        size_t len;
        char *text = tu_read_file(path, &len);
        add_text("hoc", name, text, len);
        free(text);
    }
    free(list);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* Joins the strings of a JSON array (plus an optional extra) with " ". */
static char *join(const cJSON *arr, const cJSON *extra, size_t *len) {
    size_t n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr) n += strlen(e->valuestring) + 1;
    if (extra) n += strlen(extra->valuestring) + 1;
    char *s = malloc(n + 1), *p = s;
    cr_assert(s);
    bool first = true;
    cJSON_ArrayForEach(e, arr) {
        if (!first) *p++ = ' ';
        first = false;
        size_t l = strlen(e->valuestring);
        memcpy(p, e->valuestring, l);
        p += l;
    }
    if (extra) {
        if (!first) *p++ = ' ';
        size_t l = strlen(extra->valuestring);
        memcpy(p, extra->valuestring, l);
        p += l;
    }
    *p = 0;
    *len = (size_t)(p - s);
    return s;
}

static void load_pubmedqa(void) {
    size_t n;
    char *js = run_read("xz -dc '" DATA "/pubmed_abstracts/pubmedqa_ori_pqal.json.xz'", &n);
    cJSON *root = cJSON_ParseWithLength(js, n);
    free(js);
    cr_assert(cJSON_IsObject(root), "PubMedQA JSON does not parse");
    const cJSON *r;
    cJSON_ArrayForEach(r, root) {
        const cJSON *ctx = cJSON_GetObjectItem(r, "CONTEXTS");
        const cJSON *q = cJSON_GetObjectItem(r, "QUESTION");
        const cJSON *la = cJSON_GetObjectItem(r, "LONG_ANSWER");
        cr_assert(cJSON_IsArray(ctx) && cJSON_IsString(q) && cJSON_IsString(la));
        size_t len;
        char *s = join(ctx, la, &len);
        add_text("pubmedqa", r->string, s, len);
        free(s);
        s = join(ctx, NULL, &len);
        char key[64];
        snprintf(key, sizeof key, "c:%s", r->string);
        add_text("pubmedqa", key, s, len);
        free(s);
        snprintf(key, sizeof key, "q:%s", r->string);
        add_text("pubmedqa", key, q->valuestring, strlen(q->valuestring));
    }
    cJSON_Delete(root);
}

/* Medical abstracts CSV (Python csv module rules: quoted fields, "" escapes,
 * newlines inside quotes). Key = 1-based data row. */
static void load_medical(void) {
    size_t n;
    char *csv = run_read("xz -dc '" DATA "/pubmed_abstracts/medical_tc_test.csv.xz'", &n);
    char *field = malloc(n + 1);
    cr_assert(field);
    size_t i = 0, row = 0;
    while (i < n) {
        int col = 0;
        for (;;) { /* one field */
            size_t fl = 0;
            if (i < n && csv[i] == '"') {
                i++;
                while (i < n) {
                    if (csv[i] == '"') {
                        if (i + 1 < n && csv[i + 1] == '"') {
                            field[fl++] = '"';
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    field[fl++] = csv[i++];
                }
            }
            while (i < n && csv[i] != ',' && csv[i] != '\n' && csv[i] != '\r') field[fl++] = csv[i++];
            if (col == 1 && row > 0) {
                char key[32];
                snprintf(key, sizeof key, "%zu", row);
                add_text("medical", key, field, fl);
            }
            col++;
            if (i < n && csv[i] == ',') {
                i++;
                continue;
            }
            if (i < n && csv[i] == '\r') i++;
            if (i < n && csv[i] == '\n') i++;
            break;
        }
        row++;
    }
    free(field);
    free(csv);
}

static void load_corpus(void) {
    cr_assert_eq(access(DATA "/pubmed_abstracts", R_OK), 0,
                 "shared data missing: %s (the tests need ../shared beside the clone)",
                 DATA "/pubmed_abstracts");
    load_hoc();
    load_pubmedqa();
    load_medical();
}

static void free_corpus(void) {
    for (size_t i = 0; i < n_corpus; i++) {
        free(corpus[i].src);
        free(corpus[i].key);
        free(corpus[i].text);
    }
    free(corpus);
    corpus = NULL;
    n_corpus = cap_corpus = 0;
}

/* ---- fixture lines ------------------------------------------------------------ */

static FILE *open_fixture(void) {
    cr_assert_eq(access(FIXTURE, R_OK), 0, "missing fixture %s", FIXTURE);
    FILE *p = popen("xz -dc '" FIXTURE "'", "r");
    cr_assert(p, "cannot run xz");
    return p;
}

static bool next_line(FILE *f, char **buf, size_t *cap) {
    return getline(buf, cap, f) > 0;
}

static int num(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItem(o, k);
    return cJSON_IsNumber(v) ? v->valueint : 0;
}

static bool compare_arr(const cJSON *arr, const int32_t *got, size_t n) {
    if (!cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != n) return false;
    size_t i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr) if (e->valueint != got[i++]) return false;
    return true;
}

static bool compare_offsets(const cJSON *arr, const hx_token_offset *got, size_t n) {
    if (!cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != n) return false;
    size_t i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr) {
        if ((uint32_t)cJSON_GetArrayItem(e, 0)->valueint != got[i].start ||
            (uint32_t)cJSON_GetArrayItem(e, 1)->valueint != got[i].end)
            return false;
        i++;
    }
    return true;
}

/* One "full" line: returns true when helix agrees. */
static bool check_full(const cJSON *o, long line_no, hx_encoding *enc) {
    hx_tokenizer *tok = tok_by_name(cJSON_GetObjectItem(o, "tok")->valuestring);
    char *a = NULL, *b = NULL;
    size_t al = 0, bl = 0;
    const cJSON *ah = cJSON_GetObjectItem(o, "a_hex"), *bh = cJSON_GetObjectItem(o, "b_hex");
    const cJSON *src = cJSON_GetObjectItem(o, "src");
    if (ah) {
        a = hex_decode(ah->valuestring, &al);
        if (bh) b = hex_decode(bh->valuestring, &bl);
    } else {
        const text_entry *t = find_text(src->valuestring, cJSON_GetObjectItem(o, "key")->valuestring);
        cr_assert(t, "fixture line %ld: text not found in the shared data", line_no);
        a = strdup(t->text);
        al = t->len;
    }
    hx_encode_options opt = {0};
    opt.max_length = (size_t)num(o, "max_len");
    opt.truncation = strategy_of(cJSON_GetObjectItem(o, "strategy")->valuestring);
    opt.pad_to = (size_t)num(o, "pad_to");
    opt.pad_to_multiple_of = (size_t)num(o, "pad_multiple");
    hx_error err;
    hx_error_clear(&err);
    hx_status st = hx_tokenizer_encode(tok, a, al, b, bl, &opt, enc, &err);
    const cJSON *experr = cJSON_GetObjectItem(o, "error");
    bool ok;
    if (experr) {
        ok = st != HX_OK && !strcmp(err.msg, experr->valuestring);
    } else {
        ok = st == HX_OK && compare_arr(cJSON_GetObjectItem(o, "ids"), enc->ids, enc->length) &&
             compare_arr(cJSON_GetObjectItem(o, "type_ids"), enc->type_ids, enc->length) &&
             compare_arr(cJSON_GetObjectItem(o, "attention_mask"), enc->attention_mask,
                         enc->length) &&
             compare_offsets(cJSON_GetObjectItem(o, "offsets"), enc->offsets, enc->length);
    }
    if (!ok) {
        fprintf(stderr, "MISMATCH fixture line %ld (%s): status %d %s\n  got ids:", line_no,
                cJSON_GetObjectItem(o, "tok")->valuestring, st, err.msg);
        for (size_t i = 0; st == HX_OK && i < enc->length; i++)
            fprintf(stderr, " %d(%u,%u)", enc->ids[i], enc->offsets[i].start, enc->offsets[i].end);
        char *want = cJSON_PrintUnformatted(o);
        fprintf(stderr, "\n  want: %.2000s\n", want);
        free(want);
    }
    free(a);
    free(b);
    return ok;
}

Test(tokenizer_fixtures, edge_cases_and_first_records) {
    load_tokenizers();
    load_corpus();
    FILE *f = open_fixture();
    char *line = NULL;
    size_t cap = 0;
    long line_no = 0, n_full = 0, bad = 0;
    hx_encoding enc;
    hx_encoding_init(&enc);
    while (next_line(f, &line, &cap)) {
        line_no++;
        if (strncmp(line, "{\"kind\":\"full\"", 14)) continue;
        cJSON *o = cJSON_Parse(line);
        cr_assert(o, "fixture line %ld does not parse", line_no);
        n_full++;
        if (!check_full(o, line_no, &enc) && ++bad >= MAX_REPORT) {
            cJSON_Delete(o);
            break;
        }
        cJSON_Delete(o);
    }
    pclose(f);
    free(line);
    hx_encoding_free(&enc);
    free_corpus();
    free_tokenizers();
    cr_assert_gt(n_full, 1000, "fixture has only %ld full cases", n_full);
    cr_assert_eq(bad, 0, "%ld of %ld full cases differ from Hugging Face", bad, n_full);
}

Test(tokenizer_fixtures, every_abstract_every_variant, .timeout = 600) {
    load_tokenizers();
    load_corpus();
    FILE *f = open_fixture();
    char *line = NULL;
    size_t cap = 0;
    long line_no = 0, n_rec = 0, n_enc = 0, bad = 0;
    cJSON *variants = NULL;
    hx_encoding enc;
    hx_encoding_init(&enc);
    while (next_line(f, &line, &cap) && bad < MAX_REPORT) {
        line_no++;
        bool header = !strncmp(line, "{\"kind\":\"header\"", 16);
        if (!header && strncmp(line, "{\"kind\":\"record\"", 16)) continue;
        cJSON *o = cJSON_Parse(line);
        cr_assert(o, "fixture line %ld does not parse", line_no);
        if (header) {
            variants = cJSON_DetachItemFromObject(o, "variants");
            cJSON_Delete(o);
            continue;
        }
        cr_assert(variants, "fixture has no header");
        const char *src = cJSON_GetObjectItem(o, "src")->valuestring;
        const char *key = cJSON_GetObjectItem(o, "key")->valuestring;
        const char *pkey = cJSON_GetObjectItem(o, "pair_key")->valuestring;
        const text_entry *t = find_text(src, key);
        cr_assert(t, "%s record %s (fixture line %ld) not found in the shared data", src, key,
                  line_no);
        char hx[17];
        snprintf(hx, sizeof hx, "%016llx", (unsigned long long)text_hash(t->text, t->len));
        cr_assert_str_eq(hx, cJSON_GetObjectItem(o, "text_hash")->valuestring,
                         "%s record %s: text read differs from the oracle's", src, key);
        const text_entry *pa = t, *pb;
        if (!strcmp(src, "pubmedqa")) {
            char k[64];
            snprintf(k, sizeof k, "q:%s", key);
            pa = find_text(src, k);
            snprintf(k, sizeof k, "c:%s", key);
            pb = find_text(src, k);
            cr_assert(pa && pb);
            snprintf(hx, sizeof hx, "%016llx", (unsigned long long)text_hash(pa->text, pa->len));
            cr_assert_str_eq(hx, cJSON_GetObjectItem(o, "q_hash")->valuestring);
            snprintf(hx, sizeof hx, "%016llx", (unsigned long long)text_hash(pb->text, pb->len));
            cr_assert_str_eq(hx, cJSON_GetObjectItem(o, "c_hash")->valuestring);
        } else {
            pb = find_text(src, pkey);
            cr_assert(pb, "pair text %s %s not found", src, pkey);
        }
        const cJSON *out = cJSON_GetObjectItem(o, "out");
        cr_assert_eq(cJSON_GetArraySize(out), cJSON_GetArraySize(variants));
        int vi = 0;
        const cJSON *v;
        cJSON_ArrayForEach(v, variants) {
            const char *want = cJSON_GetArrayItem(out, vi)->valuestring;
            hx_tokenizer *tok = tok_by_name(cJSON_GetObjectItem(v, "tok")->valuestring);
            bool pair = cJSON_IsTrue(cJSON_GetObjectItem(v, "pair"));
            hx_encode_options opt = {0};
            opt.max_length = (size_t)num(v, "max_len");
            opt.truncation = strategy_of(cJSON_GetObjectItem(v, "strategy")->valuestring);
            hx_error err;
            hx_error_clear(&err);
            hx_status st = pair ? hx_tokenizer_encode(tok, pa->text, pa->len, pb->text, pb->len,
                                                      &opt, &enc, &err)
                                : hx_tokenizer_encode(tok, t->text, t->len, NULL, 0, &opt, &enc,
                                                      &err);
            bool ok;
            if (st == HX_OK) {
                snprintf(hx, sizeof hx, "%016llx", (unsigned long long)enc_hash(&enc));
                ok = !strcmp(hx, want);
            } else {
                ok = !strcmp(err.msg, want);
            }
            if (!ok) {
                bad++;
                fprintf(stderr,
                        "MISMATCH %s record %s variant %d: got %s, want %s\n"
                        "  (see: make_tokenizer_fixtures.py --dump %s %s %d)\n",
                        src, key, vi, st ? err.msg : hx, want, src, key, vi);
            }
            n_enc++;
            vi++;
        }
        n_rec++;
        cJSON_Delete(o);
    }
    pclose(f);
    free(line);
    cJSON_Delete(variants);
    hx_encoding_free(&enc);
    free_corpus();
    free_tokenizers();
    cr_log_info("%ld abstracts, %ld encodings compared", n_rec, n_enc);
    cr_assert_eq(bad, 0, "%ld encodings differ from Hugging Face", bad);
    cr_assert_eq(n_rec, 5740, "expected 5740 abstracts in the fixture, saw %ld", n_rec);
}
