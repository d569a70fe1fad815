/* Sharded and resumable record runs (see cli_shard.h and docs/cluster.md).
 *
 * Why byte ranges and not every N-th line: a shard reads only its own part of
 * the input, the shards' outputs go back together by plain concatenation in
 * shard order (no interleaving, so blank lines, error records, a torn final
 * line and CSV headers need no special merge rules), and the byte split
 * balances work by text length. The price is that the input must be a
 * seekable file, and that error records need the count of newlines before the
 * shard (one sequential memchr pass over the preceding bytes).
 *
 * Streams are replaced with fopencookie (glibc, musl; documented in the glibc
 * manual, as is assigning stdin/stdout), so a command keeps reading stdin and
 * writing stdout and keeps its own fflush/ferror checks. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "cli_shard.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_util.h"
#include "helix/shard.h"


/* ---- which commands are record commands, and how their streams look ---- */

typedef struct {
    const char *name;
    const char *sub;          /* required argv[1] (forest predict), or NULL */
    const char *pass_sub;     /* argv[1] that is not a record run (triage attach-features) */
    int in_header;            /* input line 1 is a header every run needs (CSV) */
    int out_header;           /* the command prints one header line first ... */
    const char *no_header;    /* ... unless this option is given */
    int detect;               /* --format auto: 1 first line with a non-blank byte, '{' after
                                 blanks (BERT commands); 2 first non-empty line, '{' first */
    int records_failed_rc;    /* status for "ran to the end, some records failed" (0: none) */
    const char *whole_run;    /* option whose output is not per record (refused with --shard) */
    const char *value_opts;   /* non-NULL: the command also takes FILE arguments (refused with
                                 --shard/--resume and list input); " opt opt " with a value */
    int list_args;            /* records are FILE arguments: -i LIST gives one per line */
} shard_cmd;

static const shard_cmd commands[] = {
    {.name = "classify-text", .detect = 1},
    {.name = "embed", .detect = 1},
    {.name = "tokenize", .detect = 2},
    {.name = "triage", .pass_sub = "attach-features", .records_failed_rc = 1, .whole_run = "--evaluate"},
    {.name = "forest", .sub = "predict", .in_header = 1, .out_header = 1, .records_failed_rc = 1},
    {.name = "lf", .sub = "apply", .out_header = 1, .no_header = "--no-header", .records_failed_rc = 1},
    {.name = "udp", .pass_sub = "ontology", .records_failed_rc = 1, .whole_run = "--evaluate",
     .value_opts = " --config "},
    {.name = "classify-image", .records_failed_rc = 1, .list_args = 1,
     .value_opts = " -m --threads --batch --max-pixels "},
};

static const char shard_help[] =
    "\n"
    "cluster options (docs/cluster.md):\n"
    "  -i, --input FILE     read records from FILE instead of stdin (classify-image:\n"
    "                       FILE lists the images, one path a line)\n"
    "  -o, --output FILE    write to FILE: a temporary file in the same folder,\n"
    "                       renamed to FILE only when the run succeeded\n"
    "  --shard K/N          process only shard K of N (1 <= K <= N): the lines that\n"
    "                       start in byte range [(K-1)S/N, KS/N) of the S-byte input\n"
    "                       file (a file, not a pipe); error records keep the line\n"
    "                       numbers of the whole input; `helix merge` (or cat in\n"
    "                       shard order) gives exactly the single-process output\n"
    "  --resume             with -o FILE: keep the complete lines of an interrupted\n"
    "                       run of the same shard, skip those records, append the\n"
    "                       rest (FILE.part.json identifies the run and is refused\n"
    "                       when input, model, options or shard differ)\n";

/* ---- the streams ---- */

typedef struct {
    int fd;
    int seekable;
    off_t pos, end;
    const char *pre; /* injected header line */
    size_t pre_len, pre_pos;
    int eof, error;
} in_stream;

