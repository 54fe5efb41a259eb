/* Shell lines read as sysctl settings on synack's configuration
 * (target/sysctl.h): every form the reader takes, its values checked, all
 * or nothing, and what it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "target/sysctl.h"

static enum sysctl_outcome apply(struct synack_config *c, const char *cmd, char *why)
{
    synack_config_default(c);
    return sysctl_apply(c, cmd, why, 300);
}

static void test_every_form_sets_its_knob(void **state)
{
    (void)state;
    struct synack_config c;
    char why[300];
    assert_int_equal(apply(&c, "sysctl -q net.ipv4.tcp_fin_timeout=7", why), SYSCTL_APPLIED);
    assert_int_equal(c.fin_wait_2, 7 * SYNACK_SEC);
    assert_int_equal(apply(&c, "sysctl -w net/ipv4/tcp_keepalive_time=30 "
                               "net.ipv4.tcp_keepalive_intvl=5; sysctl -qw "
                               "net.ipv4.tcp_keepalive_probes=2", why), SYSCTL_APPLIED);
    assert_int_equal(c.keepalive_idle, 30 * SYNACK_SEC);
    assert_int_equal(c.keepalive_intvl, 5 * SYNACK_SEC);
    assert_int_equal(c.keepalive_cnt, 2);
    assert_int_equal(apply(&c, "echo \"4096 2000 9000\" > /proc/sys/net/ipv4/tcp_wmem && "
                               "echo 4096 3000 9000 > /proc/sys/net/ipv4/tcp_rmem\n"
                               "sysctl -q net.ipv4.ip_local_port_range='40000 40010'", why),
                     SYSCTL_APPLIED);
    assert_int_equal(c.sndbuf, 2000);
    assert_int_equal(c.rcvbuf, 3000);
    assert_int_equal(c.rcvbuf_max, 9000); /* the window scale's (Linux's rule) */
    assert_int_equal(c.ephemeral_lo, 40000);
    assert_int_equal(c.ephemeral_hi, 40010);
    assert_int_equal(apply(&c, "sysctl -q net.ipv4.tcp_rto_min_us=200000 "
                               "net.ipv4.ip_default_ttl=0x20 net.core.somaxconn=5 "
                               "net.ipv4.tcp_challenge_ack_limit=3", why), SYSCTL_APPLIED);
    assert_int_equal(c.rto_min, 200000);
    assert_int_equal(c.ttl, 32);
    assert_int_equal(c.backlog_max, 5);
    assert_int_equal(c.challenge_ack_limit, 3);
}

/* tcp_syn_retries N: give up when the (N+1)th timeout comes, counted from
 * the first retransmission (1 s): after 2 retransmissions, 2 s + 4 s. */
static void test_syn_retries_is_the_time_of_n_retransmissions(void **state)
{
    (void)state;
    struct synack_config c;
    char why[300];
    assert_int_equal(apply(&c, "sysctl -q net.ipv4.tcp_syn_retries=2", why), SYSCTL_APPLIED);
    assert_int_equal(c.r2_syn, 6 * SYNACK_SEC);
    assert_int_equal(apply(&c, "sysctl -q net.ipv4.tcp_syn_retries=8", why), SYSCTL_APPLIED);
    assert_int_equal(c.r2_syn, (2 + 4 + 8 + 16 + 32 + 60 + 60 + 60) * SYNACK_SEC);
}

/* The TCP extensions set their switches; what synack does not do takes
 * only its one behaviour. */
