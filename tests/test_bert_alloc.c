/* "No allocation per inference", measured: with a session (whose arena holds
 * the GEMM workspace) and a thread pool made beforehand, BERT classify and
 * embed calls allocate nothing. The allocator is replaced by counting
 * forwarders to glibc's own (not under AddressSanitizer, which owns malloc). */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <stddef.h>

#include "helix/cpu.h"
#include "helix/gemm.h"
#include "test_bert_fixture.h"

#include "alloc_counter.h"

Test(bert_alloc, inference_allocates_nothing) {
#if !defined(HX_MALLOC_COUNT)
    cr_skip_test("allocation counting needs glibc without AddressSanitizer");
#else
    /* The counter itself: a GEMM given no workspace allocates its own. */
    float a[4 * 8] = {0}, b[8 * 8] = {0}, c[4 * 8];
    count_from_zero();
    cr_assert_eq(hx_sgemm(HX_NOTRANS, HX_NOTRANS, 4, 8, 8, 1.0f, a, 8, b, 8, 0.0f, c, 8, NULL, NULL,
                          NULL, NULL), HX_OK);
    stop_counting();
    cr_assert_geq(counted(), 1, "the allocation counter saw nothing");

    fx_model m;
    cr_assert(fx_load_model("tiny", &m), "cannot load fixture tiny");
    hx_tensor_source src = fx_source(&m);
    hx_error err;
    hx_bert *model;
    hx_bert_session *s;
    hx_threadpool *pool;
    cr_assert_eq(hx_threadpool_create(2, &pool, NULL), HX_OK);
    cr_assert_eq(hx_bert_create(&m.cfg, &src, NULL, &model, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_bert_session_create(model, 8, 512, pool, &s, &err), HX_OK, "%s", err.msg);
    const size_t K = m.cfg.num_labels, H = m.cfg.hidden_size;
    float *logits = malloc(8 * K * sizeof *logits), *emb = malloc(8 * H * sizeof *emb);
    for (size_t c = 0; c < m.n_cases; c++) {
        const fx_case *k = &m.cases[c];
        if (k->n_seqs > 8) continue;
        hx_bert_batch batch = {k->n_seqs, k->lengths, k->ids, k->types};
        count_from_zero();
        for (int rep = 0; rep < 2; rep++) {
            cr_assert_eq(hx_bert_classify(s, &batch, logits, &err), HX_OK, "%s", err.msg);
            cr_assert_eq(hx_bert_embed(s, &batch, HX_BERT_POOL_POOLER, emb, &err), HX_OK, "%s", err.msg);
        }
        stop_counting();
        cr_expect_eq(counted(), 0, "case %s: %ld allocations in two inferences", k->name, counted());
    }
    free(logits);
    free(emb);
    hx_bert_session_free(s);
    hx_bert_free(model);
    hx_threadpool_destroy(pool);
    fx_free_model(&m);
#endif
}

/* A workspace too small for the product is refused, not overrun. */
Test(bert_alloc, small_gemm_workspace_is_refused) {
    float a[16 * 8] = {0}, b[8 * 8] = {0}, c[16 * 8];
    size_t need = hx_gemm_workspace_size(16, 8, 8);
    cr_assert(need > 0 && need < SIZE_MAX);
    char *buf = malloc(need);
    hx_gemm_workspace ws = {buf, 64};
    hx_error err;
    cr_assert_eq(hx_sgemm(HX_NOTRANS, HX_NOTRANS, 16, 8, 8, 1.0f, a, 8, b, 8, 0.0f, c, 8, NULL, &ws,
                          NULL, &err), HX_EINVAL);
    cr_assert(strstr(err.msg, "workspace"), "%s", err.msg);
    ws.bytes = need;
    cr_assert_eq(hx_sgemm(HX_NOTRANS, HX_NOTRANS, 16, 8, 8, 1.0f, a, 8, b, 8, 0.0f, c, 8, NULL, &ws,
                          NULL, &err), HX_OK, "%s", err.msg);
    free(buf);
}
