/* timm evaluation preprocessing, bit-exact to PIL's resampling (see
 * helix/image.h). PIL's algorithm, restated:
 *
 *   scale   = in / out;  fscale = max(scale, 1);  support = filter_support * fscale
 *   for output x: center = (x + 0.5) * scale
 *                 xmin = max(0, (int)(center - support + 0.5))
 *                 xmax = min(in, (int)(center + support + 0.5))
 *                 w[i] = filter((xmin + i - center + 0.5) / fscale), normalised to sum 1
 *   weights become integers round(w * 2^22) (rounded away from zero), and
 *   out = clip8((2^21 + sum w[i] * in[xmin + i]) >> 22).
 *
 * Horizontal pass first over only the rows the vertical pass reads, to uint8;
 * each pass is skipped when its size is unchanged. */
#include "helix/image.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PRECISION_BITS (32 - 8 - 2)

static double bilinear(double x) {
    if (x < 0.0) x = -x;
    return x < 1.0 ? 1.0 - x : 0.0;
}

static double bicubic(double x) { /* Keys, a = -0.5 */
    const double a = -0.5;
    if (x < 0.0) x = -x;
    if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}

typedef struct {
    int ksize;
    int *bounds; /* [out][2]: xmin, count */
    int32_t *k;  /* [out][ksize] fixed-point weights */
} coeffs;

static void coeffs_free(coeffs *c) {
    free(c->bounds);
    free(c->k);
}

static hx_status make_coeffs(int in_size, int out_size, hx_interp interp, coeffs *c, hx_error *err) {
    double (*filter)(double) = interp == HX_INTERP_BICUBIC ? bicubic : bilinear;
    const double support0 = interp == HX_INTERP_BICUBIC ? 2.0 : 1.0;
    const double scale = (double)in_size / out_size;
    const double fscale = scale < 1.0 ? 1.0 : scale;
    const double support = support0 * fscale;
    c->ksize = (int)ceil(support) * 2 + 1;
    c->bounds = malloc(sizeof(int) * 2 * (size_t)out_size);
    c->k = calloc((size_t)out_size * c->ksize, sizeof(int32_t));
    double *kd = malloc(sizeof(double) * (size_t)c->ksize);
    if (!c->bounds || !c->k || !kd) {
        free(kd);
        coeffs_free(c);
        return hx_fail(err, HX_ENOMEM, "out of memory for resize weights");
    }
    for (int xx = 0; xx < out_size; xx++) {
        const double center = (xx + 0.5) * scale;
        const double ss = 1.0 / fscale;
        int xmin = (int)(center - support + 0.5);
        if (xmin < 0) xmin = 0;
        int xmax = (int)(center + support + 0.5);
        if (xmax > in_size) xmax = in_size;
        xmax -= xmin;
        double ww = 0.0;
        for (int x = 0; x < xmax; x++) {
            const double w = filter((x + xmin - center + 0.5) * ss);
            kd[x] = w;
            ww += w;
        }
        for (int x = 0; x < xmax; x++) {
            const double w = ww != 0.0 ? kd[x] / ww : kd[x];
            c->k[(size_t)xx * c->ksize + x] = w < 0 ? (int32_t)(-0.5 + w * (1 << PRECISION_BITS))
                                                    : (int32_t)(0.5 + w * (1 << PRECISION_BITS));
        }
        c->bounds[2 * xx] = xmin;
        c->bounds[2 * xx + 1] = xmax;
    }
    free(kd);
    return HX_OK;
}

static uint8_t clip8(int64_t v) {
    if (v >= ((int64_t)1 << PRECISION_BITS << 8)) return 255;
    if (v <= 0) return 0;
    return (uint8_t)(v >> PRECISION_BITS);
}

/* out[y][x] for rows [0, rows) of in starting at row y0. */
static void resample_horizontal(const uint8_t *in, int w, int y0, int rows, uint8_t *out, int ow,
                                const coeffs *c) {
    (void)w;
    for (int y = 0; y < rows; y++) {
        const uint8_t *src = in + (size_t)(y0 + y) * w * 3;
        uint8_t *dst = out + (size_t)y * ow * 3;
        for (int x = 0; x < ow; x++) {
            const int xmin = c->bounds[2 * x], n = c->bounds[2 * x + 1];
            const int32_t *k = c->k + (size_t)x * c->ksize;
            for (int ch = 0; ch < 3; ch++) {
                int64_t ss = (int64_t)1 << (PRECISION_BITS - 1);
                for (int i = 0; i < n; i++) ss += (int64_t)src[(size_t)(xmin + i) * 3 + ch] * k[i];
                dst[(size_t)x * 3 + ch] = clip8(ss);
            }
        }
    }
}

/* in has rows indexed from the bounds' first row (shift). */
static void resample_vertical(const uint8_t *in, int w, int shift, uint8_t *out, int oh,
                              const coeffs *c) {
    for (int y = 0; y < oh; y++) {
        const int ymin = c->bounds[2 * y] - shift, n = c->bounds[2 * y + 1];
        const int32_t *k = c->k + (size_t)y * c->ksize;
        for (int x = 0; x < w * 3; x++) {
            int64_t ss = (int64_t)1 << (PRECISION_BITS - 1);
            for (int i = 0; i < n; i++) ss += (int64_t)in[(size_t)(ymin + i) * w * 3 + x] * k[i];
            out[(size_t)y * w * 3 + x] = clip8(ss);
        }
    }
}

