/* run/runner.h: execute one parsed script against a target and record the
 * outcome (report/result.h).
 *
 * Semantics follow packetdrill (DESIGN 5.1): events run in order at their
 * times; inbound packets are built with sequence numbers relative to each
 * side's ISN (SYNs absolute) and injected; outbound expectations are
 * matched field by field against what the stack sends, within the timing
 * tolerance; system calls run on the target's sockets, blocking calls
 * emulated by the runner.
 *
 * Verdicts are packetdrill's by default: an outbound line is matched with
 * the next packet the stack sent (a packet sent while the script was busy
 * with other lines waits for the next outbound line, as packetdrill's
 * sniffer queue does), and what the stack sends after the script's last
 * expected packet is not judged. With run_options.strict the runner adds
 * checks that find more bugs: a packet no outbound line claimed, a bad
 * checksum, an RFC oracle finding. A vector that fails only those is a
 * failure of its own class (vector_result.strict_fail).
 */
#ifndef SYNACK_HARNESS_RUNNER_H
#define SYNACK_HARNESS_RUNNER_H

#include <stdbool.h>

#include "report/result.h"
#include "script/script.h"
#include "target/target.h"

/* Defaults for the addresses of a run (documentation ranges, RFC 5737 and
 * RFC 3849). */
#define RUN_DEFAULT_LOCAL_IP 0xc0000201u  /* 192.0.2.1: the stack under test */
#define RUN_DEFAULT_REMOTE_IP 0xc6336402u /* 198.51.100.2: the script's side */
#define RUN_DEFAULT_LOCAL_IP6 "2001:db8::1"    /* the stack under test in ipv6 runs */
#define RUN_DEFAULT_REMOTE_IP6 "2001:db8:1::2" /* the script's side */
#define RUN_DEFAULT_REMOTE_PORT 40000     /* the script's port when the stack listens */

/* A python3 process that runs the python blocks of the vectors given to
 * it (run/python.c), so python3 starts once, not once per vector. One per
 * thread; started when first needed; python_host_free stops it. */
struct python_host;
struct python_host *python_host_new(void);
void python_host_free(struct python_host *h);

struct run_options {
    const struct target_ops *target;
    const char *pcap_path;   /* record both directions here, or NULL */
    uint64_t seed;           /* target RNG seed (mem) */
    bool strict;             /* add the strict checks (unclaimed packets, checksums,
                              * oracle findings) to packetdrill's verdict */
    bool offload;            /* the target's device offloads segmentation and checksums
                              * (target_ops.offload), as packetdrill's TUN device does */
    int64_t max_script_us;   /* give up past this script time (synack run: 30 days) */
    int64_t max_real_us;     /* real-time targets: skip a vector whose script runs
                              * longer than this (0: no limit) */
    struct python_host *python; /* runs python blocks; NULL: one for this run alone */
    enum script_ip_version ip_version; /* packetdrill's --ip_version for scripts that do
                                        * not give one (default ipv4) */
    const char *const *defines; /* packetdrill's -D NAME=VALUE, before each script's */
    size_t define_count;
    bool ip_version_pass;    /* a pass of one family over a suite (synack run
                              * --ip_version): a script that names another family
                              * is skipped, not run in its own */
};

/* The wire and socket addresses a script runs with under ip_version (the
 * script's own --ip_version first, then o->ip_version): false, with why,
 * when an address given does not fit it. In ipv6 the link MTU is the
 * script's + 20, so that the MSS (MTU - 60) is the one a script written for
 * IPv4 expects (--mtu given explicitly is kept). */
struct run_addresses {
    enum script_ip_version version;
    struct synack_addr local, remote; /* on the wire */
    /* --primary_ip=A (synack's own): the stack has A too, as its first
     * address (a multihomed host, RFC 1122 3.3.4), and local as another on
     * local's /24 (/64). The script never talks to A: its packets still go
     * to local and must come from it. Family 0: not given. */
    struct synack_addr primary;
    int domain;                       /* the sockets' family */
    uint16_t mtu;
};
bool run_addresses_of(const struct script *s, enum script_ip_version dflt,
                      struct run_addresses *a, char *why, size_t n);
/* "ipv4", "ipv4-mapped-ipv6", "ipv6". */
const char *run_ip_version_name(enum script_ip_version v);

/* Run s and fill res (path, name, status, message, ladder...). The result
 * owns its strings; free with vector_result_free. Never aborts. */
void run_script(const struct script *s, const struct run_options *o, struct vector_result *res);

/* A vector's name: its path without "vectors/" and the extension
 * ("vectors/handshake/passive-open.pkt" -> "handshake/passive-open"). */
char *run_vector_name(const char *path);

/* Parse the file at path and run it; a parse error becomes an ERROR result. */
void run_file(const char *path, const struct run_options *o, struct vector_result *res);

#endif
