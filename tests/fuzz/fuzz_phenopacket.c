/* Fuzz target: a phenopacket JSON record (apps/phenopacket.c) is parsed
 * and its UDP targets derived; never crashes. */
#include <stdint.h>
#include <stdlib.h>

#include "helix/phenopacket.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    hx_phenopacket p;
    if (hx_phenopacket_parse((const char *)data, size, &p, NULL) != HX_OK) return 0;
    int targets[HX_UDP_N_TARGETS];
    hx_phenopacket_targets(&p, targets);
    hx_phenopacket_free(&p);
    return 0;
}
