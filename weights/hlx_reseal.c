/* Recomputes the checksums of an .hlx image in place (see hlx_internal.h):
 * a test and fuzzing aid, never used on the normal read path. Every read
 * is bounds-checked because the image is usually deliberately broken. */
#include "weights/checksum.h"
#include "weights/hlx_internal.h"

static int in_bounds(uint64_t off, uint64_t size, uint64_t len) {
    return off <= len && size <= len - off;
}

int hx_hlx_reseal(unsigned char *buf, size_t len, int fix_tensors) {
    if (len < HLX_HEADER_SIZE) return 0;
    uint64_t hsize = hlx_get32(buf + HLX_OFF_HEADER_SIZE);
    if (hsize < HLX_HEADER_SIZE || hsize > len) hsize = HLX_HEADER_SIZE;
    uint64_t meta_off = hlx_get64(buf + HLX_OFF_META_OFFSET);
    uint64_t meta_size = hlx_get64(buf + HLX_OFF_META_SIZE);
    uint64_t dir_off = hlx_get64(buf + HLX_OFF_DIR_OFFSET);
    uint64_t dir_size = hlx_get64(buf + HLX_OFF_DIR_SIZE);
    uint64_t count = hlx_get64(buf + HLX_OFF_TENSOR_COUNT);
    uint64_t entry_size = hlx_get32(buf + HLX_OFF_ENTRY_SIZE);
    uint64_t meta_sum = 0, dir_sum = 0;
    if (in_bounds(meta_off, meta_size, len)) {
        meta_sum = hx_xxh64(buf + meta_off, (size_t)meta_size, 0);
        hlx_put64(buf + HLX_OFF_META_SUM, meta_sum);
    }
    hx_xxh64_state fsum;
    hx_xxh64_init(&fsum, 0);
    unsigned char le[8];
    hlx_put64(le, meta_sum);
    hx_xxh64_update(&fsum, le, 8);
    int dir_ok = in_bounds(dir_off, dir_size, len) && entry_size >= HLX_ENTRY_SIZE &&
                 count <= HLX_MAX_TENSORS && count * entry_size <= dir_size;
    if (dir_ok && fix_tensors) {
        for (uint64_t i = 0; i < count; i++) {
            unsigned char *e = buf + dir_off + i * entry_size;
            uint64_t off = hlx_get64(e + HLX_E_DATA_OFFSET), size = hlx_get64(e + HLX_E_DATA_SIZE);
            if (in_bounds(off, size, len))
                hlx_put64(e + HLX_E_CHECKSUM, hx_xxh64(buf + off, (size_t)size, 0));
        }
    }
    if (in_bounds(dir_off, dir_size, len)) {
        dir_sum = hx_xxh64(buf + dir_off, (size_t)dir_size, 0);
        hlx_put64(buf + HLX_OFF_DIR_SUM, dir_sum);
    }
    hlx_put64(le, dir_sum);
    hx_xxh64_update(&fsum, le, 8);
    if (dir_ok)
        for (uint64_t i = 0; i < count; i++)
            hx_xxh64_update(&fsum, buf + dir_off + i * entry_size + HLX_E_CHECKSUM, 8);
    hlx_put64(buf + HLX_OFF_FILE_SUM, hx_xxh64_final(&fsum));
    hlx_put64(buf + hsize - 8, hx_xxh64(buf, (size_t)hsize - 8, 0));
    return 1;
}
