/* Label-model building blocks against independent references: snorkel's
 * docstring examples (LFAnalysis, MajorityLabelVoter; fixture docstring.json),
 * hashlib SHA-1 digests and snorkel's probs_to_preds "random" tie breaks,
 * NumPy's first np.random.random() after seeding, overlap counts on every ISA
 * against a naive count, Dawid-Skene and the label model on synthetic data with
 * known truth, and the source-subset evaluation on a hand-checked example. */
#include <criterion/criterion.h>
#include <math.h>

#include "helix/cpu.h"
#include "nn/label_model_internal.h"
#include "test_label_model_util.h"

Test(label_model_core, lf_analysis_docstring) {
    cJSON *j = lmt_load_json("docstring.json");
    cr_assert_not_null(j);
    int32_t *L = lmt_ints(cJSON_GetObjectItem(j, "L"), NULL);
    hx_lf_analysis a;
    hx_error err;
    cr_assert_eq(hx_lf_analyze(L, 5, 3, 2, NULL, &a, &err), HX_OK);
    cr_expect_float_eq(a.coverage, cJSON_GetObjectItem(j, "coverage")->valuedouble, 1e-12);
    cr_expect_float_eq(a.overlap, cJSON_GetObjectItem(j, "overlap")->valuedouble, 1e-12);
    cr_expect_float_eq(a.conflict, cJSON_GetObjectItem(j, "conflict")->valuedouble, 1e-12);
    double *cov = lmt_doubles(cJSON_GetObjectItem(j, "lf_coverages"), NULL);
    double *ov = lmt_doubles(cJSON_GetObjectItem(j, "lf_overlaps"), NULL);
    double *cf = lmt_doubles(cJSON_GetObjectItem(j, "lf_conflicts"), NULL);
    for (int i = 0; i < 3; i++) {
        cr_expect_float_eq(a.lf_coverage[i], cov[i], 1e-12, "coverage %d", i);
        cr_expect_float_eq(a.lf_overlap[i], ov[i], 1e-12, "overlap %d", i);
        cr_expect_float_eq(a.lf_conflict[i], cf[i], 1e-12, "conflict %d", i);
    }
    /* polarities [[0,1],[0],[0]] */
    cr_expect(hx_lf_has_polarity(&a, 0, 0) && hx_lf_has_polarity(&a, 0, 1));
    cr_expect(hx_lf_has_polarity(&a, 1, 0) && !hx_lf_has_polarity(&a, 1, 1));
    cr_expect(hx_lf_has_polarity(&a, 2, 0) && !hx_lf_has_polarity(&a, 2, 1));
    hx_lf_analysis_free(&a);

    int32_t *Lm = lmt_ints(cJSON_GetObjectItem(j, "majority_L"), NULL);
    double *ref = lmt_doubles(cJSON_GetObjectItem(j, "majority_proba"), NULL);
    double pr[6];
    cr_assert_eq(hx_majority_label_proba(Lm, 3, 3, 2, pr, &err), HX_OK);
    for (int i = 0; i < 6; i++) cr_expect_float_eq(pr[i], ref[i], 1e-12);
    /* MajorityClassVoter.fit(balance).predict_proba on 3 rows */
    const cJSON *mc;
    int cases = 0;
    cJSON_ArrayForEach(mc, cJSON_GetObjectItem(j, "majority_class")) {
        size_t k;
        double *bal = lmt_doubles(cJSON_GetObjectItem(mc, "balance"), &k);
        double *want = lmt_doubles(cJSON_GetObjectItem(mc, "proba"), NULL);
        double got[12];
        hx_majority_class_proba(bal, (int)k, 3, got);
        for (size_t i = 0; i < 3 * k; i++) cr_expect_float_eq(got[i], want[i], 1e-12, "k=%zu [%zu]", k, i);
        free(bal);
        free(want);
        cases++;
    }
    cr_expect_eq(cases, 3);
    free(L); free(cov); free(ov); free(cf); free(Lm); free(ref);
    cJSON_Delete(j);
}

