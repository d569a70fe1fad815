/* The label model against snorkel 0.10.0 (fixtures by
 * tests/oracle/make_label_model_fixtures.py): mu, conditional probabilities,
 * weights and predict_proba within 1e-4 (float32-level differences are
 * ~1e-7), predictions identical except rows the oracle flagged as near-ties. */
#include <criterion/criterion.h>
#include <math.h>

#include "test_label_model_util.h"

#define TOL 1e-4

static void config_from_case(const cJSON *c, hx_lm_config *cfg, double *prec, double *bal) {
    hx_lm_config_init(cfg);
    const cJSON *fit = cJSON_GetObjectItem(c, "fit");
    const cJSON *v;
    if ((v = cJSON_GetObjectItem(fit, "seed"))) cfg->seed = (uint32_t)v->valuedouble;
    if ((v = cJSON_GetObjectItem(fit, "lr"))) cfg->lr = v->valuedouble;
    if ((v = cJSON_GetObjectItem(fit, "l2"))) cfg->l2 = v->valuedouble;
    if ((v = cJSON_GetObjectItem(fit, "n_epochs"))) cfg->n_epochs = v->valueint;
    if ((v = cJSON_GetObjectItem(fit, "mu_eps"))) cfg->mu_eps = v->valuedouble;
    if ((v = cJSON_GetObjectItem(fit, "optimizer"))) {
        if (!strcmp(v->valuestring, "adam")) cfg->optimizer = HX_LM_ADAM;
        else if (!strcmp(v->valuestring, "adamax")) cfg->optimizer = HX_LM_ADAMAX;
    }
    if ((v = cJSON_GetObjectItem(fit, "prec_init"))) {
        if (cJSON_IsArray(v)) {
            int i = 0;
            const cJSON *it;
            cJSON_ArrayForEach(it, v) prec[i++] = it->valuedouble;
            cfg->prec_init_per_lf = prec;
        } else {
            cfg->prec_init = v->valuedouble;
        }
    }
    if ((v = cJSON_GetObjectItem(fit, "lr_scheduler"))) {
        const char *s = v->valuestring;
        cfg->lr_scheduler = !strcmp(s, "linear") ? HX_LM_SCHED_LINEAR
                            : !strcmp(s, "exponential") ? HX_LM_SCHED_EXPONENTIAL
                            : !strcmp(s, "step") ? HX_LM_SCHED_STEP : HX_LM_SCHED_CONSTANT;
    }
    const cJSON *sc = cJSON_GetObjectItem(fit, "lr_scheduler_config");
    if (sc) {
        if ((v = cJSON_GetObjectItem(sc, "warmup_steps"))) cfg->warmup_steps = v->valueint;
        if ((v = cJSON_GetObjectItem(sc, "warmup_percentage"))) cfg->warmup_percentage = v->valuedouble;
        if ((v = cJSON_GetObjectItem(sc, "min_lr"))) cfg->min_lr = v->valuedouble;
    }
    if ((v = cJSON_GetObjectItem(c, "class_balance"))) {
        int i = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, v) bal[i++] = it->valuedouble;
        cfg->class_balance = bal;
    }
}

