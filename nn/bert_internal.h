/* Private: the BERT weights as the forward pass uses them. */
#ifndef HELIX_BERT_INTERNAL_H
#define HELIX_BERT_INTERNAL_H

#include "helix/bert.h"
#include "helix/gemm.h"

typedef struct {
    hx_packed_b *qkv;       /* [H -> 3H]: query, key, value side by side */
    float *qkv_bias;        /* 3H, owned */
    hx_packed_b *attn_out;  /* [H -> H] */
    const float *attn_out_bias, *ln1_g, *ln1_b;
    hx_packed_b *ffn_in;    /* [H -> I], GELU epilogue */
    const float *ffn_in_bias;
    hx_packed_b *ffn_out;   /* [I -> H] */
    const float *ffn_out_bias, *ln2_g, *ln2_b;
} bert_layer;

struct hx_bert {
    hx_bert_config cfg;
    const float *word_emb, *pos_emb, *type_emb, *emb_ln_g, *emb_ln_b;
    bert_layer *layers;
    hx_packed_b *pooler; /* NULL without a pooler */
    const float *pooler_bias;
    hx_packed_b *classifier; /* NULL without a head */
    const float *classifier_bias;
};

#endif
