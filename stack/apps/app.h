/* stack/apps/app.h: what synack-get and synack-serve share (synack-relay
 * too, for --impair): the options that name the TUN device and the
 * addresses, building a stack on it, the real-clock loop, signals. Apps use
 * only libsynack's public headers. */
#ifndef SYNACK_APP_H
#define SYNACK_APP_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include <synack/link_pcap.h>
#include <synack/link_tun.h>
#include <synack/socket.h>
#include <synack/stack.h>
#include <synack/wire.h>

/* Exit statuses both apps use (documented in stack/README.md). */
enum {
    APP_EXIT_OK = 0,
    APP_EXIT_HTTP = 1,      /* the server answered, but not with success; or a short body */
    APP_EXIT_USAGE = 2,
    APP_EXIT_REFUSED = 3,   /* RST in answer to our SYN */
    APP_EXIT_RESET = 4,     /* RST on an established connection */
    APP_EXIT_TIMEOUT = 5,   /* no answer, or no progress, for too long */
    APP_EXIT_SETUP = 6,     /* the TUN device or the stack could not be set up */
};

struct app {
    const char *prog;
    const char *tun_name;      /* --tun (default synack0) */
    uint32_t addr, peer;       /* --addr (synack's), --peer (the kernel's) */
    struct synack_addr addr6;  /* --addr6: synack's IPv6 address (family 0: none) */
    struct synack_addr peer6;  /* --peer6: the kernel's, on a device the app creates */
    uint16_t mtu;              /* --mtu, for a device the app creates (1500) */
    const char *pcap_path;     /* --pcap FILE: the device's traffic */
    bool impaired;             /* --impair SPEC */
    struct synack_memlink_config impair;
    enum synack_tun_dir impair_dir;
    uint64_t seed;             /* --seed (default: from getrandom) */
    int congestion;            /* --cc: enum synack_congestion (-1: the stack's default) */
    uint32_t max_conns;        /* the stack's max_conns and max_sockets (0: its default) */
    uint32_t rcvbuf_max;       /* the stack's rcvbuf_max: receive buffers grow to it (0: no) */
    bool no_offload;           /* --no-offload: one bare datagram per read and write */
    bool no_batch;             /* --no-batch: one system call per datagram */
    int verbose;

    struct synack_tun *tun;
    struct synack_stack *stack;
    struct synack_pcap *pcap;
};

/* The kernel's queue toward a device the app creates (synack-ns sets the
 * same): 500, a TUN's default, is 30 ms of a 10,000 connections/s churn. */
#define APP_TXQUEUELEN 4096

/* Long options every app takes; codes are APP_OPT_BASE and up. */
#define APP_OPT_BASE 0x1000
#define APP_COMMON_OPTIONS                                                                       \
    {"tun", required_argument, NULL, APP_OPT_BASE + 0},                                          \
        {"addr", required_argument, NULL, APP_OPT_BASE + 1},                                     \
        {"peer", required_argument, NULL, APP_OPT_BASE + 2},                                     \
        {"mtu", required_argument, NULL, APP_OPT_BASE + 3},                                      \
        {"pcap", required_argument, NULL, APP_OPT_BASE + 4},                                     \
        {"impair", required_argument, NULL, APP_OPT_BASE + 5},                                   \
        {"seed", required_argument, NULL, APP_OPT_BASE + 6},                                     \
        {"addr6", required_argument, NULL, APP_OPT_BASE + 7},                                    \
        {"peer6", required_argument, NULL, APP_OPT_BASE + 8},                                    \
        {"cc", required_argument, NULL, APP_OPT_BASE + 9},                                       \
        {"no-offload", no_argument, NULL, APP_OPT_BASE + 10},                                    \
        {"no-batch", no_argument, NULL, APP_OPT_BASE + 11}
#define APP_COMMON_USAGE                                                                         \
    "  --tun NAME       TUN device to attach, or create when missing (synack0)\n"              \
    "  --addr A         synack's IPv4 address (192.0.2.1)\n"                                     \
    "  --peer B         the kernel's address on a device the app creates (198.51.100.2)\n"     \
    "  --mtu N          MTU of a device the app creates (1500)\n"                                \
    "  --pcap FILE      record what the stack sends and receives (Wireshark)\n"                \
    "  --impair SPEC    seeded impairment between device and stack, both ways:\n"              \
    "                   loss=3%,reorder=5%,delay=5ms,dup=0,seed=1,dir=in|out|both\n"          \
    "                   (stands in for netem; dir=in, toward synack, is what netem on\n"      \
    "                   the device does; default both)\n"                                     \
    "  --seed N         the stack's RNG seed (default: random)\n"                              \
    "  --cc NAME        congestion control: reno (RFC 5681, the default) or cubic (RFC 9438)\n" \
    "  --addr6 A6       synack's IPv6 address too (dual stack; none by default)\n"            \
    "  --peer6 B6       the kernel's IPv6 address on a device the app creates (/64;\n"        \
    "                   the namespace must have IPv6 on)\n"                                 \
    "  --no-offload     open the device without offloads: one datagram per read and\n"       \
    "                   write, every checksum in software (default: the kernel hands\n"      \
    "                   synack whole TCP batches of up to 64 KiB and takes them back)\n"     \
    "  --no-batch       one system call per datagram read or written (default: io_uring,\n"   \
    "                   the writes of a turn and up to 64 reads in one call)\n"

void app_init(struct app *a, const char *prog);
/* Handle one of APP_COMMON_OPTIONS; false (with a message) on a bad value. */
bool app_option(struct app *a, int code, const char *arg);
/* --impair's SPEC (loss=3%,reorder=5%,delay=5ms,seed=7,dir=in ...) into
 * cfg and, when it names one, dir; false when it does not parse. */
bool app_parse_impair(const char *spec, struct synack_memlink_config *cfg,
                      enum synack_tun_dir *dir);
/* Open the device (configuring it if the app created it), build the stack,
 * install SIGINT/SIGTERM handlers. False with a message on failure. */
bool app_start(struct app *a);
/* Print the link's and the impairment stage's counters (verbose). */
void app_report(struct app *a);
/* One line: what the stack holds now beside its limits (synack_stack_usage). */
void app_report_usage(struct app *a);
void app_stop(struct app *a);

/* One turn of the loop, sleeping at most until `until`. False once a
 * signal asked the app to stop or the device failed. */
bool app_turn(struct app *a, uint64_t until);
bool app_stopping(void);

void app_format_ipv4(uint32_t addr, char *out, size_t n);
/* "a.b.c.d:port" or "[v6]:port" (RFC 3986 3.2.2); an IPv4-mapped address as IPv4. */
void app_format_endpoint(const struct synack_addr *a, uint16_t port, char *out, size_t n);
/* "1.5 MiB", "20.0 MiB" */
void app_format_size(double bytes, char *out, size_t n);

#endif
