/* Max pooling and global average pooling on 16-channel-blocked maps, and
 * their NCHW references. The blocked loops run over the 16 lanes of a block
 * innermost, which compilers vectorise; these ops move memory rather than
 * compute, so one portable version serves every ISA. */
#include "helix/conv.h"

#include <float.h>

typedef struct {
    const hx_fmap *in;
    hx_fmap *out;
    int k, stride, pad;
} pool_job;

/* One task per (image, channel block, output row). */
static void maxpool_task(void *ctx, size_t task, int thread) {
    (void)thread;
    const pool_job *j = ctx;
    const hx_fmap *in = j->in;
    hx_fmap *out = j->out;
    const int nb = (out->c + HX_CONV_CB - 1) / HX_CONV_CB;
    const int y = (int)(task % (size_t)out->h);
    const int b = (int)(task / (size_t)out->h % (size_t)nb);
    const int n = (int)(task / ((size_t)out->h * nb));
    float *o = hx_fmap_at(out, n, b * HX_CONV_CB, y, 0);
    for (int x = 0; x < out->w; x++) {
        float m[HX_CONV_CB];
        for (int l = 0; l < HX_CONV_CB; l++) m[l] = -FLT_MAX;
        for (int ky = 0; ky < j->k; ky++) {
            const int iy = y * j->stride + ky - j->pad;
            if (iy < 0 || iy >= in->h) continue;
            for (int kx = 0; kx < j->k; kx++) {
                const int ix = x * j->stride + kx - j->pad;
                if (ix < 0 || ix >= in->w) continue;
                const float *p = hx_fmap_at(in, n, b * HX_CONV_CB, iy, ix);
                for (int l = 0; l < HX_CONV_CB; l++) m[l] = p[l] > m[l] ? p[l] : m[l];
            }
        }
        for (int l = 0; l < HX_CONV_CB; l++) o[(size_t)x * HX_CONV_CB + l] = m[l];
    }
}

hx_status hx_maxpool(const hx_fmap *in, hx_fmap *out, int k, int stride, int pad,
                     hx_threadpool *pool, hx_error *err) {
    const int oh = hx_conv_out_size(in->h, k, stride, pad);
    const int ow = hx_conv_out_size(in->w, k, stride, pad);
    if (k <= 0 || pad < 0 || 2 * pad > k || oh <= 0 || ow <= 0)
        return hx_fail(err, HX_EINVAL, "max pool k%d s%d p%d does not fit a %dx%d map", k, stride,
                       pad, in->h, in->w);
    if (in->cb != HX_CONV_CB || out->cb != HX_CONV_CB || out->n != in->n || out->c != in->c ||
        out->h != oh || out->w != ow)
        return hx_fail(err, HX_EINVAL, "max pool output map is %dx%dx%dx%d, expected %dx%dx%dx%d",
                       out->n, out->c, out->h, out->w, in->n, in->c, oh, ow);
    pool_job j = {.in = in, .out = out, .k = k, .stride = stride, .pad = pad};
    const size_t nb = (size_t)(in->c + HX_CONV_CB - 1) / HX_CONV_CB;
    hx_parallel_for(pool, (size_t)in->n * nb * oh, maxpool_task, &j);
    return HX_OK;
}

void hx_maxpool_ref(int n, int c, int h, int w, const float *in, int k, int stride, int pad,
                    float *out) {
    const int oh = hx_conv_out_size(h, k, stride, pad), ow = hx_conv_out_size(w, k, stride, pad);
    for (int p = 0; p < n * c; p++)
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++) {
                float m = -FLT_MAX;
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++) {
                        const int iy = y * stride + ky - pad, ix = x * stride + kx - pad;
                        if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                        const float v = in[((size_t)p * h + iy) * w + ix];
                        if (v > m) m = v;
                    }
                out[((size_t)p * oh + y) * ow + x] = m;
            }
}

/* Mean of each channel: a row-major fp32 sum, then one division. */
void hx_global_avgpool(const hx_fmap *in, float *out) {
    const int nb = (in->c + HX_CONV_CB - 1) / HX_CONV_CB;
    const float inv = 1.0f / (float)((double)in->h * in->w);
    for (int n = 0; n < in->n; n++)
        for (int b = 0; b < nb; b++) {
            float s[HX_CONV_CB] = {0};
            for (int y = 0; y < in->h; y++) {
                const float *p = hx_fmap_at(in, n, b * HX_CONV_CB, y, 0);
                for (int x = 0; x < in->w; x++)
                    for (int l = 0; l < HX_CONV_CB; l++) s[l] += p[(size_t)x * HX_CONV_CB + l];
            }
            for (int l = 0; l < HX_CONV_CB && b * HX_CONV_CB + l < in->c; l++)
                out[(size_t)n * in->c + b * HX_CONV_CB + l] = s[l] * inv;
        }
}

void hx_global_avgpool_ref(int n, int c, int h, int w, const float *in, float *out) {
    for (int p = 0; p < n * c; p++) {
        float s = 0.0f;
        for (int i = 0; i < h * w; i++) s += in[(size_t)p * h * w + i];
        out[p] = s / (float)(h * w);
    }
}
