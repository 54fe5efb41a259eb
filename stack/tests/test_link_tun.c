/* The TUN link and its real-clock loop, against the Linux kernel: the
 * process moves into a private network namespace of its own first (it
 * dies with the process, with every device in it). The kernel pings
 * synack and talks TCP to it through the device; the impairment stage
 * and the pcap recording act on what crosses it. Needs root and
 * /dev/net/tun: exits 77 (skipped) with the reason otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <synack/link_tun.h>
#include <synack/socket.h>

#define STACK_IP 0xc0000201u  /* 192.0.2.1 */
#define KERNEL_IP 0xc6336402u /* 198.51.100.2 */

struct rig {
    struct synack_tun *tun;
    struct synack_stack *s;
    bool offload; /* asked for: IFF_VNET_HDR, checksum and TSO */
    bool batch;   /* asked for: io_uring */
};

static void rig_open_dir(struct rig *r, const char *name, const struct synack_memlink_config *impair,
                         enum synack_tun_dir dir)
{
    char err[256] = "";
    struct synack_tun_config tc = {.name = name, .offload = r->offload, .batch = r->batch};
    r->tun = synack_tun_open(&tc, err, sizeof err);
    assert_non_null(r->tun);
    assert_true(synack_tun_offload(r->tun) == r->offload);
    assert_true(synack_tun_batched(r->tun) == r->batch); /* io_uring is there on this kernel */
    assert_true(synack_tun_created(r->tun));
    assert_string_equal(synack_tun_name(r->tun), name);
    struct synack_tun_addr ta = {.kernel_addr = KERNEL_IP, .peer_addr = STACK_IP, .mtu = 1400};
    assert_int_equal(synack_tun_configure(r->tun, &ta, err, sizeof err), 0);
    if (impair)
        assert_int_equal(synack_tun_impair(r->tun, impair, dir), 0);
    struct synack_config c;
    synack_config_default(&c);
    c.addr = STACK_IP;
    c.mtu = 1400;
    c.rng_seed = 1;
    struct synack_link link = synack_tun_link(r->tun);
    int e = 0;
    r->s = synack_stack_new(&c, &link, &e);
    assert_non_null(r->s);
}

static void rig_open(struct rig *r, const char *name, const struct synack_memlink_config *impair)
{
    rig_open_dir(r, name, impair, SYNACK_TUN_BOTH);
}

static void rig_close(struct rig *r)
{
    synack_stack_free(r->s);
    synack_tun_close(r->tun);
}

/* Run synack's loop for up to ms, until *done (when given) turns true. */
static void run_for(struct rig *r, int ms, int (*done)(void *), void *arg)
{
    uint64_t until = synack_clock_now() + (uint64_t)ms * 1000u;
    while (synack_clock_now() < until) {
        if (done && done(arg))
            return;
        assert_true(synack_tun_run(r->tun, r->s, synack_clock_now() + 5000) >= 0);
    }
}

static struct sockaddr_in sin_of(uint32_t a, uint16_t port)
{
    struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons(port),
                            .sin_addr.s_addr = htonl(a)};
    return s;
}

/* ---- ICMP echo from the kernel ---- */

struct ping {
    int fd;
    bool replied;
};

static int ping_done(void *arg)
{
    struct ping *p = arg;
    uint8_t b[256];
    ssize_t n = recv(p->fd, b, sizeof b, MSG_DONTWAIT);
    /* a raw ICMP socket gets the IP header: echo reply is type 0 */
    if (n >= 28 && b[20] == 0)
        p->replied = true;
    return p->replied;
}