Test(label_model_core, youtube_analysis_and_majority) {
    cJSON *j = lmt_load_json("youtube.json");
    cr_assert_not_null(j);
    const cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "cases"), 0);
    size_t n;
    int m, k;
    int32_t *L = lmt_case_matrix(c0, &n, &m, &k);
    char path[1024];
    snprintf(path, sizeof path, "%s/label_model/youtube_gold.csv", HX_TEST_FIXTURES);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    int32_t *gold = malloc(n * sizeof *gold);
    char line[64];
    cr_assert_not_null(fgets(line, sizeof line, f)); /* header */
    for (size_t r = 0; r < n; r++) {
        cr_assert_not_null(fgets(line, sizeof line, f));
        gold[r] = atoi(line);
    }
    fclose(f);
    const cJSON *an = cJSON_GetObjectItem(j, "analysis");
    hx_lf_analysis a;
    hx_error err;
    cr_assert_eq(hx_lf_analyze(L, n, m, k, gold, &a, &err), HX_OK, "%s", err.msg);
    cr_expect_float_eq(a.coverage, cJSON_GetObjectItem(an, "coverage")->valuedouble, 1e-12);
    cr_expect_float_eq(a.overlap, cJSON_GetObjectItem(an, "overlap")->valuedouble, 1e-12);
    cr_expect_float_eq(a.conflict, cJSON_GetObjectItem(an, "conflict")->valuedouble, 1e-12);
    const char *keys[] = {"lf_coverages", "lf_overlaps", "lf_conflicts", "emp_acc"};
    double *mine[] = {a.lf_coverage, a.lf_overlap, a.lf_conflict, a.emp_accuracy};
    for (int q = 0; q < 4; q++) {
        double *ref = lmt_doubles(cJSON_GetObjectItem(an, keys[q]), NULL);
        for (int i = 0; i < m; i++) cr_expect_float_eq(mine[q][i], ref[i], 1e-12, "%s[%d]", keys[q], i);
        free(ref);
    }
    int32_t *cor = lmt_ints(cJSON_GetObjectItem(an, "correct"), NULL);
    int32_t *inc = lmt_ints(cJSON_GetObjectItem(an, "incorrect"), NULL);
    for (int i = 0; i < m; i++) {
        cr_expect_eq(a.correct[i], cor[i], "correct[%d]", i);
        cr_expect_eq(a.incorrect[i], inc[i], "incorrect[%d]", i);
    }
    const cJSON *pol = cJSON_GetObjectItem(an, "polarities");
    for (int i = 0; i < m; i++) {
        const cJSON *pi = cJSON_GetArrayItem(pol, i);
        int count = 0;
        for (int y = 0; y < k; y++) count += hx_lf_has_polarity(&a, i, y);
        cr_expect_eq(count, cJSON_GetArraySize(pi), "polarity size %d", i);
        const cJSON *it;
        cJSON_ArrayForEach(it, pi) cr_expect(hx_lf_has_polarity(&a, i, it->valueint));
    }
    hx_lf_analysis_free(&a);

    const cJSON *mj = cJSON_GetObjectItem(j, "majority");
    double *pref = lmt_doubles(cJSON_GetObjectItem(mj, "proba"), NULL);
    int32_t *pa = lmt_ints(cJSON_GetObjectItem(mj, "pred_abstain"), NULL);
    int32_t *prr = lmt_ints(cJSON_GetObjectItem(mj, "pred_random"), NULL);
    double *pr = malloc(n * k * sizeof *pr);
    int32_t *pred = malloc(n * sizeof *pred);
    cr_assert_eq(hx_majority_label_proba(L, n, m, k, pr, &err), HX_OK);
    for (size_t i = 0; i < n * k; i++) cr_expect_float_eq(pr[i], pref[i], 1e-12);
    hx_probs_to_preds(pr, n, k, HX_TIE_ABSTAIN, pred);
    for (size_t r = 0; r < n; r++) cr_expect_eq(pred[r], pa[r], "abstain policy row %zu", r);
    hx_probs_to_preds(pr, n, k, HX_TIE_RANDOM, pred);
    for (size_t r = 0; r < n; r++) cr_expect_eq(pred[r], prr[r], "random policy row %zu", r);
    free(pref); free(pa); free(prr); free(pr); free(pred); free(cor); free(inc); free(L); free(gold);
    cJSON_Delete(j);
}

