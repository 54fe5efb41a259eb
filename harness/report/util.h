/* report/util.h: helpers the result writers share: opening and closing
 * output files with precise errors, creating directories, formatting
 * times, UTF-8 decoding and XML/HTML escaping. Internal to harness/report.
 */
#ifndef SYNACK_HARNESS_REPORT_UTIL_H
#define SYNACK_HARNESS_REPORT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* snprintf into err (which may be NULL when errlen is 0); returns -1. */
int rpt_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Open path for writing ("-" is stdout). NULL on error, with err set. */
FILE *rpt_create(const char *path, char *err, size_t errlen);
/* Flush and close what rpt_create opened (stdout is flushed, not closed).
 * Returns 0, or -1 with err set if any write failed. */
int rpt_finish(FILE *f, const char *path, char *err, size_t errlen);

/* mkdir -p: create dir and its parents (mode 0777 & umask). 0 or -1 with err. */
int rpt_mkdirs(const char *dir, char *err, size_t errlen);

/* Microseconds as seconds ("0.200312"; "0.200" when whole milliseconds;
 * "-" when negative, which means "none"). Returns buf. */
char *rpt_time_s(int64_t us, char *buf, size_t len);

/* Decode one UTF-8 character at s (s[0] != 0). Returns the bytes consumed
 * (at least 1) and sets *cp; an invalid or overlong sequence, a surrogate
 * or a truncated sequence consumes one byte and yields U+FFFD. */
size_t rpt_utf8_next(const char *s, uint32_t *cp);
/* Append the UTF-8 encoding of cp to out (4 bytes of room). Returns bytes. */
size_t rpt_utf8_put(uint32_t cp, char *out);
/* A copy of s that is valid UTF-8 (bad bytes become U+FFFD). malloc'd. */
char *rpt_utf8_clean(const char *s);

/* Write s escaped for XML 1.0 and HTML: text content, or an attribute value
 * when attr is set (then also quotes, tab, CR and LF as references).
 * Characters XML forbids (C0 controls other than tab/CR/LF, U+FFFE/FFFF,
 * invalid UTF-8) become U+FFFD. NULL writes nothing. */
void rpt_xml(FILE *f, const char *s, int attr);
/* Like rpt_xml text, but at most max characters; a longer string is cut
 * and ends with an ellipsis. */
void rpt_xml_cut(FILE *f, const char *s, size_t max);
/* Number of characters (code points) of s. */
size_t rpt_utf8_len(const char *s);

/* Write s on one line for a terminal or a TAP description: control
 * characters (and newlines) appear as \xNN, invalid UTF-8 as U+FFFD, and
 * the ASCII characters in backslashed (may be NULL) get a '\' before them. */
void rpt_oneline(FILE *f, const char *s, const char *backslashed);

/* path made absolute and normalised: realpath() when it exists, else the
 * working directory joined with path, without "." and "..". malloc'd. */
char *rpt_abspath(const char *path);
/* A relative URL from the directory from_dir to the file to (both absolute
 * and normalised), bytes outside [A-Za-z0-9-._~/] percent-encoded:
 * ("/r/out/vectors/a", "/r/pcap/a/x.pcap") gives "../../../pcap/a/x.pcap". */
char *rpt_relative_href(const char *from_dir, const char *to);

/* Natural order: digit runs compare as numbers ("MUST-9" < "MUST-10"). */
int rpt_natcmp(const char *a, const char *b);

#endif