static void send_echo(int fd)
{
    uint8_t icmp[16] = {8, 0, 0, 0, 0x12, 0x34, 0, 1, 'p', 'i', 'n', 'g'};
    uint32_t sum = 0;
    for (size_t i = 0; i < sizeof icmp; i += 2)
        sum += (uint32_t)(icmp[i] << 8 | icmp[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    icmp[2] = (uint8_t)(~sum >> 8);
    icmp[3] = (uint8_t)~sum;
    struct sockaddr_in to = sin_of(STACK_IP, 0);
    assert_int_equal(sendto(fd, icmp, sizeof icmp, 0, (struct sockaddr *)&to, sizeof to),
                     (ssize_t)sizeof icmp);
}

static void test_device_is_created_and_configured(void **state)
{
    (void)state;
    struct rig r = {0};
    rig_open(&r, "sntest0", NULL);
    assert_true(if_nametoindex("sntest0") != 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "sntest0");
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_int_equal(ioctl(fd, SIOCGIFMTU, &ifr), 0);
    assert_int_equal(ifr.ifr_mtu, 1400);
    assert_int_equal(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
    assert_true(ifr.ifr_flags & IFF_UP);
    close(fd);
    /* a second open of a device someone holds says so */
    char err[256] = "";
    struct synack_tun_config tc = {.name = "sntest0"};
    assert_null(synack_tun_open(&tc, err, sizeof err));
    assert_non_null(strstr(err, "sntest0"));
    rig_close(&r);
    assert_int_equal(if_nametoindex("sntest0"), 0); /* created by us: gone with us */
}

static void test_kernel_ping_gets_an_echo_reply(void **state)
{
    (void)state;
    struct rig r = {0};
    rig_open(&r, "sntest1", NULL);
    struct ping p = {.fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)};
    assert_true(p.fd >= 0);
    send_echo(p.fd);
    run_for(&r, 2000, ping_done, &p);
    assert_true(p.replied);
    assert_int_equal(synack_stack_counters(r.s)->icmp_echo_replied, 1);
    assert_true(synack_tun_stats(r.tun)->rx >= 1);
    assert_true(synack_tun_stats(r.tun)->tx >= 1);
    close(p.fd);
    rig_close(&r);
}

/* ---- TCP with the kernel ---- */

struct tcp_case {
    struct rig *r;
    int ls;      /* synack listener */
    int sd;      /* synack's accepted socket */
    int kfd;     /* the kernel's socket */
    size_t want; /* octets the kernel sends */
    size_t got;  /* octets synack received */
    size_t kgot; /* octets the kernel received back */
    uint8_t pend[16384]; /* received, not yet taken by synack's send */
    size_t npend;
};

/* The text the kernel sends: octet i of the stream is text_at(i), so a
 * segment cut or put back at the wrong place shows. */
static uint8_t text_at(size_t i)
{
    return (uint8_t)(i * 7u + i / 251u);
}

static void check_text(const uint8_t *b, size_t n, size_t at)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] != text_at(at + i))
            fail_msg("octet %zu of the stream is %u, not %u", at + i, b[i], text_at(at + i));
}

static int accepted(void *arg)
{
    struct tcp_case *c = arg;
    c->sd = synack_socket_accept(c->r->s, c->ls, NULL, NULL);
    return c->sd >= 0;
}

static int echoed(void *arg)
{
    struct tcp_case *c = arg;
    uint8_t b[16384];
    ssize_t n;
    uint64_t now = synack_clock_now();
    if (c->npend) {
        n = synack_socket_send(c->r->s, c->sd, c->pend, c->npend, 0, now);
        if (n > 0) {
            memmove(c->pend, c->pend + n, c->npend - (size_t)n);
            c->npend -= (size_t)n;
        }
    }
    while (!c->npend && (n = synack_socket_recv(c->r->s, c->sd, b, sizeof b, 0, now)) > 0) {
        check_text(b, (size_t)n, c->got);
        c->got += (size_t)n;
        ssize_t w = synack_socket_send(c->r->s, c->sd, b, (size_t)n, 0, now);
        w = w < 0 ? 0 : w;
        memcpy(c->pend, b + w, (size_t)(n - w));
        c->npend = (size_t)(n - w);
    }
    while ((n = recv(c->kfd, b, sizeof b, MSG_DONTWAIT)) > 0) {
        check_text(b, (size_t)n, c->kgot);
        c->kgot += (size_t)n;
    }
    return c->kgot == c->want;
}

/* The kernel sends want octets to synack's echo port through the device
 * and reads them back; synack's send buffer is the default (256 KiB), so
 * the echo keeps up. */
