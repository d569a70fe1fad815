/* Attention kernel: the scalar reference against a naive double-precision
 * softmax(QKᵀ·scale + bias)·V, every SIMD path against the reference on odd
 * shapes, masking, large scores, and thread-count independence. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "helix/cpu.h"
#include "helix/threads.h"
#include "helix/transformer_ops.h"

static unsigned long long rng_state = 0x9E3779B97F4A7C15ull;
static float frand(void) { /* uniform in [-1, 1) */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (float)((rng_state >> 40) * (1.0 / 8388608.0)) - 1.0f;
}
static float *rand_buf(size_t n, float amp) {
    float *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; i++) p[i] = amp * frand();
    return p;
}

/* Naive attention for one head in double: the independent oracle. */
static void naive_head(const hx_attention_head *h, double *out) {
    size_t L = h->seq_len, d = h->head_dim;
    double *s = malloc(L * sizeof *s);
    for (size_t i = 0; i < L; i++) {
        double mx = -INFINITY;
        for (size_t j = 0; j < L; j++) {
            double dot = 0;
            for (size_t c = 0; c < d; c++) dot += (double)h->q[i * h->ldq + c] * h->k[j * h->ldk + c];
            s[j] = h->scale * dot + (h->key_bias ? h->key_bias[j] : 0.0);
            if (s[j] > mx) mx = s[j];
        }
        double sum = 0;
        for (size_t j = 0; j < L; j++) sum += (s[j] = isinf(mx) ? 0 : exp(s[j] - mx));
        for (size_t c = 0; c < d; c++) {
            double a = 0;
            for (size_t j = 0; j < L; j++) a += s[j] * h->v[j * h->ldv + c];
            out[i * d + c] = sum > 0 ? a / sum : 0;
        }
    }
    free(s);
}

typedef void (*block_fn)(const hx_attention_head *, size_t, size_t, float *);

static void run_head(const hx_attention_head *h, block_fn fn) {
    float *scratch = malloc(hx_attention_scratch_floats(h->head_dim) * sizeof(float));
    for (size_t q0 = 0; q0 < h->seq_len; q0 += HX_ATTN_BLOCK_Q) {
        size_t nq = h->seq_len - q0 < HX_ATTN_BLOCK_Q ? h->seq_len - q0 : HX_ATTN_BLOCK_Q;
        fn(h, q0, nq, scratch);
    }
    free(scratch);
}

/* One head with row strides wider than head_dim (as inside packed QKV). */
typedef struct {
    hx_attention_head h;
    float *q, *k, *v, *out, *bias;
} head_case;

static head_case make_case(size_t L, size_t d, float amp, int with_bias) {
    head_case c;
    size_t ld = d + 3;
    c.q = rand_buf(L * ld, amp);
    c.k = rand_buf(L * ld, amp);
    c.v = rand_buf(L * ld, 1.0f);
    c.out = calloc(L * (d + 1) + 1, sizeof(float));
    c.bias = NULL;
    if (with_bias) {
        c.bias = malloc(L * sizeof(float));
        for (size_t j = 0; j < L; j++) c.bias[j] = (j % 5 == 3) ? -INFINITY : 0.5f * frand();
        c.bias[0] = 0.0f; /* at least one visible key */
    }
    c.h = (hx_attention_head){.seq_len = L, .head_dim = d, .q = c.q, .k = c.k, .v = c.v,
                              .ldq = ld, .ldk = ld, .ldv = ld, .out = c.out, .ldo = d + 1,
                              .key_bias = c.bias, .scale = 1.0f / sqrtf((float)d)};
    return c;
}

static void free_case(head_case *c) {
    free(c->q); free(c->k); free(c->v); free(c->out); free(c->bias);
}

static const size_t lens[] = {1, 2, 7, 17, 31, 32, 33, 63, 64, 65, 127, 129};
static const size_t dims[] = {1, 7, 8, 12, 16, 17, 33, 64, 65, 80};