static void test_extensions_and_fixed_behaviours(void **state)
{
    (void)state;
    struct synack_config c;
    char why[300];
    assert_int_equal(apply(&c, "sysctl -q net.ipv4.tcp_sack=0 net.ipv4.tcp_timestamps=0 "
                               "net.ipv4.tcp_window_scaling=0 net.ipv4.tcp_ecn=1 "
                               "net.ipv4.tcp_dsack=0 net.ipv4.tcp_fastopen=0x3 "
                               "net.ipv4.tcp_no_metrics_save=1 net.ipv4.tcp_mtu_probing=1", why),
                     SYSCTL_APPLIED);
    assert_int_equal(c.sack, 0);
    assert_int_equal(c.timestamps, 0);
    assert_int_equal(c.window_scaling, 0);
    assert_int_equal(c.ecn, 1);
    assert_int_equal(c.dsack, 0);
    assert_int_equal(c.fastopen, 3);
    assert_int_equal(c.mtu_probing, 1);
    /* packetdrill's defaults.sh: bits Linux does not define are ignored, as Linux does */
    assert_int_equal(apply(&c, "sysctl -q net.ipv4.tcp_fastopen=0x70403", why), SYSCTL_APPLIED);
    assert_int_equal(c.fastopen, 0x403);
    assert_int_equal(apply(&c, "sysctl -q net.ipv4.tcp_fastopen=0x80000000", why),
                     SYSCTL_UNSUPPORTED);
    assert_int_equal(apply(&c, "sysctl -q net.ipv4.tcp_timestamps=2", why), SYSCTL_APPLIED);
    assert_int_equal(c.timestamps, 2);
    assert_int_equal(apply(&c, "sysctl -q net.ipv4.tcp_timestamps=3", why), SYSCTL_UNSUPPORTED);
    assert_int_equal(apply(&c, "sysctl -q net.ipv4.tcp_congestion_control=cubic", why),
                     SYSCTL_APPLIED);
    assert_int_equal(c.congestion, SYNACK_CONGESTION_CUBIC);
    assert_int_equal(apply(&c, "sysctl -q net.ipv4.tcp_congestion_control=reno", why),
                     SYSCTL_APPLIED);
    assert_int_equal(c.congestion, SYNACK_CONGESTION_NEWRENO);
    assert_int_equal(apply(&c, "sysctl -q net.ipv4.tcp_congestion_control=bbr", why),
                     SYSCTL_APPLIED);
    assert_int_equal(c.congestion, SYNACK_CONGESTION_BBR);
    assert_int_equal(apply(&c, "sysctl -q net.ipv4.tcp_congestion_control=vegas", why),
                     SYSCTL_UNSUPPORTED);
    assert_int_equal(apply(&c, "sysctl -q net.ipv4.tcp_mtu_probing=2", why), SYSCTL_UNSUPPORTED);
    assert_int_equal(apply(&c, "sysctl -q net.ipv4.tcp_ecn=3", why), SYSCTL_UNSUPPORTED);
    assert_int_equal(apply(&c, "sysctl -q net.ipv4.tcp_moderate_rcvbuf=1", why),
                     SYSCTL_UNSUPPORTED);
    assert_string_equal(why, "net.ipv4.tcp_moderate_rcvbuf=1: synack does not autotune its "
                             "buffers");
}

/* Bad values, other programs and shell syntax: unsupported, with the reason,
 * and the configuration untouched even when an earlier part was fine. */
static void test_refusals_name_the_part_and_change_nothing(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"sysctl -q net.ipv4.tcp_fin_timeout=7; tc qdisc add dev tun0 root fq",
         "tc is not sysctl"},
        {"sysctl -q net.ipv4.tcp_fin_timeout=-1", "net.ipv4.tcp_fin_timeout: value '-1'"},
        {"sysctl -q net.ipv4.tcp_rmem=\"4096 87380\"", "expected three sizes"},
        {"sysctl -q net.ipv4.tcp_rto_max_ms=5000", "at 60 s or more"},
        {"sysctl -q net.ipv4.tcp_syn_retries=0", "1..127"},
        {"sysctl net.ipv4.tcp_sack", "only NAME=VALUE settings"},
        {"sysctl -a", "sysctl option -a"},
        {"sysctl -q", "sysctl without a setting"},
        {"sysctl -q net.ipv4.tcp_sack=0 | cat", "shell syntax"},
        {"echo 1 > /tmp/x", "echo other than"},
        {"", "an empty command"},
        {"sysctl -q net.ipv4.tcp_sack=0;; true", "an empty command"},
        {"net.ipv4.tcp_foo=1", "is not sysctl"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct synack_config c, d;
        char why[300] = "";
        synack_config_default(&d);
        assert_int_equal(apply(&c, cases[i][0], why), SYSCTL_UNSUPPORTED);
        if (!strstr(why, cases[i][1]))
            fail_msg("'%s': '%s' lacks '%s'", cases[i][0], why, cases[i][1]);
        assert_memory_equal(&c, &d, sizeof c);
    }
}

/* A line longer than the reader holds is refused, not cut. */
static void test_long_line_is_refused(void **state)
{
    (void)state;
    static char cmd[8192];
    size_t k = 0;
    while (k + 40 < sizeof cmd)
        k += (size_t)snprintf(cmd + k, sizeof cmd - k, "sysctl -q net.ipv4.tcp_sack=0; ");
    struct synack_config c;
    char why[300];
    assert_int_equal(apply(&c, cmd, why), SYSCTL_UNSUPPORTED);
}

static void test_every_row_is_named_and_explained(void **state)
{
    (void)state;
    size_t i = 0;
    for (; sysctl_row_name(i); i++) {
        assert_non_null(strstr(sysctl_row_name(i), "net."));
        assert_true(strlen(sysctl_row_meaning(i)) > 2);
    }
    assert_true(i >= 20);
    assert_null(sysctl_row_meaning(i));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_form_sets_its_knob),
        cmocka_unit_test(test_syn_retries_is_the_time_of_n_retransmissions),
        cmocka_unit_test(test_extensions_and_fixed_behaviours),
        cmocka_unit_test(test_refusals_name_the_part_and_change_nothing),
        cmocka_unit_test(test_long_line_is_refused),
        cmocka_unit_test(test_every_row_is_named_and_explained),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