static int check_case(const cJSON *c) {
    const char *name = cJSON_GetObjectItem(c, "name")->valuestring;
    size_t n;
    int m, k;
    int32_t *L = lmt_case_matrix(c, &n, &m, &k);
    cr_assert_not_null(L, "cannot build the label matrix of a case");
    double prec[64], bal[64];
    hx_lm_config cfg;
    config_from_case(c, &cfg, prec, bal);
    const cJSON *ydev = cJSON_GetObjectItem(c, "y_dev");
    hx_error err;
    hx_error_clear(&err);
    if (ydev) {
        size_t ny;
        int32_t *Y = lmt_ints(ydev, &ny);
        hx_status st = hx_lm_class_balance_from_gold(Y, ny, k, bal, &err);
        cr_assert_eq(st, HX_OK, "%s: %s", name, err.msg);
        cfg.class_balance = bal;
        free(Y);
    }
    hx_label_model lm;
    hx_status st = hx_lm_fit(L, n, m, k, &cfg, &lm, &err);
    if (cJSON_GetObjectItem(c, "error")) {
        cr_expect_neq(st, HX_OK, "%s: snorkel raised but helix fitted", name);
        cr_log_info("%s: expected error: %s", name, err.msg);
        free(L);
        return 1;
    }
    cr_assert_eq(st, HX_OK, "%s: %s", name, err.msg);
    size_t d = (size_t)m * k;
    double *mu = lmt_doubles(cJSON_GetObjectItem(c, "mu"), NULL);
    double maxd = 0;
    for (size_t i = 0; i < d * k; i++) {
        double diff = fabs(mu[i] - lm.mu[i]);
        if (diff > maxd) maxd = diff;
    }
    cr_expect_leq(maxd, TOL, "%s: mu differs by %g", name, maxd);
    double max_mu = maxd;

    double *p = lmt_doubles(cJSON_GetObjectItem(c, "p"), NULL);
    for (int y = 0; y < k; y++) cr_expect_leq(fabs(p[y] - lm.p[y]), 1e-12, "%s: p[%d]", name, y);

    double *cp_ref = lmt_doubles(cJSON_GetObjectItem(c, "cprobs"), NULL);
    double *cp = malloc((size_t)m * (k + 1) * k * sizeof *cp);
    hx_lm_conditional_probs(&lm, cp);
    for (size_t i = 0; i < (size_t)m * (k + 1) * k; i++)
        cr_expect_leq(fabs(cp[i] - cp_ref[i]), TOL, "%s: cprobs[%zu]", name, i);

    double *w_ref = lmt_doubles(cJSON_GetObjectItem(c, "weights"), NULL);
    double *w = malloc((size_t)m * sizeof *w);
    hx_lm_weights(&lm, w);
    for (int i = 0; i < m; i++) {
        if (isnan(w_ref[i])) cr_expect(isnan(w[i]), "%s: weight %d should be NaN", name, i);
        else cr_expect_leq(fabs(w[i] - w_ref[i]), TOL, "%s: weight %d: %g vs %g", name, i, w[i], w_ref[i]);
    }

    size_t rows = (size_t)cJSON_GetObjectItem(c, "proba_rows")->valuedouble;
    double *pr_ref = lmt_doubles(cJSON_GetObjectItem(c, "proba"), NULL);
    double *pr = malloc(rows * k * sizeof *pr);
    cr_assert_eq(hx_lm_predict_proba(&lm, L, rows, m, pr, &err), HX_OK, "%s: %s", name, err.msg);
    double maxp = 0;
    for (size_t i = 0; i < rows * k; i++) {
        if (isnan(pr_ref[i])) continue; /* snorkel's 0/0 rows; helix stays finite */
        double diff = fabs(pr[i] - pr_ref[i]);
        if (diff > maxp) maxp = diff;
    }
    cr_expect_leq(maxp, TOL, "%s: predict_proba differs by %g", name, maxp);

    size_t namb;
    int32_t *amb = lmt_ints(cJSON_GetObjectItem(c, "ambiguous_rows"), &namb);
    char *skip = calloc(rows, 1);
    for (size_t i = 0; i < namb; i++) skip[amb[i]] = 1;
    int32_t *pred = malloc(rows * sizeof *pred);
    const char *keys[2] = {"pred_abstain", "pred_random"};
    hx_tie_policy pol[2] = {HX_TIE_ABSTAIN, HX_TIE_RANDOM};
    size_t mism = 0;
    for (int t = 0; t < 2; t++) {
        int32_t *ref = lmt_ints(cJSON_GetObjectItem(c, keys[t]), NULL);
        hx_probs_to_preds(pr, rows, k, pol[t], pred);
        for (size_t r = 0; r < rows; r++)
            if (!skip[r] && pred[r] != ref[r]) mism++;
        free(ref);
    }
    cr_expect_eq(mism, 0, "%s: %zu predictions differ", name, mism);
    cr_log_info("%s: n=%zu m=%d k=%d max|dmu|=%.2e max|dproba|=%.2e near-ties skipped=%zu", name, n,
                m, k, max_mu, maxp, namb);

    free(mu); free(p); free(cp_ref); free(cp); free(w_ref); free(w); free(pr_ref); free(pr);
    free(amb); free(skip); free(pred); free(L);
    hx_lm_free(&lm);
    return 1;
}

static void run_file(const char *file) {
    cJSON *j = lmt_load_json(file);
    cr_assert_not_null(j, "cannot load fixture %s", file);
    int count = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(j, "cases")) count += check_case(c);
    cr_assert_gt(count, 0);
    cJSON_Delete(j);
}

Test(label_model_snorkel, synthetic_cases) { run_file("synthetic.json"); }
Test(label_model_snorkel, youtube_cases) { run_file("youtube.json"); }
