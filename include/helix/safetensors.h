/* Reading Hugging Face safetensors checkpoints (single file or sharded with
 * model.safetensors.index.json), mapped, with every header field checked
 * against the file. Float tensors (F32, F16, BF16, F64) can be read as f32;
 * integer and bool tensors (e.g. BatchNorm's num_batches_tracked, BERT's
 * position_ids) are listed but flagged, so converters skip them. */
#ifndef HELIX_SAFETENSORS_H
#define HELIX_SAFETENSORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "helix/status.h"
#include "helix/tensor.h"

#include "helix/export.h"

HX_API_BEGIN

typedef enum {
    HX_ST_F64, HX_ST_F32, HX_ST_F16, HX_ST_BF16,
    HX_ST_I64, HX_ST_I32, HX_ST_I16, HX_ST_I8,
    HX_ST_U64, HX_ST_U32, HX_ST_U16, HX_ST_U8, HX_ST_BOOL,
    HX_ST_DTYPE_COUNT
} hx_st_dtype;

typedef struct {
    const char *name;
    hx_st_dtype dtype;
    bool is_float;      /* F64/F32/F16/BF16; false for integer and bool tensors */
    int rank;
    int64_t dims[HX_MAX_RANK];
    uint64_t count;     /* product of dims */
    const void *data;   /* inside the mapped file; not aligned in general */
    size_t nbytes;
} hx_st_tensor;

typedef struct hx_safetensors hx_safetensors;

/* Largest header accepted (the safetensors reference caps it at 100 MB). */
#define HX_ST_MAX_HEADER (100u << 20)

/* path is a .safetensors file, a model.safetensors.index.json (shards in the
 * same folder), or a folder holding either (the index is preferred). */
hx_status hx_safetensors_open(const char *path, hx_safetensors **out, hx_error *err);
/* One safetensors image in a caller-owned buffer that outlives the result. */
hx_status hx_safetensors_open_memory(const void *buf, size_t len, hx_safetensors **out,
                                     hx_error *err);
void hx_safetensors_close(hx_safetensors *st);

size_t hx_safetensors_count(const hx_safetensors *st);
/* Tensors in name order; NULL when i is out of range. */
const hx_st_tensor *hx_safetensors_at(const hx_safetensors *st, size_t i);
/* NULL when absent. */
const hx_st_tensor *hx_safetensors_find(const hx_safetensors *st, const char *name);

/* Converts a float tensor to f32 into out (t->count floats). */
hx_status hx_safetensors_read_f32(const hx_st_tensor *t, float *out, hx_error *err);

const char *hx_st_dtype_name(hx_st_dtype dt);

HX_API_END
#endif
