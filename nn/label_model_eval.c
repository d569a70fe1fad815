/* Scoring label models against gold labels, per subset of sources: for each
 * non-empty combination of source groups (e.g. LFs, RFs, BERTs and their
 * unions), fit the label model on those columns, predict, and report the
 * one-vs-rest confusion rates next to the majority-vote baseline. This is the
 * table of the abstract-triage talk, and the core of `helix label-model
 * evaluate` and of `helix triage`. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "helix/label_model.h"

static double ratio(int64_t a, int64_t b) { return b ? (double)a / (double)b : NAN; }

void hx_confusion_from_preds(const int32_t *preds, const int32_t *gold, size_t n, int positive,
                             hx_confusion *c) {
    memset(c, 0, sizeof *c);
    int64_t correct = 0;
    for (size_t r = 0; r < n; r++) {
        if (gold[r] < 0) continue;
        c->total++;
        if (preds[r] < 0) {
            c->abstained++;
            continue;
        }
        int pp = preds[r] == positive, gp = gold[r] == positive;
        correct += preds[r] == gold[r];
        if (pp && gp) c->tp++;
        else if (pp) c->fp++;
        else if (gp) c->fn++;
        else c->tn++;
    }
    c->tpr = ratio(c->tp, c->tp + c->fn);
    c->fnr = ratio(c->fn, c->tp + c->fn);
    c->fpr = ratio(c->fp, c->fp + c->tn);
    c->tnr = ratio(c->tn, c->fp + c->tn);
    c->accuracy = ratio(correct, c->total - c->abstained);
    c->f1 = ratio(2 * c->tp, 2 * c->tp + c->fp + c->fn);
    c->coverage = ratio(c->total - c->abstained, c->total);
}

hx_status hx_eval_source_subsets(const int32_t *L, size_t n, int m, int k, const int32_t *gold,
                                 const hx_eval_config *cfg, hx_eval_row **rows_out,
                                 size_t *n_rows_out, hx_error *err) {
    *rows_out = NULL;
    *n_rows_out = 0;
    hx_status st = hx_label_matrix_check(L, n, m, k, err);
    if (st != HX_OK) return st;
    if (cfg->n_groups < 1 || cfg->n_groups > 16)
        return hx_fail(err, HX_EINVAL, "between 1 and 16 source groups are needed");
    if (cfg->positive < 0 || cfg->positive >= k)
        return hx_fail(err, HX_EINVAL, "positive class %d is outside 0..%d", cfg->positive, k - 1);
    for (int j = 0; j < m; j++)
        if (cfg->group_of_column[j] < -1 || cfg->group_of_column[j] >= cfg->n_groups)
            return hx_fail(err, HX_EINVAL, "column %d has an invalid group", j);
    for (size_t r = 0; r < n; r++)
        if (gold[r] < -1 || gold[r] >= k)
            return hx_fail(err, HX_EINVAL, "gold label at row %zu is outside -1..%d", r, k - 1);
    for (int g = 0; g < cfg->n_groups; g++) {
        int any = 0;
        for (int j = 0; j < m; j++) any |= cfg->group_of_column[j] == g;
        if (!any) return hx_fail(err, HX_EINVAL, "source group %d has no columns", g);
    }

    uint32_t n_sets = (1u << cfg->n_groups) - 1;
    int methods = cfg->with_dawid_skene ? 3 : 2;
    hx_eval_row *rows = calloc((size_t)n_sets * methods, sizeof *rows);
    int32_t *sub = malloc(n * (size_t)m * sizeof *sub);
    double *probs = malloc(n * (size_t)k * sizeof *probs);
    int32_t *preds = malloc(n * sizeof *preds);
    int *cols = malloc((size_t)m * sizeof *cols);
    if (!rows || !sub || !probs || !preds || !cols) {
        st = hx_fail(err, HX_ENOMEM, "evaluation: out of memory");
        goto fail;
    }
    size_t nr = 0;
    for (uint32_t mask = 1; mask <= n_sets; mask++) {
        int mc = 0;
        for (int j = 0; j < m; j++)
            if (cfg->group_of_column[j] >= 0 && (mask >> cfg->group_of_column[j]) & 1u) cols[mc++] = j;
        for (size_t r = 0; r < n; r++)
            for (int c = 0; c < mc; c++) sub[r * (size_t)mc + c] = L[r * (size_t)m + cols[c]];
        for (int meth = 0; meth < methods; meth++) {
            hx_eval_row *row = &rows[nr++];
            row->group_mask = mask;
            row->n_columns = mc;
            row->method = meth == 0 ? HX_EVAL_LABEL_MODEL : meth == 1 ? HX_EVAL_MAJORITY : HX_EVAL_DAWID_SKENE;
            if (row->method == HX_EVAL_LABEL_MODEL) {
                if (mc < 3) continue; /* snorkel needs >= 3 sources: not fitted */
                hx_label_model lm;
                if ((st = hx_lm_fit(sub, n, mc, k, &cfg->lm, &lm, err)) != HX_OK) goto fail;
                st = hx_lm_predict_proba(&lm, sub, n, mc, probs, err);
                hx_lm_free(&lm);
                if (st != HX_OK) goto fail;
            } else if (row->method == HX_EVAL_MAJORITY) {
                if ((st = hx_majority_label_proba(sub, n, mc, k, probs, err)) != HX_OK) goto fail;
            } else {
                hx_dawid_skene ds;
                if ((st = hx_ds_fit(sub, n, mc, k, NULL, &ds, err)) != HX_OK) goto fail;
                st = hx_ds_predict_proba(&ds, sub, n, mc, probs, err);
                hx_ds_free(&ds);
                if (st != HX_OK) goto fail;
            }
            row->fitted = 1;
            hx_probs_to_preds(probs, n, k, cfg->tie_policy, preds);
            hx_confusion_from_preds(preds, gold, n, cfg->positive, &row->conf);
        }
    }
    free(sub); free(probs); free(preds); free(cols);
    *rows_out = rows;
    *n_rows_out = nr;
    return HX_OK;
fail:
    free(rows); free(sub); free(probs); free(preds); free(cols);
    return st;
}
