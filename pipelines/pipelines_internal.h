/* Helpers shared by the pipelines' config readers (triage.c, udp.c). */
#ifndef HELIX_PIPELINES_INTERNAL_H
#define HELIX_PIPELINES_INTERNAL_H

#include <stddef.h>

#include <cJSON.h>

#include "helix/status.h"

/* A config's model entry {"name": NAME, "model": PATH}: *name, and in path
 * the model's path taken beside the config file. A bad entry is the error
 * "CONFIG: WHAT" (what says what the entry needs). */
hx_status pl_model_entry(const cJSON *entry, const char *config, const char *what, const char **name,
                         char *path, size_t cap, hx_error *err);

#endif
