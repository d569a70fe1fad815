/* BERT encoder with its pooler and sequence-classification head
 * (Hugging Face BertForSequenceClassification, tensor names in
 * docs/architecture.md), for inference.
 *
 * A batch is a list of token sequences of any lengths, packed WITHOUT padding:
 * the tokens of all sequences are concatenated for every projection GEMM, and
 * attention runs per sequence. A batch of mixed lengths therefore costs the
 * sum of its lengths, not batch x longest.
 *
 * hx_bert holds the (immutable) weights: embeddings and LayerNorm parameters
 * are used straight from the tensor source, the Linear weights are packed
 * once for the GEMM. hx_bert_session holds one activation arena, sized once
 * from (max_batch, max_len): running a batch allocates nothing. A session is
 * used by one caller at a time; its thread pool runs the work inside. */
#ifndef HELIX_BERT_H
#define HELIX_BERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "helix/status.h"
#include "helix/tensor.h"
#include "helix/threads.h"

#include "helix/export.h"

HX_API_BEGIN

typedef struct {
    size_t vocab_size, hidden_size, num_layers, num_heads, intermediate_size;
    size_t max_position, type_vocab_size;
    float layer_norm_eps;
    bool has_pooler;
    size_t num_labels; /* 0: no classifier head */
} hx_bert_config;

/* Checks that every size is positive, heads divide hidden_size, products do
 * not overflow, and a classifier has a pooler. */
hx_status hx_bert_config_check(const hx_bert_config *cfg, hx_error *err);

typedef struct {
    /* Called once per Linear weight after it has been packed (the model no
     * longer reads data): a file-backed source may drop those pages. NULL for
     * nothing. */
    void (*weight_packed)(void *ctx, const void *data, size_t nbytes);
    void *ctx;
} hx_bert_options;

typedef struct hx_bert hx_bert;

/* Looks up and checks every tensor (shape and dtype f32), packs the Linear
 * weights. src must stay valid while the model lives (embeddings and
 * LayerNorm parameters are read from it). opt may be NULL. */
hx_status hx_bert_create(const hx_bert_config *cfg, const hx_tensor_source *src,
                         const hx_bert_options *opt, hx_bert **out, hx_error *err);
void hx_bert_free(hx_bert *m);
const hx_bert_config *hx_bert_get_config(const hx_bert *m);
/* Bytes of packed weights the model owns. */
size_t hx_bert_packed_bytes(const hx_bert *m);

typedef struct hx_bert_session hx_bert_session;

/* An activation arena for batches of at most max_batch sequences of at most
 * max_len tokens each (max_len <= max_position). pool may be NULL (serial);
 * it must outlive the session. */
hx_status hx_bert_session_create(const hx_bert *m, size_t max_batch, size_t max_len,
                                 hx_threadpool *pool, hx_bert_session **out, hx_error *err);
void hx_bert_session_free(hx_bert_session *s);
size_t hx_bert_session_bytes(const hx_bert_session *s);

/* One batch: sequence i has lengths[i] tokens (>= 1); ids (and type_ids, or
 * NULL for all zeros) hold the tokens of all sequences one after another. */
typedef struct {
    size_t n_seqs;
    const size_t *lengths;
    const int32_t *ids;
    const int32_t *type_ids;
} hx_bert_batch;

/* Runs the encoder; logits (n_seqs x num_labels, row-major) from the
 * classifier on the pooler output of each sequence's first token. */
hx_status hx_bert_classify(hx_bert_session *s, const hx_bert_batch *b, float *logits,
                           hx_error *err);

typedef enum {
    HX_BERT_POOL_CLS = 0, /* last hidden state of the first token */
    HX_BERT_POOL_MEAN,    /* mean of the last hidden states of all tokens */
    HX_BERT_POOL_POOLER   /* tanh(dense(first token)), needs a pooler */
} hx_bert_pooling;

/* Runs the encoder; out (n_seqs x hidden_size) gets one embedding per
 * sequence. */
hx_status hx_bert_embed(hx_bert_session *s, const hx_bert_batch *b, hx_bert_pooling pooling,
                        float *out, hx_error *err);

/* The last hidden states of the most recent batch ([tokens, hidden_size],
 * packed as the input), valid until the next call. */
const float *hx_bert_last_hidden(const hx_bert_session *s, size_t *n_tokens);

HX_API_END
#endif
