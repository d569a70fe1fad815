/* Snorkel's generative LabelModel (snorkel 0.10.0), fitted the same way.
 *
 * With d = m*k one-hot "LF i voted y" indicators, O = E[1 1^T] (d x d) and
 * P = diag(p), the conditionally independent model says O = mu P mu^T off
 * the diagonal LF blocks and diag(O) = (mu P) 1. Snorkel minimises
 *   loss = ||M . (O - mu P mu^T)||_F^2 + ||(mu P) 1 - diag(O)||^2
 *        + ||l2 (mu - mu_init)||_F^2
 * (M masks each LF's own k x k block) with a torch optimizer whose weight
 * decay is l2 again, for n_epochs full-batch steps, then clamps mu into
 * [eps, 1-eps] and permutes columns to the labelling that trusts the LFs most.
 * The gradient is the closed form
 *   dloss/dmu = -4 R mu P + 2 (s - diag O) p^T + 2 l2^2 (mu - mu_init),
 * R = M . (O - mu P mu^T) symmetric, s = (mu P) 1.
 * Storage follows torch (float32 O, P, mu, optimizer state) so results agree
 * with snorkel to float32 rounding; the tiny d x d products accumulate in
 * double. See ../shared/specs/label_model.md for every step. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/label_model_internal.h"

void hx_lm_config_init(hx_lm_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->n_epochs = 100;
    cfg->lr = 0.01;
    cfg->l2 = 0.0;
    cfg->optimizer = HX_LM_SGD;
    cfg->sgd_momentum = 0.9;
    cfg->beta1 = 0.9;
    cfg->beta2 = 0.999;
    cfg->eps = 1e-8;
    cfg->lr_scheduler = HX_LM_SCHED_CONSTANT;
    cfg->exponential_gamma = 0.9;
    cfg->step_gamma = 0.9;
    cfg->step_size = 5;
    cfg->prec_init = 0.7;
    cfg->seed = 0;
    cfg->mu_eps = 0.0;
}

hx_status hx_label_matrix_check(const int32_t *L, size_t n, int m, int k, hx_error *err) {
    if (k < 2 || k > HX_LM_MAX_CARDINALITY)
        return hx_fail(err, HX_EINVAL, "cardinality %d out of range 2..%d", k,
                       HX_LM_MAX_CARDINALITY);
    if (n == 0 || m <= 0) return hx_fail(err, HX_EINVAL, "label matrix is empty");
    if (m > HX_LM_MAX_SOURCES)
        return hx_fail(err, HX_EINVAL, "label matrix has %d columns (max %d)", m,
                       HX_LM_MAX_SOURCES);
    if (!L) return hx_fail(err, HX_EINVAL, "label matrix is NULL");
    /* A branch-free scan first (vectorises); locate the culprit only if any. */
    uint32_t bad = 0;
    for (size_t i = 0; i < n * (size_t)m; i++) bad |= (uint32_t)((uint32_t)L[i] + 1u > (uint32_t)k);
    if (!bad) return HX_OK;
    for (size_t r = 0; r < n; r++)
        for (int j = 0; j < m; j++) {
            int32_t v = L[r * (size_t)m + j];
            if (v < -1 || v >= k)
                return hx_fail(err, HX_EINVAL,
                               "label %ld at row %zu, column %d is outside -1..%d",
                               (long)v, r, j, k - 1);
        }
    return HX_OK;
}