Test(attention, reference_matches_naive_double) {
    for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
        for (size_t di = 0; di < sizeof dims / sizeof *dims; di += 2) {
            for (int bias = 0; bias < 2; bias++) {
                head_case c = make_case(lens[li], dims[di], 2.0f, bias);
                run_head(&c.h, hx_attention_block_ref);
                double *want = malloc(lens[li] * dims[di] * sizeof *want);
                naive_head(&c.h, want);
                for (size_t i = 0; i < lens[li]; i++)
                    for (size_t k = 0; k < dims[di]; k++) {
                        double got = c.out[i * c.h.ldo + k], w = want[i * dims[di] + k];
                        cr_assert(fabs(got - w) <= 2e-6 * (1 + fabs(w)),
                                  "L=%zu d=%zu bias=%d [%zu,%zu]: %g vs %g", lens[li], dims[di],
                                  bias, i, k, got, w);
                    }
                free(want);
                free_case(&c);
            }
        }
    }
}

Test(attention, simd_paths_match_reference_on_odd_shapes) {
    for (int isa = 1; isa < HX_ISA_COUNT; isa++) {
        if (!hx_isa_supported((hx_isa)isa)) continue;
        cr_assert_eq(hx_isa_set((hx_isa)isa, NULL), HX_OK);
        for (size_t li = 0; li < sizeof lens / sizeof *lens; li++)
            for (size_t di = 0; di < sizeof dims / sizeof *dims; di++)
                for (int bias = 0; bias < 2; bias++) {
                    size_t L = lens[li], d = dims[di];
                    head_case c = make_case(L, d, 2.0f, bias);
                    run_head(&c.h, hx_attention_block_ref);
                    float *want = malloc(L * c.h.ldo * sizeof *want);
                    memcpy(want, c.out, L * c.h.ldo * sizeof *want);
                    /* Poison the output, including the gap column, to catch
                     * writes past head_dim. */
                    for (size_t i = 0; i < L * c.h.ldo; i++) c.out[i] = 12345.0f;
                    run_head(&c.h, hx_attention_block);
                    for (size_t i = 0; i < L; i++) {
                        for (size_t k = 0; k < d; k++) {
                            float g = c.out[i * c.h.ldo + k], w = want[i * c.h.ldo + k];
                            cr_assert(fabsf(g - w) <= 2e-6f * (1 + fabsf(w)),
                                      "%s L=%zu d=%zu bias=%d [%zu,%zu]: %g vs %g",
                                      hx_isa_name((hx_isa)isa), L, d, bias, i, k, g, w);
                        }
                        cr_assert(c.out[i * c.h.ldo + d] == 12345.0f, "%s wrote past head_dim",
                                  hx_isa_name((hx_isa)isa));
                    }
                    free(want);
                    free_case(&c);
                }
    }
    hx_isa_set(hx_isa_best(), NULL);
}

Test(attention, large_scores_stay_finite_and_masked_rows_are_zero) {
    for (int isa = 0; isa < HX_ISA_COUNT; isa++) {
        if (!hx_isa_supported((hx_isa)isa)) continue;
        hx_isa_set((hx_isa)isa, NULL);
        /* Scores in the hundreds: a naive exp would overflow. fp32 rounding
         * of scores that large (~1e-4 absolute) bounds the agreement. */
        head_case c = make_case(70, 16, 30.0f, 0);
        run_head(&c.h, hx_attention_block);
        double *want = malloc(70 * 16 * sizeof *want);
        naive_head(&c.h, want);
        for (size_t i = 0; i < 70; i++)
            for (size_t k = 0; k < 16; k++) {
                float g = c.out[i * c.h.ldo + k];
                cr_assert(isfinite(g), "%s: non-finite output", hx_isa_name((hx_isa)isa));
                cr_assert(fabs(g - want[i * 16 + k]) <= 2e-3, "%s: [%zu,%zu] %g vs %g",
                          hx_isa_name((hx_isa)isa), i, k, g, want[i * 16 + k]);
            }
        free(want);
        /* Every key masked: the output is defined as zero, never NaN. */
        float *mask = malloc(70 * sizeof *mask);
        for (size_t j = 0; j < 70; j++) mask[j] = -INFINITY;
        c.h.key_bias = mask;
        run_head(&c.h, hx_attention_block);
        for (size_t i = 0; i < 70; i++)
            for (size_t k = 0; k < 16; k++)
                cr_assert(c.out[i * c.h.ldo + k] == 0.0f, "%s: masked row gives %g",
                          hx_isa_name((hx_isa)isa), c.out[i * c.h.ldo + k]);
        free(mask);
        free_case(&c);
    }
    hx_isa_set(hx_isa_best(), NULL);
}

