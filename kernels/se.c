/* Squeeze-excitation: the gate from a pooled vector, and the fused end of an
 * SE basic block (x * gate + shortcut, then ReLU). */
#include "helix/conv.h"

#include <math.h>

/* gate = sigmoid(W2 relu(W1 pooled + b1) + b2); W1 [r, c], W2 [c, r]. The
 * hidden layer is made in chunks of 1024 so that no allocation is needed. */
void hx_se_gate(int c, int r, const float *pooled, const float *w1, const float *b1,
                const float *w2, const float *b2, float *gate) {
    float hidden[1024];
    for (int i = 0; i < c; i++) gate[i] = b2 ? b2[i] : 0.0f;
    for (int j0 = 0; j0 < r; j0 += 1024) {
        const int nj = r - j0 < 1024 ? r - j0 : 1024;
        for (int j = 0; j < nj; j++) {
            float s = b1 ? b1[j0 + j] : 0.0f;
            for (int i = 0; i < c; i++) s += w1[(size_t)(j0 + j) * c + i] * pooled[i];
            hidden[j] = s > 0.0f ? s : 0.0f;
        }
        for (int i = 0; i < c; i++) {
            float s = 0.0f;
            for (int j = 0; j < nj; j++) s += w2[(size_t)i * r + j0 + j] * hidden[j];
            gate[i] += s;
        }
    }
    for (int i = 0; i < c; i++) gate[i] = 1.0f / (1.0f + expf(-gate[i]));
}

typedef struct {
    hx_fmap *x;
    const float *gate;
    const hx_fmap *res;
    int relu;
} scale_job;

/* One task per (image, channel block, row). */
static void scale_task(void *ctx, size_t task, int thread) {
    (void)thread;
    const scale_job *j = ctx;
    hx_fmap *x = j->x;
    const int nb = (x->c + HX_CONV_CB - 1) / HX_CONV_CB;
    const int y = (int)(task % (size_t)x->h);
    const int b = (int)(task / (size_t)x->h % (size_t)nb);
    const int n = (int)(task / ((size_t)x->h * nb));
    float g[HX_CONV_CB] = {0};
    for (int l = 0; l < HX_CONV_CB && b * HX_CONV_CB + l < x->c; l++)
        g[l] = j->gate[(size_t)n * x->c + b * HX_CONV_CB + l];
    float *p = hx_fmap_at(x, n, b * HX_CONV_CB, y, 0);
    const float *r = j->res ? hx_fmap_at(j->res, n, b * HX_CONV_CB, y, 0) : NULL;
    for (int i = 0; i < x->w * HX_CONV_CB; i++) {
        float v = p[i] * g[i % HX_CONV_CB];
        if (r) v += r[i];
        if (j->relu && v < 0.0f) v = 0.0f;
        p[i] = v;
    }
}

void hx_scale_add_act(hx_fmap *x, const float *gate, const hx_fmap *residual, bool relu,
                      hx_threadpool *pool) {
    scale_job j = {.x = x, .gate = gate, .res = residual, .relu = relu};
    const size_t nb = (size_t)(x->c + HX_CONV_CB - 1) / HX_CONV_CB;
    hx_parallel_for(pool, (size_t)x->n * nb * x->h, scale_task, &j);
}
