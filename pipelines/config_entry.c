/* Model entries of the pipelines' config files (pipelines_internal.h). */
#include "pipelines/pipelines_internal.h"

#include "helix/file_util.h"

hx_status pl_model_entry(const cJSON *entry, const char *config, const char *what, const char **name,
                         char *path, size_t cap, hx_error *err) {
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(entry, "name");
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(entry, "model");
    if (!cJSON_IsString(n) || !cJSON_IsString(model)) return hx_fail(err, HX_EFORMAT, "%s: %s", config, what);
    *name = n->valuestring;
    return hx_path_beside(config, model->valuestring, path, cap, err);
}
