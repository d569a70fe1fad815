/* libFuzzer target for the safetensors parser: parse, then read every
 * float tensor as f32 and touch every integer one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helix/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    hx_safetensors *st;
    hx_error err;
    if (hx_safetensors_open_memory(buf, size, &st, &err) == HX_OK) {
        unsigned sink = 0;
        for (size_t i = 0; i < hx_safetensors_count(st); i++) {
            const hx_st_tensor *t = hx_safetensors_at(st, i);
            if (hx_safetensors_find(st, t->name) != t) abort();
            if (t->is_float) {
                /* count <= nbytes <= size, so this allocation is bounded. */
                float *out = malloc(t->count ? t->count * sizeof *out : 1);
                if (out && hx_safetensors_read_f32(t, out, &err) != HX_OK) abort();
                free(out);
            } else if (t->nbytes) {
                sink += ((const unsigned char *)t->data)[t->nbytes - 1];
            }
        }
        __asm__ volatile("" : : "r"(sink)); /* keep the touches above */
        hx_safetensors_close(st);
    }
    free(buf);
    return 0;
}
