/* libFuzzer target for JPEG decoding, EXIF parsing and preprocessing: any
 * input must give an image or an error, never a crash, a leak or an exit().
 * A small pixel limit keeps each run fast; decoded images go through the
 * resize + crop of a 32x32 timm transform (odd scale factors included). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helix/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    (void)hx_exif_orientation(data, size); /* the parser alone, on raw bytes */
    hx_image img;
    hx_error err;
    if (hx_decode_jpeg(data, size, (size_t)1 << 20, &img, &err) != HX_OK) return 0;
    if (img.width < 1 || img.height < 1 || !img.rgb) abort();
    hx_preprocess_cfg cfg = {32, 32, 0.875, size % 2 ? HX_INTERP_BICUBIC : HX_INTERP_BILINEAR,
                             {0.5f, 0.5f, 0.5f}, {0.25f, 0.25f, 0.25f}};
    float *x = malloc(sizeof(float) * 3 * 32 * 32);
    if (x) (void)hx_preprocess_rgb8(img.rgb, img.width, img.height, &cfg, x, &err);
    free(x);
    hx_image_free(&img);
    return 0;
}
