/* SE-ResNet with basic blocks on the blocked conv kernels.
 *
 *   stem:   x = maxpool3x3/2( relu(conv7x7/2(image)) )
 *   block:  y = relu(conv3x3(x));  y = conv3x3(y)
 *           y = y * sigmoid(fc2(relu(fc1(avgpool(y)))))     (SE, when present)
 *           x = relu(y + shortcut),  shortcut = x or conv1x1/s(x)
 *   head:   logits = fc(avgpool(x))
 *
 * Every conv carries its folded BatchNorm as a bias. Without SE the residual
 * add and ReLU are fused into conv2's epilogue. */
#include "helix/seresnet.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helix/conv.h"

#define SE_MAX_HIDDEN 1024

typedef struct {
    hx_conv *conv1, *conv2, *down; /* down may be NULL */
    int in_c, out_c, stride;
    int se_r;                      /* SE hidden width, 0 without SE */
    float *se_w1, *se_b1, *se_w2, *se_b2;
} block;

struct hx_seresnet {
    hx_seresnet_config cfg;
    hx_conv *stem;
    int stem_c;
    block *blocks;
    int n_blocks;
    int feat_c, num_classes;
    float *fc_w, *fc_b; /* [num_classes, feat_c], [num_classes] */
};

/* Looks a tensor up and returns its view (any shape). */
static hx_status view(const hx_tensor_source *src, const char *name, hx_tensor_view *v,
                      hx_error *err) {
    hx_status st = src->lookup(src->ctx, name, v, err);
    if (st != HX_OK) return st;
    if (v->dtype != HX_DT_F32)
        return hx_fail(err, HX_EUNSUPPORTED, "tensor %s has dtype %s, expected f32", name,
                       hx_dtype_name(v->dtype));
    return HX_OK;
}

static bool has_tensor(const hx_tensor_source *src, const char *name) {
    hx_tensor_view v;
    return src->lookup(src->ctx, name, &v, NULL) == HX_OK;
}

static float *copy_floats(const float *p, size_t n) {
    float *d = malloc(n * sizeof(float) + 1);
    if (d) memcpy(d, p, n * sizeof(float));
    return d;
}

/* Loads PREFIX.weight [out_c, in_c, k, k] and PREFIX.bias [out_c]; out_c is
 * taken from the file when *out_c is 0, else checked. */
static hx_status load_conv(const hx_tensor_source *src, const char *prefix, int in_c, int *out_c,
                           int k, int stride, int in_cb, hx_conv **out, hx_error *err) {
    char name[96];
    hx_tensor_view v;
    snprintf(name, sizeof name, "%s.weight", prefix);
    hx_status st = view(src, name, &v, err);
    if (st != HX_OK) return st;
    if (v.rank != 4 || v.dims[0] < 1 || v.dims[0] > 8192 || (*out_c && v.dims[0] != *out_c) ||
        v.dims[1] != in_c || v.dims[2] != k || v.dims[3] != k)
        return hx_fail(err, HX_EFORMAT, "tensor %s has the wrong shape for a %dx%d conv from %d channels",
                       name, k, k, in_c);
    *out_c = (int)v.dims[0];
    const float *w = v.data;
    const float *b;
    snprintf(name, sizeof name, "%s.bias", prefix);
    const int64_t bd[1] = {*out_c};
    if ((st = hx_tensor_get_f32(src, name, 1, bd, &b, err)) != HX_OK) return st;
    hx_conv_shape s = {in_c, *out_c, k, stride, k / 2};
    return hx_conv_create(&s, in_cb, w, b, out, err);
}

