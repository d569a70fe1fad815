/* Converters from training-framework checkpoints to one .hlx file:
 * Hugging Face BERT (safetensors + config + vocabulary) and timm
 * SE-ResNet / ResNet with basic blocks (safetensors, BatchNorm folded). */
#ifndef HELIX_CONVERT_H
#define HELIX_CONVERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "helix/status.h"

#include "helix/export.h"

HX_API_BEGIN

/* What a conversion did, for the command line to report. */
typedef struct {
    size_t tensors_written;
    size_t tensors_unused;      /* float tensors of the checkpoint not needed */
    size_t tensors_skipped_int; /* integer/bool buffers (position_ids, num_batches_tracked) */
    char first_unused[128];     /* name of one unused float tensor, "" if none */
    uint64_t parameters;        /* elements written */
} hx_convert_report;

typedef struct {
    const char *name;  /* metadata "name"; NULL: the folder's name */
    int lowercase;     /* -1: from tokenizer_config.json (default true); 0/1: forced */
} hx_convert_bert_opts;

/* hf_dir holds config.json, model.safetensors (or a sharded index), and
 * tokenizer.json or vocab.txt (+ tokenizer_config.json). Key names of
 * BertForSequenceClassification, or of BertModel (no head). */
hx_status hx_convert_bert(const char *hf_dir, const char *out_path,
                          const hx_convert_bert_opts *opts, hx_convert_report *rep,
                          hx_error *err);

typedef struct {
    const char *name;          /* NULL: the folder's name */
    const char *labels;        /* "a,b,c"; NULL: config.json label_names, else class_0.. */
    int input_size;            /* 0: pretrained_cfg or 224 */
    double crop_pct;           /* 0: pretrained_cfg or 0.875 */
    const char *interpolation; /* NULL: pretrained_cfg or "bicubic" */
    const char *crop_mode;     /* NULL: pretrained_cfg or "center" (the only one supported) */
    bool has_mean, has_std;
    double mean[3], std[3];    /* used when has_mean / has_std */
    double bn_eps;             /* 0: 1e-5 (PyTorch's BatchNorm2d default) */
} hx_convert_image_opts;

/* dir holds model.safetensors (or a sharded index) with timm key names of
 * seresnet18/34 or resnet18/34 (any number of basic blocks per stage), and
 * optionally timm's config.json (pretrained_cfg, label_names). */
hx_status hx_convert_seresnet(const char *dir, const char *out_path,
                              const hx_convert_image_opts *opts, hx_convert_report *rep,
                              hx_error *err);

HX_API_END
#endif
