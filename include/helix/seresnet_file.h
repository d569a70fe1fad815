/* An SE-ResNet / ResNet .hlx file -> a ready model: the network (weights
 * packed, file closed), its labels and its preprocessing, from the metadata
 * schema in docs/architecture.md. */
#ifndef HELIX_SERESNET_FILE_H
#define HELIX_SERESNET_FILE_H

#include "helix/seresnet.h"
#include "helix/status.h"
#include "helix/tensor.h"

#include "helix/export.h"

HX_API_BEGIN

typedef struct {
    hx_seresnet *net;
    int n_labels;
    char **labels; /* n_labels strings */
    hx_preprocess_cfg pre;
} hx_seresnet_file;

/* Opens an .hlx of arch "seresnet" or "resnet"; on error *out is zeroed. */
hx_status hx_seresnet_file_open(const char *path, hx_seresnet_file *out, hx_error *err);
/* Same from parsed pieces: the metadata JSON text and a tensor source. */
hx_status hx_seresnet_file_from(const char *meta_json, const hx_tensor_source *src,
                                hx_seresnet_file *out, hx_error *err);
/* Frees everything; f itself is not freed. NULL or a zeroed f is fine. */
void hx_seresnet_file_close(hx_seresnet_file *f);

HX_API_END
#endif
