/* Line-level reads of a seekable file by offset, for sharded and resumed runs
 * (apps/cli_shard.c): where lines start, how many newlines precede an offset,
 * skipping lines, and cutting an interrupted output back to whole lines. All
 * return -1 on a read error. */
#ifndef HELIX_APPS_CLI_FILE_LINES_H
#define HELIX_APPS_CLI_FILE_LINES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

int cli_pread_all(int fd, void *buf, size_t n, off_t at);
int cli_write_all(int fd, const void *buf, size_t n);
/* Offset of the first line start >= x (0, or just after a '\n' at >= x-1; size if none). */
int cli_line_start_at(int fd, off_t size, off_t x, off_t *out);
/* Number of '\n' in [from, to). */
int cli_count_newlines(int fd, off_t from, off_t to, long *count);
/* Moves *pos past up to `lines` lines within [*pos, end) (a last line without '\n' counts);
 * returns how many it skipped. */
long cli_skip_lines(int fd, off_t *pos, off_t end, long lines);
/* The line at `at` with its '\n' (added if the file lacks it), malloc'ed; NULL on error. */
char *cli_read_line_at(int fd, off_t size, off_t at, size_t *len);
/* JSONL (1) or text (0) as a command decides from its first line(s), -1 undecided: rule 1 the
 * first line with a non-blank byte, '{' after blanks; rule 2 the first non-empty line, '{'
 * first. */
int cli_detect_format(int fd, off_t size, int rule);
/* Cuts an interrupted output back to its complete lines (nothing after a NUL byte) and gives
 * their number, byte count and FNV-1a 64 hash; leaves the offset at the end. */
int cli_keep_complete_lines(int fd, long *lines, uint64_t *bytes, uint64_t *hash);
/* floor(k * S / n) without overflow (S < 2^63, n <= 1e9). */
off_t cli_split_point(off_t S, long k, long n);

#endif