static hx_status load_se(const hx_tensor_source *src, const char *prefix, block *b, hx_error *err) {
    char name[96];
    hx_tensor_view v;
    snprintf(name, sizeof name, "%s.fc1.weight", prefix);
    hx_status st = view(src, name, &v, err);
    if (st != HX_OK) return st;
    if (v.rank != 4 || v.dims[0] < 1 || v.dims[0] > SE_MAX_HIDDEN || v.dims[1] != b->out_c ||
        v.dims[2] != 1 || v.dims[3] != 1)
        return hx_fail(err, HX_EFORMAT, "tensor %s has the wrong shape for an SE reduction of %d channels",
                       name, b->out_c);
    const int r = (int)v.dims[0], c = b->out_c;
    const float *w1, *b1, *w2, *b2;
    const int64_t d1[4] = {r, c, 1, 1}, db1[1] = {r}, d2[4] = {c, r, 1, 1}, db2[1] = {c};
    if ((st = hx_tensor_get_f32(src, name, 4, d1, &w1, err)) != HX_OK) return st;
    snprintf(name, sizeof name, "%s.fc1.bias", prefix);
    if ((st = hx_tensor_get_f32(src, name, 1, db1, &b1, err)) != HX_OK) return st;
    snprintf(name, sizeof name, "%s.fc2.weight", prefix);
    if ((st = hx_tensor_get_f32(src, name, 4, d2, &w2, err)) != HX_OK) return st;
    snprintf(name, sizeof name, "%s.fc2.bias", prefix);
    if ((st = hx_tensor_get_f32(src, name, 1, db2, &b2, err)) != HX_OK) return st;
    b->se_r = r;
    b->se_w1 = copy_floats(w1, (size_t)r * c);
    b->se_b1 = copy_floats(b1, (size_t)r);
    b->se_w2 = copy_floats(w2, (size_t)c * r);
    b->se_b2 = copy_floats(b2, (size_t)c);
    if (!b->se_w1 || !b->se_b1 || !b->se_w2 || !b->se_b2)
        return hx_fail(err, HX_ENOMEM, "out of memory loading %s", prefix);
    return HX_OK;
}

hx_status hx_seresnet_create(const hx_seresnet_config *cfg, const hx_tensor_source *src,
                             hx_seresnet **out, hx_error *err) {
    *out = NULL;
    int total = 0;
    for (int s = 0; s < 4; s++) {
        if (cfg->layers[s] < 1 || cfg->layers[s] > 64)
            return hx_fail(err, HX_EINVAL, "resnet stage %d has %d blocks (1..64 supported)", s + 1,
                           cfg->layers[s]);
        total += cfg->layers[s];
    }
    hx_seresnet *m = calloc(1, sizeof *m);
    if (!m) return hx_fail(err, HX_ENOMEM, "out of memory for the model");
    m->cfg = *cfg;
    m->blocks = calloc((size_t)total, sizeof *m->blocks);
    hx_status st = HX_OK;
    if (!m->blocks) {
        st = hx_fail(err, HX_ENOMEM, "out of memory for the model");
        goto fail;
    }
    m->n_blocks = total;
    if ((st = load_conv(src, "conv1", 3, &m->stem_c, 7, 2, 3, &m->stem, err)) != HX_OK) goto fail;

    int c = m->stem_c, bi = 0;
    for (int s = 0; s < 4; s++)
        for (int k = 0; k < cfg->layers[s]; k++, bi++) {
            block *b = &m->blocks[bi];
            char p[64];
            b->in_c = c;
            b->stride = (s > 0 && k == 0) ? 2 : 1;
            snprintf(p, sizeof p, "layer%d.%d.conv1", s + 1, k);
            if ((st = load_conv(src, p, c, &b->out_c, 3, b->stride, HX_CONV_CB, &b->conv1, err)) != HX_OK)
                goto fail;
            snprintf(p, sizeof p, "layer%d.%d.conv2", s + 1, k);
            if ((st = load_conv(src, p, b->out_c, &b->out_c, 3, 1, HX_CONV_CB, &b->conv2, err)) != HX_OK)
                goto fail;
            snprintf(p, sizeof p, "layer%d.%d.downsample.0.weight", s + 1, k);
            if (has_tensor(src, p)) {
                snprintf(p, sizeof p, "layer%d.%d.downsample.0", s + 1, k);
                if ((st = load_conv(src, p, c, &b->out_c, 1, b->stride, HX_CONV_CB, &b->down, err)) != HX_OK)
                    goto fail;
            } else if (b->stride != 1 || b->out_c != c) {
                st = hx_fail(err, HX_ENOTFOUND, "tensor %s is missing (block changes shape)", p);
                goto fail;
            }
            if (cfg->se) {
                snprintf(p, sizeof p, "layer%d.%d.se", s + 1, k);
                if ((st = load_se(src, p, b, err)) != HX_OK) goto fail;
            }
            c = b->out_c;
        }
    m->feat_c = c;
    hx_tensor_view v;
    if ((st = view(src, "fc.weight", &v, err)) != HX_OK) goto fail;
    if (v.rank != 2 || v.dims[1] != c || v.dims[0] < 1 || v.dims[0] > 100000 ||
        (cfg->num_classes > 0 && v.dims[0] != cfg->num_classes)) {
        st = hx_fail(err, HX_EFORMAT, "tensor fc.weight has the wrong shape for %d features and %d classes",
                     c, cfg->num_classes);
        goto fail;
    }
    m->num_classes = (int)v.dims[0];
    const float *fb;
    const int64_t bd[1] = {m->num_classes};
    if ((st = hx_tensor_get_f32(src, "fc.bias", 1, bd, &fb, err)) != HX_OK) goto fail;
    m->fc_w = copy_floats(v.data, (size_t)m->num_classes * c);
    m->fc_b = copy_floats(fb, (size_t)m->num_classes);
    if (!m->fc_w || !m->fc_b) {
        st = hx_fail(err, HX_ENOMEM, "out of memory for the classifier");
        goto fail;
    }
    *out = m;
    return HX_OK;
fail:
    hx_seresnet_free(m);
    return st;
}

