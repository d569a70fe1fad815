/* Sharded and resumable runs of the record commands (docs/cluster.md).
 *
 * `--shard K/N` gives this process the input lines that START in the byte
 * range [floor((K-1)S/N), floor(KS/N)) of the S-byte input file, so the N
 * shards cover every line exactly once and concatenating their outputs in
 * shard order gives the single-process output. `--resume` with `-o FILE`
 * keeps the complete lines already in FILE, skips as many input records and
 * appends the rest. A sidecar FILE.part.json names the run (command, options,
 * model and input identity), the shard and whether it finished; `helix merge`
 * checks it.
 *
 * The mechanism wraps a command from the outside: it replaces stdin by a
 * stream over the shard's bytes (plus the header line for CSV commands) and
 * stdout by a stream into FILE, so commands need no changes beyond adding
 * cli_line_base to the line numbers they print. */
#ifndef HELIX_APPS_CLI_SHARD_H
#define HELIX_APPS_CLI_SHARD_H

#include <stddef.h>
#include <stdint.h>

/* Runs fn(argc, argv) (argv[0] = the command name). For the record commands
 * it first takes --shard K/N, --resume, -o/--output FILE and -i/--input FILE
 * out of argv and runs the command over the shard; any other command is
 * called as it is. Returns the exit status. */
int cli_shard_main(int (*fn)(int, char **), int argc, char **argv);

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
} cli_part_info;

/* Writes PART.part.json for output `out` (atomically); 0 or -1. */
int cli_part_write(const char *out, const cli_part_info *p, const char *input_path,
                   int64_t input_bytes, int64_t range_start, int64_t range_end);

/* Reads PART.part.json. Returns 0, or -1 with a message in msg. */
int cli_part_read(const char *part_path, cli_part_info *info, char *msg, size_t cap);

/* FNV-1a 64-bit over n bytes, continuing from h (start with CLI_FNV_SEED). */
#define CLI_FNV_SEED 0xcbf29ce484222325ULL
uint64_t cli_fnv1a(uint64_t h, const void *p, size_t n);

/* `helix merge`. */
int cli_cmd_merge(int argc, char **argv);

#endif
