/* Fuzz target: an LF rules file (apps/lf_rules.c). Input = rules JSON, then
 * optionally a 0xFE byte and a JSON record; a rule set that parses is
 * applied to the record (or to a fixed one) and every vote must be an
 * abstain (-1) or a class in 0..k-1. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "helix/lf_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *sep = memchr(data, 0xFE, size);
    const size_t n_rules = sep ? (size_t)(sep - data) : size;
    hx_lf_set set;
    if (hx_lf_set_parse((const char *)data, n_rules, &set, NULL) != HX_OK) return 0;
    cJSON *rec = sep ? cJSON_ParseWithLength((const char *)sep + 1, size - n_rules - 1) : NULL;
    if (!rec)
        rec = cJSON_Parse("{\"text\": \"BRCA1 mutation in a 3-year-old; no tumour seen.\", "
                          "\"title\": \"Case\", \"n\": 3}");
    int32_t *votes = malloc(((size_t)set.n_lfs + 1) * sizeof *votes);
    if (votes && rec) {
        hx_lf_set_apply(&set, rec, votes);
        for (int j = 0; j < set.n_lfs; j++)
            if (votes[j] < -1 || votes[j] >= set.k) abort();
    }
    free(votes);
    cJSON_Delete(rec);
    hx_lf_set_free(&set);
    return 0;
}