/* hashlib.sha1(...).hexdigest() */
Test(label_model_core, sha1_vectors) {
    const char *in[] = {"", "abc", "0", "12345"};
    const char *hex[] = {"da39a3ee5e6b4b0d3255bfef95601890afd80709", "a9993e364706816aba3e25717850c26c9cd0d89d",
                         "b6589fc6ab0dc82cf12099d1c2d40ab994e8410c", "8cb2237d0679ca88db6464eac60da96345513964"};
    for (int t = 0; t < 4; t++) {
        uint8_t dg[20];
        char s[41];
        hx_sha1(in[t], strlen(in[t]), dg);
        for (int i = 0; i < 20; i++) snprintf(s + 2 * i, 3, "%02x", dg[i]);
        cr_expect_str_eq(s, hex[t], "sha1(\"%s\")", in[t]);
    }
    /* a message longer than one block */
    char big[200];
    memset(big, 'a', sizeof big);
    uint8_t d1[20], d2[20];
    hx_sha1(big, 200, d1);
    hx_sha1(big, 199, d2);
    cr_expect(memcmp(d1, d2, 20) != 0);
}

/* snorkel.utils.probs_to_preds(p, "random"): [0 1 0 1 0 0 0 0] for rows of
 * [.5,.5] except row 1 = [.3,.7]; [0 0 0 1 0 0 1] for 7 rows of 1/3. */
Test(label_model_core, tie_break_random_hash) {
    double p2[16];
    for (int r = 0; r < 8; r++) { p2[2 * r] = 0.5; p2[2 * r + 1] = 0.5; }
    p2[2] = 0.3;
    p2[3] = 0.7;
    int32_t pred[8];
    hx_probs_to_preds(p2, 8, 2, HX_TIE_RANDOM, pred);
    int32_t want2[8] = {0, 1, 0, 1, 0, 0, 0, 0};
    for (int r = 0; r < 8; r++) cr_expect_eq(pred[r], want2[r], "row %d", r);
    double p3[21];
    for (int i = 0; i < 21; i++) p3[i] = 1.0 / 3.0;
    hx_probs_to_preds(p3, 7, 3, HX_TIE_RANDOM, pred);
    int32_t want3[7] = {0, 0, 0, 1, 0, 0, 1};
    for (int r = 0; r < 7; r++) cr_expect_eq(pred[r], want3[r], "row %d", r);
    hx_probs_to_preds(p3, 7, 3, HX_TIE_ABSTAIN, pred);
    for (int r = 0; r < 7; r++) cr_expect_eq(pred[r], -1);
    /* within 1e-5 is a tie, beyond is not */
    double q[4] = {0.5 + 4e-6, 0.5 - 4e-6, 0.5 + 2e-5, 0.5 - 2e-5};
    hx_probs_to_preds(q, 2, 2, HX_TIE_ABSTAIN, pred);
    cr_expect_eq(pred[0], -1);
    cr_expect_eq(pred[1], 0);
}

/* np.random.seed(s); np.random.random() */
Test(label_model_core, numpy_first_draw) {
    const uint32_t seeds[] = {0, 1, 123, 4294967295u};
    const double want[] = {0.5488135039273248, 0.417022004702574, 0.6964691855978616, 0.0976320289940138};
    for (int i = 0; i < 4; i++) cr_expect_eq(hx_lm_numpy_first_random(seeds[i]), want[i], "seed %u", seeds[i]);
}

