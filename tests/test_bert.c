/* BERT forward pass against PyTorch (fixtures from
 * tests/oracle/make_bert_fixtures.py): logits within 1e-4 of the logit scale
 * and the same argmax, CLS / mean / pooler embeddings likewise, on every ISA
 * path; bit-identical results for 1 and 3 threads; clear errors on bad input. */
#include <criterion/criterion.h>
#include <math.h>

#include "helix/cpu.h"
#include "test_bert_fixture.h"

static double max_abs(const float *v, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++) m = fmax(m, fabs(v[i]));
    return m;
}

static void expect_close(const char *what, const char *model, const fx_case *k, const float *got,
                         const float *want, size_t n) {
    double scale = fmax(max_abs(want, n), 1e-3), worst = 0;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs((double)got[i] - want[i]);
        if (e > worst || isnan(got[i])) { worst = isnan(got[i]) ? INFINITY : e; at = i; }
    }
    cr_assert(worst <= 1e-4 * scale, "%s %s case %s (%s): max |diff| %.3g at %zu (%g vs %g), scale %.3g",
              model, hx_isa_name(hx_isa_active()), k->name, what, worst, at, got[at], want[at], scale);
}

static size_t argmax(const float *v, size_t n) {
    size_t b = 0;
    for (size_t i = 1; i < n; i++) if (v[i] > v[b]) b = i;
    return b;
}

static hx_bert_batch case_batch(const fx_case *k) {
    return (hx_bert_batch){k->n_seqs, k->lengths, k->ids, k->types};
}

/* Runs one case through classify and every pooling and compares. */
static void check_case(hx_bert_session *s, const fx_model *m, const char *model, const fx_case *k) {
    const size_t K = m->cfg.num_labels, H = m->cfg.hidden_size;
    hx_bert_batch b = case_batch(k);
    hx_error err;
    float *logits = malloc(k->n_seqs * K * sizeof *logits);
    float *emb = malloc(k->n_seqs * H * sizeof *emb);
    cr_assert_eq(hx_bert_classify(s, &b, logits, &err), HX_OK, "%s", err.msg);
    expect_close("logits", model, k, logits, k->logits, k->n_seqs * K);
    for (size_t i = 0; i < k->n_seqs; i++)
        cr_assert_eq(argmax(logits + i * K, K), argmax(k->logits + i * K, K),
                     "%s case %s seq %zu: argmax differs", model, k->name, i);
    const struct { hx_bert_pooling p; const float *want; const char *name; } pools[] = {
        {HX_BERT_POOL_CLS, k->cls, "cls"}, {HX_BERT_POOL_MEAN, k->mean, "mean"},
        {HX_BERT_POOL_POOLER, k->pooler, "pooler"}};
    for (int p = 0; p < 3; p++) {
        cr_assert_eq(hx_bert_embed(s, &b, pools[p].p, emb, &err), HX_OK, "%s", err.msg);
        for (size_t i = 0; i < k->n_seqs; i++) /* per sequence, each on its own scale */
            expect_close(pools[p].name, model, k, emb + i * H, pools[p].want + i * H, H);
    }
    free(logits);
    free(emb);
}

