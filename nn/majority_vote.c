/* Baselines of snorkel.labeling.model.baselines: the majority label vote
 * (equal mass on every class with the most votes) and the majority class
 * vote (equal mass on the most frequent class(es) of a given balance). */
#include <stdlib.h>
#include <string.h>

#include "helix/label_model.h"

hx_status hx_majority_label_proba(const int32_t *L, size_t n, int m, int k, double *probs,
                                  hx_error *err) {
    if (k < 2) return hx_fail(err, HX_EINVAL, "cardinality must be >= 2");
    size_t *counts = malloc((size_t)k * sizeof *counts);
    if (!counts) return hx_fail(err, HX_ENOMEM, "out of memory");
    for (size_t r = 0; r < n; r++) {
        memset(counts, 0, (size_t)k * sizeof *counts);
        const int32_t *row = L + r * (size_t)m;
        for (int j = 0; j < m; j++) {
            int32_t v = row[j];
            if (v == -1) continue;
            if (v < -1 || v >= k) {
                free(counts);
                return hx_fail(err, HX_EINVAL, "label at row %zu, column %d is outside -1..%d", r, j,
                               k - 1);
            }
            counts[v]++;
        }
        size_t best = 0;
        for (int y = 0; y < k; y++) if (counts[y] > best) best = counts[y];
        int ties = 0;
        for (int y = 0; y < k; y++) ties += counts[y] == best;
        double *x = probs + r * (size_t)k;
        for (int y = 0; y < k; y++) x[y] = counts[y] == best ? 1.0 / ties : 0.0;
    }
    free(counts);
    return HX_OK;
}

void hx_majority_class_proba(const double *balance, int k, size_t n, double *probs) {
    double best = balance[0];
    for (int y = 1; y < k; y++) if (balance[y] > best) best = balance[y];
    int ties = 0;
    for (int y = 0; y < k; y++) ties += balance[y] == best;
    for (size_t r = 0; r < n; r++)
        for (int y = 0; y < k; y++) probs[r * (size_t)k + y] = balance[y] == best ? 1.0 / ties : 0.0;
}
