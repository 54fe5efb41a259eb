/* report/result.h: the outcome of running vectors, the one record every
 * output (text, JSON, JUnit XML, TAP, HTML) is written from.
 *
 * A run is a list of vector results for one target. Each result has its
 * status, the first mismatch (when it failed), the requirement tags of the
 * vector, and a ladder: every packet and call of the run in time order,
 * each with what the script expected beside what actually happened, so a
 * report can draw the two columns of a ladder diagram.
 */
#ifndef SYNACK_HARNESS_RESULT_H
#define SYNACK_HARNESS_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum result_status {
    RESULT_PASS,
    RESULT_FAIL,   /* the stack did not do what the vector expects */
    RESULT_ERROR,  /* the vector could not run: bad script, environment */
    RESULT_SKIP,   /* not run, with a reason (e.g. needs root) */
    RESULT_XFAIL,  /* failed as the target's expectation file predicts */
    RESULT_XPASS,  /* passed although an expected failure is listed */
};
const char *result_status_name(enum result_status s); /* "pass", "fail", ... */
/* The status named name ("pass", ...); 0, or -1 if none is. */
int result_status_from_name(const char *name, enum result_status *out);

/* One row of the ladder. */
enum ladder_kind {
    LADDER_INBOUND,   /* the script injected a packet (peer -> stack) */
    LADDER_OUTBOUND,  /* the stack sent a packet (stack -> peer) */
    LADDER_SYSCALL,   /* an application call on the stack's side */
    LADDER_NOTE,      /* a comment from the runner (e.g. "timer expired") */
};

enum ladder_status {
    LADDER_OK,
    LADDER_MISMATCH,  /* expected and actual differ: the failure point */
    LADDER_UNEXPECTED,/* actual with no expectation (an extra packet) */
    LADDER_MISSING,   /* expected, never happened */
};

/* "inbound", "outbound", "syscall", "note"; "ok", "mismatch", "unexpected",
 * "missing". The _from_name functions return 0, or -1 for an unknown name. */
const char *ladder_kind_name(enum ladder_kind k);
int ladder_kind_from_name(const char *name, enum ladder_kind *out);
const char *ladder_status_name(enum ladder_status s);
int ladder_status_from_name(const char *name, enum ladder_status *out);

/* What the target says of the connection after a row (TCP_INFO), where it
 * can say: the sender's congestion state and windows. */
struct ladder_tcp {
    bool known;
    char state[16];       /* "ESTABLISHED" (RFC 9293's spelling) */
    unsigned cwnd, ssthresh;   /* octets */
    unsigned snd_wnd, rcv_wnd; /* octets */
    unsigned in_flight;        /* SND.NXT - SND.UNA */
    int64_t srtt_us, rto_us;   /* -1 when unknown */
};

struct ladder_row {
    enum ladder_kind kind;
    enum ladder_status status;
    unsigned line;        /* script line, 0 if none */
    int64_t t_expected;   /* microseconds from the script's start; -1 if none */
    int64_t t_actual;     /* -1 if it never happened */
    char *expected;       /* script text, e.g. "> S. 0:0(0) ack 1 <mss 1460>"; NULL if none */
    char *actual;         /* what happened, same syntax (relative numbers); NULL if none */
    char *field;          /* the field that differs ("ack", "win", "time"), or NULL */
    struct ladder_tcp tcp; /* the connection after this row, when the target knows it */
};

/* A finding of the RFC oracle (see DESIGN 5.4), when one ran. */
struct result_finding {
    char *rule;           /* "ack-of-unsent-data" */
    char *req;            /* "RFC9293:MUST-xx" or NULL */
    unsigned packet;      /* 1-based packet number in the run's capture */
    char *message;
    bool expected;        /* the vector declares it expected */
};

struct vector_result {
    char *path;           /* as found, e.g. "vectors/handshake/passive-open.pkt" */
    char *name;           /* path without the vectors/ prefix and extension */
    enum result_status status;
    char *message;        /* one line: why it failed, errored or was skipped; NULL on pass.
                           * e.g. "line 14: field ack: expected 1001, got 1";
                           * writers add "line N: " when it does not start so */
    unsigned fail_line;   /* script line of the failure, 0 if none */
    bool strict_fail;     /* a FAIL only the strict checks find (packetdrill
                           * would pass it): unclaimed packets, checksums, oracle */
    char *fail_field;     /* field that differs, or NULL */
    char *expected;       /* expected text at the failure, or NULL */
    char *actual;         /* actual text at the failure, or NULL */
    int64_t t_expected, t_actual; /* times at the failure, -1 if none */
    double wall_ms;       /* how long the run took */
    int64_t script_us;    /* script time at the end of the run */
    size_t req_count;
    char **reqs;          /* "RFC9293:MUST-10" ... */
    size_t ladder_count;
    struct ladder_row *ladder;
    size_t finding_count;
    struct result_finding *findings;
    char *pcap_path;      /* the run's capture, or NULL */
    char *xfail_reason;   /* from the expectation file, for XFAIL and XPASS */
};

struct run_results {
    char *target;         /* "mem", "tun", "linux" */
    char *started;        /* ISO 8601 UTC time of the start */
    double wall_ms;
    size_t count;
    struct vector_result *v;
};

struct run_totals {
    size_t pass, fail, error, skip, xfail, xpass, total;
};
void run_results_totals(const struct run_results *r, struct run_totals *t);
/* Does the run fail as a whole (any fail, error or xpass)? */
bool run_results_failed(const struct run_results *r);

/* Free what v (r) owns, not the struct itself, and leave it zeroed;
 * run_results_free frees every vector and the array r->v. */
void vector_result_free(struct vector_result *v);
void run_results_free(struct run_results *r);

/* Zero v and set its times (t_expected, t_actual) to -1, meaning none. */
void vector_result_init(struct vector_result *v);

/* Append a ladder row (strings are copied; NULL allowed). Returns 0 or -1. */
int vector_result_add_row(struct vector_result *v, enum ladder_kind kind,
                          enum ladder_status status, unsigned line, int64_t t_expected,
                          int64_t t_actual, const char *expected, const char *actual,
                          const char *field);
/* Append a requirement tag, or an oracle finding (strings copied; req and
 * message may be NULL). Return 0 or -1 (out of memory). */
int vector_result_add_req(struct vector_result *v, const char *req);
int vector_result_add_finding(struct vector_result *v, const char *rule, const char *req,
                              unsigned packet, const char *message, bool expected);

/* Does the message begin with its own location ("t.pkt:4:6: ...")? Then
 * it is shown as it is, without "line N:" or another "at t.pkt:4". */
bool vector_result_located(const struct vector_result *v);

/* The one-line summary every writer shows: the message, with "line N: "
 * before it when fail_line is set and the message does not start so; with
 * no message, "line N: field F" from what is set; for XPASS, "passed, but
 * listed as an expected failure: " and the reason. Truncated to len;
 * returns buf. */
char *vector_result_describe(const struct vector_result *v, char *buf, size_t len);

#endif
