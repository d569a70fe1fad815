/* Fuzz target: the HPO ontology JSON loader (apps/hpo_ontology.c): never
 * crashes; a loaded ontology answers lookups and ancestor marking for every
 * term within its bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helix/hpo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    hx_hpo *h = NULL;
    if (hx_hpo_load_json((const char *)data, size, &h, NULL) != HX_OK) return 0;
    const size_t n = hx_hpo_n_terms(h);
    uint8_t *mark = calloc(n ? n : 1, 1);
    for (size_t t = 0; mark && t < n && t < 4096; t++) {
        char id[11];
        hx_hpo_term_id(h, (int32_t)t, id);
        int32_t back = -1;
        hx_hpo_resolve(h, id, &back);
        size_t np = 0;
        const int32_t *p = hx_hpo_parents(h, (int32_t)t, &np);
        for (size_t i = 0; i < np; i++)
            if (p[i] < 0 || (size_t)p[i] >= n) abort();
        hx_hpo_mark_ancestors(h, (int32_t)t, mark, NULL);
    }
    int32_t term;
    hx_hpo_resolve(h, "HP:0000118", &term);
    hx_hpo_resolve(h, "not an id", &term);
    free(mark);
    hx_hpo_free(h);
    return 0;
}
