/* timm's evaluation transform on a decoded RGB image, as torchvision applies
 * it to a PIL image:
 *
 *   Resize(floor(size / crop_pct))  shorter side, antialiased bilinear/bicubic
 *                                   exactly as PIL's ImagingResample (separable,
 *                                   horizontal pass first, 22-bit fixed-point
 *                                   weights, uint8 rounding between passes)
 *   CenterCrop(size)                offsets round((in - out) / 2), half to even
 *   ToTensor, Normalize(mean, std)  x / 255, then (x - mean) / std
 */
#ifndef HELIX_IMAGE_PREPROCESS_H
#define HELIX_IMAGE_PREPROCESS_H

#include <stdint.h>
#include "helix/status.h"

typedef enum { HX_INTERP_BILINEAR = 0, HX_INTERP_BICUBIC = 1 } hx_interp;

typedef struct {
    int height, width;  /* crop size (input_size[1], input_size[2]) */
    double crop_pct;    /* (0, 1] */
    hx_interp interp;
    float mean[3], std[3];
} hx_preprocess_cfg;

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

#endif
