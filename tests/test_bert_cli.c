/* `helix classify-text` and `helix embed` end to end: the tiny fixture model
 * written as an .hlx (with the bert-base-uncased tokenizer from
 * ../shared/data), real abstracts as JSONL sentence pairs, logits against
 * PyTorch (tests/oracle/make_bert_fixtures.py), error records, truncation
 * count, exit statuses. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cJSON.h>

#include "helix/bert_file.h"
#include "helix/bert_text_batch.h"
#include "helix/threads.h"
#include "weights/bert_file_internal.h"
#include "helix/hlx.h"
#include "helix/tokenizer_meta.h"
#include "test_bert_fixture.h"

#define OUT_DIR HX_BINARY_DIR "/test_bert_cli"

/* Writes the tiny fixture as an .hlx with tokenizer metadata; returns its path. */
static const char *tiny_hlx(void) {
    static char path[512];
    snprintf(path, sizeof path, "%s/tiny.hlx", OUT_DIR);
    fx_model m;
    hx_error err;
    cr_assert(fx_load_model("tiny", &m));
    char *text = tu_read_fixture("bert/tiny/config.json", NULL);
    cJSON *meta = cJSON_Parse(text);
    free(text);
    cJSON *tok = NULL;
    cr_assert_eq(hx_tokenizer_meta_from_json_file(HX_SHARED_DIR "/data/bert/bert-base-uncased-tokenizer.json",
                                                  &tok, &err), HX_OK, "%s", err.msg);
    cJSON_AddItemToObject(meta, "tokenizer", tok);
    char *json = cJSON_PrintUnformatted(meta);
    hx_hlx_writer *w;
    cr_assert_eq(hx_hlx_writer_new(&w, &err), HX_OK);
    cr_assert_eq(hx_hlx_writer_set_metadata(w, json, &err), HX_OK, "%s", err.msg);
    for (size_t i = 0; i < m.w.n; i++) {
        const hx_tensor_view *v = &m.w.t[i].view;
        cr_assert_eq(hx_hlx_writer_add(w, v->name, HX_DT_F32, v->rank, v->dims, v->data, v->nbytes, &err),
                     HX_OK, "%s", err.msg);
    }
    cr_assert_eq(system("mkdir -p " OUT_DIR), 0);
    cr_assert_eq(hx_hlx_writer_write(w, path, &err), HX_OK, "%s", err.msg);
    hx_hlx_writer_free(w);
    free(json);
    cJSON_Delete(meta);
    fx_free_model(&m);
    return path;
}

