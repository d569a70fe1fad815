/* SE-ResNet / ResNet with basic blocks (timm `seresnet34`, `resnet34`, ...),
 * inference only, on weights from an hx_tensor_source.
 *
 * Tensor names are timm's with BatchNorm folded into the conv before it (see
 * docs/architecture.md): conv1.{weight,bias}, layer{L}.{b}.conv{1,2}.*,
 * layer{L}.{b}.se.fc{1,2}.*, layer{L}.0.downsample.0.*, fc.*. Stage widths
 * and the SE reduction are read from the tensor shapes; the config fixes the
 * depth. Stage 1 has stride 1, stages 2-4 stride 2 (output stride 32). */
#ifndef HELIX_SERESNET_H
#define HELIX_SERESNET_H

#include <stdbool.h>
#include <stddef.h>
#include "helix/status.h"
#include "helix/tensor.h"
#include "helix/threads.h"

#include "helix/export.h"

HX_API_BEGIN

typedef struct {
    int layers[4];   /* basic blocks per stage, e.g. {3, 4, 6, 3} for depth 34 */
    bool se;         /* squeeze-excitation in every block */
    int num_classes; /* rows of fc.weight */
} hx_seresnet_config;

typedef struct hx_seresnet hx_seresnet;

/* The model's input preprocessing, from the .hlx "preprocess" metadata
 * (timm's eval transform; applied by helix/image.h). */
typedef enum { HX_INTERP_BILINEAR = 0, HX_INTERP_BICUBIC = 1 } hx_interp;

typedef struct {
    int height, width;  /* crop size (input_size[1], input_size[2]) */
    double crop_pct;    /* (0, 1] */
    hx_interp interp;
    float mean[3], std[3];
} hx_preprocess_cfg;

/* Packs every conv for the active ISA layout; the source may be closed after. */
hx_status hx_seresnet_create(const hx_seresnet_config *cfg, const hx_tensor_source *src,
                             hx_seresnet **out, hx_error *err);
void hx_seresnet_free(hx_seresnet *m);
int hx_seresnet_num_classes(const hx_seresnet *m);

/* input: n normalised images, NCHW [n][3][h][w] (h, w >= 1); logits: [n][num_classes].
 * Bit-identical for any pool size. Allocates its memory for the call (use a
 * session or hx_seresnet_forward_ws to allocate once). */
hx_status hx_seresnet_forward(const hx_seresnet *m, int n, int h, int w, const float *input,
                              float *logits, hx_threadpool *pool, hx_error *err);

/* Per-forward memory (feature maps, SE vectors, the convs' Winograd
 * scratch) as a workspace the caller owns, any alignment. Bytes needed by n
 * images of h x w with a pool of `threads` threads (same for every ISA); 0
 * when the sizes are out of range. A workspace serves one forward at a time. */
typedef struct {
    void *data;
    size_t bytes;
} hx_seresnet_workspace;
size_t hx_seresnet_workspace_size(const hx_seresnet *m, int n, int h, int w, int threads);

/* hx_seresnet_forward in a caller's workspace: allocates nothing. ws NULL
 * allocates (and frees) one for the call; too small a workspace is HX_EINVAL.
 * The pool must be the one the workspace was sized for (or smaller). */
hx_status hx_seresnet_forward_ws(const hx_seresnet *m, int n, int h, int w, const float *input,
                                 float *logits, const hx_seresnet_workspace *ws,
                                 hx_threadpool *pool, hx_error *err);

/* A session: the model, a pool and one workspace for up to max_batch images
 * of up to max_h x max_w, allocated once; its forwards allocate nothing. The
 * model and pool must outlive it; one forward at a time per session. */
typedef struct hx_seresnet_session hx_seresnet_session;
hx_status hx_seresnet_session_create(const hx_seresnet *m, int max_batch, int max_h, int max_w,
                                     hx_threadpool *pool, hx_seresnet_session **out, hx_error *err);
void hx_seresnet_session_free(hx_seresnet_session *s);
size_t hx_seresnet_session_bytes(const hx_seresnet_session *s);
/* As hx_seresnet_forward with the session's pool; HX_EINVAL past its maxima. */
hx_status hx_seresnet_session_forward(hx_seresnet_session *s, int n, int h, int w,
                                      const float *input, float *logits, hx_error *err);

/* Probabilities from logits: hx_softmax_rows (helix/transformer_ops.h). */

HX_API_END
#endif
