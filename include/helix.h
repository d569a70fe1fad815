/* helix: CPU inference for deep learning in medical genetics.
 * The C API used by the helix command line; hospital software embeds the
 * engine through this header. */
#ifndef HELIX_H
#define HELIX_H

#include "helix/status.h"
#include "helix/cpu.h"
#include "helix/threads.h"
#include "helix/gemm.h"
#include "helix/qgemm.h"
#include "helix/tensor.h"
#include "helix/hlx.h"
#include "helix/transformer_ops.h"
#include "helix/bert.h"

const char *hx_version(void);

#endif