hx_status hx_resize_rgb8(const uint8_t *in, int w, int h, uint8_t *out, int ow, int oh,
                         hx_interp interp, hx_error *err) {
    if (w < 1 || h < 1 || ow < 1 || oh < 1 || w > 65535 || h > 65535 || ow > 65535 || oh > 65535)
        return hx_fail(err, HX_EINVAL, "resize %dx%d -> %dx%d out of range", w, h, ow, oh);
    const int need_h = ow != w, need_v = oh != h;
    if (!need_h && !need_v) {
        memcpy(out, in, (size_t)w * h * 3);
        return HX_OK;
    }
    coeffs ch = {0}, cv = {0};
    hx_status st;
    if ((st = make_coeffs(w, ow, interp, &ch, err)) != HX_OK) return st;
    if ((st = make_coeffs(h, oh, interp, &cv, err)) != HX_OK) {
        coeffs_free(&ch);
        return st;
    }
    const int y_first = cv.bounds[0];
    const int y_last = cv.bounds[2 * oh - 2] + cv.bounds[2 * oh - 1];
    if (!need_v) {
        resample_horizontal(in, w, 0, h, out, ow, &ch);
    } else if (!need_h) {
        resample_vertical(in, w, 0, out, oh, &cv);
    } else {
        uint8_t *tmp = malloc((size_t)ow * (size_t)(y_last - y_first) * 3 + 1);
        if (!tmp) {
            coeffs_free(&ch);
            coeffs_free(&cv);
            return hx_fail(err, HX_ENOMEM, "out of memory resizing a %dx%d image", w, h);
        }
        resample_horizontal(in, w, y_first, y_last - y_first, tmp, ow, &ch);
        resample_vertical(tmp, ow, y_first, out, oh, &cv);
        free(tmp);
    }
    coeffs_free(&ch);
    coeffs_free(&cv);
    return HX_OK;
}

/* Python's round() of a half-integer: to even. d is (in - out) >= 0. */
static int round_half_even_div2(int d) {
    const int q = d / 2;
    if (d % 2 == 0) return q;
    return (q % 2 == 0) ? q : q + 1;
}

hx_status hx_preprocess_crop_rgb8(const uint8_t *rgb, int w, int h, const hx_preprocess_cfg *cfg,
                                  uint8_t *out, hx_error *err) {
    if (cfg->height < 1 || cfg->width < 1 || cfg->height > 4096 || cfg->width > 4096 ||
        !(cfg->crop_pct > 0.0 && cfg->crop_pct <= 1.0))
        return hx_fail(err, HX_EINVAL, "preprocess size %dx%d / crop_pct %g out of range",
                       cfg->height, cfg->width, cfg->crop_pct);
    if (w < 1 || h < 1) return hx_fail(err, HX_EINVAL, "empty image");
    if (cfg->height != cfg->width)
        return hx_fail(err, HX_EUNSUPPORTED, "non-square input_size %dx%d is not supported",
                       cfg->height, cfg->width);
    /* timm: scale_size = floor(size / crop_pct). */
    const int scale = (int)floor(cfg->height / cfg->crop_pct);
    /* torchvision: the shorter side becomes scale, the longer int(scale * long / short). */
    int nw, nh;
    if (w <= h) {
        nw = scale;
        nh = (int)((double)scale * h / w);
    } else {
        nh = scale;
        nw = (int)((double)scale * w / h);
    }
    if (nw < cfg->width || nh < cfg->height || nw > 65535 || nh > 65535)
        return hx_fail(err, HX_EUNSUPPORTED, "image aspect ratio too extreme to crop %dx%d",
                       cfg->width, cfg->height);
    uint8_t *resized = malloc((size_t)nw * nh * 3);
    if (!resized) return hx_fail(err, HX_ENOMEM, "out of memory resizing to %dx%d", nw, nh);
    hx_status st = hx_resize_rgb8(rgb, w, h, resized, nw, nh, cfg->interp, err);
    if (st == HX_OK) {
        const int top = round_half_even_div2(nh - cfg->height);
        const int left = round_half_even_div2(nw - cfg->width);
        for (int y = 0; y < cfg->height; y++)
            memcpy(out + (size_t)y * cfg->width * 3, resized + ((size_t)(top + y) * nw + left) * 3,
                   (size_t)cfg->width * 3);
    }
    free(resized);
    return st;
}

hx_status hx_preprocess_rgb8(const uint8_t *rgb, int w, int h, const hx_preprocess_cfg *cfg,
                             float *out, hx_error *err) {
    uint8_t *crop = malloc((size_t)cfg->height * cfg->width * 3 + 1);
    if (!crop) return hx_fail(err, HX_ENOMEM, "out of memory for the crop");
    hx_status st = hx_preprocess_crop_rgb8(rgb, w, h, cfg, crop, err);
    if (st == HX_OK) {
        const size_t plane = (size_t)cfg->height * cfg->width;
        for (int c = 0; c < 3; c++)
            for (size_t p = 0; p < plane; p++)
                out[c * plane + p] = ((float)crop[p * 3 + c] / 255.0f - cfg->mean[c]) / cfg->std[c];
    }
    free(crop);
    return st;
}

hx_status hx_preprocess_jpeg_file(const char *path, size_t max_pixels, const hx_preprocess_cfg *cfg,
                                  float *out, hx_error *err) {
    hx_image img;
    hx_status st = hx_decode_jpeg_file(path, max_pixels, &img, err);
    if (st != HX_OK) return st;
    st = hx_preprocess_rgb8(img.rgb, img.width, img.height, cfg, out, err);
    hx_image_free(&img);
    return st;
}
