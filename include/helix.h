/* helix: CPU inference for deep learning in medical genetics.
 * The C API used by the helix command line; hospital software embeds the
 * engine through this header, which includes every public header
 * (the files under include/helix/, one per concern). */
#ifndef HELIX_H
#define HELIX_H

#include "helix/version.h"
#include "helix/status.h"
#include "helix/cpu.h"
#include "helix/threads.h"
#include "helix/gemm.h"
#include "helix/qgemm.h"
#include "helix/tensor.h"
#include "helix/hlx.h"
#include "helix/safetensors.h"
#include "helix/convert.h"
#include "helix/conv.h"
#include "helix/tokenizer.h"
#include "helix/tokenizer_meta.h"
#include "helix/transformer_ops.h"
#include "helix/bert.h"
#include "helix/seresnet.h"
#include "helix/seresnet_file.h"
#include "helix/image.h"
#include "helix/forest.h"
#include "helix/forest_file.h"
#include "helix/label_model.h"
#include "helix/label_model_file.h"
#include "helix/label_matrix_file.h"
#include "helix/file_util.h"
#include "helix/csv.h"
#include "helix/bert_file.h"
#include "helix/bert_text_batch.h"
#include "helix/text_features.h"
#include "helix/lf_rules.h"
#include "helix/hpo.h"
#include "helix/phenopacket.h"
#include "helix/triage.h"
#include "helix/udp.h"
#include "helix/shard.h"

#endif