static void tcp_echo_rig(struct rig *r, const char *name,
                         const struct synack_memlink_config *impair, size_t want,
                         struct synack_pcap *pc)
{
    rig_open(r, name, impair);
    if (pc)
        synack_tun_set_pcap(r->tun, pc);
    struct tcp_case c = {.r = r, .want = want};
    c.ls = synack_socket(r->s);
    assert_int_equal(synack_socket_bind(r->s, c.ls, STACK_IP, 7), 0);
    assert_int_equal(synack_socket_listen(r->s, c.ls, 4), 0);
    c.kfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in to = sin_of(STACK_IP, 7);
    assert_int_equal(connect(c.kfd, (struct sockaddr *)&to, sizeof to), -1);
    assert_int_equal(errno, EINPROGRESS);
    run_for(r, 5000, accepted, &c);
    assert_true(c.sd >= 0);
    static uint8_t data[1 << 20];
    assert_true(want <= sizeof data);
    for (size_t i = 0; i < want; i++)
        data[i] = text_at(i);
    size_t sent = 0;
    uint64_t until = synack_clock_now() + 30 * SYNACK_SEC;
    while (!echoed(&c) && synack_clock_now() < until) {
        if (sent < want) {
            ssize_t w = send(c.kfd, data + sent, want - sent, MSG_DONTWAIT);
            if (w > 0)
                sent += (size_t)w;
        }
        synack_tun_run(r->tun, r->s, synack_clock_now() + 5000);
    }
    assert_int_equal(c.got, want);
    assert_int_equal(c.kgot, want);
    close(c.kfd);
    run_for(r, 50, NULL, NULL);
    synack_socket_close(r->s, c.sd, synack_clock_now());
    synack_socket_close(r->s, c.ls, synack_clock_now());
    if (impair)
        assert_true(synack_tun_impair_stats(r->tun)->lost > 0);
    assert_int_equal(synack_stack_counters(r->s)->tcp_drop_checksum, 0);
}

static void tcp_echo(const struct synack_memlink_config *impair, const char *name)
{
    struct rig r = {0};
    tcp_echo_rig(&r, name, impair, 20000, NULL);
    rig_close(&r);
}

static void test_kernel_tcp_echo_through_the_device(void **state)
{
    (void)state;
    tcp_echo(NULL, "sntest2");
}

static void test_kernel_tcp_echo_survives_the_impairment_stage(void **state)
{
    (void)state;
    struct synack_memlink_config im = {.seed = 3, .loss = 0.05, .reorder = 0.05,
                                       .delay = 2000};
    tcp_echo(&im, "sntest3");
}

/* The longest TCP datagram in a capture, and how many there are. */
static size_t pcap_longest_tcp(const char *path, int *count)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t pkt[65536];
    uint8_t hdr[24], rec[16];
    size_t longest = 0;
    *count = 0;
    assert_int_equal(fread(hdr, 1, sizeof hdr, f), sizeof hdr);
    while (fread(rec, 1, sizeof rec, f) == sizeof rec) {
        uint32_t incl;
        memcpy(&incl, rec + 8, 4); /* host order: the file is ours */
        assert_true(incl <= sizeof pkt);
        assert_int_equal(fread(pkt, 1, incl, f), incl);
        if (incl >= 40 && pkt[0] >> 4 == 4 && pkt[9] == IPPROTO_TCP) {
            ++*count;
            longest = incl > longest ? incl : longest;
        }
    }
    fclose(f);
    return longest;
}

/* With offloads (IFF_VNET_HDR, TUNSETOFFLOAD) the kernel hands synack
 * segments of many MSS at once with partial checksums and takes synack's
 * the same way, both cut at the MTU by the kernel; a megabyte comes back
 * whole and in order, no checksum is refused, and the capture shows the
 * segments as they would be on a wire (none longer than the MTU). */
static void test_kernel_tcp_echo_with_offloads(void **state)
{
    (void)state;
    char path[] = "/tmp/synack-test-tun-XXXXXX";
    int tmp = mkstemp(path);
    assert_true(tmp >= 0);
    close(tmp);
    char err[256];
    struct synack_pcap *pc = synack_pcap_open(path, err);
    assert_non_null(pc);
    struct rig r = {.offload = true};
    tcp_echo_rig(&r, "sntest9", NULL, 1 << 20, pc);
    const struct synack_tun_stats *ts = synack_tun_stats(r.tun);
    assert_true(ts->rx_gso > 0); /* the kernel's, uncut */
    assert_true(ts->tx_gso > 0); /* synack's, cut by the kernel */
    assert_true(ts->rx < (1u << 20) / 1360); /* fewer reads than segments */
    rig_close(&r);
    assert_int_equal(synack_pcap_close(pc), 0);
    int count;
    size_t longest = pcap_longest_tcp(path, &count);
    unlink(path);
    assert_true(count > 2 * (1 << 20) / 1360); /* every segment, both ways */
    assert_true(longest <= 1400);
}

