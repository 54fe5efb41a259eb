/* target/tcpi.h: a socket's TCP_INFO as Linux names its fields, the
 * variables packetdrill gives its python blocks (code.c: tcpi_state ...
 * tcpi_reord_seen, and SO_MEMINFO's SK_MEMINFO_*). A target fills the
 * fields it knows; one it leaves out is one it cannot know, and a script
 * that asks for it is skipped, never passed. */
#ifndef SYNACK_HARNESS_TCPI_H
#define SYNACK_HARNESS_TCPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <synack/socket.h>

#define TCPI_MAX 80

struct tcpi_field {
    const char *name;  /* "tcpi_snd_cwnd": a string of the tables in tcpi.c */
    uint64_t value;
};

struct target_tcpi {
    size_t count;
    struct tcpi_field f[TCPI_MAX];
};

/* What synack's STATUS says, in Linux's terms and units (packets for
 * cwnd, ssthresh and unacked, at the send MSS; microseconds). */
void tcpi_from_status(const struct synack_tcp_info *i, struct target_tcpi *out);
/* Linux's struct tcp_info as getsockopt(TCP_INFO) filled len octets of it
 * (<linux/tcp.h> layout): every field packetdrill exports that lies within
 * len. */
void tcpi_from_linux(const void *tcp_info, size_t len, struct target_tcpi *out);
/* SO_MEMINFO's nine counters (Linux's SK_MEMINFO_VARS order), added. */
void tcpi_add_meminfo(const uint32_t *mem, size_t count, struct target_tcpi *out);

bool tcpi_get(const struct target_tcpi *t, const char *name, uint64_t *v);

/* Every name packetdrill defines for python blocks (fields, the SK_MEMINFO
 * counters, TCP_CC_INFO's, and the constants it emits), so an undefined
 * one can be told from a typo. */
bool tcpi_exported(const char *name);
/* The constants packetdrill emits with every snapshot (TCP_ESTABLISHED,
 * TCP_CA_Open, TCPI_OPT_TIMESTAMPS, ...): name and value, NULL past the end. */
const char *tcpi_constant(size_t i, uint64_t *value);

#endif
