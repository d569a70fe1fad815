/* Collecting labelled records for hx_triage_evaluate (include/helix/triage.h). */
#include <stdlib.h>
#include <string.h>

#include "helix/triage.h"

hx_status hx_triage_eval_add(const hx_triage *t, hx_triage_eval_set *e, const int32_t *votes,
                             int32_t gold, double p, hx_error *err) {
    const size_t m = (size_t)hx_triage_n_sources(t);
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 256;
        int32_t *nv = realloc(e->votes, cap * m * sizeof *nv);
        if (nv) e->votes = nv;
        int32_t *ng = realloc(e->gold, cap * sizeof *ng);
        if (ng) e->gold = ng;
        double *np_ = realloc(e->p, cap * sizeof *np_);
        if (np_) e->p = np_;
        if (!nv || !ng || !np_) return hx_fail(err, HX_ENOMEM, "out of memory");
        e->cap = cap;
    }
    memcpy(e->votes + e->n * m, votes, m * sizeof *votes);
    e->gold[e->n] = gold;
    e->p[e->n++] = p;
    return HX_OK;
}

void hx_triage_eval_set_free(hx_triage_eval_set *e) {
    if (!e) return;
    free(e->votes);
    free(e->gold);
    free(e->p);
    memset(e, 0, sizeof *e);
}