/* Bitset overlap counts equal a naive count, on every ISA and at odd sizes. */
Test(label_model_core, overlap_counts_every_isa) {
    const size_t ns[] = {1, 63, 65, 8191, 8193, 20000};
    for (int isa = 0; isa < HX_ISA_COUNT; isa++) {
        if (!hx_isa_supported((hx_isa)isa)) continue;
        cr_assert_eq(hx_isa_set((hx_isa)isa, NULL), HX_OK);
        for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++) {
            size_t n = ns[t];
            int m = 5, k = 3;
            size_t d = (size_t)m * k;
            int32_t *L = malloc(n * m * sizeof *L);
            lmt_rng rng = {n * 7 + 1};
            for (size_t i = 0; i < n * m; i++) L[i] = (int32_t)(lmt_next(&rng) % 5) - 1; /* -1..3, 3 = out of range */
            uint64_t *c = calloc(d * d, sizeof *c), *want = calloc(d * d, sizeof *want);
            cr_assert_eq(hx_lm_overlap_counts(L, n, m, k, c, NULL), HX_OK);
            for (size_t r = 0; r < n; r++)
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < m; j++) {
                        int32_t a = L[r * m + i], b = L[r * m + j];
                        if (a < 0 || a >= k || b < 0 || b >= k) continue;
                        want[((size_t)i * k + a) * d + (size_t)j * k + b]++;
                    }
            size_t bad = 0;
            for (size_t i = 0; i < d * d; i++) bad += c[i] != want[i];
            cr_expect_eq(bad, 0, "isa %s n=%zu: %zu counts differ", hx_isa_name((hx_isa)isa), n, bad);
            free(L); free(c); free(want);
        }
    }
    hx_isa_set(hx_isa_best(), NULL);
}

static double accuracy(const double *probs, const int32_t *Y, size_t n, int k) {
    int32_t *pred = malloc(n * sizeof *pred);
    hx_probs_to_preds(probs, n, k, HX_TIE_RANDOM, pred);
    size_t ok = 0;
    for (size_t r = 0; r < n; r++) ok += pred[r] == Y[r];
    free(pred);
    return (double)ok / (double)n;
}

/* Synthetic truth: 3 classes, 8 sources of accuracy 0.55..0.9, abstaining
 * 30%. Dawid-Skene must recover each source's accuracy (its confusion
 * diagonal given a vote) and beat majority vote; so must the label model. */
