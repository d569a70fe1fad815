/* Label-model inference: P(Y | votes) under the conditionally independent
 * model, and the conversion of probabilities into hard labels with snorkel's
 * tie rules.
 *
 *   P(Y = y | lambda) ∝ p_y * prod_{i votes} mu[i*k + lambda_i, y]
 *
 * computed in float64 from the float32 mu, as snorkel does, but in log space
 * with the row maximum subtracted (log-sum-exp), so rows with very many votes
 * stay finite where snorkel's exp() underflows to 0/0. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helix/label_model.h"
#include "nn/label_model_internal.h"

hx_status hx_lm_predict_proba(const hx_label_model *model, const int32_t *L, size_t n, int m,
                              double *probs, hx_error *err) {
    if (m != model->m)
        return hx_fail(err, HX_EINVAL, "label matrix has %d columns but the model was fitted on %d",
                       m, model->m);
    if (m < 3)
        return hx_fail(err, HX_EINVAL, "the label model needs at least 3 labeling functions (got %d)", m);
    int k = model->k;
    size_t kk = (size_t)k, d = (size_t)m * kk;
    double *logmu = malloc(d * kk * sizeof *logmu);
    double *logp = malloc(kk * sizeof *logp);
    if (!logmu || !logp) {
        free(logmu);
        free(logp);
        return hx_fail(err, HX_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < d * kk; i++) logmu[i] = log((double)model->mu[i]);
    for (int y = 0; y < k; y++) logp[y] = log(model->p[y]);
    for (size_t r = 0; r < n; r++) {
        double *x = probs + r * kk;
        memcpy(x, logp, kk * sizeof *x);
        const int32_t *row = L + r * (size_t)m;
        for (int i = 0; i < m; i++) {
            int32_t v = row[i];
            if (v < 0 || v >= k) continue; /* abstain (or out of range: ignored, like snorkel) */
            const double *lm = logmu + ((size_t)i * kk + (size_t)v) * kk;
            for (int y = 0; y < k; y++) x[y] += lm[y];
        }
        double mx = x[0];
        for (int y = 1; y < k; y++) if (x[y] > mx) mx = x[y];
        double z = 0.0;
        for (int y = 0; y < k; y++) { x[y] = exp(x[y] - mx); z += x[y]; }
        for (int y = 0; y < k; y++) x[y] /= z;
    }
    free(logmu);
    free(logp);
    return HX_OK;
}

/* ------------------------------------------------------------------ */
/* SHA-1 (FIPS 180-4), needed only for snorkel's deterministic tie hash. */

static uint32_t rol(uint32_t x, int s) { return (x << s) | (x >> (32 - s)); }

static void sha1_block(uint32_t h[5], const uint8_t *blk) {
    uint32_t w[80];
    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)blk[4 * t] << 24 | (uint32_t)blk[4 * t + 1] << 16 |
               (uint32_t)blk[4 * t + 2] << 8 | blk[4 * t + 3];
    for (int t = 16; t < 80; t++) w[t] = rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int t = 0; t < 80; t++) {
        uint32_t f, kc;
        if (t < 20) { f = (b & c) | (~b & d); kc = 0x5A827999u; }
        else if (t < 40) { f = b ^ c ^ d; kc = 0x6ED9EBA1u; }
        else if (t < 60) { f = (b & c) | (b & d) | (c & d); kc = 0x8F1BBCDCu; }
        else { f = b ^ c ^ d; kc = 0xCA62C1D6u; }
        uint32_t tmp = rol(a, 5) + f + e + kc + w[t];
        e = d; d = c; c = rol(b, 30); b = a; a = tmp;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

void hx_sha1(const void *data, size_t len, uint8_t digest[20]) {
    uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
    const uint8_t *p = data;
    size_t left = len;
    while (left >= 64) { sha1_block(h, p); p += 64; left -= 64; }
    uint8_t tail[128] = {0};
    memcpy(tail, p, left);
    tail[left] = 0x80;
    size_t tl = left + 1 + 8 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8u;
    for (int i = 0; i < 8; i++) tail[tl - 1 - i] = (uint8_t)(bits >> (8 * i));
    sha1_block(h, tail);
    if (tl == 128) sha1_block(h, tail + 64);
    for (int i = 0; i < 5; i++) {
        digest[4 * i] = (uint8_t)(h[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(h[i] >> 8);
        digest[4 * i + 3] = (uint8_t)h[i];
    }
}

/* int(sha1(str(r)).hexdigest(), 16) mod t: the digest as a big-endian number. */
static unsigned hash_mod(size_t r, unsigned t) {
    char s[32];
    int len = snprintf(s, sizeof s, "%zu", r);
    uint8_t dg[20];
    hx_sha1(s, (size_t)len, dg);
    uint64_t acc = 0;
    for (int i = 0; i < 20; i++) acc = (acc * 256u + dg[i]) % t;
    return (unsigned)acc;
}

void hx_probs_to_preds(const double *probs, size_t n, int k, hx_tie_policy policy,
                       int32_t *preds) {
    int tied[HX_LM_MAX_CARDINALITY];
    for (size_t r = 0; r < n; r++) {
        const double *x = probs + r * (size_t)k;
        double mx = x[0];
        for (int y = 1; y < k; y++) if (x[y] > mx) mx = x[y];
        int nt = 0, first = -1;
        for (int y = 0; y < k; y++)
            if (fabs(x[y] - mx) < 1e-5) {
                if (nt < HX_LM_MAX_CARDINALITY) tied[nt] = y;
                if (first < 0) first = y;
                nt++;
            }
        if (nt == 1) preds[r] = first;
        else if (policy == HX_TIE_RANDOM) {
            unsigned h = hash_mod(r, (unsigned)nt);
            preds[r] = h < HX_LM_MAX_CARDINALITY ? tied[h] : first; /* k beyond the limit */
        }
        else preds[r] = -1;
    }
}