void hx_seresnet_free(hx_seresnet *m) {
    if (!m) return;
    hx_conv_free(m->stem);
    for (int i = 0; m->blocks && i < m->n_blocks; i++) {
        block *b = &m->blocks[i];
        hx_conv_free(b->conv1);
        hx_conv_free(b->conv2);
        hx_conv_free(b->down);
        free(b->se_w1);
        free(b->se_b1);
        free(b->se_w2);
        free(b->se_b2);
    }
    free(m->blocks);
    free(m->fc_w);
    free(m->fc_b);
    free(m);
}

int hx_seresnet_num_classes(const hx_seresnet *m) { return m->num_classes; }

/* ---- per-forward memory ----------------------------------------------------
 * A forward needs, at its largest: the input image map, the stem / conv1
 * output t, the two block maps x and y it alternates between, the
 * downsample shortcut, the SE / head vectors, and the Winograd scratch of
 * its largest conv. plan() walks the network's shapes once and sizes each
 * role; the workspace is those regions, 64-byte aligned, one after another. */
enum { R_IMG, R_T, R_X, R_Y, R_SC, R_VEC, R_CONV, R_COUNT };

typedef struct {
    size_t bytes[R_COUNT];
    size_t total; /* with the slack to align an unaligned workspace */
} plan;

static size_t align64(size_t b) { return (b + 63) / 64 * 64; }

static bool fmap_need(size_t *role, int n, int c, int h, int w, int cb, int pad) {
    const size_t f = hx_fmap_floats(n, c, h, w, cb, pad);
    if (!f) return false;
    if (align64(f * sizeof(float)) > *role) *role = align64(f * sizeof(float));
    return true;
}

static bool conv_need(size_t *role, const hx_conv *c, int n, int h, int w, int threads) {
    const size_t b = hx_conv_workspace_size(c, n, h, w, threads);
    if (b == SIZE_MAX) return false;
    if (align64(b) > *role) *role = align64(b);
    return true;
}