/* Batched (io_uring): a megabyte through the kernel one segment per
 * datagram, the writes of each turn and up to 64 reads in one call, comes
 * back whole and in order; and the same with offloads, whose long
 * datagrams are written at once after the queue. What the application
 * sends between turns goes out before the loop sleeps again. */
static void test_kernel_tcp_echo_batched(void **state)
{
    (void)state;
    struct rig r = {.batch = true};
    tcp_echo_rig(&r, "sntest11", NULL, 1 << 20, NULL);
    const struct synack_tun_stats *ts = synack_tun_stats(r.tun);
    assert_true(ts->rx > (1u << 20) / 1360);
    assert_true(ts->tx > (1u << 20) / 1360);
    assert_int_equal(ts->tx_errors, 0);
    assert_int_equal(ts->rx_errors, 0);
    rig_close(&r);
    r = (struct rig){.batch = true, .offload = true};
    tcp_echo_rig(&r, "sntest12", NULL, 1 << 20, NULL);
    assert_true(synack_tun_stats(r.tun)->tx_gso > 0);
    assert_int_equal(synack_tun_stats(r.tun)->tx_errors, 0);
    rig_close(&r);
}

/* Batched through the impairment stage, both ways. */
static void test_kernel_tcp_echo_batched_survives_the_impairment_stage(void **state)
{
    (void)state;
    struct synack_memlink_config im = {.seed = 7, .loss = 0.03, .reorder = 0.03,
                                       .delay = 2000};
    struct rig r = {.batch = true};
    tcp_echo_rig(&r, "sntest13", &im, 256 * 1024, NULL);
    rig_close(&r);
}

/* The same through the impairment stage: it loses segments, not the
 * kernel's batches of them (both ways cut in software before it). */
static void test_kernel_tcp_echo_with_offloads_survives_the_impairment_stage(void **state)
{
    (void)state;
    struct synack_memlink_config im = {.seed = 5, .loss = 0.02, .reorder = 0.02,
                                       .delay = 2000};
    struct rig r = {.offload = true};
    tcp_echo_rig(&r, "sntest10", &im, 256 * 1024, NULL);
    rig_close(&r);
}
/* The ICMP echo requests (type 8) and replies (type 0) in a capture. */
static void pcap_count_echo(const char *path, int *requests, int *replies)
{
    *requests = *replies = 0;
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t hdr[24], rec[16], pkt[2048];
    assert_int_equal(fread(hdr, 1, sizeof hdr, f), sizeof hdr);
    while (fread(rec, 1, sizeof rec, f) == sizeof rec) {
        uint32_t incl;
        memcpy(&incl, rec + 8, 4); /* host order: the file is ours */
        assert_true(incl <= sizeof pkt);
        assert_int_equal(fread(pkt, 1, incl, f), incl);
        if (incl >= 28 && pkt[0] >> 4 == 4 && pkt[9] == IPPROTO_ICMP) {
            size_t ihl = (size_t)(pkt[0] & 15) * 4;
            *requests += pkt[ihl] == 8;
            *replies += pkt[ihl] == 0;
        }
    }
    fclose(f);
}

/* A ping through a stage that drops everything one way (only that way),
 * recorded: the capture holds what the stack received and sent, at its side of the
 * stage (what synack lint judges it by). */
static void ping_recorded(const char *name, enum synack_tun_dir dir, int *requests, int *replies)
{
    char path[] = "/tmp/synack-test-tun-XXXXXX";
    int tmp = mkstemp(path);
    assert_true(tmp >= 0);
    close(tmp);
    char err[256];
    struct synack_pcap *pc = synack_pcap_open(path, err);
    assert_non_null(pc);
    struct synack_memlink_config im = {.seed = 1, .loss = 1.0};
    struct rig r = {0};
    rig_open_dir(&r, name, &im, dir);
    synack_tun_set_pcap(r.tun, pc);
    struct ping p = {.fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)};
    send_echo(p.fd);
    run_for(&r, 300, ping_done, &p);
    assert_false(p.replied);
    /* the echo, and whatever else the kernel sent (a FIN of an earlier
     * test's socket it still retransmits to this address): the capture
     * says which */
    assert_true(synack_tun_impair_stats(r.tun)->lost >= 1);
    /* one way only: the request got there when the reply was lost */
    assert_int_equal(synack_stack_counters(r.s)->icmp_echo_replied, dir == SYNACK_TUN_TO_DEVICE);
    close(p.fd);
    rig_close(&r);
    assert_int_equal(synack_pcap_close(pc), 0);
    pcap_count_echo(path, requests, replies);
    unlink(path);
}

