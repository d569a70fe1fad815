/* The sidecar FILE.part.json of a sharded or resumed output (see
 * include/helix/shard.h). Written atomically (temporary
 * file, fsync, rename), so a reader sees the old or the new state. */
#include <cJSON.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helix/file_util.h"
#include "helix/shard.h"

static void sidecar_path(const char *out, char *buf, size_t cap) {
    snprintf(buf, cap, "%s.part.json", out);
}

hx_status hx_part_write(const char *out, const hx_part_info *p, const char *input_path,
                        int64_t input_bytes, int64_t a, int64_t b, hx_error *err) {
    char path[4096], tmp[4160], hash[32];
    sidecar_path(out, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    snprintf(hash, sizeof hash, "%016" PRIx64, p->output_hash);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "helix_part", 1);
    cJSON_AddStringToObject(j, "command", p->command);
    cJSON_AddStringToObject(j, "run", p->run);
    cJSON_AddNumberToObject(j, "shard", (double)p->shard);
    cJSON_AddNumberToObject(j, "of", (double)p->of);
    cJSON_AddStringToObject(j, "input", input_path);
    cJSON_AddNumberToObject(j, "input_bytes", (double)input_bytes);
    cJSON *r = cJSON_AddArrayToObject(j, "byte_range");
    cJSON_AddItemToArray(r, cJSON_CreateNumber((double)a));
    cJSON_AddItemToArray(r, cJSON_CreateNumber((double)b));
    cJSON_AddBoolToObject(j, "complete", p->complete);
    cJSON_AddNumberToObject(j, "status", p->status);
    cJSON_AddNumberToObject(j, "output_bytes", (double)p->output_bytes);
    cJSON_AddStringToObject(j, "output_fnv1a64", hash);
    char *text = cJSON_Print(j);
    cJSON_Delete(j);
    if (!text) return hx_fail(err, HX_ENOMEM, "out of memory writing %s", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int bad = fd < 0 || hx_write_all(fd, text, strlen(text), NULL) ||
              hx_write_all(fd, "\n", 1, NULL) || fsync(fd);
    if (fd >= 0 && close(fd)) bad = 1;
    free(text);
    if (bad || rename(tmp, path)) {
        unlink(tmp);
        return hx_fail(err, HX_EIO, "cannot write %s", path);
    }
    return HX_OK;
}

hx_status hx_part_read(const char *part_path, hx_part_info *info, hx_error *err) {
    char path[4096];
    sidecar_path(part_path, path, sizeof path);
    memset(info, 0, sizeof *info);
    char *buf = NULL;
    size_t len = 0;
    if (hx_read_file(path, 1 << 20, &buf, &len, NULL) != HX_OK)
        return hx_fail(err, HX_EIO, "%s: no readable sidecar %s (not written by helix --shard/--resume -o)",
                       part_path, path);
    cJSON *j = cJSON_ParseWithLength(buf, len);
    free(buf);
    const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(j, "command");
    const cJSON *run = cJSON_GetObjectItemCaseSensitive(j, "run");
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(j, "shard");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(j, "of");
    const cJSON *done = cJSON_GetObjectItemCaseSensitive(j, "complete");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "status");
    const cJSON *ob = cJSON_GetObjectItemCaseSensitive(j, "output_bytes");
    const cJSON *oh = cJSON_GetObjectItemCaseSensitive(j, "output_fnv1a64");
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(j, "input");
    if (!cJSON_IsString(cmd) || !cJSON_IsString(run) || !cJSON_IsNumber(k) || !cJSON_IsNumber(n) ||
        !cJSON_IsBool(done) || !cJSON_IsNumber(st) || !cJSON_IsNumber(ob) || !cJSON_IsString(oh) ||
        !cJSON_IsString(in) || k->valuedouble < 1 || k->valuedouble > n->valuedouble ||
        n->valuedouble > 1e9 || ob->valuedouble < 0) {
        cJSON_Delete(j);
        return hx_fail(err, HX_EFORMAT, "%s: sidecar %s is damaged", part_path, path);
    }
    snprintf(info->command, sizeof info->command, "%s", cmd->valuestring);
    snprintf(info->run, sizeof info->run, "%s", run->valuestring);
    snprintf(info->input, sizeof info->input, "%s", in->valuestring);
    info->shard = (long)k->valuedouble;
    info->of = (long)n->valuedouble;
    info->complete = cJSON_IsTrue(done);
    info->status = (int)st->valuedouble;
    info->output_bytes = (uint64_t)ob->valuedouble;
    info->output_hash = strtoull(oh->valuestring, NULL, 16);
    cJSON_Delete(j);
    return HX_OK;
}

