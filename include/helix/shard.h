/* Sharded and resumable runs over a file of records, one per line
 * (docs/cluster.md): the mechanism behind `helix CMD --shard K/N --resume -o
 * FILE` and `helix merge`, for an embedder running its own scheduler.
 *
 * Shard K of N of an S-byte input holds the lines that START in the byte
 * range [floor((K-1)S/N), floor(KS/N)), so the N shards cover every line
 * exactly once and their outputs concatenated in shard order are the
 * single-process output. An output FILE of a sharded run has a sidecar
 * FILE.part.json naming the run, the shard and whether it finished (with the
 * output's size and FNV-1a 64 hash), which resuming and merging check.
 *
 * Files are read by offset (pread) from a descriptor of a regular file;
 * offsets are bytes from the start of the file. */
#ifndef HELIX_SHARD_H
#define HELIX_SHARD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "helix/status.h"

#include "helix/export.h"

HX_API_BEGIN

/* FNV-1a 64-bit over n bytes, continuing from h (start with HX_FNV_SEED). */
#define HX_FNV_SEED 0xcbf29ce484222325ULL
uint64_t hx_fnv1a(uint64_t h, const void *p, size_t n);

/* Reads exactly n bytes at offset `at` / writes all n bytes at the file
 * offset, retrying on EINTR; a short read is an error. */
hx_status hx_pread_all(int fd, void *buf, size_t n, int64_t at, hx_error *err);
hx_status hx_write_all(int fd, const void *buf, size_t n, hx_error *err);

/* floor(k * S / n) without overflow (0 <= S < 2^63, 1 <= n <= 1e9). */
int64_t hx_shard_split_point(int64_t S, long k, long n);

/* Offset of the first line start >= x: 0, or just after a '\n' at >= x-1;
 * size if there is none. */
hx_status hx_line_start_at(int fd, int64_t size, int64_t x, int64_t *out, hx_error *err);

/* [*start, *end): the byte range of shard k of n (1 <= k <= n) of the size-byte
 * file, both ends moved to line starts. */
hx_status hx_shard_range(int fd, int64_t size, long k, long n, int64_t *start, int64_t *end,
                         hx_error *err);

/* Number of '\n' in [from, to): the line-number base of a record at `to`. */
hx_status hx_count_newlines(int fd, int64_t from, int64_t to, long *count, hx_error *err);

/* Moves *pos past up to `lines` lines within [*pos, end) (a last line without
 * '\n' counts) and gives how many it skipped. */
hx_status hx_skip_lines(int fd, int64_t *pos, int64_t end, long lines, long *skipped,
                        hx_error *err);

/* The line at `at` with its '\n' (added if the file lacks it) in a new buffer
 * of *len bytes (+ room for a NUL); free() it. */
hx_status hx_read_line_at(int fd, int64_t size, int64_t at, char **line, size_t *len,
                          hx_error *err);

/* JSON Lines (1) or text (0), as a command decides from the first line(s) of
 * the whole input; -1 undecided (no such line) or unreadable. rule 1: the
 * first line with a non-blank byte, '{' after blanks; rule 2: the first
 * non-empty line, '{' first. */
int hx_detect_format(int fd, int64_t size, int rule);

/* Cuts an interrupted output back to its complete lines (nothing after a NUL
 * byte, which a crashed file system may leave), gives their number, byte
 * count and FNV-1a 64 hash, and leaves the file offset at the new end. */
hx_status hx_keep_complete_lines(int fd, long *lines, uint64_t *bytes, uint64_t *hash,
                                 hx_error *err);

/* Where a run over [a, b) of the input starts, given what its output
 * already holds, and how its lines relate to the whole input and to the
 * merged output. */
typedef struct {
    int in_header;  /* input line 1 is a header every reader needs (CSV) */
    int out_header; /* the reader writes one header line before its records */
} hx_shard_layout;

typedef struct {
    int64_t start;     /* first input byte to read: after the records the output has */
    long line_base;    /* added to a line number counted from `start` (1-based) gives the
                          line number in the whole input */
    int first_part;    /* this output begins the merged output (keeps the header) */
    int drop_header;   /* drop the header line the reader writes (not the first part,
                          or a resumed output that has it already) */
    char *header;      /* input line 1 to feed the reader before `start`, or NULL */
    size_t header_len;
} hx_shard_plan;

/* fd/size: the input (size 0 when it is not a regular file). [a, b): the
 * shard's range (hx_shard_range) with sharded = 1, or the rest of the file
 * of an unsharded run with sharded = 0 (k is then ignored). out_lines: the
 * complete lines already in the output (hx_keep_complete_lines), 0 for a new
 * one. HX_ERANGE when the output has more records than the range. Free
 * plan->header with hx_shard_plan_free. */
hx_status hx_shard_plan_make(int fd, int64_t size, int64_t a, int64_t b, long k, int sharded,
                             long out_lines, const hx_shard_layout *layout, hx_shard_plan *plan,
                             hx_error *err);
void hx_shard_plan_free(hx_shard_plan *plan);

/* The run id of a sidecar (16 hex digits + NUL): a hash of args (the
 * command and its options; an argument naming a regular file adds its size
 * and modification time, so another model is another run) and of the
 * input's size and first and last 64 KiB. The value after an argument equal
 * to skip_opt (e.g. a thread count that never changes the output) is left
 * out; skip_opt may be NULL. */
void hx_shard_run_id(const char *const *args, int n_args, const char *skip_opt, int in_fd,
                     int64_t in_size, char out[32]);

/* What a sidecar FILE.part.json says. */
typedef struct {
    char command[96];
    char run[32];          /* run id: hex of a hash of command, options, model, input */
    long shard, of;        /* K/N */
    int complete;          /* the shard finished and FILE holds all of its output */
    int status;            /* the command's exit status when complete */
    uint64_t output_bytes; /* FILE's size when complete */
    uint64_t output_hash;  /* FNV-1a 64 of FILE's bytes when complete */
    char input[512];       /* input file as given (for messages) */
} hx_part_info;

/* Writes OUT.part.json for the output file `out` atomically (temporary file,
 * fsync, rename), with the input's name, size and the shard's byte range. */
hx_status hx_part_write(const char *out, const hx_part_info *p, const char *input_path,
                        int64_t input_bytes, int64_t range_start, int64_t range_end,
                        hx_error *err);

/* Reads OUT.part.json of the output file `out`. */
hx_status hx_part_read(const char *out, hx_part_info *info, hx_error *err);

/* Whether a resumed run may continue the existing output `out` (out_size
 * bytes): its sidecar must name the same run, command and shard as `cur`.
 * *complete = 1 when that shard already finished (then *prev_status is its
 * exit status); HX_EFORMAT when it belongs to another run or changed after
 * finishing. */
hx_status hx_resume_check(const char *out, uint64_t out_size, const hx_part_info *cur,
                          int *complete, int *prev_status, hx_error *err);

/* Checks the parts of one sharded run before merging: reads every sidecar
 * into info[0..n-1]; each part must be finished, of the same run, command and
 * shard count N, and the shards 1..N must each be given once. *order (N
 * entries, malloc'ed) is the index in parts of shard 1, 2, ..., N. */
hx_status hx_merge_check(const char *const *parts, int n, hx_part_info *info, int **order,
                         long *n_shards, hx_error *err);

/* Appends the part at path to out, checking that its bytes are still the ones
 * its sidecar p records. */
hx_status hx_merge_copy(const char *path, const hx_part_info *p, FILE *out, hx_error *err);

HX_API_END

#endif
