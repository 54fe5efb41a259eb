/* target/last_words.h: the last line a stack under test wrote, for the
 * errors of the targets that run it as a process of its own (so:, exec:). */
#ifndef SYNACK_HARNESS_LAST_WORDS_H
#define SYNACK_HARNESS_LAST_WORDS_H

#include <stddef.h>

/* ` (its last words: "LINE")` from the file fd (its stdout/stderr), or
 * "" when it wrote nothing. */
void last_words(int fd, char *out, size_t n);

#endif
