/* `helix merge -o OUT PART...`: puts the outputs of `--shard K/N -o PART`
 * runs back together, exactly the single-process output. Every part's sidecar
 * (PART.part.json) must say it finished, belong to the same run and carry its
 * size and hash; the shards 1..N must each be given once. OUT is written to a
 * temporary file beside it and renamed only when every part checked out. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_shard.h"
#include "cli_util.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: helix merge [-o OUT] PART...\n"
            "\n"
            "Concatenates the outputs of `helix COMMAND --shard K/N -o PART` in shard order\n"
            "into exactly the output of one process over the whole input (to stdout without\n"
            "-o), with exit status 0. Refuses, with exit status 1 and nothing written, when a shard is missing,\n"
            "given twice, not finished (re-run it with --resume), from another run (other\n"
            "input, model, options or N) or changed since it finished. Needs each part's\n"
            "sidecar PART.part.json. See docs/cluster.md.\n"
            "\n"
            "options:\n"
            "  -o, --output OUT  write OUT (a temporary file beside it, renamed at the end)\n"
            "  -h, --help        this help\n");
}

static int copy_part(const char *path, FILE *out, const cli_part_info *p) {
    FILE *in = fopen(path, "rb");
    if (!in) {
        fprintf(stderr, "helix merge: cannot read %s: %s\n", path, strerror(errno));
        return 1;
    }
    static char buf[1 << 16];
    uint64_t h = CLI_FNV_SEED, n = 0;
    size_t r;
    while ((r = fread(buf, 1, sizeof buf, in)) > 0) {
        h = cli_fnv1a(h, buf, r);
        n += r;
        if (fwrite(buf, 1, r, out) != r) {
            fclose(in);
            fprintf(stderr, "helix merge: error writing the output\n");
            return 1;
        }
    }
    int bad = ferror(in);
    fclose(in);
    if (bad) {
        fprintf(stderr, "helix merge: error reading %s\n", path);
        return 1;
    }
    if (n != p->output_bytes || h != p->output_hash) {
        fprintf(stderr, "helix merge: %s has changed since shard %ld/%ld finished (%" PRIu64
                        " bytes, hash %016" PRIx64 "; the sidecar says %" PRIu64 ", %016" PRIx64 ")\n",
                path, p->shard, p->of, n, h, p->output_bytes, p->output_hash);
        return 1;
    }
    return 0;
}

int cli_cmd_merge(int argc, char **argv) {
    const char *outp = NULL;
    const char **parts = calloc((size_t)argc + 1, sizeof *parts);
    if (!parts) return 1;
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            free(parts);
            return 0;
        } else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
            outp = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "helix merge: unknown or incomplete option %s\n", argv[i]);
            usage(stderr);
            free(parts);
            return 2;
        } else {
            parts[n++] = argv[i];
        }
    }
    if (n == 0) {
        fprintf(stderr, "helix merge: no parts given\n");
        usage(stderr);
        free(parts);
        return 2;
    }
    cli_part_info *info = calloc((size_t)n, sizeof *info);
    int *order = NULL, rc = 1;
    FILE *out = NULL;
    char tmp[4200] = "";
    char msg[700];
    if (!info) goto done;
    for (int i = 0; i < n; i++) {
        if (cli_part_read(parts[i], &info[i], msg, sizeof msg)) {
            fprintf(stderr, "helix merge: %s\n", msg);
            goto done;
        }
        if (!info[i].complete) {
            fprintf(stderr, "helix merge: %s: shard %ld/%ld did not finish (re-run it with --resume)\n",
                    parts[i], info[i].shard, info[i].of);
            goto done;
        }
        if (strcmp(info[i].run, info[0].run) || strcmp(info[i].command, info[0].command) ||
            info[i].of != info[0].of) {
            fprintf(stderr, "helix merge: %s is shard %ld/%ld of run %s (%s, input %s), but %s is of run "
                            "%s (%s, input %s): different input, model, options or shard count\n",
                    parts[i], info[i].shard, info[i].of, info[i].run, info[i].command, info[i].input,
                    parts[0], info[0].run, info[0].command, info[0].input);
            goto done;
        }
    }
    const long N = info[0].of;
    order = malloc((size_t)N * sizeof *order);
    if (!order) goto done;
    for (long k = 0; k < N; k++) order[k] = -1;
    for (int i = 0; i < n; i++) {
        long k = info[i].shard - 1;
        if (order[k] >= 0) {
            fprintf(stderr, "helix merge: shard %ld/%ld given twice (%s and %s)\n", k + 1, N,
                    parts[order[k]], parts[i]);
            goto done;
        }
        order[k] = i;
    }
    for (long k = 0; k < N; k++) {
        if (order[k] < 0) {
            fprintf(stderr, "helix merge: shard %ld/%ld is missing (%d of %ld parts given)\n", k + 1, N, n, N);
            goto done;
        }
    }
    if (outp) {
        struct stat st;
        if (stat(outp, &st) == 0 && !S_ISREG(st.st_mode)) {
            fprintf(stderr, "helix merge: %s exists and is not a regular file; not replacing it\n", outp);
            goto done;
        }
        snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", outp);
        int fd = mkstemp(tmp);
        if (fd < 0 || !(out = fdopen(fd, "wb"))) {
            if (fd >= 0) close(fd);
            fprintf(stderr, "helix merge: cannot write %s: %s\n", outp, strerror(errno));
            tmp[0] = '\0';
            goto done;
        }
        fchmod(fd, 0644);
    } else {
        out = stdout;
    }
    for (long k = 0; k < N; k++)
        if (copy_part(parts[order[k]], out, &info[order[k]])) goto done;
    if (fflush(out) != 0 || ferror(out) || (outp && fsync(fileno(out)) != 0)) {
        fprintf(stderr, "helix merge: error writing %s\n", outp ? outp : "the output");
        goto done;
    }
    if (outp) {
        int cerr = fclose(out);
        out = NULL;
        if (cerr || rename(tmp, outp)) {
            fprintf(stderr, "helix merge: cannot write %s: %s\n", outp, strerror(errno));
            goto done;
        }
        tmp[0] = '\0';
    }
    /* Merged: 0, even when some shards ended with a "some records failed" status (their
     * error records are in the output); say so. */
    rc = 0;
    int worst = 0;
    for (int i = 0; i < n; i++)
        if (info[i].status > worst) worst = info[i].status;
    if (worst)
        fprintf(stderr, "helix merge: merged %ld shards; some ended with status %d "
                        "(their error records are in the output)\n", N, worst);
done:
    if (out && out != stdout) fclose(out);
    if (tmp[0]) unlink(tmp);
    free(order);
    free(info);
    free(parts);
    return rc;
}
