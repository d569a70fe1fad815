/* Images for the SE-ResNet models (image/, the only part of helix that links
 * libjpeg-turbo).
 *
 * Decoding: baseline, progressive, arithmetic-coded, grayscale, CMYK / YCCK
 * (Adobe-inverted), restart markers and Motion-JPEG frames without Huffman
 * tables (libjpeg's standard tables). The result is always interleaved 8-bit
 * RGB with the EXIF orientation applied. 12-bit and other unsupported files,
 * damaged or truncated data, and images above a pixel-count limit are errors;
 * libjpeg's errors come back through setjmp, never exit().
 *
 * Preprocessing: timm's evaluation transform on a decoded RGB image, as
 * torchvision applies it to a PIL image:
 *
 *   Resize(floor(size / crop_pct))  shorter side, antialiased bilinear/bicubic
 *                                   exactly as PIL's ImagingResample (separable,
 *                                   horizontal pass first, 22-bit fixed-point
 *                                   weights, uint8 rounding between passes)
 *   CenterCrop(size)                offsets round((in - out) / 2), half to even
 *   ToTensor, Normalize(mean, std)  x / 255, then (x - mean) / std
 *
 * The settings (hx_preprocess_cfg) are model metadata: helix/seresnet.h. */
#ifndef HELIX_IMAGE_H
#define HELIX_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include "helix/status.h"
#include "helix/seresnet.h"

#include "helix/export.h"

HX_API_BEGIN

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

/* Resizes an interleaved RGB uint8 image (w x h) to (ow x oh) the way PIL's
 * Image.resize does; out is ow*oh*3 bytes. */
hx_status hx_resize_rgb8(const uint8_t *in, int w, int h, uint8_t *out, int ow, int oh,
                         hx_interp interp, hx_error *err);

/* Resize + center crop: out is cfg->height * cfg->width * 3 bytes (HWC). */
hx_status hx_preprocess_crop_rgb8(const uint8_t *rgb, int w, int h, const hx_preprocess_cfg *cfg,
                                  uint8_t *out, hx_error *err);

/* The whole transform: out is the network input, NCHW [3][height][width]. */
hx_status hx_preprocess_rgb8(const uint8_t *rgb, int w, int h, const hx_preprocess_cfg *cfg,
                             float *out, hx_error *err);

/* A JPEG file straight to the network input: hx_decode_jpeg_file, then
 * hx_preprocess_rgb8 (out as there). */
hx_status hx_preprocess_jpeg_file(const char *path, size_t max_pixels, const hx_preprocess_cfg *cfg,
                                  float *out, hx_error *err);

HX_API_END
#endif
