/* Checking shard outputs before a resume continues one or a merge joins
 * them (include/helix/shard.h). Messages name the files, shards and runs. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "helix/shard.h"

hx_status hx_resume_check(const char *out, uint64_t out_size, const hx_part_info *cur,
                          int *complete, int *prev_status, hx_error *err) {
    hx_part_info prev;
    hx_status st = hx_part_read(out, &prev, err);
    if (st != HX_OK) return st;
    *complete = 0;
    if (strcmp(prev.run, cur->run) || strcmp(prev.command, cur->command) || prev.shard != cur->shard ||
        prev.of != cur->of)
        return hx_fail(err, HX_EFORMAT, "%s is shard %ld/%ld of another run (%s %s, input %s); "
                                        "this is shard %ld/%ld of run %s",
                       out, prev.shard, prev.of, prev.command, prev.run, prev.input, cur->shard, cur->of,
                       cur->run);
    if (prev.complete) {
        if (out_size != prev.output_bytes)
            return hx_fail(err, HX_EFORMAT, "%s was complete but has changed since "
                                            "(%" PRIu64 " bytes, the sidecar says %" PRIu64 ")",
                           out, out_size, prev.output_bytes);
        *complete = 1;
        *prev_status = prev.status;
    }
    return HX_OK;
}

hx_status hx_merge_check(const char *const *parts, int n, hx_part_info *info, int **order,
                         long *n_shards, hx_error *err) {
    *order = NULL;
    if (n < 1) return hx_fail(err, HX_EINVAL, "no parts given");
    for (int i = 0; i < n; i++) {
        hx_status st = hx_part_read(parts[i], &info[i], err);
        if (st != HX_OK) return st;
        if (!info[i].complete)
            return hx_fail(err, HX_EFORMAT, "%s: shard %ld/%ld did not finish (re-run it with --resume)",
                           parts[i], info[i].shard, info[i].of);
        if (strcmp(info[i].run, info[0].run) || strcmp(info[i].command, info[0].command) ||
            info[i].of != info[0].of)
            return hx_fail(err, HX_EFORMAT, "%s is shard %ld/%ld of run %s (%s, input %s), but %s is of run "
                                            "%s (%s, input %s): different input, model, options or shard count",
                           parts[i], info[i].shard, info[i].of, info[i].run, info[i].command, info[i].input,
                           parts[0], info[0].run, info[0].command, info[0].input);
    }
    const long N = info[0].of;
    int *ord = malloc((size_t)N * sizeof *ord);
    if (!ord) return hx_fail(err, HX_ENOMEM, "out of memory");
    for (long k = 0; k < N; k++) ord[k] = -1;
    for (int i = 0; i < n; i++) {
        long k = info[i].shard - 1;
        if (ord[k] >= 0) {
            hx_fail(err, HX_EINVAL, "shard %ld/%ld given twice (%s and %s)", k + 1, N, parts[ord[k]], parts[i]);
            free(ord);
            return HX_EINVAL;
        }
        ord[k] = i;
    }
    for (long k = 0; k < N; k++) {
        if (ord[k] < 0) {
            hx_fail(err, HX_EINVAL, "shard %ld/%ld is missing (%d of %ld parts given)", k + 1, N, n, N);
            free(ord);
            return HX_EINVAL;
        }
    }
    *order = ord;
    *n_shards = N;
    return HX_OK;
}

hx_status hx_merge_copy(const char *path, const hx_part_info *p, FILE *out, hx_error *err) {
    FILE *in = fopen(path, "rb");
    if (!in) return hx_fail(err, HX_EIO, "cannot read %s: %s", path, strerror(errno));
    char *buf = malloc(1 << 16);
    if (!buf) {
        fclose(in);
        return hx_fail(err, HX_ENOMEM, "out of memory");
    }
    uint64_t h = HX_FNV_SEED, n = 0;
    size_t r;
    hx_status st = HX_OK;
    while ((r = fread(buf, 1, 1 << 16, in)) > 0) {
        h = hx_fnv1a(h, buf, r);
        n += r;
        if (fwrite(buf, 1, r, out) != r) {
            st = hx_fail(err, HX_EIO, "error writing the output");
            break;
        }
    }
    if (st == HX_OK && ferror(in)) st = hx_fail(err, HX_EIO, "error reading %s", path);
    fclose(in);
    free(buf);
    if (st == HX_OK && (n != p->output_bytes || h != p->output_hash))
        st = hx_fail(err, HX_EFORMAT, "%s has changed since shard %ld/%ld finished (%" PRIu64
                                      " bytes, hash %016" PRIx64 "; the sidecar says %" PRIu64 ", %016" PRIx64 ")",
                     path, p->shard, p->of, n, h, p->output_bytes, p->output_hash);
    return st;
}
