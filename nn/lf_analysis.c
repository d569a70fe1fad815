/* LF analysis as snorkel.labeling.LFAnalysis: per-LF polarity, coverage,
 * overlaps (votes on rows with >= 2 votes), conflicts (votes on rows whose
 * votes disagree), and with gold labels correct / incorrect counts and the
 * empirical accuracy. All fractions are over all n rows. */
#include <stdlib.h>
#include <string.h>

#include "helix/label_model.h"

void hx_lf_analysis_free(hx_lf_analysis *a) {
    if (!a) return;
    free(a->polarity);
    free(a->lf_coverage);
    free(a->lf_overlap);
    free(a->lf_conflict);
    free(a->correct);
    free(a->incorrect);
    free(a->emp_accuracy);
    memset(a, 0, sizeof *a);
}

hx_status hx_lf_analyze(const int32_t *L, size_t n, int m, int k, const int32_t *gold,
                        hx_lf_analysis *a, hx_error *err) {
    memset(a, 0, sizeof *a);
    hx_status st = hx_label_matrix_check(L, n, m, k, err);
    if (st != HX_OK) return st;
    if (gold)
        for (size_t r = 0; r < n; r++)
            if (gold[r] < -1 || gold[r] >= k)
                return hx_fail(err, HX_EINVAL, "gold label at row %zu is outside -1..%d", r, k - 1);
    size_t words = (size_t)(k + 63) / 64, mm = (size_t)m;
    a->n = n;
    a->m = m;
    a->k = k;
    a->polarity = calloc(mm * words, sizeof *a->polarity);
    a->lf_coverage = calloc(mm, sizeof(double));
    a->lf_overlap = calloc(mm, sizeof(double));
    a->lf_conflict = calloc(mm, sizeof(double));
    int64_t *votes = calloc(mm, sizeof *votes), *ov = calloc(mm, sizeof *ov),
            *cf = calloc(mm, sizeof *cf), *eq = calloc(mm, sizeof *eq);
    if (gold) {
        a->correct = calloc(mm, sizeof *a->correct);
        a->incorrect = calloc(mm, sizeof *a->incorrect);
        a->emp_accuracy = calloc(mm, sizeof *a->emp_accuracy);
    }
    if (!a->polarity || !a->lf_coverage || !a->lf_overlap || !a->lf_conflict || !votes || !ov ||
        !cf || !eq || (gold && (!a->correct || !a->incorrect || !a->emp_accuracy))) {
        free(votes); free(ov); free(cf); free(eq);
        hx_lf_analysis_free(a);
        return hx_fail(err, HX_ENOMEM, "out of memory");
    }
    size_t covered = 0, overlapped = 0, conflicted = 0;
    for (size_t r = 0; r < n; r++) {
        const int32_t *row = L + r * mm;
        int nv = 0;
        int32_t lo = 0, hi = -1;
        for (int j = 0; j < m; j++) {
            int32_t v = row[j];
            if (v < 0) continue;
            if (nv == 0 || v < lo) lo = v;
            if (nv == 0 || v > hi) hi = v;
            nv++;
            votes[j]++;
            a->polarity[(size_t)j * words + (size_t)v / 64] |= 1ull << (v % 64);
            if (gold) {
                eq[j] += v == gold[r];
                if (gold[r] >= 0) {
                    if (v == gold[r]) a->correct[j]++;
                    else a->incorrect[j]++;
                }
            }
        }
        int conflict = nv >= 2 && lo != hi;
        covered += nv >= 1;
        overlapped += nv >= 2;
        conflicted += conflict;
        if (nv >= 2)
            for (int j = 0; j < m; j++)
                if (row[j] >= 0) {
                    ov[j]++;
                    cf[j] += conflict;
                }
    }
    double dn = (double)n;
    a->coverage = covered / dn;
    a->overlap = overlapped / dn;
    a->conflict = conflicted / dn;
    for (size_t j = 0; j < mm; j++) {
        a->lf_coverage[j] = votes[j] / dn;
        a->lf_overlap[j] = ov[j] / dn;
        a->lf_conflict[j] = cf[j] / dn;
        if (gold) a->emp_accuracy[j] = votes[j] ? (double)eq[j] / (double)votes[j] : 0.0;
    }
    free(votes); free(ov); free(cf); free(eq);
    return HX_OK;
}