static int max_width(const hx_seresnet *m) {
    int max_c = m->feat_c;
    for (int i = 0; i < m->n_blocks; i++)
        if (m->blocks[i].out_c > max_c) max_c = m->blocks[i].out_c;
    return max_c;
}

static hx_status make_plan(const hx_seresnet *m, int n, int h, int w, int threads, plan *p,
                           hx_error *err) {
    memset(p, 0, sizeof *p);
    if (n < 1 || n > 4096 || h < 1 || w < 1 || h > 16384 || w > 16384)
        return hx_fail(err, HX_EINVAL, "input of %d images of %dx%d is out of range", n, h, w);
    bool ok = fmap_need(&p->bytes[R_IMG], n, 3, h, w, 3, 3) &&
              conv_need(&p->bytes[R_CONV], m->stem, n, h, w, threads);
    const int sh = hx_conv_out_size(h, 7, 2, 3), sw = hx_conv_out_size(w, 7, 2, 3);
    ok = ok && fmap_need(&p->bytes[R_T], n, m->stem_c, sh, sw, HX_CONV_CB, 1);
    int ch = hx_conv_out_size(sh, 3, 2, 1), cw = hx_conv_out_size(sw, 3, 2, 1);
    ok = ok && fmap_need(&p->bytes[R_X], n, m->stem_c, ch, cw, HX_CONV_CB, 1);
    for (int i = 0; ok && i < m->n_blocks; i++) {
        const block *b = &m->blocks[i];
        const int oh = hx_conv_out_size(ch, 3, b->stride, 1), ow = hx_conv_out_size(cw, 3, b->stride, 1);
        ok = fmap_need(&p->bytes[R_T], n, b->out_c, oh, ow, HX_CONV_CB, 1) &&
             fmap_need(&p->bytes[R_X], n, b->out_c, oh, ow, HX_CONV_CB, 1) &&
             (!b->down || (fmap_need(&p->bytes[R_SC], n, b->out_c, oh, ow, HX_CONV_CB, 0) &&
                           conv_need(&p->bytes[R_CONV], b->down, n, ch, cw, threads))) &&
             conv_need(&p->bytes[R_CONV], b->conv1, n, ch, cw, threads) &&
             conv_need(&p->bytes[R_CONV], b->conv2, n, oh, ow, threads);
        ch = oh;
        cw = ow;
    }
    if (!ok)
        return hx_fail(err, HX_ERANGE, "input of %d images of %dx%d: a feature map is empty or too large",
                       n, h, w);
    p->bytes[R_Y] = p->bytes[R_X];
    p->bytes[R_VEC] = align64(sizeof(float) * 2 * (size_t)n * max_width(m));
    p->total = 64;
    for (int r = 0; r < R_COUNT; r++) {
        if (p->bytes[r] > SIZE_MAX / 2 - p->total)
            return hx_fail(err, HX_ERANGE, "input of %d images of %dx%d needs too large a workspace", n, h, w);
        p->total += p->bytes[r];
    }
    return HX_OK;
}

size_t hx_seresnet_workspace_size(const hx_seresnet *m, int n, int h, int w, int threads) {
    plan p;
    return make_plan(m, n, h, w, threads < 1 ? 1 : threads, &p, NULL) == HX_OK ? p.total : 0;
}

/* A zeroed map over workspace memory: the borders and padding channels the
 * convs read must be zero, as a fresh hx_fmap_alloc map is. */
static void fmap_carve(hx_fmap *f, void *data, int n, int c, int h, int w, int cb, int pad) {
    *f = (hx_fmap){.n = n, .c = c, .h = h, .w = w, .cb = cb, .pad = pad, .data = data};
    memset(data, 0, hx_fmap_floats(n, c, h, w, cb, pad) * sizeof(float));
}

typedef struct {
    char *region[R_COUNT];
    hx_conv_workspace conv; /* the Winograd scratch every conv shares */
    hx_threadpool *pool;
} fwd_mem;

