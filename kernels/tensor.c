/* Tensor-view helpers shared by the models. */
#include "helix/tensor.h"

#include <stdio.h>
#include <string.h>

size_t hx_dtype_size(hx_dtype dt) {
    switch (dt) {
    case HX_DT_F32: case HX_DT_I32: return 4;
    case HX_DT_F16: case HX_DT_BF16: return 2;
    case HX_DT_I8: case HX_DT_U8: return 1;
    case HX_DT_I64: return 8;
    default: return 0;
    }
}

const char *hx_dtype_name(hx_dtype dt) {
    static const char *const names[HX_DT_COUNT] = {"f32", "f16", "bf16", "i8", "i32", "i64", "u8"};
    return (unsigned)dt < HX_DT_COUNT ? names[dt] : "unknown";
}

static void format_dims(char *buf, size_t cap, int rank, const int64_t *dims) {
    size_t n = 0;
    n += (size_t)snprintf(buf + n, cap - n, "[");
    for (int i = 0; i < rank && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, i ? ", %lld" : "%lld", (long long)dims[i]);
    if (n < cap) snprintf(buf + n, cap - n, "]");
}

hx_status hx_tensor_get_f32(const hx_tensor_source *src, const char *name, int rank,
                            const int64_t *dims, const float **out, hx_error *err) {
    hx_tensor_view v;
    hx_status st = src->lookup(src->ctx, name, &v, err);
    if (st != HX_OK) return st;
    if (v.dtype != HX_DT_F32)
        return hx_fail(err, HX_EUNSUPPORTED, "tensor %s has dtype %s, expected f32", name,
                       hx_dtype_name(v.dtype));
    int same = v.rank == rank;
    for (int i = 0; same && i < rank; i++) same = v.dims[i] == dims[i];
    if (!same) {
        char want[128], got[128];
        format_dims(want, sizeof want, rank, dims);
        format_dims(got, sizeof got, v.rank, v.dims);
        return hx_fail(err, HX_EFORMAT, "tensor %s has shape %s, expected %s", name, got, want);
    }
    *out = v.data;
    return HX_OK;
}
