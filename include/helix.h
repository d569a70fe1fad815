/* helix: CPU inference for deep learning in medical genetics.
 * The C API used by the helix command line; hospital software embeds the
 * engine through this header. */
#ifndef HELIX_H
#define HELIX_H

#include "helix/status.h"
#include "helix/cpu.h"
#include "helix/threads.h"
#include "helix/gemm.h"
#include "helix/tensor.h"
#include "helix/hlx.h"
#include "helix/transformer_ops.h"
#include "helix/bert.h"
#include "helix/seresnet.h"
#include "helix/seresnet_file.h"
#include "helix/image.h"
#include "helix/forest.h"
#include "helix/forest_file.h"
#include "helix/label_model.h"
#include "helix/label_model_file.h"
#include "helix/file_util.h"

const char *hx_version(void);

#endif
