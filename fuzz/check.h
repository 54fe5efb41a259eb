/* fuzz/check.h: CHECK(cond, fmt, ...), the assertion of the parser targets
 * (wire, script, pcap). A failed check names the target, the source line
 * and the condition, prints the message and aborts, which the fuzzer
 * records as a crash. Define FUZZ_TARGET ("wire", ...) before including. */
#ifndef SYNACK_FUZZ_CHECK_H
#define SYNACK_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond, ...)                                                          \
    do {                                                                          \
        if (!(cond)) {                                                            \
            fprintf(stderr, "fuzz " FUZZ_TARGET ": %s:%d: check failed: %s: ",    \
                    __FILE__, __LINE__, #cond);                                   \
            fprintf(stderr, __VA_ARGS__);                                         \
            fputc('\n', stderr);                                                  \
            abort();                                                              \
        }                                                                         \
    } while (0)

#endif