hx_status hx_lm_alloc(hx_label_model *model, int m, int k, hx_error *err) {
    memset(model, 0, sizeof *model);
    if (k < 2 || k > HX_LM_MAX_CARDINALITY || m < 1 || m > HX_LM_MAX_SOURCES ||
        (size_t)m * (size_t)k > HX_LM_MAX_D)
        return hx_fail(err, HX_EINVAL, "label model of %d sources x %d classes is too large (m*k <= %d)",
                       m, k, HX_LM_MAX_D);
    size_t d = (size_t)m * k;
    model->k = k;
    model->m = m;
    model->p = calloc((size_t)k, sizeof *model->p);
    model->mu = calloc(d * (size_t)k, sizeof *model->mu);
    model->coverage = calloc((size_t)m, sizeof *model->coverage);
    if (!model->p || !model->mu || !model->coverage) {
        hx_lm_free(model);
        return hx_fail(err, HX_ENOMEM, "label model: out of memory");
    }
    for (int y = 0; y < k; y++) model->p[y] = 1.0 / k;
    return HX_OK;
}

void hx_lm_free(hx_label_model *model) {
    if (!model) return;
    free(model->p);
    free(model->mu);
    free(model->coverage);
    memset(model, 0, sizeof *model);
}

hx_status hx_lm_class_balance_from_gold(const int32_t *Y, size_t n, int k, double *p,
                                        hx_error *err) {
    if (n == 0) return hx_fail(err, HX_EINVAL, "no gold labels for the class balance");
    size_t *counts = calloc((size_t)k, sizeof *counts);
    if (!counts) return hx_fail(err, HX_ENOMEM, "out of memory");
    for (size_t r = 0; r < n; r++) {
        if (Y[r] < 0 || Y[r] >= k) {
            free(counts);
            return hx_fail(err, HX_EINVAL, "gold label at row %zu is outside 0..%d", r, k - 1);
        }
        counts[Y[r]]++;
    }
    hx_status st = HX_OK;
    for (int y = 0; y < k; y++) {
        if (!counts[y]) {
            st = hx_fail(err, HX_EINVAL, "class %d never occurs in the gold labels", y);
            break;
        }
        p[y] = (double)counts[y] / (double)n;
    }
    free(counts);
    return st;
}

/* ------------------------------------------------------------------ */
/* Learning-rate schedule with torch's construction-time side effects. */

typedef struct {
    double base, lr;
    int warmup;       /* W epochs, 0 = none */
    int main_steps;   /* steps taken by the main scheduler */
} lr_state;

static hx_status lr_init(lr_state *s, const hx_lm_config *cfg, hx_error *err) {
    s->base = s->lr = cfg->lr;
    s->main_steps = 0;
    s->warmup = 0;
    if (cfg->warmup_steps < 0) return hx_fail(err, HX_EINVAL, "warmup steps must be >= 0");
    int has_warmup = 0;
    if (cfg->warmup_steps > 0) {
        s->warmup = cfg->warmup_steps;
        has_warmup = 1;
    } else if (cfg->warmup_percentage != 0.0) {
        double w = cfg->warmup_percentage * cfg->n_epochs;
        if (!(w >= 0 && w < 1e9)) return hx_fail(err, HX_EINVAL, "bad warmup percentage");
        s->warmup = (int)w;
        has_warmup = 1;
        if (s->warmup == 0)
            return hx_fail(err, HX_EINVAL, "warmup percentage gives 0 warmup epochs");
    }
    /* The warmup LambdaLR sets lr = base * 0 / W at construction. */
    if (has_warmup) s->lr = 0.0;
    if (cfg->lr_scheduler == HX_LM_SCHED_LINEAR) {
        if (cfg->n_epochs == s->warmup)
            return hx_fail(err, HX_EINVAL, "linear schedule needs more epochs than warmup");
        s->lr = s->base; /* LambdaLR(f(0) = 1) resets lr from the initial lr */
    }
    return HX_OK;
}