/* Packed batch: three sequences, heads side by side in one QKV row, against
 * the reference per head, and bit-identical for 1 and 3 threads. */
Test(attention, packed_batch_is_per_sequence_and_thread_independent) {
    const size_t lens3[] = {5, 70, 33}, n_heads = 3, d = 17, H = n_heads * d;
    size_t offsets[4] = {0};
    for (int s = 0; s < 3; s++) offsets[s + 1] = offsets[s] + lens3[s];
    size_t T = offsets[3];
    float *qkv = rand_buf(T * 3 * H, 1.5f);
    for (int isa = 0; isa < HX_ISA_COUNT; isa++) {
        if (!hx_isa_supported((hx_isa)isa)) continue;
        hx_isa_set((hx_isa)isa, NULL);
        float *outs[2];
        for (int run = 0; run < 2; run++) {
            int threads = run ? 3 : 1;
            hx_threadpool *pool = NULL;
            cr_assert_eq(hx_threadpool_create(threads, &pool, NULL), HX_OK);
            float *scratch = malloc(threads * hx_attention_scratch_floats(d) * sizeof(float));
            outs[run] = calloc(T * H, sizeof(float));
            hx_attention_batch b = {.n_seqs = 3, .offsets = offsets, .n_heads = n_heads,
                                    .head_dim = d, .q = qkv, .k = qkv + H, .v = qkv + 2 * H,
                                    .ldq = 3 * H, .ldk = 3 * H, .ldv = 3 * H, .out = outs[run],
                                    .ldo = H, .scale = 0.25f};
            cr_assert_eq(hx_attention(&b, scratch, pool, NULL), HX_OK);
            free(scratch);
            hx_threadpool_destroy(pool);
        }
        cr_assert(memcmp(outs[0], outs[1], T * H * sizeof(float)) == 0,
                  "%s: 1 and 3 threads differ", hx_isa_name((hx_isa)isa));
        for (int s = 0; s < 3; s++)
            for (size_t hd = 0; hd < n_heads; hd++) {
                size_t t0 = offsets[s];
                float *want = calloc(lens3[s] * H, sizeof(float));
                hx_attention_head h = {.seq_len = lens3[s], .head_dim = d,
                                       .q = qkv + t0 * 3 * H + hd * d,
                                       .k = qkv + t0 * 3 * H + H + hd * d,
                                       .v = qkv + t0 * 3 * H + 2 * H + hd * d,
                                       .ldq = 3 * H, .ldk = 3 * H, .ldv = 3 * H,
                                       .out = want, .ldo = H, .scale = 0.25f};
                run_head(&h, hx_attention_block_ref);
                for (size_t i = 0; i < lens3[s]; i++)
                    for (size_t k = 0; k < d; k++) {
                        float g = outs[0][(t0 + i) * H + hd * d + k], w = want[i * H + k];
                        cr_assert(fabsf(g - w) <= 2e-6f * (1 + fabsf(w)),
                                  "%s seq %d head %zu [%zu,%zu]: %g vs %g",
                                  hx_isa_name((hx_isa)isa), s, hd, i, k, g, w);
                    }
                free(want);
            }
        free(outs[0]);
        free(outs[1]);
    }
    free(qkv);
    hx_isa_set(hx_isa_best(), NULL);
}
