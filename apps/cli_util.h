/* Small helpers every helix subcommand shares: reading lines of any length,
 * writing error records, option parsing and terminal-only progress. */
#ifndef HELIX_CLI_UTIL_H
#define HELIX_CLI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CLI_VERSION_STRING "0.1.0"

/* Reads one line (without the trailing \n or \r\n) into *buf, growing it.
 * Returns the length, or -1 at end of input. Embedded NULs are kept in the
 * count. */
long cli_read_line(FILE *in, char **buf, size_t *cap);

/* Added to the line numbers that commands print (error records and
 * messages): the input lines before the first one this process reads, set
 * by --shard/--resume (apps/cli_shard.c); 0 otherwise. */
extern long cli_line_base;

/* Writes {"error": msg, "line": line_no + cli_line_base} and a newline; msg is JSON-escaped.
 * Never put record contents in msg. */
void cli_write_error_record(FILE *out, const char *msg, long line_no);

/* Writes s as a JSON string literal (with quotes), escaping as needed;
 * invalid UTF-8 bytes become U+FFFD. */
void cli_write_json_string(FILE *out, const char *s, size_t len);

/* Strict number parsing for options; false on junk or out of range. */
bool cli_parse_int(const char *s, long lo, long hi, long *out);
bool cli_parse_float(const char *s, double *out);

/* True when stderr is a terminal (progress is shown only then). */
bool cli_progress_enabled(void);
/* Redraws "label: done/total" on stderr at most ~10 times a second when
 * enabled; total may be 0 when unknown. cli_progress_end clears the line. */
void cli_progress(const char *label, size_t done, size_t total);
void cli_progress_end(void);

/* Monotonic seconds. */
double cli_now(void);

#endif