/* After the optimizer step of 0-based epoch e. */
static void lr_update(lr_state *s, const hx_lm_config *cfg, int e) {
    if (s->warmup > 0 && e < s->warmup) {
        s->lr = s->base * (double)(e + 1) / (double)s->warmup;
        return;
    }
    if (cfg->lr_scheduler == HX_LM_SCHED_CONSTANT) return;
    s->main_steps++;
    int x = s->main_steps;
    switch (cfg->lr_scheduler) {
    case HX_LM_SCHED_LINEAR: {
        double t = (double)(cfg->n_epochs - s->warmup);
        s->lr = s->base * ((t - x) / t);
        break;
    }
    case HX_LM_SCHED_EXPONENTIAL: s->lr *= cfg->exponential_gamma; break;
    case HX_LM_SCHED_STEP:
        if (x % cfg->step_size == 0) s->lr *= cfg->step_gamma;
        break;
    default: break;
    }
    if (cfg->min_lr != 0.0 && s->lr < cfg->min_lr) s->lr = cfg->min_lr;
}

/* ------------------------------------------------------------------ */
/* Column-permutation symmetry breaking.                               */

/* Best permutation of a group of g classes: perm[j] = old column that
 * becomes column j, maximising sum_j S[G_j][G_perm(j)]. Ties keep the
 * earliest permutation in lexicographic order, starting with the identity,
 * which is what munkres returns on equal costs. Brute force for g <= 8. */
static void best_perm_bruteforce(const float *S, int k, const int *G, int g, int *best) {
    int perm[8], used[8] = {0};
    double best_score = -INFINITY;
    /* iterative DFS over permutations in lexicographic order */
    int depth = 0;
    perm[0] = -1;
    while (depth >= 0) {
        int next = perm[depth] + 1;
        if (perm[depth] >= 0) used[perm[depth]] = 0;
        while (next < g && used[next]) next++;
        if (next >= g) {
            depth--;
            continue;
        }
        perm[depth] = next;
        used[next] = 1;
        if (depth == g - 1) {
            double score = 0;
            for (int j = 0; j < g; j++) score += S[G[j] * k + G[perm[j]]];
            if (score > best_score) {
                best_score = score;
                memcpy(best, perm, (size_t)g * sizeof *perm);
            }
        } else {
            depth++;
            perm[depth] = -1;
        }
    }
}

/* Hungarian algorithm (shortest augmenting paths with potentials) for larger
 * groups: minimise sum_j cost[j][perm[j]], cost[j][i] = -S[G_j][G_i]. */
static hx_status best_perm_hungarian(const float *S, int k, const int *G, int g, int *best,
                                     hx_error *err) {
    size_t sz = (size_t)g + 1;
    double *u = calloc(sz, sizeof *u), *v = calloc(sz, sizeof *v), *minv = malloc(sz * sizeof *minv);
    int *p = calloc(sz, sizeof *p), *way = calloc(sz, sizeof *way);
    char *usedc = malloc(sz);
    if (!u || !v || !minv || !p || !way || !usedc) {
        free(u); free(v); free(minv); free(p); free(way); free(usedc);
        return hx_fail(err, HX_ENOMEM, "out of memory");
    }
    for (int row = 1; row <= g; row++) {
        p[0] = row;
        int j0 = 0;
        for (int j = 0; j <= g; j++) { minv[j] = INFINITY; usedc[j] = 0; }
        do {
            usedc[j0] = 1;
            int i0 = p[j0], j1 = 0;
            double delta = INFINITY;
            for (int j = 1; j <= g; j++) {
                if (usedc[j]) continue;
                double cur = -(double)S[G[i0 - 1] * k + G[j - 1]] - u[i0] - v[j];
                if (cur < minv[j]) { minv[j] = cur; way[j] = j0; }
                if (minv[j] < delta) { delta = minv[j]; j1 = j; }
            }
            for (int j = 0; j <= g; j++) {
                if (usedc[j]) { u[p[j]] += delta; v[j] -= delta; }
                else minv[j] -= delta;
            }
            j0 = j1;
        } while (p[j0] != 0);
        do {
            int j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
        } while (j0);
    }
    for (int j = 1; j <= g; j++) best[p[j] - 1] = j - 1;
    free(u); free(v); free(minv); free(p); free(way); free(usedc);
    return HX_OK;
}

