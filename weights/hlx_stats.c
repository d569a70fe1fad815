/* What an open .hlx holds, counted (include/helix/hlx.h). */
#include <string.h>

#include "helix/hlx.h"

uint64_t hx_hlx_parameter_count(const hx_hlx *f, size_t per_dtype[HX_DT_COUNT]) {
    uint64_t params = 0;
    if (per_dtype) memset(per_dtype, 0, HX_DT_COUNT * sizeof *per_dtype);
    for (size_t i = 0; i < hx_hlx_tensor_count(f); i++) {
        hx_tensor_view v;
        if (hx_hlx_tensor_at(f, i, &v, NULL) != HX_OK) continue;
        uint64_t n = 1;
        for (int d = 0; d < v.rank; d++) n *= (uint64_t)v.dims[d]; /* checked at open */
        params += n;
        if (per_dtype) per_dtype[v.dtype]++;
    }
    return params;
}