static ssize_t in_read(void *c, char *buf, size_t n) {
    in_stream *s = c;
    if (s->pre_pos < s->pre_len) {
        size_t k = s->pre_len - s->pre_pos < n ? s->pre_len - s->pre_pos : n;
        memcpy(buf, s->pre + s->pre_pos, k);
        s->pre_pos += k;
        return (ssize_t)k;
    }
    for (;;) {
        ssize_t r;
        if (s->seekable) {
            if (s->pos >= s->end) { s->eof = 1; return 0; }
            size_t k = (size_t)(s->end - s->pos < (off_t)n ? s->end - s->pos : (off_t)n);
            r = pread(s->fd, buf, k, s->pos);
        } else {
            r = read(s->fd, buf, n);
        }
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) { s->error = 1; return -1; }
        if (r == 0) { s->eof = 1; return 0; }
        s->pos += r;
        return r;
    }
}

typedef struct {
    int fd;
    int dropping;     /* still dropping the command's header line */
    uint64_t bytes, hash;
    int error;
} out_stream;

static ssize_t out_write(void *c, const char *buf, size_t n) {
    out_stream *s = c;
    size_t skip = 0;
    if (s->dropping) {
        const char *nl = memchr(buf, '\n', n);
        skip = nl ? (size_t)(nl - buf) + 1 : n;
        if (nl) s->dropping = 0;
    }
    if (n > skip && hx_write_all(s->fd, buf + skip, n - skip, NULL)) {
        s->error = 1;
        errno = errno ? errno : EIO;
        return -1;
    }
    s->bytes += n - skip;
    s->hash = hx_fnv1a(s->hash, buf + skip, n - skip);
    return (ssize_t)n;
}

/* ---- the run ---- */

typedef struct {
    const shard_cmd *cmd;
    long k, n; /* 0/0: no --shard */
    int resume;
    const char *out, *input;
    int argc;
    char **argv; /* the command's own arguments, ours taken out */
} shard_opts;

static int usage_error(const char *cmd, const char *msg, const char *arg) {
    fprintf(stderr, "helix %s: %s%s%s\n", cmd, msg, arg ? " " : "", arg ? arg : "");
    return 2;
}

static int has_arg(int argc, char **argv, const char *a) {
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], a)) return 1;
    return 0;
}

/* A temporary file beside `out`. */
static int open_temp_beside(const char *out, char *tmp, size_t cap) {
    snprintf(tmp, cap, "%s.tmp.XXXXXX", out);
    int fd = mkstemp(tmp);
    if (fd >= 0) fchmod(fd, 0644);
    return fd;
}

