/* JPEG decoding for image classification (libjpeg-turbo): baseline,
 * progressive, arithmetic-coded, grayscale, CMYK / YCCK (Adobe-inverted),
 * restart markers and Motion-JPEG frames without Huffman tables (libjpeg's
 * standard tables). The result is always interleaved 8-bit RGB with the EXIF
 * orientation applied. 12-bit and other unsupported files, damaged or
 * truncated data, and images above a pixel-count limit are errors; libjpeg's
 * errors come back through setjmp, never exit(). */
#ifndef HELIX_IMAGE_DECODE_H
#define HELIX_IMAGE_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include "helix/status.h"

#define HX_IMAGE_MAX_PIXELS_DEFAULT ((size_t)1 << 26) /* 67 Mpixel, like PIL's bomb guard */
#define HX_IMAGE_MAX_FILE_BYTES ((size_t)1 << 28)

typedef struct {
    uint8_t *rgb;  /* width * height * 3 */
    int width, height;
    int orientation; /* EXIF orientation found (1 when absent); already applied */
} hx_image;

hx_status hx_decode_jpeg(const uint8_t *buf, size_t len, size_t max_pixels, hx_image *out,
                         hx_error *err);
hx_status hx_decode_jpeg_file(const char *path, size_t max_pixels, hx_image *out, hx_error *err);
void hx_image_free(hx_image *img);

/* The EXIF orientation (1..8) in an APP1 "Exif" payload (starting at "Exif\0\0");
 * 1 when absent or malformed. Every offset is bounds-checked. */
int hx_exif_orientation(const uint8_t *app1, size_t len);

/* Rotates/mirrors img in place so that orientation o becomes 1. */
hx_status hx_image_apply_orientation(hx_image *img, int o, hx_error *err);

#endif
