/* Tensor views: how a model asks for its weights without knowing about files.
 *
 * The weights layer hands out read-only views into a mapped file; models
 * receive an hx_tensor_source and look tensors up by name. */
#ifndef HELIX_TENSOR_H
#define HELIX_TENSOR_H

#include <stddef.h>
#include <stdint.h>
#include "helix/status.h"

#include "helix/export.h"

HX_API_BEGIN

#define HX_MAX_RANK 8

typedef enum {
    HX_DT_F32 = 0,
    HX_DT_F16 = 1,
    HX_DT_BF16 = 2,
    HX_DT_I8 = 3,   /* int8 with per-channel f32 scales, see docs/hlx-format.md */
    HX_DT_I32 = 4,
    HX_DT_I64 = 5,
    HX_DT_U8 = 6,
    HX_DT_COUNT
} hx_dtype;

typedef struct {
    const char *name;
    hx_dtype dtype;
    int rank;
    int64_t dims[HX_MAX_RANK];
    const void *data;  /* aligned to 64 bytes when it comes from an .hlx file */
    size_t nbytes;
    const float *scales; /* HX_DT_I8 only: one per dims[0] row, else NULL */
} hx_tensor_view;

typedef hx_status (*hx_tensor_lookup_fn)(void *ctx, const char *name,
                                         hx_tensor_view *out, hx_error *err);

typedef struct {
    hx_tensor_lookup_fn lookup; /* HX_ENOTFOUND with a message if absent */
    void *ctx;
} hx_tensor_source;

size_t hx_dtype_size(hx_dtype dt); /* bytes per element; 0 if unknown */
const char *hx_dtype_name(hx_dtype dt);

/* Looks name up and checks it is f32 with exactly the given dims; a clear
 * error naming the tensor and both shapes otherwise. */
hx_status hx_tensor_get_f32(const hx_tensor_source *src, const char *name, int rank,
                            const int64_t *dims, const float **out, hx_error *err);

HX_API_END
#endif