static void test_pcap_records_the_stack_side_of_the_impairment_stage(void **state)
{
    (void)state;
    int req, rep;
    ping_recorded("sntest4", SYNACK_TUN_TO_STACK, &req, &rep); /* the request is lost */
    assert_int_equal(req, 0);
    assert_int_equal(rep, 0);
    ping_recorded("sntest7", SYNACK_TUN_TO_DEVICE, &req, &rep); /* the reply is lost */
    assert_int_equal(req, 1);
    assert_int_equal(rep, 1);
}

static void test_loop_sleeps_until_the_deadline(void **state)
{
    (void)state;
    struct rig r = {0};
    rig_open(&r, "sntest5", NULL);
    uint64_t t0 = synack_clock_now();
    /* Nothing comes for the stack (the kernel may send IPv6 on a new device:
     * read, counted, ignored), so the loop returns at the deadline. */
    while (synack_clock_now() < t0 + 50000)
        assert_true(synack_tun_run(r.tun, r.s, t0 + 50000) >= 0);
    uint64_t slept = synack_clock_now() - t0;
    assert_true(slept >= 50000 && slept < 500000);
    assert_int_equal(synack_stack_counters(r.s)->ip_in, 0);
    assert_int_equal(synack_tun_stats(r.tun)->rx, synack_tun_stats(r.tun)->rx_not_ipv4);
    rig_close(&r);
}

/* A deadline the loop met late is reported (the apps print it; synack
 * lint --late allows a delayed ACK that much): here the application stays
 * away from the loop for 200 ms while the stage holds a datagram due in
 * 20 ms. */
static void test_loop_reports_how_late_it_met_a_deadline(void **state)
{
    (void)state;
    struct synack_memlink_config im = {.seed = 1, .delay = 20000};
    struct rig r = {0};
    rig_open_dir(&r, "sntest8", &im, SYNACK_TUN_TO_STACK);
    struct ping p = {.fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)};
    assert_int_equal(synack_tun_stats(r.tun)->late_max, 0);
    send_echo(p.fd);
    uint64_t t0 = synack_clock_now();
    while (synack_tun_impair_stats(r.tun)->sent == 0 && synack_clock_now() < t0 + 1000000)
        assert_true(synack_tun_run(r.tun, r.s, synack_clock_now() + 5000) >= 0);
    assert_true(synack_tun_impair_stats(r.tun)->sent >= 1); /* held for 20 ms */
    usleep(200000); /* away from the loop, the datagram due meanwhile */
    run_for(&r, 300, ping_done, &p);
    assert_true(p.replied);
    assert_true(synack_tun_stats(r.tun)->late_max >= 150000);
    close(p.fd);
    rig_close(&r);
}

int main(void)
{
    if (geteuid() != 0) {
        puts("test_link_tun: skipped: needs root (a network namespace and a TUN device)");
        return 77;
    }
    if (access("/dev/net/tun", R_OK | W_OK) != 0) {
        puts("test_link_tun: skipped: no /dev/net/tun");
        return 77;
    }
    if (unshare(CLONE_NEWNET) != 0) {
        printf("test_link_tun: skipped: cannot create a network namespace: %s\n",
               strerror(errno));
        return 77;
    }
    /* the namespace's loopback, for the kernel's own use */
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
        ifr.ifr_flags |= IFF_UP;
        ioctl(fd, SIOCSIFFLAGS, &ifr);
    }
    close(fd);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_device_is_created_and_configured),
        cmocka_unit_test(test_kernel_ping_gets_an_echo_reply),
        cmocka_unit_test(test_kernel_tcp_echo_through_the_device),
        cmocka_unit_test(test_kernel_tcp_echo_survives_the_impairment_stage),
        cmocka_unit_test(test_kernel_tcp_echo_with_offloads),
        cmocka_unit_test(test_kernel_tcp_echo_with_offloads_survives_the_impairment_stage),
        cmocka_unit_test(test_kernel_tcp_echo_batched),
        cmocka_unit_test(test_kernel_tcp_echo_batched_survives_the_impairment_stage),
        cmocka_unit_test(test_pcap_records_the_stack_side_of_the_impairment_stage),
        cmocka_unit_test(test_loop_reports_how_late_it_met_a_deadline),
        cmocka_unit_test(test_loop_sleeps_until_the_deadline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
