/* Dawid-Skene (1979) EM: each source i has a full confusion matrix
 * theta_i[y][l] = P(lambda_i = l | Y = y, i voted), the classes a prior pi;
 * abstains are missing at random.
 *   E-step: T[r,y] ∝ pi_y prod_{i voted} theta_i[y][lambda_ri]
 *   M-step: pi_y = mean_r T[r,y];
 *           theta_i[y][l] = (a + sum_r T[r,y][lambda_ri = l]) / (k a + sum_r T[r,y][i voted])
 * with a small Dirichlet pseudo-count a. Initialised from the majority vote,
 * iterated until the mean log-likelihood improves by less than tol. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "helix/label_model.h"

void hx_ds_config_init(hx_ds_config *cfg) {
    cfg->max_iter = 100;
    cfg->tol = 1e-6;
    cfg->smoothing = 0.01;
}

void hx_ds_free(hx_dawid_skene *model) {
    if (!model) return;
    free(model->pi);
    free(model->theta);
    memset(model, 0, sizeof *model);
}

/* T (n x k) <- posteriors; returns the mean log-likelihood of the votes. */
static double e_step(const hx_dawid_skene *ds, const int32_t *L, size_t n, int m, double *T,
                     double *logtheta, double *logpi) {
    int k = ds->k;
    size_t kk = (size_t)k;
    for (size_t i = 0; i < (size_t)m * kk * kk; i++) logtheta[i] = log(ds->theta[i]);
    for (int y = 0; y < k; y++) logpi[y] = log(ds->pi[y]);
    double ll = 0.0;
    for (size_t r = 0; r < n; r++) {
        double *t = T + r * kk;
        const int32_t *row = L + r * (size_t)m;
        for (int y = 0; y < k; y++) t[y] = logpi[y];
        for (int i = 0; i < m; i++) {
            int32_t v = row[i];
            if (v < 0 || v >= k) continue;
            const double *lt = logtheta + (size_t)i * kk * kk;
            for (int y = 0; y < k; y++) t[y] += lt[(size_t)y * kk + (size_t)v];
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

static void m_step(hx_dawid_skene *ds, const int32_t *L, size_t n, int m, const double *T,
                   double a) {
    int k = ds->k;
    size_t kk = (size_t)k;
    memset(ds->pi, 0, kk * sizeof *ds->pi);
    for (size_t i = 0; i < (size_t)m * kk * kk; i++) ds->theta[i] = a;
    for (size_t r = 0; r < n; r++) {
        const double *t = T + r * kk;
        const int32_t *row = L + r * (size_t)m;
        for (int y = 0; y < k; y++) ds->pi[y] += t[y];
        for (int i = 0; i < m; i++) {
            int32_t v = row[i];
            if (v < 0 || v >= k) continue;
            double *th = ds->theta + (size_t)i * kk * kk;
            for (int y = 0; y < k; y++) th[(size_t)y * kk + (size_t)v] += t[y];
        }
    }
    for (int y = 0; y < k; y++) {
        ds->pi[y] /= (double)n;
        if (ds->pi[y] < 1e-12) ds->pi[y] = 1e-12; /* keep log() finite */
    }
    for (size_t i = 0; i < (size_t)m * kk; i++) {
        double *th = ds->theta + i * kk, s = 0.0;
        for (int l = 0; l < k; l++) s += th[l];
        for (int l = 0; l < k; l++) th[l] = s > 0 ? th[l] / s : 1.0 / k;
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
    size_t kk = (size_t)k;
    ds->k = k;
    ds->m = m;
    ds->pi = calloc(kk, sizeof *ds->pi);
    ds->theta = calloc((size_t)m * kk * kk, sizeof *ds->theta);
    double *T = malloc(n * kk * sizeof *T);
    double *logtheta = malloc((size_t)m * kk * kk * sizeof *logtheta);
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
    ds->iterations = 0;
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
    double *logtheta = malloc((size_t)m * kk * kk * sizeof *logtheta);
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
