/* Fuzz target: arbitrary bytes as a Hugging Face tokenizer.json
 * (weights/tokenizer_meta.c): loading never crashes or allocates beyond
 * what the text backs; a tokenizer that loads must rebuild from its own
 * metadata and encode a fixed text with ids inside its vocabulary. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "helix/tokenizer.h"
#include "helix/tokenizer_meta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cJSON *meta = NULL;
    if (hx_tokenizer_meta_from_json_text((const char *)data, size, &meta, NULL) != HX_OK) return 0;
    hx_tokenizer *t = NULL;
    if (hx_tokenizer_from_meta(meta, &t, NULL) == HX_OK) {
        const size_t nv = hx_tokenizer_vocab_size(t);
        static const char text[] = "The [MASK] unaffable caf\xc3\xa9, x\xe4\xb8\x80y! [UNK]";
        hx_encode_options o = {0};
        o.max_length = 16;
        hx_encoding e;
        hx_encoding_init(&e);
        if (hx_tokenizer_encode(t, text, strlen(text), NULL, 0, &o, &e, NULL) == HX_OK)
            for (size_t i = 0; i < e.length; i++)
                if (e.ids[i] < 0 || (size_t)e.ids[i] >= nv) abort();
        hx_encoding_free(&e);
        hx_tokenizer_free(t);
    }
    cJSON_Delete(meta);
    return 0;
}
