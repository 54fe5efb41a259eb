/* The last line a stack under test wrote (target/last_words.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "target/last_words.h"

void last_words(int fd, char *out, size_t n)
{
    out[0] = '\0';
    char buf[4096];
    off_t end = lseek(fd, 0, SEEK_END);
    off_t from = end > (off_t)sizeof buf - 1 ? end - (off_t)sizeof buf + 1 : 0;
    ssize_t r = pread(fd, buf, sizeof buf - 1, from);
    if (r <= 0)
        return;
    buf[r] = '\0';
    while (r > 0 && (buf[r - 1] == '\n' || buf[r - 1] == ' '))
        buf[--r] = '\0';
    char *line = strrchr(buf, '\n');
    line = line ? line + 1 : buf;
    if (*line)
        snprintf(out, n, " (its last words: \"%.200s\")", line);
}
