/* Dawid-Skene (1979) EM: each source i has a confusion matrix
 * theta_i[y][l] = P(lambda_i = l | Y = y), the classes a prior pi.
 *   E-step: T[r,y] ∝ pi_y prod_i theta_i[y][lambda_ri]
 *   M-step: pi_y = mean_r T[r,y];
 *           theta_i[y][l] = (a + sum_r T[r,y][lambda_ri = l]) / (normaliser)
 * with a small Dirichlet pseudo-count a. Column l = 0 is "abstain": with
 * model_abstain the abstain is one more response (so a one-sided LF is
 * informative through when it fires); without it abstains are missing at
 * random and skipped (the classic form, spec section 9.2). Initialised from
 * the majority vote; iterated until the mean log-likelihood improves by less
 * than tol. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "helix/label_model.h"

void hx_ds_config_init(hx_ds_config *cfg) {
    cfg->max_iter = 100;
    cfg->tol = 1e-6;
    cfg->smoothing = 0.01;
    cfg->model_abstain = 1;
}

void hx_ds_free(hx_dawid_skene *model) {
    if (!model) return;
    free(model->pi);
    free(model->theta);
    memset(model, 0, sizeof *model);
}

/* Response column of a vote: 0 = abstain (or out of range), 1 + l = class l;
 * -1 when the vote is skipped. */
static inline int column(int32_t v, int k, int model_abstain) {
    if (v >= 0 && v < k) return 1 + v;
    return model_abstain ? 0 : -1;
}

/* T (n x k) <- posteriors; returns the mean log-likelihood of the votes. */
static double e_step(const hx_dawid_skene *ds, const int32_t *L, size_t n, int m, double *T,
                     double *logtheta, double *logpi) {
    int k = ds->k;
    size_t kk = (size_t)k, w = kk + 1;
    for (size_t i = 0; i < (size_t)m * kk * w; i++) logtheta[i] = ds->theta[i] > 0 ? log(ds->theta[i]) : -INFINITY;
    for (int y = 0; y < k; y++) logpi[y] = log(ds->pi[y]);
    double ll = 0.0;
    for (size_t r = 0; r < n; r++) {
        double *t = T + r * kk;
        const int32_t *row = L + r * (size_t)m;
        for (int y = 0; y < k; y++) t[y] = logpi[y];
        for (int i = 0; i < m; i++) {
            int c = column(row[i], k, ds->model_abstain);
            if (c < 0) continue;
            const double *lt = logtheta + (size_t)i * kk * w + (size_t)c;
            for (int y = 0; y < k; y++) t[y] += lt[(size_t)y * w];
        }
        double mx = t[0];
        for (int y = 1; y < k; y++) if (t[y] > mx) mx = t[y];
        double z = 0.0;
        for (int y = 0; y < k; y++) { t[y] = exp(t[y] - mx); z += t[y]; }
        for (int y = 0; y < k; y++) t[y] /= z;
        ll += mx + log(z);
    }
    return ll / (double)n;
}

static void m_step(hx_dawid_skene *ds, const int32_t *L, size_t n, int m, const double *T, double a) {
    int k = ds->k;
    size_t kk = (size_t)k, w = kk + 1;
    memset(ds->pi, 0, kk * sizeof *ds->pi);
    for (size_t i = 0; i < (size_t)m * kk; i++)
        for (size_t c = 0; c < w; c++) ds->theta[i * w + c] = (c == 0 && !ds->model_abstain) ? 0.0 : a;
    for (size_t r = 0; r < n; r++) {
        const double *t = T + r * kk;
        const int32_t *row = L + r * (size_t)m;
        for (int y = 0; y < k; y++) ds->pi[y] += t[y];
        for (int i = 0; i < m; i++) {
            int c = column(row[i], k, ds->model_abstain);
            if (c < 0) continue;
            double *th = ds->theta + (size_t)i * kk * w + (size_t)c;
            for (int y = 0; y < k; y++) th[(size_t)y * w] += t[y];
        }
    }
    for (int y = 0; y < k; y++) {
        ds->pi[y] /= (double)n;
        if (ds->pi[y] < 1e-12) ds->pi[y] = 1e-12; /* keep log() finite */
    }
    for (size_t i = 0; i < (size_t)m * kk; i++) {
        double *th = ds->theta + i * w, s = 0.0;
        for (size_t c = 0; c < w; c++) s += th[c];
        for (size_t c = 0; c < w; c++) th[c] = s > 0 ? th[c] / s : 0.0;
    }
}

hx_status hx_ds_fit(const int32_t *L, size_t n, int m, int k, const hx_ds_config *cfg_in,
                    hx_dawid_skene *ds, hx_error *err) {
    hx_ds_config defaults;
    if (!cfg_in) { hx_ds_config_init(&defaults); cfg_in = &defaults; }
    memset(ds, 0, sizeof *ds);
    hx_status st = hx_label_matrix_check(L, n, m, k, err);
    if (st != HX_OK) return st;
    if (cfg_in->max_iter < 0 || !(cfg_in->smoothing >= 0) || !(cfg_in->tol >= 0))
        return hx_fail(err, HX_EINVAL, "bad Dawid-Skene settings");
    if ((size_t)m * k > HX_LM_MAX_D)
        return hx_fail(err, HX_EINVAL, "too many sources x classes for Dawid-Skene");
    size_t kk = (size_t)k, w = kk + 1;
    ds->k = k;
    ds->m = m;
    ds->model_abstain = cfg_in->model_abstain ? 1 : 0;
    ds->pi = calloc(kk, sizeof *ds->pi);
    ds->theta = calloc((size_t)m * kk * w, sizeof *ds->theta);
    double *T = malloc(n * kk * sizeof *T);
    double *logtheta = malloc((size_t)m * kk * w * sizeof *logtheta);
    double *logpi = malloc(kk * sizeof *logpi);
    if (!ds->pi || !ds->theta || !T || !logtheta || !logpi) {
        st = hx_fail(err, HX_ENOMEM, "Dawid-Skene: out of memory");
        goto out;
    }
    if ((st = hx_majority_label_proba(L, n, m, k, T, err)) != HX_OK) goto out;
    /* smoothing 0 would allow log(0) = -inf; keep a floor */
    double a = cfg_in->smoothing > 0 ? cfg_in->smoothing : 1e-9;
    m_step(ds, L, n, m, T, a);
    double prev = -INFINITY;
    for (int it = 0; it < cfg_in->max_iter; it++) {
        double ll = e_step(ds, L, n, m, T, logtheta, logpi);
        m_step(ds, L, n, m, T, a);
        ds->iterations = it + 1;
        ds->log_likelihood = ll;
        if (ll - prev < cfg_in->tol) break;
        prev = ll;
    }
out:
    free(T);
    free(logtheta);
    free(logpi);
    if (st != HX_OK) hx_ds_free(ds);
    return st;
}

hx_status hx_ds_predict_proba(const hx_dawid_skene *ds, const int32_t *L, size_t n, int m,
                              double *probs, hx_error *err) {
    if (m != ds->m)
        return hx_fail(err, HX_EINVAL, "label matrix has %d columns but the model has %d", m, ds->m);
    size_t kk = (size_t)ds->k;
    double *logtheta = malloc((size_t)m * kk * (kk + 1) * sizeof *logtheta);
    double *logpi = malloc(kk * sizeof *logpi);
    if (!logtheta || !logpi) {
        free(logtheta);
        free(logpi);
        return hx_fail(err, HX_ENOMEM, "out of memory");
    }
    e_step(ds, L, n, m, probs, logtheta, logpi);
    free(logtheta);
    free(logpi);
    return HX_OK;
}