/* One basic block: x (pad 1) -> y (pad 1), y's memory given. */
static hx_status run_block(const block *b, const hx_fmap *x, hx_fmap *y, void *y_data,
                           const fwd_mem *mem, hx_error *err) {
    const int oh = hx_conv_out_size(x->h, 3, b->stride, 1), ow = hx_conv_out_size(x->w, 3, b->stride, 1);
    const hx_conv_workspace *ws = mem->conv.bytes ? &mem->conv : NULL;
    hx_threadpool *pool = mem->pool;
    hx_fmap t, sc;
    hx_status st;
    fmap_carve(&t, mem->region[R_T], x->n, b->out_c, oh, ow, HX_CONV_CB, 1);
    fmap_carve(y, y_data, x->n, b->out_c, oh, ow, HX_CONV_CB, 1);
    const hx_fmap *shortcut = x;
    if (b->down) {
        fmap_carve(&sc, mem->region[R_SC], x->n, b->out_c, oh, ow, HX_CONV_CB, 0);
        if ((st = hx_conv_forward(b->down, x, &sc, NULL, false, ws, pool, err)) != HX_OK) return st;
        shortcut = &sc;
    }
    if ((st = hx_conv_forward(b->conv1, x, &t, NULL, true, ws, pool, err)) != HX_OK) return st;
    if (!b->se_r) return hx_conv_forward(b->conv2, &t, y, shortcut, true, ws, pool, err);
    if ((st = hx_conv_forward(b->conv2, &t, y, NULL, false, ws, pool, err)) != HX_OK) return st;
    float *pooled = (float *)mem->region[R_VEC], *gate = pooled + (size_t)x->n * b->out_c;
    hx_global_avgpool(y, pooled);
    for (int n = 0; n < x->n; n++)
        hx_se_gate(b->out_c, b->se_r, pooled + (size_t)n * b->out_c, b->se_w1, b->se_b1, b->se_w2,
                   b->se_b2, gate + (size_t)n * b->out_c);
    hx_scale_add_act(y, gate, shortcut, true, pool);
    return HX_OK;
}

static hx_status forward_in(const hx_seresnet *m, int n, int h, int w, const float *input,
                            float *logits, const plan *p, void *base, hx_threadpool *pool,
                            hx_error *err) {
    fwd_mem mem = {.pool = pool};
    char *at = (char *)(((uintptr_t)base + 63) / 64 * 64);
    for (int r = 0; r < R_COUNT; r++) {
        mem.region[r] = at;
        at += p->bytes[r];
    }
    mem.conv = (hx_conv_workspace){mem.region[R_CONV], p->bytes[R_CONV]};
    const hx_conv_workspace *ws = mem.conv.bytes ? &mem.conv : NULL;
    hx_fmap img, a, b;
    hx_status st;
    /* Stem: the image as 3-channel pixels (block of 3) with the conv's border. */
    fmap_carve(&img, mem.region[R_IMG], n, 3, h, w, 3, 3);
    hx_fmap_from_nchw(&img, input);
    const int sh = hx_conv_out_size(h, 7, 2, 3), sw = hx_conv_out_size(w, 7, 2, 3);
    fmap_carve(&a, mem.region[R_T], n, m->stem_c, sh, sw, HX_CONV_CB, 1);
    if ((st = hx_conv_forward(m->stem, &img, &a, NULL, true, ws, pool, err)) != HX_OK) return st;
    const int ph = hx_conv_out_size(sh, 3, 2, 1), pw = hx_conv_out_size(sw, 3, 2, 1);
    fmap_carve(&b, mem.region[R_X], n, m->stem_c, ph, pw, HX_CONV_CB, 1);
    if ((st = hx_maxpool(&a, &b, 3, 2, 1, pool, err)) != HX_OK) return st;
    int cur = R_X;
    for (int i = 0; i < m->n_blocks; i++) {
        const int next = cur == R_X ? R_Y : R_X;
        if ((st = run_block(&m->blocks[i], &b, &a, mem.region[next], &mem, err)) != HX_OK) return st;
        b = a;
        cur = next;
    }
    /* Head: average pool and the linear classifier. */
    float *feat = (float *)mem.region[R_VEC];
    hx_global_avgpool(&b, feat);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < m->num_classes; k++) {
            float s = m->fc_b[k];
            const float *wk = m->fc_w + (size_t)k * m->feat_c, *f = feat + (size_t)i * m->feat_c;
            for (int c = 0; c < m->feat_c; c++) s += wk[c] * f[c];
            logits[(size_t)i * m->num_classes + k] = s;
        }
    return HX_OK;
}

