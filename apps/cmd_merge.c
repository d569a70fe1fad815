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
#include "helix/shard.h"

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
    hx_part_info *info = calloc((size_t)n, sizeof *info);
    int *order = NULL, rc = 1;
    long N = 0;
    FILE *out = NULL;
    char tmp[4200] = "";
    hx_error err;
    if (!info) goto done;
    if (hx_merge_check(parts, n, info, &order, &N, &err) != HX_OK) {
        fprintf(stderr, "helix merge: %s\n", err.msg);
        goto done;
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
        if (hx_merge_copy(parts[order[k]], &info[order[k]], out, &err) != HX_OK) {
            fprintf(stderr, "helix merge: %s\n", err.msg);
            goto done;
        }
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
