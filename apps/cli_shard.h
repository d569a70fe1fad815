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
 * The mechanism (byte ranges, sidecar, resume and merge checks) is the
 * library's (include/helix/shard.h); this wraps a command from the outside: it replaces stdin by a
 * stream over the shard's bytes (plus the header line for CSV commands) and
 * stdout by a stream into FILE, so commands need no changes beyond adding
 * cli_line_base to the line numbers they print. */
#ifndef HELIX_APPS_CLI_SHARD_H
#define HELIX_APPS_CLI_SHARD_H

/* Runs fn(argc, argv) (argv[0] = the command name). For the record commands
 * it first takes --shard K/N, --resume, -o/--output FILE and -i/--input FILE
 * out of argv and runs the command over the shard; any other command is
 * called as it is. Returns the exit status. */
int cli_shard_main(int (*fn)(int, char **), int argc, char **argv);

/* `helix merge`. */
int cli_cmd_merge(int argc, char **argv);

#endif