static int run_wrapped(int (*fn)(int, char **), const shard_opts *o) {
    const char *name = o->cmd->name;
    const int sharded = o->n > 0, resume = o->resume;
    const long K = sharded ? o->k : 1, N = sharded ? o->n : 1;
    char disp[96];
    snprintf(disp, sizeof disp, "%s%s%s", name, o->cmd->sub ? " " : "", o->cmd->sub ? o->cmd->sub : "");

    if ((sharded || resume) && o->cmd->whole_run && has_arg(o->argc, o->argv, o->cmd->whole_run))
        return usage_error(disp, "--shard/--resume work on per-record output, not with", o->cmd->whole_run);
    if (resume && !o->out) return usage_error(disp, "--resume needs -o FILE", NULL);
    const int list_mode = o->cmd->list_args && (o->input || sharded || resume);
    if ((sharded || resume || list_mode) && o->cmd->value_opts)
        for (int i = 1; i < o->argc; i++) {
            char key[64];
            snprintf(key, sizeof key, " %s ", o->argv[i]);
            if (o->argv[i][0] == '-' && strstr(o->cmd->value_opts, key)) { i++; continue; }
            if (o->argv[i][0] != '-' || !strcmp(o->argv[i], "-"))
                return usage_error(disp, list_mode ? "with -i LIST, --shard or --resume the files come from the "
                                                     "list (one a line), not from arguments such as"
                                                   : "--shard/--resume read JSON Lines from -i FILE (one record "
                                                     "a line), not FILE arguments such as",
                                   o->argv[i]);
        }

    /* The input. */
    int in_fd = 0, own_in = 0;
    const char *in_name = o->input ? o->input : "(stdin)";
    if (o->input) {
        in_fd = open(o->input, O_RDONLY);
        if (in_fd < 0) {
            fprintf(stderr, "helix %s: cannot open %s: %s\n", disp, o->input, strerror(errno));
            return 1;
        }
        own_in = 1;
    }
    struct stat ist;
    int seekable = fstat(in_fd, &ist) == 0 && S_ISREG(ist.st_mode);
    if ((sharded || resume || list_mode) && !seekable) {
        if (own_in) close(in_fd);
        fprintf(stderr, "helix %s: --shard/--resume (and a list of files) need the input as a regular file "
                        "(--input FILE or < FILE), not a pipe or terminal\n", disp);
        return 2;
    }
    const off_t S = seekable ? ist.st_size : 0;
    int rc = 1;
    int out_fd = -1;
    char tmp[4200] = "", *list = NULL;
    hx_shard_plan plan = {0};
    hx_part_info part = {0};
    hx_error err;
    int64_t a = 0, b = S, start = 0;
    long out_lines = 0;
    uint64_t kept_bytes = 0, kept_hash = HX_FNV_SEED;
    char **argv = NULL;

    if (seekable && (sharded || resume)) {
        if (hx_shard_range(in_fd, S, K, N, &a, &b, NULL)) goto read_error;
    } else if (seekable) {
        a = lseek(in_fd, 0, SEEK_CUR); /* a plain run reads the rest of the file */
        if (a < 0) a = 0;
    }
    const int out_header = o->cmd->out_header &&
                           !(o->cmd->no_header && has_arg(o->argc, o->argv, o->cmd->no_header));

    if (sharded || resume) {
        snprintf(part.command, sizeof part.command, "%s", disp);
        /* --threads never changes the output */
        hx_shard_run_id((const char *const *)o->argv, o->argc, "--threads", in_fd, S, part.run);
        part.shard = K;
        part.of = N;
    }

    /* The output. */
    if (o->out) {
        struct stat ost;
        int exists = stat(o->out, &ost) == 0;
        if (exists && !S_ISREG(ost.st_mode)) {
            fprintf(stderr, "helix %s: %s exists and is not a regular file; not replacing it\n", disp, o->out);
            goto done;
        }
        if (resume && exists) {
            int complete = 0, prev_status = 0;
            if (hx_resume_check(o->out, (uint64_t)ost.st_size, &part, &complete, &prev_status, &err)) {
                fprintf(stderr, "helix %s: --resume: %s; not touching it\n", disp, err.msg);
                goto done;
            }
            if (complete) {
                fprintf(stderr, "helix %s: %s is already complete (shard %ld/%ld)\n", disp, o->out, K, N);
                rc = prev_status;
                goto done;
            }
            out_fd = open(o->out, O_RDWR);
            if (out_fd < 0 ? hx_fail(&err, HX_EIO, "%s", strerror(errno))
                           : hx_keep_complete_lines(out_fd, &out_lines, &kept_bytes, &kept_hash, &err)) {
                fprintf(stderr, "helix %s: cannot resume %s: %s\n", disp, o->out, err.msg);
                goto done;
            }
            fprintf(stderr, "helix %s: resuming %s (shard %ld/%ld): keeping %ld complete lines, %" PRIu64
                            " bytes\n", disp, o->out, K, N, out_lines, kept_bytes);
        } else if (resume) {
            out_fd = open(o->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        } else {
            out_fd = open_temp_beside(o->out, tmp, sizeof tmp);
        }
        if (out_fd < 0) {
            fprintf(stderr, "helix %s: cannot write %s: %s\n", disp, tmp[0] ? tmp : o->out, strerror(errno));
            goto done;
        }
    }

    /* Where this run starts reading: after the records the output already has. */
    const hx_shard_layout layout = {.in_header = o->cmd->in_header, .out_header = out_header};
    hx_status pst = hx_shard_plan_make(in_fd, S, a, b, K, sharded || resume, out_lines, &layout, &plan, NULL);
    if (pst == HX_ERANGE) {
        fprintf(stderr, "helix %s: --resume: %s has more records than shard %ld/%ld of %s; "
                        "not touching it\n", disp, o->out, K, N, in_name);
        goto done;
    }
    if (pst != HX_OK) goto read_error;
    start = plan.start;
    const int first_part = plan.first_part, drop_first = plan.drop_header;
    cli_line_base = plan.line_base;

    /* List input (classify-image): the shard's lines become FILE arguments. */
    size_t n_list = 0, list_len = 0;
    if (list_mode && start < b) {
        list_len = (size_t)(b - start);
        if (!(list = malloc(list_len + 2)) || hx_pread_all(in_fd, list, list_len, start, NULL)) goto read_error;
        if (list[list_len - 1] != '\n') list[list_len++] = '\n'; /* a torn last line is an entry too */
        list[list_len] = '\0';
        for (size_t i = 0; i < list_len; i++) n_list += list[i] == '\n';
    }
    /* --format auto decides from the first line(s) of the whole input. */
    argv = calloc((size_t)o->argc + 3 + n_list, sizeof *argv);
    if (!argv) goto done;
    int argc = o->argc;
    memcpy(argv, o->argv, (size_t)argc * sizeof *argv);
    for (char *p = list, *e = list ? list + list_len : NULL; n_list && p < e;) {
        char *nl = memchr(p, '\n', (size_t)(e - p));
        if (!nl) break;
        *nl = '\0';
        if (nl > p && nl[-1] == '\r') nl[-1] = '\0';
        struct stat lst;
        if (stat(p, &lst) == 0 && S_ISDIR(lst.st_mode)) {
            fprintf(stderr, "helix %s: %s, an entry of %s, is a directory: list its files instead "
                            "(one output line per list line)\n", disp, p, in_name);
            rc = 2;
            goto done;
        }
        argv[argc++] = p;
        p = nl + 1;
    }
    if (o->cmd->detect && seekable && start > 0 && !has_arg(argc, argv, "--format") &&
        !has_arg(argc, argv, "--pair-field")) {
        int f = hx_detect_format(in_fd, S, o->cmd->detect);
        if (f >= 0) {
            argv[argc++] = "--format";
            argv[argc++] = f ? "jsonl" : "text";
        }
    }

    if ((sharded || resume) && o->out) { /* a sharded run to stdout has no sidecar */
        part.complete = 0;
        if (hx_part_write(o->out, &part, in_name, S, a, b, NULL)) {
            fprintf(stderr, "helix %s: cannot write %s.part.json\n", disp, o->out);
            goto done;
        }
    }

    /* Run the command over the streams (or not at all when nothing is left). */
    int werr = 0, in_done = 1;
    /* stdin is ours to serve with -i, --shard or --resume; a plain -o run leaves it alone (udp
     * may read FILE arguments instead) and is judged by its exit status. */
    const int wrap_in = (o->input || sharded || resume) && !list_mode;
    rc = 0;
    const int needed = !(sharded || resume) || start < b || (first_part && out_header && out_lines == 0);
    if (needed) {
        in_stream is = {.fd = in_fd, .seekable = seekable, .pos = start, .end = b,
                        .pre = plan.header, .pre_len = plan.header_len};
        out_stream os = {.fd = out_fd, .dropping = drop_first, .bytes = kept_bytes, .hash = kept_hash};
        FILE *saved_in = stdin, *saved_out = stdout, *fin = NULL, *fout = NULL;
        if (wrap_in)
            fin = fopencookie(&is, "r", (cookie_io_functions_t){.read = in_read});
        /* stdout is wrapped for -o, and to drop a header line a later shard must not repeat */
        const int wrap_out = o->out || drop_first;
        if (!o->out) os.fd = STDOUT_FILENO;
        if (wrap_out) fout = fopencookie(&os, "w", (cookie_io_functions_t){.write = out_write});
        if ((!fin && wrap_in) || (!fout && wrap_out)) {
            if (fin) fclose(fin);
            if (fout) fclose(fout);
            fprintf(stderr, "helix %s: out of memory\n", disp);
            rc = 1;
            goto done;
        }
        if (fout) setvbuf(fout, NULL, _IOFBF, 1 << 16);
        fflush(stdout);
        if (fin) stdin = fin;
        if (fout) stdout = fout;
        rc = fn(argc, argv);
        if (fout) {
            werr = fflush(fout) != 0 || ferror(fout) || os.error;
            fclose(fout);
        }
        stdout = saved_out;
        stdin = saved_in;
        if (fin) {
            in_done = is.eof && !is.error;
            fclose(fin);
        }
        kept_bytes = os.bytes;
        kept_hash = os.hash;
        if (o->out && !werr && fsync(out_fd) != 0 && errno != EINVAL) werr = 1;
        if (!fout && (fflush(stdout) != 0 || ferror(stdout))) werr = 1;
    }
    if (werr) {
        fprintf(stderr, "helix %s: error writing %s\n", disp, o->out ? o->out : "the output");
        if (rc == 0) rc = 1;
    }
    const int ok = !werr && in_done && (rc == 0 || (rc == o->cmd->records_failed_rc && rc != 0));
    if (o->out) {
        int cerr = close(out_fd);
        out_fd = -1;
        if (cerr && ok) {
            fprintf(stderr, "helix %s: error writing %s\n", disp, o->out);
            rc = 1;
            goto done;
        }
        if (!resume) {
            if (!ok || rename(tmp, o->out)) {
                if (ok) {
                    fprintf(stderr, "helix %s: cannot rename %s to %s: %s\n", disp, tmp, o->out, strerror(errno));
                    rc = 1;
                }
                unlink(tmp);
                goto done;
            }
            tmp[0] = '\0';
        }
        if (ok && (sharded || resume)) {
            part.complete = 1;
            part.status = rc;
            part.output_bytes = kept_bytes;
            part.output_hash = kept_hash;
            if (hx_part_write(o->out, &part, in_name, S, a, b, NULL)) {
                fprintf(stderr, "helix %s: cannot write %s.part.json\n", disp, o->out);
                rc = 1;
            }
        }
    }
    goto done;

read_error:
    fprintf(stderr, "helix %s: error reading %s\n", disp, in_name);
    rc = 1;
done:
    if (out_fd >= 0) close(out_fd);
    if (tmp[0]) unlink(tmp);
    if (own_in) close(in_fd);
    hx_shard_plan_free(&plan);
    free(list);
    free(argv);
    cli_line_base = 0;
    return rc;
}

int cli_shard_main(int (*fn)(int, char **), int argc, char **argv) {
    const shard_cmd *cmd = NULL;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0] && !cmd; i++) {
        if (strcmp(argv[0], commands[i].name)) continue;
        if (commands[i].sub && (argc < 2 || strcmp(argv[1], commands[i].sub))) continue;
        if (commands[i].pass_sub && argc >= 2 && !strcmp(argv[1], commands[i].pass_sub)) continue;
        cmd = &commands[i];
    }
    if (!cmd) return fn(argc, argv);
    if (has_arg(argc, argv, "--help") || has_arg(argc, argv, "-h")) {
        int rc = fn(argc, argv);
        if (rc == 0) fputs(shard_help, stdout);
        return rc;
    }
    shard_opts o = {.cmd = cmd};
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    if (!rest) return 1;
    int n = 0, first = cmd->sub ? 2 : 1, ours = 0;
    for (int i = 0; i < first; i++) rest[n++] = argv[i];
    char disp[96];
    snprintf(disp, sizeof disp, "%s%s%s", cmd->name, cmd->sub ? " " : "", cmd->sub ? cmd->sub : "");
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        int takes = !strcmp(a, "--shard") || !strcmp(a, "-o") || !strcmp(a, "--output") ||
                    !strcmp(a, "-i") || !strcmp(a, "--input");
        if (takes && i + 1 >= argc) {
            free(rest);
            return usage_error(disp, "missing value after", a);
        }
        if (!strcmp(a, "--shard")) {
            const char *v = argv[++i];
            char *slash = strchr(v, '/'), kbuf[32];
            if (!slash || (size_t)(slash - v) >= sizeof kbuf) goto bad_shard;
            memcpy(kbuf, v, (size_t)(slash - v));
            kbuf[slash - v] = '\0';
            if (!cli_parse_int(kbuf, 1, 1000000000L, &o.k) || !cli_parse_int(slash + 1, 1, 1000000000L, &o.n) ||
                o.k > o.n)
                goto bad_shard;
            ours = 1;
            continue;
        bad_shard:
            free(rest);
            return usage_error(disp, "--shard needs K/N with 1 <= K <= N, not", v);
        } else if (!strcmp(a, "--resume")) {
            o.resume = ours = 1;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            o.out = argv[++i];
            ours = 1;
        } else if (!strcmp(a, "-i") || !strcmp(a, "--input")) {
            o.input = argv[++i];
            ours = 1;
        } else {
            rest[n++] = argv[i];
        }
    }
    int rc;
    if (!ours) {
        rc = fn(argc, argv);
    } else {
        o.argc = n;
        o.argv = rest;
        rc = run_wrapped(fn, &o);
    }
    free(rest);
    return rc;
}