static void setup(const char *name, fx_model *m, hx_bert **model, hx_bert_session **s,
                  hx_threadpool *pool) {
    hx_error err;
    cr_assert(fx_load_model(name, m), "cannot load fixture %s", name);
    hx_tensor_source src = fx_source(m);
    cr_assert_eq(hx_bert_create(&m->cfg, &src, NULL, model, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_bert_session_create(*model, 8, 512, pool, s, &err), HX_OK, "%s", err.msg);
}

static void teardown(fx_model *m, hx_bert *model, hx_bert_session *s) {
    hx_bert_session_free(s);
    hx_bert_free(model);
    fx_free_model(m);
}

static int wanted(const fx_case *k, const char *const *only) {
    if (!only) return 1;
    for (; *only; only++) if (!strcmp(*only, k->name)) return 1;
    return 0;
}

/* Every case on every ISA for `name`, or only the listed cases off the best
 * ISA (the scalar paths are slow on the larger cases). The model is built
 * after switching the ISA, because packed GEMM weights keep the kernel of
 * the ISA they were packed under. */
static void run_all_isas(const char *name, const char *const *only_off_best) {
    for (int isa = HX_ISA_COUNT - 1; isa >= 0; isa--) {
        if (!hx_isa_supported((hx_isa)isa)) continue;
        hx_isa_set((hx_isa)isa, NULL);
        fx_model m;
        hx_bert *model;
        hx_bert_session *s;
        setup(name, &m, &model, &s, NULL);
        cr_assert_eq(m.n_cases, 9);
        const char *const *only = isa == (int)hx_isa_best() ? NULL : only_off_best;
        for (size_t i = 0; i < m.n_cases; i++)
            if (wanted(&m.cases[i], only)) check_case(s, &m, name, &m.cases[i]);
        teardown(&m, model, s);
    }
    hx_isa_set(hx_isa_best(), NULL);
}

Test(bert, tiny_matches_pytorch_on_every_isa) { run_all_isas("tiny", NULL); }

Test(bert, medium_matches_pytorch_on_every_isa) {
    static const char *const some[] = {"len1", "len2", "len127", "len128", "len129", "pairs", NULL};
    run_all_isas("medium", some);
}

/* The padded PyTorch batch and helix's packed one agree sequence by sequence,
 * and results are bit-identical for 1 and 3 threads. */
Test(bert, packed_batch_is_thread_count_independent) {
    const char *names[] = {"tiny", "medium"};
    for (int n = 0; n < 2; n++) {
        fx_model m;
        hx_bert *model;
        hx_bert_session *s1, *s3;
        hx_threadpool *pool;
        hx_error err;
        cr_assert_eq(hx_threadpool_create(3, &pool, NULL), HX_OK);
        setup(names[n], &m, &model, &s1, NULL);
        cr_assert_eq(hx_bert_session_create(model, 8, 512, pool, &s3, &err), HX_OK, "%s", err.msg);
        for (size_t c = 0; c < m.n_cases; c++) {
            const fx_case *k = &m.cases[c];
            if (strcmp(k->name, "mixed_padded") && strcmp(k->name, "pairs")) continue;
            hx_bert_batch b = case_batch(k);
            size_t K = m.cfg.num_labels, H = m.cfg.hidden_size, t1, t3;
            float *l1 = malloc(k->n_seqs * K * 4), *l3 = malloc(k->n_seqs * K * 4);
            cr_assert_eq(hx_bert_classify(s1, &b, l1, &err), HX_OK, "%s", err.msg);
            cr_assert_eq(hx_bert_classify(s3, &b, l3, &err), HX_OK, "%s", err.msg);
            const float *h1 = hx_bert_last_hidden(s1, &t1), *h3 = hx_bert_last_hidden(s3, &t3);
            cr_assert_eq(t1, k->n_tokens);
            cr_assert_eq(t3, k->n_tokens);
            cr_assert(memcmp(l1, l3, k->n_seqs * K * 4) == 0, "%s %s: logits differ with 3 threads",
                      names[n], k->name);
            cr_assert(memcmp(h1, h3, t1 * H * 4) == 0, "%s %s: hidden states differ with 3 threads",
                      names[n], k->name);
            expect_close("logits, 3 threads", names[n], k, l3, k->logits, k->n_seqs * K);
            free(l1);
            free(l3);
        }
        hx_bert_session_free(s3);
        teardown(&m, model, s1);
        hx_threadpool_destroy(pool);
    }
}

Test(bert, rejects_bad_batches_and_tensors) {
    fx_model m;
    hx_bert *model;
    hx_bert_session *s;
    hx_error err;
    setup("tiny", &m, &model, &s, NULL);
    float logits[64];
    int32_t ids[3] = {101, (int32_t)m.cfg.vocab_size, 102};
    size_t len3 = 3;
    hx_bert_batch b = {1, &len3, ids, NULL};
    cr_assert_eq(hx_bert_classify(s, &b, logits, &err), HX_EINVAL);
    cr_assert(strstr(err.msg, "token 1"), "%s", err.msg);
    ids[1] = 2000;
    int32_t types[3] = {0, 2, 0};
    b.type_ids = types;
    cr_assert_eq(hx_bert_classify(s, &b, logits, &err), HX_EINVAL);
    b.type_ids = NULL;
    size_t zero = 0, big = 513;
    b.lengths = &zero;
    cr_assert_eq(hx_bert_classify(s, &b, logits, &err), HX_EINVAL);
    b.lengths = &big;
    cr_assert_eq(hx_bert_classify(s, &b, logits, &err), HX_EINVAL);
    size_t nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    int32_t nine_ids[9] = {101, 101, 101, 101, 101, 101, 101, 101, 101};
    hx_bert_batch b9 = {9, nine, nine_ids, NULL};
    cr_assert_eq(hx_bert_classify(s, &b9, logits, &err), HX_EINVAL);
    cr_assert_eq(hx_bert_embed(s, &b9, (hx_bert_pooling)7, logits, &err), HX_EINVAL);
    hx_bert_session *s2;
    cr_assert_eq(hx_bert_session_create(model, 1, 513, NULL, &s2, &err), HX_EINVAL);

    /* A wrong shape and a missing tensor are named. */
    hx_tensor_source src = fx_source(&m);
    hx_bert *bad;
    hx_bert_config c = m.cfg;
    c.intermediate_size++;
    cr_assert_eq(hx_bert_create(&c, &src, NULL, &bad, &err), HX_EFORMAT);
    cr_assert(strstr(err.msg, "intermediate.dense.weight"), "%s", err.msg);
    c = m.cfg;
    c.num_layers++;
    cr_assert_eq(hx_bert_create(&c, &src, NULL, &bad, &err), HX_ENOTFOUND);
    cr_assert(strstr(err.msg, "layer.2"), "%s", err.msg);
    c = m.cfg;
    c.num_heads = 5;
    cr_assert_eq(hx_bert_create(&c, &src, NULL, &bad, &err), HX_EFORMAT);
    c = m.cfg;
    c.has_pooler = false;
    cr_assert_eq(hx_bert_create(&c, &src, NULL, &bad, &err), HX_EUNSUPPORTED);
    teardown(&m, model, s);
}
