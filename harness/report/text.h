/* report/text.h: results on the terminal, one line per vector as it
 * finishes, a detail block under each failure, and the summary line.
 */
#ifndef SYNACK_HARNESS_REPORT_TEXT_H
#define SYNACK_HARNESS_REPORT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report/result.h"

/* Colour is for terminals: true when f is a terminal and NO_COLOR is unset
 * or empty (https://no-color.org: a non-empty value turns colour off). */
bool report_text_colour(FILE *f);

/* How to print: colour (ANSI SGR), and verbose (the whole ladder of each
 * vector under its line, not only the failure point). */
struct report_text_style {
    bool colour;
    bool verbose;
};

/* One vector, for example
 *   PASS  handshake/passive-open (0.4 ms)
 *   FAIL  reset/rst-in-window  line 14: field ack: expected 1001, got 1
 *         at vectors/reset/rst-in-window.pkt:14
 *         expected  > . 1:1(0) ack 1001  at 0.200 s
 *         actual    > . 1:1(0) ack 1  at 0.200312 s
 * in colour when report_text_colour(f). Control characters in any string
 * are shown as \xNN. */
void report_text_vector(FILE *f, const struct vector_result *v, bool verbose);
void report_text_vector_styled(FILE *f, const struct vector_result *v,
                               const struct report_text_style *style);

/* "41 vectors: 40 passed, 1 failed, 0 errors, 0 skipped in 0.21 s", with
 * ", N expected failures" and ", N unexpected passes" when not zero. */
char *report_text_summary_line(const struct run_results *r, char *buf, size_t len);
/* The summary line and a newline (green, or red when the run failed), in
 * colour when report_text_colour(f). */
void report_text_summary(FILE *f, const struct run_results *r);
void report_text_summary_styled(FILE *f, const struct run_results *r,
                                const struct report_text_style *style);

/* Every vector, then the summary. */
void report_text_print(FILE *f, const struct run_results *r,
                       const struct report_text_style *style);

#endif