hx_status hx_lm_break_symmetry(hx_label_model *model, const float *pf, hx_error *err) {
    int k = model->k, m = model->m;
    size_t d = (size_t)m * k;
    float *S = calloc((size_t)k * k, sizeof *S);
    int *G = malloc((size_t)k * sizeof *G), *perm = malloc((size_t)k * sizeof *perm);
    int *src = malloc((size_t)k * sizeof *src);
    long *key = malloc((size_t)k * sizeof *key);
    char *done = calloc((size_t)k, 1);
    float *mu_new = malloc(d * k * sizeof *mu_new);
    hx_status st = HX_OK;
    if (!S || !G || !perm || !src || !key || !done || !mu_new) {
        st = hx_fail(err, HX_ENOMEM, "out of memory");
        goto out;
    }
    /* S = (sum over LFs of the k x k blocks of mu) P, in float32 like NumPy. */
    for (int a = 0; a < k; a++)
        for (int b = 0; b < k; b++) {
            float acc = 0.0f;
            for (int i = 0; i < m; i++) acc += model->mu[((size_t)i * k + a) * k + b];
            S[a * k + b] = acc * pf[b];
        }
    /* Classes whose priors agree to 3 decimals may be permuted among themselves. */
    for (int y = 0; y < k; y++) key[y] = lrintf(pf[y] * 1000.0f);
    for (int y = 0; y < k; y++) src[y] = y;
    for (int y = 0; y < k; y++) {
        if (done[y]) continue;
        int g = 0;
        for (int z = y; z < k; z++)
            if (!done[z] && key[z] == key[y]) { G[g++] = z; done[z] = 1; }
        if (g == 1) continue;
        if (g <= 8) best_perm_bruteforce(S, k, G, g, perm);
        else if ((st = best_perm_hungarian(S, k, G, g, perm, err)) != HX_OK) goto out;
        for (int j = 0; j < g; j++) src[G[j]] = G[perm[j]];
    }
    for (size_t a = 0; a < d; a++)
        for (int y = 0; y < k; y++) mu_new[a * k + y] = model->mu[a * k + src[y]];
    memcpy(model->mu, mu_new, d * k * sizeof *mu_new);
out:
    free(S); free(G); free(perm); free(src); free(key); free(done); free(mu_new);
    return st;
}

/* ------------------------------------------------------------------ */
/* fit                                                                 */

static hx_status check_config(const hx_lm_config *c, int m, int k, hx_error *err) {
    if (c->n_epochs < 0) return hx_fail(err, HX_EINVAL, "epochs must be >= 0");
    if (!(c->lr >= 0) || !isfinite(c->lr)) return hx_fail(err, HX_EINVAL, "lr must be >= 0");
    if (!(c->l2 >= 0) || !isfinite(c->l2)) return hx_fail(err, HX_EINVAL, "l2 must be >= 0");
    if (c->optimizer != HX_LM_SGD && c->optimizer != HX_LM_ADAM && c->optimizer != HX_LM_ADAMAX)
        return hx_fail(err, HX_EINVAL, "unknown optimizer");
    if ((unsigned)c->lr_scheduler > HX_LM_SCHED_STEP)
        return hx_fail(err, HX_EINVAL, "unknown lr scheduler");
    if (c->lr_scheduler == HX_LM_SCHED_STEP && c->step_size <= 0)
        return hx_fail(err, HX_EINVAL, "step size must be > 0");
    if (!(c->beta1 >= 0 && c->beta1 < 1 && c->beta2 >= 0 && c->beta2 < 1))
        return hx_fail(err, HX_EINVAL, "betas must be in [0, 1)");
    if (c->class_balance) {
        for (int y = 0; y < k; y++) {
            if (!isfinite(c->class_balance[y]) || c->class_balance[y] < 0)
                return hx_fail(err, HX_EINVAL, "class balance entry %d is not a probability", y);
            if (c->class_balance[y] == 0)
                return hx_fail(err, HX_EINVAL, "class balance prior is 0 for class %d", y);
        }
    }
    if (c->prec_init_per_lf)
        for (int i = 0; i < m; i++)
            if (!isfinite(c->prec_init_per_lf[i]))
                return hx_fail(err, HX_EINVAL, "prec_init of LF %d is not finite", i);
    if (!isfinite(c->prec_init)) return hx_fail(err, HX_EINVAL, "prec_init is not finite");
    return HX_OK;
}