hx_status hx_seresnet_forward_ws(const hx_seresnet *m, int n, int h, int w, const float *input,
                                 float *logits, const hx_seresnet_workspace *ws,
                                 hx_threadpool *pool, hx_error *err) {
    plan p;
    hx_status st = make_plan(m, n, h, w, hx_threadpool_size(pool), &p, err);
    if (st != HX_OK) return st;
    if (ws) {
        if (!ws->data || ws->bytes < p.total)
            return hx_fail(err, HX_EINVAL,
                           "seresnet: the workspace holds %zu bytes, %d images of %dx%d need %zu "
                           "(hx_seresnet_workspace_size)", ws->data ? ws->bytes : 0, n, h, w, p.total);
        return forward_in(m, n, h, w, input, logits, &p, ws->data, pool, err);
    }
    void *own = malloc(p.total);
    if (!own) return hx_fail(err, HX_ENOMEM, "out of memory for a %zu-byte workspace (%d images)", p.total, n);
    st = forward_in(m, n, h, w, input, logits, &p, own, pool, err);
    free(own);
    return st;
}

hx_status hx_seresnet_forward(const hx_seresnet *m, int n, int h, int w, const float *input,
                              float *logits, hx_threadpool *pool, hx_error *err) {
    return hx_seresnet_forward_ws(m, n, h, w, input, logits, NULL, pool, err);
}

/* ---- session ------------------------------------------------------------- */
struct hx_seresnet_session {
    const hx_seresnet *m;
    hx_threadpool *pool;
    int max_batch, max_h, max_w;
    hx_seresnet_workspace ws;
};

hx_status hx_seresnet_session_create(const hx_seresnet *m, int max_batch, int max_h, int max_w,
                                     hx_threadpool *pool, hx_seresnet_session **out, hx_error *err) {
    *out = NULL;
    plan p;
    hx_status st = make_plan(m, max_batch, max_h, max_w, hx_threadpool_size(pool), &p, err);
    if (st != HX_OK) return st;
    hx_seresnet_session *s = calloc(1, sizeof *s);
    void *data = malloc(p.total);
    if (!s || !data) {
        free(s);
        free(data);
        return hx_fail(err, HX_ENOMEM, "seresnet session: out of memory for a %zu-byte workspace", p.total);
    }
    *s = (hx_seresnet_session){.m = m, .pool = pool, .max_batch = max_batch, .max_h = max_h,
                               .max_w = max_w, .ws = {data, p.total}};
    *out = s;
    return HX_OK;
}

void hx_seresnet_session_free(hx_seresnet_session *s) {
    if (!s) return;
    free(s->ws.data);
    free(s);
}

size_t hx_seresnet_session_bytes(const hx_seresnet_session *s) { return s->ws.bytes; }

hx_status hx_seresnet_session_forward(hx_seresnet_session *s, int n, int h, int w,
                                      const float *input, float *logits, hx_error *err) {
    if (n < 1 || n > s->max_batch || h < 1 || h > s->max_h || w < 1 || w > s->max_w)
        return hx_fail(err, HX_EINVAL, "seresnet session: %d images of %dx%d exceed the session's %d of %dx%d",
                       n, h, w, s->max_batch, s->max_h, s->max_w);
    return hx_seresnet_forward_ws(s->m, n, h, w, input, logits, &s->ws, s->pool, err);
}