Test(label_model_core, dawid_skene_known_truth) {
    size_t n = 6000;
    int m = 8, k = 3;
    double ab[8], acc[8];
    for (int j = 0; j < m; j++) { ab[j] = 0.3; acc[j] = 0.55 + 0.05 * j; }
    int32_t *L = malloc(n * m * sizeof *L), *Y = malloc(n * sizeof *Y);
    cr_assert(lmt_generate(99, n, m, k, ab, acc, NULL, L, Y));
    double *pr = malloc(n * k * sizeof *pr);
    hx_error err;
    cr_assert_eq(hx_majority_label_proba(L, n, m, k, pr, &err), HX_OK);
    double acc_mv = accuracy(pr, Y, n, k);
    for (int mode = 0; mode < 2; mode++) {
        hx_ds_config cfg;
        hx_ds_config_init(&cfg);
        cfg.model_abstain = mode;
        hx_dawid_skene ds;
        cr_assert_eq(hx_ds_fit(L, n, m, k, &cfg, &ds, &err), HX_OK, "%s", err.msg);
        cr_assert_eq(hx_ds_predict_proba(&ds, L, n, m, pr, &err), HX_OK);
        double acc_ds = accuracy(pr, Y, n, k);
        cr_log_info("model_abstain=%d: DS accuracy %.4f (%d iterations), majority %.4f", mode, acc_ds,
                    ds.iterations, acc_mv);
        cr_expect_gt(acc_ds, acc_mv, "DS should beat majority vote");
        for (int j = 0; j < m; j++) {
            /* mean over y of P(vote y | Y = y, voted) */
            double diag = 0;
            for (int y = 0; y < k; y++) {
                const double *row = ds.theta + ((size_t)j * k + y) * (k + 1);
                double voted = 0;
                for (int l = 0; l < k; l++) voted += row[1 + l];
                diag += row[1 + y] / voted;
            }
            diag /= k;
            cr_expect_leq(fabs(diag - acc[j]), 0.04, "source %d: estimated %.3f true %.2f", j, diag, acc[j]);
        }
        hx_ds_free(&ds);
    }
    hx_label_model lm;
    cr_assert_eq(hx_lm_fit(L, n, m, k, NULL, &lm, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(hx_lm_predict_proba(&lm, L, n, m, pr, &err), HX_OK);
    double acc_lm = accuracy(pr, Y, n, k);
    cr_log_info("label model accuracy %.4f", acc_lm);
    cr_expect_gt(acc_lm, acc_mv);
    hx_lm_free(&lm);
    free(L); free(Y); free(pr);
}

/* Rejections named by row and column; option errors. */
Test(label_model_core, input_errors) {
    hx_error err;
    hx_label_model lm;
    int32_t L[6] = {0, 1, 0, 1, 5, 0};
    cr_expect_eq(hx_lm_fit(L, 2, 3, 2, NULL, &lm, &err), HX_EINVAL);
    cr_expect(strstr(err.msg, "row 1") && strstr(err.msg, "column 1"), "%s", err.msg);
    cr_expect_eq(hx_lm_fit(L, 0, 3, 2, NULL, &lm, &err), HX_EINVAL);
    cr_expect_eq(hx_lm_fit(L, 3, 2, 2, NULL, &lm, &err), HX_EINVAL); /* m < 3 */
    int32_t ok[6] = {0, 1, 0, 1, 1, 0};
    hx_lm_config cfg;
    hx_lm_config_init(&cfg);
    double bal[2] = {0.5, 0.0};
    cfg.class_balance = bal;
    cr_expect_eq(hx_lm_fit(ok, 2, 3, 2, &cfg, &lm, &err), HX_EINVAL);
    hx_lm_config_init(&cfg);
    cfg.lr = -1;
    cr_expect_eq(hx_lm_fit(ok, 2, 3, 2, &cfg, &lm, &err), HX_EINVAL);
    int32_t Y[3] = {0, 0, 2};
    double p[2];
    cr_expect_eq(hx_lm_class_balance_from_gold(Y, 3, 2, p, &err), HX_EINVAL);
    int32_t Y2[3] = {0, 0, 0};
    cr_expect_eq(hx_lm_class_balance_from_gold(Y2, 3, 2, p, &err), HX_EINVAL);
}

/* predict_proba stays finite where snorkel's exp() underflows (all-agreeing
 * votes of 200 sources at mu = eps), and treats labels >= k as abstains. */
Test(label_model_core, predict_proba_extremes) {
    hx_label_model lm;
    cr_assert_eq(hx_lm_alloc(&lm, 200, 2, NULL), HX_OK);
    for (int i = 0; i < 200; i++) {
        lm.mu[(i * 2 + 0) * 2 + 0] = 0.01f;
        lm.mu[(i * 2 + 0) * 2 + 1] = 0.001f;
        lm.mu[(i * 2 + 1) * 2 + 0] = 0.001f;
        lm.mu[(i * 2 + 1) * 2 + 1] = 0.01f;
    }
    int32_t *L = malloc(2 * 200 * sizeof *L);
    for (int i = 0; i < 200; i++) { L[i] = 0; L[200 + i] = i < 100 ? 7 : -1; }
    double pr[4];
    cr_assert_eq(hx_lm_predict_proba(&lm, L, 2, 200, pr, NULL), HX_OK);
    cr_expect(isfinite(pr[0]) && pr[0] > 0.999999);
    cr_expect_float_eq(pr[2], 0.5, 1e-12);
    free(L);
    hx_lm_free(&lm);
}

/* Hand-checked evaluation: 3 groups of one column each. */
Test(label_model_core, evaluate_subsets) {
    /* rows: votes of A, B, C; gold */
    int32_t L[] = {1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 0, -1, -1, 1, 1, 0};
    int32_t gold[] = {1, 1, 0, 0, 1, 0, 1, -1};
    /* rebuild as 8 rows x 3 columns */
    int32_t M[24];
    for (int i = 0; i < 24; i++) M[i] = L[i % 16] == -1 ? -1 : L[i % 16];
    int groups[3] = {0, 1, 2};
    hx_eval_config cfg = {.n_groups = 3, .group_of_column = groups, .positive = 1};
    hx_lm_config_init(&cfg.lm);
    hx_eval_row *rows;
    size_t nr;
    hx_error err;
    cr_assert_eq(hx_eval_source_subsets(M, 8, 3, 2, gold, &cfg, &rows, &nr, &err), HX_OK, "%s", err.msg);
    cr_assert_eq(nr, 14); /* 7 subsets x (label model, majority) */
    /* subset {A} (mask 1): majority vote = A's vote. Column A = M[r*3]. */
    const hx_eval_row *r = &rows[1];
    cr_expect_eq(r->group_mask, 1u);
    cr_expect_eq(r->method, HX_EVAL_MAJORITY);
    cr_expect_eq(rows[0].fitted, 0); /* label model needs 3 columns */
    int64_t tp = 0, fp = 0, fn = 0, tn = 0, ab = 0;
    for (int i = 0; i < 8; i++) {
        if (gold[i] < 0) continue;
        int32_t v = M[i * 3];
        if (v < 0) { ab++; continue; }
        tp += v == 1 && gold[i] == 1; fp += v == 1 && gold[i] == 0;
        fn += v == 0 && gold[i] == 1; tn += v == 0 && gold[i] == 0;
    }
    cr_expect_eq(r->conf.tp, tp);
    cr_expect_eq(r->conf.fp, fp);
    cr_expect_eq(r->conf.fn, fn);
    cr_expect_eq(r->conf.tn, tn);
    cr_expect_eq(r->conf.abstained, ab);
    cr_expect_float_eq(r->conf.tpr, (double)tp / (tp + fn), 1e-12);
    cr_expect_float_eq(r->conf.fpr, (double)fp / (fp + tn), 1e-12);
    /* the full set has a fitted label model */
    cr_expect_eq(rows[12].group_mask, 7u);
    cr_expect_eq(rows[12].fitted, 1);
    cr_expect_eq(rows[12].conf.total, 7);
    free(rows);
    int bad_groups[3] = {0, 0, 5};
    cfg.group_of_column = bad_groups;
    cr_expect_neq(hx_eval_source_subsets(M, 8, 3, 2, gold, &cfg, &rows, &nr, &err), HX_OK);
}

/* The permutation step against snorkel's own _break_col_permutation_symmetry
 * (munkres) on random k x k models, k = 2..12 (Hungarian beyond 8), grouped
 * priors and an all-equal (tie) matrix. */
Test(label_model_core, permutation_step_matches_snorkel) {
    cJSON *j = lmt_load_json("docstring.json");
    cr_assert_not_null(j);
    const cJSON *c;
    int cases = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(j, "permutations")) {
        int k = cJSON_GetObjectItem(c, "k")->valueint;
        double *p = lmt_doubles(cJSON_GetObjectItem(c, "p"), NULL);
        double *mu = lmt_doubles(cJSON_GetObjectItem(c, "mu"), NULL);
        double *want = lmt_doubles(cJSON_GetObjectItem(c, "mu_after"), NULL);
        hx_label_model lm;
        cr_assert_eq(hx_lm_alloc(&lm, 1, k, NULL), HX_OK);
        float pf[16];
        for (int y = 0; y < k; y++) { lm.p[y] = p[y]; pf[y] = (float)p[y]; }
        for (int i = 0; i < k * k; i++) lm.mu[i] = (float)mu[i];
        cr_assert_eq(hx_lm_break_symmetry(&lm, pf, NULL), HX_OK);
        for (int i = 0; i < k * k; i++) cr_expect_eq(lm.mu[i], (float)want[i], "k=%d entry %d", k, i);
        hx_lm_free(&lm);
        free(p); free(mu); free(want);
        cases++;
    }
    cr_expect_eq(cases, 11);
    cJSON_Delete(j);
}