/* Loss and gradient at mu, in float32 like torch. Laid out as axpy loops
 * over contiguous rows (so they vectorise): with muT = mu^T (k x d),
 *   row a of mu P mu^T = sum_y (mu[a,y] p_y) muT[y,:]
 *   (R mu)[:, y] = sum_b mu[b,y] R[b,:]   (R symmetric)
 * work holds R (d x d) and muT, RmuT (k x d each). */
static double loss_and_grad(const float *O, const float *mu, const float *mu_init,
                            const float *pf, size_t d, int k, double l2, float *work, float *grad) {
    size_t kk = (size_t)k;
    float *R = work, *muT = work + d * d, *rmT = muT + kk * d;
    for (size_t a = 0; a < d; a++)
        for (size_t y = 0; y < kk; y++) muT[y * d + a] = mu[a * kk + y];
    double loss1 = 0, loss2 = 0, loss3 = 0;
    for (size_t a = 0; a < d; a++) {
        float *Ra = R + a * d;
        const float *Oa = O + a * d;
        for (size_t b = 0; b < d; b++) Ra[b] = 0.0f;
        for (size_t y = 0; y < kk; y++) {
            float s = mu[a * kk + y] * pf[y];
            const float *my = muT + y * d;
            for (size_t b = 0; b < d; b++) Ra[b] += s * my[b];
        }
        for (size_t b = 0; b < d; b++) Ra[b] = Oa[b] - Ra[b];
        size_t blk = a / kk * kk; /* the LF's own block is masked out */
        for (size_t b = blk; b < blk + kk; b++) Ra[b] = 0.0f;
        double acc = 0.0;
        for (size_t b = 0; b < d; b++) acc += (double)Ra[b] * Ra[b];
        loss1 += acc;
    }
    for (size_t i = 0; i < kk * d; i++) rmT[i] = 0.0f;
    for (size_t b = 0; b < d; b++) {
        const float *Rb = R + b * d;
        for (size_t y = 0; y < kk; y++) {
            float s = mu[b * kk + y];
            float *ry = rmT + y * d;
            for (size_t a = 0; a < d; a++) ry[a] += s * Rb[a];
        }
    }
    for (size_t a = 0; a < d; a++) {
        const float *ma = mu + a * kk;
        double s = 0.0;
        for (int y = 0; y < k; y++) s += (double)ma[y] * pf[y];
        double e = s - (double)O[a * d + a];
        loss2 += e * e;
        for (int y = 0; y < k; y++) {
            double diff = (double)ma[y] - (double)mu_init[a * kk + y];
            loss3 += diff * diff;
            grad[a * kk + y] = (float)(-4.0 * (double)rmT[(size_t)y * d + a] * pf[y] + 2.0 * e * pf[y] +
                                       2.0 * l2 * l2 * diff);
        }
    }
    return loss1 + loss2 + l2 * l2 * loss3;
}

