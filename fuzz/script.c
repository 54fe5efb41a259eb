/* fuzz/script.c: the harness's script parser (harness/script/), which reads
 * files users write. Any input must give a script or an error, never a
 * crash, a leak or unbounded recursion (script.h); an error names a line
 * inside the input; and every packet and system call line the parser
 * accepts prints back (script_packet_format, script_syscall_format) to
 * text that parses to the same line again.
 *
 * Input: the script text, as is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script/script.h"

#define FUZZ_TARGET "script"
#include "check.h"

#define LINE_MAX_TEXT 4096

/* Format one event, parse "0 TEXT" back and format that: same text. */
static void round_trip(const struct script_event *ev)
{
    char text[LINE_MAX_TEXT], again[LINE_MAX_TEXT], line[LINE_MAX_TEXT + 8];
    int n = ev->type == SCRIPT_EV_PACKET ? script_packet_format(&ev->packet, text, sizeof text)
                                         : script_syscall_format(&ev->syscall, text, sizeof text);
    CHECK(n >= 0, "format failed");
    if ((size_t)n >= sizeof text)
        return; /* too long to check here */
    CHECK(strlen(text) == (size_t)n, "format returned %d for %zu characters", n, strlen(text));
    snprintf(line, sizeof line, "0 %s\n", text);
    struct script *s2;
    struct script_error err;
    int r = script_parse_buffer(line, strlen(line), "round-trip", &s2, &err);
    if (r != 0) {
        char msg[600];
        script_error_format(&err, msg, sizeof msg);
        CHECK(r == 0, "line %u: \"%s\" does not parse back: %s", ev->line, text, msg);
    }
    CHECK(s2->event_count == 1 && s2->events[0].type == ev->type,
          "\"%s\" parses back to %zu events", text, s2->event_count);
    const struct script_event *e2 = &s2->events[0];
    int m = ev->type == SCRIPT_EV_PACKET ? script_packet_format(&e2->packet, again, sizeof again)
                                         : script_syscall_format(&e2->syscall, again, sizeof again);
    CHECK(m == n && strcmp(text, again) == 0, "\"%s\" prints back as \"%s\"", text, again);
    script_free(s2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    unsigned lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    struct script *s = NULL;
    struct script_error err;
    memset(&err, 0, sizeof err);
    int r = script_parse_buffer((const char *)data, size, "fuzz.pkt", &s, &err);
    if (r != 0) {
        CHECK(s == NULL, "an error with a script");
        CHECK(err.message[0] != 0, "an error without a message");
        CHECK(err.line <= lines, "error at line %u of %u", err.line, lines);
        char msg[600];
        CHECK(script_error_format(&err, msg, sizeof msg) > 0, "error format");
        return 0;
    }
    CHECK(s != NULL, "success without a script");
    for (size_t i = 0; i < s->event_count; i++) {
        const struct script_event *ev = &s->events[i];
        CHECK(ev->line >= 1 && ev->line <= lines, "event at line %u of %u", ev->line, lines);
        if (ev->type == SCRIPT_EV_PACKET || ev->type == SCRIPT_EV_SYSCALL)
            round_trip(ev);
    }
    for (size_t i = 0; i < s->req_count; i++)
        CHECK(s->reqs[i].tag && strchr(s->reqs[i].tag, ':'), "requirement tag");
    script_free(s);
    return 0;
}

#include "driver.h"
