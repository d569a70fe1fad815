/* libFuzzer target for the .hlx reader. Each input is opened twice: as is
 * (exercising the magic, header and checksum checks), then with its
 * checksums recomputed (hx_hlx_reseal) so that mutations reach the
 * structural checks of the metadata and directory behind them. Whatever
 * opens (structure only) is then walked completely and verified, and the
 * default, verifying open must agree with that verdict. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helix/hlx.h"
#include "weights/hlx_internal.h"

static void walk(const unsigned char *buf, size_t len) {
    hx_hlx *f;
    hx_error err;
    /* The default open verifies the data; it must succeed exactly when the
     * structural open and hx_hlx_verify both do. */
    hx_hlx *g = NULL;
    const int opens = hx_hlx_open_memory(buf, len, &g, &err) == HX_OK;
    hx_hlx_close(g);
    if (hx_hlx_open_memory_with(buf, len, HX_HLX_OPEN_NO_VERIFY, &f, &err) != HX_OK) {
        if (opens) abort();
        return;
    }
    size_t mlen;
    const char *meta = hx_hlx_metadata(f, &mlen);
    if (strlen(meta) != mlen) abort();
    unsigned sink = 0;
    for (size_t i = 0; i < hx_hlx_tensor_count(f); i++) {
        hx_tensor_view v, w;
        if (hx_hlx_tensor_at(f, i, &v, &err) != HX_OK) abort();
        if (hx_hlx_find(f, v.name, &w, &err) != HX_OK || w.data != v.data) abort();
        /* Touch the first and last byte of every view: ASan flags any
         * view that reaches outside the buffer. */
        if (v.nbytes) sink += ((const unsigned char *)v.data)[0] + ((const unsigned char *)v.data)[v.nbytes - 1];
        if (v.scales && v.dims[0] > 0) /* bytes, not a float-to-int conversion (UB when out of range) */
            sink += *(const unsigned char *)&v.scales[v.dims[0] - 1];
    }
    hx_tensor_view v;
    hx_hlx_find(f, "no such tensor", &v, &err);
    if ((hx_hlx_verify(f, &err) == HX_OK) != opens) abort();
    hx_hlx_close(f);
    /* Keep the touches above from being optimised away. */
    __asm__ volatile("" : : "r"(sink));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* A private, exactly sized copy, 64-byte aligned like a mapping. */
    unsigned char *buf = aligned_alloc(64, (size + 64) / 64 * 64);
    if (!buf) return 0;
    memcpy(buf, data, size);
    walk(buf, size);
    if (hx_hlx_reseal(buf, size, 1)) walk(buf, size);
    free(buf);
    return 0;
}