static int run(const char *cmd) {
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The library path of classify-text: records' text pairs through one packed
 * batch (helix/bert_text_batch.h), logits against PyTorch, unusable records
 * keeping their slot, the truncation count. */
Test(bert_cli, classify_text_matches_pytorch_with_error_records) {
    const char *model = tiny_hlx();
    hx_error err;
    hx_bert_file bf;
    cr_assert_eq(hx_bert_file_open(model, 1, &bf, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(bf.cfg.num_labels, 3);
    char *exp_text = tu_read_fixture("bert/tiny/cli_expected.json", NULL);
    cJSON *exp = cJSON_Parse(exp_text);
    free(exp_text);
    const cJSON *want = cJSON_GetObjectItem(exp, "logits");
    int n_lines = cJSON_GetArraySize(want);
    hx_threadpool *pool;
    hx_bert_session *s;
    hx_bert_text_batch tb;
    cr_assert_eq(hx_threadpool_create(3, &pool, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_bert_session_create(bf.model, (size_t)n_lines, 128, pool, &s, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_bert_text_batch_init(&tb, (size_t)n_lines, 128, &err), HX_OK, "%s", err.msg);

    char *in = tu_read_fixture("bert/tiny/cli.jsonl", NULL);
    cJSON **recs = calloc((size_t)n_lines, sizeof *recs);
    int i = 0;
    for (char *q = in; *q; i++) {
        char *nl = strchr(q, '\n');
        size_t len = nl ? (size_t)(nl - q) : strlen(q);
        cr_assert_lt(i, n_lines, "more records than expected lines");
        recs[i] = cJSON_ParseWithLength(q, len);
        const cJSON *a = cJSON_GetObjectItem(recs[i], "text"), *b2 = cJSON_GetObjectItem(recs[i], "text_b");
        if (cJSON_IsString(a) && cJSON_IsString(b2))
            cr_assert_eq(hx_bert_text_batch_add(&tb, bf.tok, a->valuestring, strlen(a->valuestring), b2->valuestring,
                                                strlen(b2->valuestring), NULL, &err), HX_OK, "%s", err.msg);
        else
            cr_assert_eq(hx_bert_text_batch_add_error(&tb, "no text pair", &err), HX_OK);
        if (!nl) break;
        q = nl + 1;
    }
    cr_assert_eq(tb.n_slots, (size_t)n_lines);
    float *logits = calloc(tb.batch.n_seqs * 3 + 1, sizeof *logits);
    cr_assert_eq(hx_bert_classify(s, &tb.batch, logits, &err), HX_OK, "%s", err.msg);
    for (i = 0; i < n_lines; i++) {
        const cJSON *w = cJSON_GetArrayItem(want, i);
        if (cJSON_IsNull(w)) {
            cr_assert(tb.error[i][0], "line %d should be an error record", i + 1);
            continue;
        }
        cr_assert(!tb.error[i][0], "line %d: %s", i + 1, tb.error[i]);
        const float *lg = logits + tb.seq_of_slot[i] * 3;
        for (int k = 0; k < 3; k++) {
            double g = lg[k], x = cJSON_GetArrayItem(w, k)->valuedouble;
            cr_assert(fabs(g - x) <= 1e-4 * 1.1, "line %d logit %d: %g vs PyTorch %g", i + 1, k, g, x);
        }
    }
    cr_assert_eq(tb.n_truncated, (size_t)cJSON_GetObjectItem(exp, "truncated")->valueint);
    for (i = 0; i < n_lines; i++) cJSON_Delete(recs[i]);
    free(recs);
    free(in);
    free(logits);
    hx_bert_text_batch_free(&tb);
    hx_bert_session_free(s);
    hx_threadpool_destroy(pool);
    hx_bert_file_close(&bf);
    cJSON_Delete(exp);
}

/* `helix classify-text` once, end to end: batches of 2 over 3 threads, one
 * line out per line in, error records naming their line, the truncation
 * count on stderr. */
Test(bert_cli, classify_text_cli_smoke) {
    const char *model = tiny_hlx();
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "%s/helix classify-text -m %s --max-len 128 --pair-field text_b --batch 2 --threads 3 "
             "< %s/bert/tiny/cli.jsonl > %s/out.jsonl 2> %s/err.txt",
             HX_BINARY_DIR, model, HX_TEST_FIXTURES, OUT_DIR, OUT_DIR);
    cr_assert_eq(run(cmd), 0, "classify-text failed: %s", cmd);
    char *exp_text = tu_read_fixture("bert/tiny/cli_expected.json", NULL);
    cJSON *exp = cJSON_Parse(exp_text);
    free(exp_text);
    const cJSON *want = cJSON_GetObjectItem(exp, "logits");
    int n_lines = cJSON_GetArraySize(want);
    FILE *f = fopen(OUT_DIR "/out.jsonl", "r");
    cr_assert(f);
    char line[65536];
    int i = 0;
    while (fgets(line, sizeof line, f)) {
        cr_assert_lt(i, n_lines, "more output lines than input lines");
        cJSON *rec = cJSON_Parse(line);
        cr_assert(rec, "output line %d is not JSON", i + 1);
        if (cJSON_IsNull(cJSON_GetArrayItem(want, i))) {
            const cJSON *e = cJSON_GetObjectItem(rec, "error"), *ln = cJSON_GetObjectItem(rec, "line");
            cr_assert(cJSON_IsString(e), "line %d should be an error record", i + 1);
            cr_assert(cJSON_IsNumber(ln) && ln->valueint == i + 1, "error record names line %d", i + 1);
        } else {
            const cJSON *lg = cJSON_GetObjectItem(rec, "logits"), *probs = cJSON_GetObjectItem(rec, "probs");
            cr_assert(cJSON_IsArray(lg) && cJSON_GetArraySize(lg) == 3, "line %d: no logits", i + 1);
            cr_assert(cJSON_IsString(cJSON_GetObjectItem(rec, "label")), "line %d: no label", i + 1);
            cr_assert_eq(cJSON_GetArraySize(probs), 3, "line %d: no probs", i + 1);
        }
        cJSON_Delete(rec);
        i++;
    }
    fclose(f);
    cr_assert_eq(i, n_lines, "%d output lines for %d input lines", i, n_lines);
    char *errs = tu_read_file(OUT_DIR "/err.txt", NULL);
    char want_msg[128];
    snprintf(want_msg, sizeof want_msg, "%d of %d records truncated",
             cJSON_GetObjectItem(exp, "truncated")->valueint, n_lines);
    cr_assert(errs && strstr(errs, want_msg), "stderr lacks '%s': %s", want_msg, errs ? errs : "");
    free(errs);
    cJSON_Delete(exp);
}

Test(bert_cli, embed_writes_one_vector_per_line_and_options_are_checked) {
    const char *model = tiny_hlx();
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "printf 'first abstract\\n\\nthird one\\n' | %s/helix embed -m %s --pooling mean "
             "> %s/emb.jsonl", HX_BINARY_DIR, model, OUT_DIR);
    cr_assert_eq(run(cmd), 0);
    FILE *f = fopen(OUT_DIR "/emb.jsonl", "r");
    char line[65536];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        cJSON *rec = cJSON_Parse(line);
        const cJSON *e = cJSON_GetObjectItem(rec, "embedding");
        cr_assert(cJSON_IsArray(e) && cJSON_GetArraySize(e) == 36, "line %d: no 36-float embedding", n + 1);
        cJSON_Delete(rec);
        n++;
    }
    fclose(f);
    cr_assert_eq(n, 3);

    struct { const char *args; int status; } cases[] = {
        {"classify-text --help", 0},
        {"classify-text", 2},                                  /* no model */
        {"classify-text -m %s --max-len 9999", 2},              /* beyond the positions */
        {"classify-text -m %s --batch 0", 2},
        {"classify-text -m %s --bogus 1", 2},
        {"classify-text -m /nonexistent.hlx", 1},
        {"embed -m %s --pooling max", 2},
        {"embed --help", 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char args[1024];
        snprintf(args, sizeof args, cases[c].args, model);
        snprintf(cmd, sizeof cmd, "%s/helix %s < /dev/null > /dev/null 2>&1", HX_BINARY_DIR, args);
        cr_assert_eq(run(cmd), cases[c].status, "`helix %s` should exit %d", args, cases[c].status);
    }
}

Test(bert_cli, loader_rejects_non_bert_metadata) {
    hx_bert_config c;
    hx_error err;
    cJSON *b = cJSON_Parse("{\"vocab_size\": 10, \"hidden_size\": 8, \"num_hidden_layers\": 1,"
                           "\"num_attention_heads\": 3, \"intermediate_size\": 4,"
                           "\"max_position_embeddings\": 8, \"type_vocab_size\": 2,"
                           "\"layer_norm_eps\": 1e-12, \"has_pooler\": true, \"num_labels\": 2}");
    cr_assert_eq(hx_bert_config_from_json(b, &c, &err), HX_EFORMAT); /* 8 % 3 != 0 */
    cJSON_ReplaceItemInObject(b, "num_attention_heads", cJSON_CreateNumber(2));
    cr_assert_eq(hx_bert_config_from_json(b, &c, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(c.hidden_size, 8);
    cJSON_ReplaceItemInObject(b, "num_labels", cJSON_CreateNumber(-1));
    cr_assert_eq(hx_bert_config_from_json(b, &c, &err), HX_EFORMAT);
    cr_assert(strstr(err.msg, "num_labels"), "%s", err.msg);
    cJSON_Delete(b);
}