hx_status hx_lm_fit(const int32_t *L, size_t n, int m, int k, const hx_lm_config *cfg_in,
                    hx_label_model *model, hx_error *err) {
    hx_lm_config defaults;
    if (!cfg_in) {
        hx_lm_config_init(&defaults);
        cfg_in = &defaults;
    }
    const hx_lm_config *cfg = cfg_in;
    memset(model, 0, sizeof *model);
    hx_status st = hx_label_matrix_check(L, n, m, k, err);
    if (st != HX_OK) return st;
    if (m < 3) return hx_fail(err, HX_EINVAL, "the label model needs at least 3 labeling functions (got %d)", m);
    if ((st = check_config(cfg, m, k, err)) != HX_OK) return st;
    if ((st = hx_lm_alloc(model, m, k, err)) != HX_OK) return st;

    size_t d = (size_t)m * k, kk = (size_t)k;
    uint64_t *counts = calloc(d * d, sizeof *counts);
    float *O = malloc(d * d * sizeof *O);
    float *R = malloc((d * d + 2 * d * kk) * sizeof *R); /* loss_and_grad's work space */
    float *mu_init = calloc(d * kk, sizeof *mu_init);
    float *grad = malloc(d * kk * sizeof *grad);
    /* optimizer state: SGD momentum (buf1); Adam exp_avg, exp_avg_sq, max
     * exp_avg_sq (buf1..3); Adamax exp_avg, exp_inf (buf1, buf2) */
    float *buf1 = calloc(d * kk, sizeof *buf1), *buf2 = calloc(d * kk, sizeof *buf2);
    float *buf3 = calloc(d * kk, sizeof *buf3);
    float pf[HX_LM_MAX_CARDINALITY];
    if (!counts || !O || !R || !mu_init || !grad || !buf1 || !buf2 || !buf3) {
        st = hx_fail(err, HX_ENOMEM, "label model: out of memory");
        goto fail;
    }

    /* Class balance p and its float32 P. */
    for (int y = 0; y < k; y++) {
        model->p[y] = cfg->class_balance ? cfg->class_balance[y] : 1.0 / k;
        pf[y] = (float)model->p[y];
    }

    /* O = counts / n (float64 division, stored as float32), coverage. */
    if ((st = hx_lm_overlap_counts(L, n, m, k, counts, err)) != HX_OK) goto fail;
    for (size_t i = 0; i < d * d; i++) O[i] = (float)((double)counts[i] / (double)n);
    for (int i = 0; i < m; i++) {
        uint64_t c = 0;
        for (int y = 0; y < k; y++) c += counts[((size_t)i * kk + y) * d + (size_t)i * kk + y];
        model->coverage[i] = (double)c / (double)n;
    }

    /* mu_init[i*k+y, y] = clamp(O_aa * prec_i / p_y, 0, 1) in float32, and
     * mu = mu_init * u with u snorkel's first NumPy draw (rounded to float32,
     * as torch does with a Python scalar). */
    float u = (float)hx_lm_numpy_first_random(cfg->seed);
    for (int i = 0; i < m; i++) {
        float prec = (float)(cfg->prec_init_per_lf ? cfg->prec_init_per_lf[i] : cfg->prec_init);
        for (int y = 0; y < k; y++) {
            size_t a = (size_t)i * kk + y;
            float v = O[a * d + a] * prec / pf[y];
            if (v < 0.0f) v = 0.0f;
            if (v > 1.0f) v = 1.0f;
            if (v != v) v = 0.0f; /* torch.clamp keeps NaN; prec is finite so this cannot occur */
            mu_init[a * kk + y] = v;
        }
    }
    for (size_t i = 0; i < d * kk; i++) model->mu[i] = mu_init[i] * u;

    /* Optimise. */
    lr_state lrs;
    if ((st = lr_init(&lrs, cfg, err)) != HX_OK) goto fail;
    float wd = (float)cfg->l2;
    float beta1 = (float)cfg->beta1, beta2 = (float)cfg->beta2, eps = (float)cfg->eps;
    float *mu = model->mu;
    for (int e = 0; e < cfg->n_epochs; e++) {
        double loss = loss_and_grad(O, mu, mu_init, pf, d, k, cfg->l2, R, grad);
        if (isnan(loss)) {
            st = hx_fail(err, HX_ERANGE, "label model loss is NaN at epoch %d; reduce the learning rate", e);
            goto fail;
        }
        if (wd != 0.0f)
            for (size_t i = 0; i < d * kk; i++) grad[i] += wd * mu[i];
        int step = e + 1;
        switch (cfg->optimizer) {
        case HX_LM_SGD: { /* momentum buffer buf1; first step: buf = g */
            float mom = (float)cfg->sgd_momentum;
            float lr = (float)lrs.lr;
            for (size_t i = 0; i < d * kk; i++) {
                buf1[i] = (e == 0) ? grad[i] : buf1[i] * mom + grad[i];
                mu[i] += -lr * buf1[i];
            }
            break;
        }
        case HX_LM_ADAM: {
            double bc1 = 1.0 - pow(cfg->beta1, step), bc2 = 1.0 - pow(cfg->beta2, step);
            float step_size = (float)(lrs.lr / bc1);
            float bc2_sqrt = (float)sqrt(bc2);
            for (size_t i = 0; i < d * kk; i++) {
                float g = grad[i];
                buf1[i] = buf1[i] * beta1 + g * (1.0f - beta1);
                buf2[i] = buf2[i] * beta2 + g * g * (1.0f - beta2);
                float v = buf2[i];
                if (cfg->amsgrad) {
                    if (v > buf3[i]) buf3[i] = v;
                    v = buf3[i];
                }
                float denom = sqrtf(v) / bc2_sqrt + eps;
                mu[i] += -step_size * (buf1[i] / denom);
            }
            break;
        }
        case HX_LM_ADAMAX: {
            double bc = 1.0 - pow(cfg->beta1, step);
            float clr = (float)(lrs.lr / bc);
            for (size_t i = 0; i < d * kk; i++) {
                float g = grad[i];
                buf1[i] = buf1[i] * beta1 + g * (1.0f - beta1);
                float a = buf2[i] * beta2, b = fabsf(g) + eps;
                buf2[i] = a > b ? a : b;
                mu[i] += -clr * (buf1[i] / buf2[i]);
            }
            break;
        }
        }
        lr_update(&lrs, cfg, e);
    }

    /* Clamp mu into [eps, 1 - eps]; eps = min(0.01, 10^-ceil(log10 n)). */
    double mu_eps = cfg->mu_eps > 0 ? cfg->mu_eps : fmin(0.01, 1.0 / pow(10.0, ceil(log10((double)n))));
    float lo = (float)mu_eps, hi = (float)(1.0 - mu_eps);
    for (size_t i = 0; i < d * kk; i++) {
        if (mu[i] < lo) mu[i] = lo;
        if (mu[i] > hi) mu[i] = hi;
    }
    if ((st = hx_lm_break_symmetry(model, pf, err)) != HX_OK) goto fail;

    free(counts); free(O); free(R); free(mu_init); free(grad); free(buf1); free(buf2); free(buf3);
    return HX_OK;
fail:
    free(counts); free(O); free(R); free(mu_init); free(grad); free(buf1); free(buf2); free(buf3);
    hx_lm_free(model);
    return st;
}

void hx_lm_weights(const hx_label_model *model, double *weights) {
    int k = model->k;
    for (int i = 0; i < model->m; i++) {
        double acc = 0.0;
        for (int y = 0; y < k; y++)
            acc += (double)model->mu[((size_t)i * k + y) * k + y] * (double)(float)model->p[y];
        double w = acc / model->coverage[i];
        if (w < 1e-6) w = 1e-6;
        if (w > 1.0) w = 1.0;
        weights[i] = isnan(acc / model->coverage[i]) ? NAN : w;
    }
}

void hx_lm_conditional_probs(const hx_label_model *model, double *cprobs) {
    int k = model->k;
    size_t kk = (size_t)k;
    for (int i = 0; i < model->m; i++) {
        double *c = cprobs + (size_t)i * (kk + 1) * kk;
        for (int y = 0; y < k; y++) {
            double s = 0.0;
            for (int j = 0; j < k; j++) {
                double v = model->mu[((size_t)i * kk + j) * kk + y];
                c[(size_t)(j + 1) * kk + y] = v;
                s += v;
            }
            c[y] = 1.0 - s;
        }
    }
}
