/* The .hlx model file (see docs/hlx-format.md): a fixed header, a JSON
 * metadata block, a tensor directory and 64-byte-aligned tensor data, with
 * checksums. The reader maps the file and trusts nothing in it. */
#ifndef HELIX_HLX_H
#define HELIX_HLX_H

#include <stddef.h>
#include <stdint.h>
#include "helix/status.h"
#include "helix/tensor.h"

#include "helix/export.h"

HX_API_BEGIN

typedef struct hx_hlx hx_hlx;

/* Maps and validates headers, metadata and directory, then verifies every
 * tensor checksum, the whole-file checksum and the zero padding
 * (hx_hlx_verify): a damaged file does not open (HX_ECHECKSUM or
 * HX_EFORMAT). Verifying costs one pass over the file at memory speed, a
 * fraction of a percent of a typical run (docs/hlx-format.md). */
hx_status hx_hlx_open(const char *path, hx_hlx **out, hx_error *err);
/* Same, over a caller-owned buffer (fuzzing, tests); buf must outlive f. */
hx_status hx_hlx_open_memory(const void *buf, size_t len, hx_hlx **out, hx_error *err);

/* Flags for the _with forms. */
enum {
    /* Structural checks only, no pass over the tensor data: for tools that
     * inspect a possibly damaged file (helix info) and verify on request. */
    HX_HLX_OPEN_NO_VERIFY = 1u << 0
};
hx_status hx_hlx_open_with(const char *path, unsigned flags, hx_hlx **out, hx_error *err);
hx_status hx_hlx_open_memory_with(const void *buf, size_t len, unsigned flags, hx_hlx **out,
                                  hx_error *err);
void hx_hlx_close(hx_hlx *f);

/* The metadata JSON text, NUL-terminated. */
const char *hx_hlx_metadata(const hx_hlx *f, size_t *len);
size_t hx_hlx_tensor_count(const hx_hlx *f);
hx_status hx_hlx_tensor_at(const hx_hlx *f, size_t i, hx_tensor_view *out, hx_error *err);
hx_status hx_hlx_find(const hx_hlx *f, const char *name, hx_tensor_view *out, hx_error *err);
size_t hx_hlx_file_size(const hx_hlx *f);
/* The number of parameters (elements) over all tensors; per_dtype (may be
 * NULL) gets the number of tensors of each dtype. */
uint64_t hx_hlx_parameter_count(const hx_hlx *f, size_t per_dtype[HX_DT_COUNT]);
/* The file's format version (major is always the reader's own). */
void hx_hlx_version(const hx_hlx *f, int *major, int *minor);
/* Checks every tensor checksum and the whole-file checksum; names the first
 * damaged tensor. */
hx_status hx_hlx_verify(const hx_hlx *f, hx_error *err);
/* A tensor source over the file's tensors, valid while f is open. */
hx_tensor_source hx_hlx_source(const hx_hlx *f);

/* Writer: collect metadata and tensors, then write the file in one go. */
typedef struct hx_hlx_writer hx_hlx_writer;
hx_status hx_hlx_writer_new(hx_hlx_writer **out, hx_error *err);
/* JSON text of the metadata object (copied). */
hx_status hx_hlx_writer_set_metadata(hx_hlx_writer *w, const char *json, hx_error *err);
/* data is copied; nbytes must match dtype and dims. */
hx_status hx_hlx_writer_add(hx_hlx_writer *w, const char *name, hx_dtype dtype, int rank,
                            const int64_t *dims, const void *data, size_t nbytes,
                            hx_error *err);
/* Same without the copy: data must stay valid and unchanged until
 * hx_hlx_writer_write returns (converters pass mapped checkpoint data). */
hx_status hx_hlx_writer_add_borrowed(hx_hlx_writer *w, const char *name, hx_dtype dtype, int rank,
                                     const int64_t *dims, const void *data, size_t nbytes,
                                     hx_error *err);
/* An int8 tensor with one f32 scale per dims[0] row (value = q * scale);
 * data holds the product of dims bytes. */
hx_status hx_hlx_writer_add_i8(hx_hlx_writer *w, const char *name, int rank, const int64_t *dims,
                               const int8_t *data, const float *scales, hx_error *err);
hx_status hx_hlx_writer_write(hx_hlx_writer *w, const char *path, hx_error *err);
void hx_hlx_writer_free(hx_hlx_writer *w);

HX_API_END
#endif
