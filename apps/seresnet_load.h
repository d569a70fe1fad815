/* An SE-ResNet / ResNet .hlx file -> a ready model: the network (weights
 * packed, file closed), its labels and its preprocessing, from the metadata
 * schema in docs/architecture.md. */
#ifndef HELIX_SERESNET_LOAD_H
#define HELIX_SERESNET_LOAD_H

#include "helix/seresnet.h"
#include "helix/status.h"
#include "image_preprocess.h"

typedef struct {
    hx_seresnet *net;
    int n_labels;
    char **labels; /* n_labels strings */
    hx_preprocess_cfg pre;
} hx_image_model;

hx_status hx_image_model_load(const char *path, hx_image_model *m, hx_error *err);
/* Same from parsed pieces: the metadata JSON text and a tensor source. */
hx_status hx_image_model_from(const char *meta_json, const hx_tensor_source *src,
                              hx_image_model *m, hx_error *err);
void hx_image_model_free(hx_image_model *m);

#endif
