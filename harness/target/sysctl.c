/* Shell lines as sysctl settings on a synack configuration (sysctl.h).
 * Only the plainest shell is read: words, quotes, ';', '&&', newlines and
 * `echo V > /proc/sys/...`; anything else (pipes, variables, substitutions,
 * another program) is a command synack cannot run, named in the skip. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/sysctl.h"

#define LINE_MAX_WORDS 64
#define LINE_MAX_TEXT 2048

/* ---- the table: one row per sysctl --------------------------------------- */

typedef bool (*sysctl_set_fn)(struct synack_config *c, const char *value, char *why, size_t n);

struct sysctl_row {
    const char *name;    /* as sysctl writes it: "net.ipv4.tcp_sack" */
    sysctl_set_fn set;   /* a knob of synack_config, or NULL: */
    long long fixed;     /* the only value synack's behaviour has */
    const char *meaning; /* what it sets, or why only `fixed` is accepted */
};

/* One unsigned number (base 0, as the kernel's proc handlers read it). */
static bool number(const char *text, unsigned long long max, unsigned long long *v)
{
    char *end;
    while (*text == ' ' || *text == '\t')
        text++;
    if (*text == '-' || *text == '\0')
        return false;
    errno = 0;
    unsigned long long x = strtoull(text, &end, 0);
    while (*end == ' ' || *end == '\t' || *end == '\n')
        end++;
    if (errno || *end || x > max)
        return false;
    *v = x;
    return true;
}

/* Up to max numbers separated by blanks; how many, or -1 if not numbers. */
static int numbers(const char *text, unsigned long long *v, int max)
{
    char copy[128];
    snprintf(copy, sizeof copy, "%s", text);
    int k = 0;
    for (char *save = NULL, *tok = strtok_r(copy, " \t\n", &save); tok;
         tok = strtok_r(NULL, " \t\n", &save)) {
        if (k == max || !number(tok, UINT32_MAX, &v[k]))
            return -1;
        k++;
    }
    return k;
}

static bool bad_value(const char *value, const char *want, char *why, size_t n)
{
    snprintf(why, n, "value '%s': expected %s", value, want);
    return false;
}

#define SET_UINT(fn, field, max, scale)                                                  \
    static bool fn(struct synack_config *c, const char *value, char *why, size_t n)     \
    {                                                                                    \
        unsigned long long v;                                                            \
        if (!number(value, (max), &v) || v == 0)                                         \
            return bad_value(value, "a positive integer", why, n);                        \
        c->field = (__typeof__(c->field))(v * (scale));                                   \
        return true;                                                                     \
    }

SET_UINT(set_fin_timeout, fin_wait_2, 3600 * 24ull, SYNACK_SEC)
SET_UINT(set_keepalive_time, keepalive_idle, 32767ull, SYNACK_SEC)
SET_UINT(set_keepalive_intvl, keepalive_intvl, 32767ull, SYNACK_SEC)
SET_UINT(set_keepalive_probes, keepalive_cnt, 127ull, 1)
SET_UINT(set_challenge_ack_limit, challenge_ack_limit, UINT32_MAX, 1)
SET_UINT(set_default_ttl, ttl, 255ull, 1)
SET_UINT(set_somaxconn, backlog_max, 65535ull, 1)

/* tcp_rto_min_us: the initial RTO follows it up (synack keeps
 * rto_min <= rto_initial <= rto_max; Linux's initial RTO is 1 s). */
static bool set_rto_min_us(struct synack_config *c, const char *value, char *why, size_t n)
{
    unsigned long long v;
    if (!number(value, 120ull * SYNACK_SEC, &v) || v == 0)
        return bad_value(value, "a positive integer", why, n);
    if (v > c->rto_max) {
        snprintf(why, n, "value %llu us: above the maximum RTO (%llu us)", v,
                 (unsigned long long)c->rto_max);
        return false;
    }
    c->rto_min = v;
    if (c->rto_initial < v)
        c->rto_initial = v;
    return true;
}

/* tcp_rto_max_ms: the stack keeps RFC 6298 2.5's floor of 60 s. */
static bool set_rto_max_ms(struct synack_config *c, const char *value, char *why, size_t n)
{
    unsigned long long v;
    if (!number(value, 120000, &v) || v < 1000)
        return bad_value(value, "1000..120000 (ms)", why, n);
    if (v * SYNACK_MSEC < 60 * SYNACK_SEC) {
        snprintf(why, n, "value %llu ms: synack keeps the maximum RTO at 60 s or more "
                 "(RFC 6298 2.5)", v);
        return false;
    }
    c->rto_max = v * SYNACK_MSEC;
    return true;
}

/* tcp_rmem / tcp_wmem "min default max": the default is the buffer a
 * connection starts with; min and max bound Linux's autotuning, which
 * synack does not do. tcp_rmem's max also sets the window scale, as in
 * Linux (tcp_select_initial_window: the shift that covers the largest
 * receive buffer): rcvbuf_max. */
static bool buffer_sizes(const char *value, unsigned long long v[3], char *why, size_t n)
{
    if (numbers(value, v, 3) != 3 || v[0] == 0 || v[1] == 0 || v[2] == 0)
        return bad_value(value, "three sizes 'min default max'", why, n);
    if (v[1] > 1073741824ULL || v[2] > 1073741824ULL)
        return bad_value(value, "sizes of at most 1 GiB", why, n);
    return true;
}
static bool set_rmem(struct synack_config *c, const char *value, char *why, size_t n)
{
    unsigned long long v[3];
    if (!buffer_sizes(value, v, why, n))
        return false;
    c->rcvbuf = (uint32_t)v[1];
    c->rcvbuf_max = (uint32_t)v[2];
    return true;
}
static bool set_wmem(struct synack_config *c, const char *value, char *why, size_t n)
{
    unsigned long long v[3];
    if (!buffer_sizes(value, v, why, n))
        return false;
    c->sndbuf = (uint32_t)v[1];
    return true;
}

/* tcp_congestion_control NAME: the algorithms synack has (enum
 * synack_congestion), by Linux's names. */
static bool set_congestion(struct synack_config *c, const char *value, char *why, size_t n)
{
    char name[16];
    static const char *const names[] = {"reno", "cubic", "bbr"}; /* enum synack_congestion */
    if (sscanf(value, " %15s", name) == 1)
        for (uint8_t id = 0; id < sizeof names / sizeof names[0]; id++)
            if (strcmp(name, names[id]) == 0) {
                c->congestion = id;
                return true;
            }
    return bad_value(value, "reno, cubic or bbr", why, n);
}

static bool set_port_range(struct synack_config *c, const char *value, char *why, size_t n)
{
    unsigned long long v[2];
    if (numbers(value, v, 2) != 2 || v[0] == 0 || v[0] > v[1] || v[1] > 65535)
        return bad_value(value, "two ports 'low high'", why, n);
    c->ephemeral_lo = (uint16_t)v[0];
    c->ephemeral_hi = (uint16_t)v[1];
    return true;
}

/* The TCP extensions: 0 or 1 (tcp_ecn 0..2; tcp_fastopen Linux's bits),
 * as synack_config takes them. */
#define SET_SWITCH(fn, field, max)                                                       \
    static bool fn(struct synack_config *c, const char *value, char *why, size_t n)     \
    {                                                                                    \
        unsigned long long v;                                                            \
        if (!number(value, (max), &v))                                                   \
            return bad_value(value, "0.." #max, why, n);                                 \
        c->field = (__typeof__(c->field))v;                                              \
        return true;                                                                     \
    }

SET_SWITCH(set_window_scaling, window_scaling, 1)
SET_SWITCH(set_timestamps, timestamps, 2)
SET_SWITCH(set_sack, sack, 1)
SET_SWITCH(set_dsack, dsack, 1)
SET_SWITCH(set_ecn, ecn, 2)

/* tcp_fastopen: Linux's bits (1 client, 2 server, 4 client without cookie,
 * 0x200 server without cookie, 0x400 server without TCP_FASTOPEN); Linux
 * takes any int and ignores the bits it does not define (packetdrill's
 * defaults.sh sets 0x70403, the upper ones its own kernel's). */
static bool set_fastopen(struct synack_config *c, const char *value, char *why, size_t n)
{
    unsigned long long v;
    if (!number(value, 0x7fffffff, &v))
        return bad_value(value, "0..0x7fffffff", why, n);
    c->fastopen = (uint16_t)(v & 0xffff);
    return true;
}
SET_SWITCH(set_mtu_probing, mtu_probing, 1)

/* tcp_syn_retries N: N retransmissions of a SYN, then give up when the
 * next one would be due. synack's R2 for a SYN is a time counted from the
 * first retransmission (tcp_timer.c), so it is the sum of the backed-off
 * RTOs after each of the N retransmissions. */
static bool set_syn_retries(struct synack_config *c, const char *value, char *why, size_t n)
{
    unsigned long long v;
    if (!number(value, 127, &v) || v == 0)
        return bad_value(value, "1..127", why, n);
    uint64_t total = 0, rto = c->rto_initial;
    for (unsigned long long i = 1; i <= v; i++) {
        rto = rto * 2 > c->rto_max ? c->rto_max : rto * 2;
        total += rto;
    }
    c->r2_syn = total;
    return true;
}

static const struct sysctl_row rows[] = {
    {"net.ipv4.tcp_rmem", set_rmem, 0, "rcvbuf: the default (second) size; rcvbuf_max: the max "
                                        "(third), for the window scale as Linux chooses it; min "
                                        "bounds autotuning, which synack does not do"},
    {"net.ipv4.tcp_wmem", set_wmem, 0, "sndbuf: the default (second) size; min and max bound "
                                        "autotuning, which synack does not do"},
    {"net.ipv4.tcp_syn_retries", set_syn_retries, 0,
     "r2_syn: the sum of the backed-off RTOs after N retransmissions (synack applies it to "
     "SYN-RECEIVED too)"},
    {"net.ipv4.tcp_rto_min_us", set_rto_min_us, 0, "rto_min (rto_initial raised to it)"},
    {"net.ipv4.tcp_rto_max_ms", set_rto_max_ms, 0, "rto_max (60 s or more, RFC 6298 2.5)"},
    {"net.ipv4.tcp_fin_timeout", set_fin_timeout, 0, "fin_wait_2"},
    {"net.ipv4.tcp_keepalive_time", set_keepalive_time, 0, "keepalive_idle"},
    {"net.ipv4.tcp_keepalive_intvl", set_keepalive_intvl, 0, "keepalive_intvl"},
    {"net.ipv4.tcp_keepalive_probes", set_keepalive_probes, 0, "keepalive_cnt"},
    {"net.ipv4.tcp_challenge_ack_limit", set_challenge_ack_limit, 0, "challenge_ack_limit"},
    {"net.ipv4.ip_default_ttl", set_default_ttl, 0, "ttl"},
    {"net.ipv4.ip_local_port_range", set_port_range, 0, "ephemeral_lo, ephemeral_hi"},
    {"net.core.somaxconn", set_somaxconn, 0, "backlog_max"},
    {"net.ipv4.tcp_window_scaling", set_window_scaling, 0, "window_scaling (RFC 7323)"},
    {"net.ipv4.tcp_timestamps", set_timestamps, 0,
     "timestamps (RFC 7323): 0 off, 1 on with a random offset per connection, 2 on without"},
    {"net.ipv4.tcp_sack", set_sack, 0, "sack (RFC 2018)"},
    {"net.ipv4.tcp_dsack", set_dsack, 0, "dsack (RFC 2883)"},
    {"net.ipv4.tcp_ecn", set_ecn, 0, "ecn: 0 off, 1 ask and accept, 2 accept (RFC 3168)"},
    {"net.ipv4.tcp_fastopen", set_fastopen, 0, "fastopen: Linux's bits (RFC 7413)"},
    {"net.ipv4.tcp_congestion_control", set_congestion, 0,
     "congestion: reno (RFC 5681), cubic (RFC 9438) or bbr (draft-ietf-ccwg-bbr)"},
    {"net.ipv4.tcp_mtu_probing", set_mtu_probing, 0,
     "mtu_probing: 0, or 1 (RFC 4821 black-hole detection); synack has no 2 (always probe)"},
    /* What synack does not do: its one behaviour is the only value. */
    {"net.ipv4.tcp_moderate_rcvbuf", NULL, 0, "synack does not autotune its buffers"},
    {"net.ipv4.tcp_no_metrics_save", NULL, 1,
     "synack keeps no metrics of past connections"},
    {"net.ipv4.tcp_slow_start_after_idle", NULL, 1,
     "synack always restarts from the initial window after an idle RTO (RFC 5681 4.1)"},
};

#define ROW_COUNT (sizeof rows / sizeof rows[0])

const char *sysctl_row_name(size_t i) { return i < ROW_COUNT ? rows[i].name : NULL; }
const char *sysctl_row_meaning(size_t i) { return i < ROW_COUNT ? rows[i].meaning : NULL; }

/* ---- reading the shell line ------------------------------------------------ */

struct words {
    char text[LINE_MAX_TEXT];
    char *w[LINE_MAX_WORDS];
    bool op[LINE_MAX_WORDS]; /* the word is an operator: ";", "&&", ">" */
    size_t n;
};

static bool add_word(struct words *ws, char *start, bool op)
{
    if (ws->n == LINE_MAX_WORDS)
        return false;
    ws->op[ws->n] = op;
    ws->w[ws->n++] = start;
    return true;
}

/* Split into words and operators; false on shell syntax this reader does
 * not take (or a line too long). */
static bool split(const char *cmd, struct words *ws)
{
    ws->n = 0;
    size_t k = 0;
    bool in_word = false;
    for (const char *p = cmd; *p; p++) {
        if (k + 3 >= sizeof ws->text)
            return false;
        char ch = *p;
        if (ch == '\'' || ch == '"') { /* a quoted part of a word */
            const char *q = strchr(p + 1, ch);
            if (!q || (ch == '"' && memchr(p + 1, '$', (size_t)(q - p - 1))) ||
                (size_t)(q - p) + k + 3 >= sizeof ws->text)
                return false;
            if (!in_word && !add_word(ws, ws->text + k, false))
                return false;
            in_word = true;
            memcpy(ws->text + k, p + 1, (size_t)(q - p - 1));
            k += (size_t)(q - p - 1);
            p = q;
            continue;
        }
        bool sep = ch == ' ' || ch == '\t';
        bool op = ch == ';' || ch == '\n' || ch == '>' || (ch == '&' && p[1] == '&');
        if ((sep || op) && in_word) {
            ws->text[k++] = '\0';
            in_word = false;
        }
        if (sep)
            continue;
        if (op) {
            if (!add_word(ws, ws->text + k, true))
                return false;
            ws->text[k++] = ch == '\n' ? ';' : ch;
            if (ch == '&')
                ws->text[k++] = *++p;
            ws->text[k++] = '\0';
            continue;
        }
        if (strchr("|&$`()<*?[]\\{}~#", ch))
            return false;
        if (!in_word && !add_word(ws, ws->text + k, false))
            return false;
        in_word = true;
        ws->text[k++] = ch;
    }
    if (in_word)
        ws->text[k++] = '\0';
    return true;
}

static const struct sysctl_row *find_row(const char *name)
{
    for (size_t i = 0; i < ROW_COUNT; i++)
        if (strcmp(rows[i].name, name) == 0)
            return &rows[i];
    return NULL;
}

/* One setting NAME=VALUE (NAME with '.' or '/') into c. */
static bool set_one(struct synack_config *c, const char *name_in, const char *value, char *why,
                    size_t n)
{
    char name[128];
    snprintf(name, sizeof name, "%s", name_in);
    for (char *p = name; *p; p++)
        if (*p == '/')
            *p = '.';
    const struct sysctl_row *row = find_row(name);
    char reason[200] = "";
    if (!row) {
        snprintf(why, n, "%s: no synack equivalent", name);
        return false;
    }
    if (row->set) {
        if (row->set(c, value, reason, sizeof reason))
            return true;
        snprintf(why, n, "%s: %s", name, reason);
        return false;
    }
    unsigned long long v;
    if (number(value, UINT32_MAX, &v) && v == (unsigned long long)row->fixed)
        return true;
    snprintf(why, n, "%s=%s: %s", name, value, row->meaning);
    return false;
}

/* `sysctl [-q] [-w] [-e] NAME=VALUE...`: words [from, to). */
static bool run_sysctl(struct synack_config *c, struct words *ws, size_t from, size_t to,
                       char *why, size_t n)
{
    size_t i = from + 1, set = 0;
    for (; i < to && ws->w[i][0] == '-'; i++)
        if (strspn(ws->w[i] + 1, "qwe") != strlen(ws->w[i] + 1) || !ws->w[i][1]) {
            snprintf(why, n, "sysctl option %s", ws->w[i]);
            return false;
        }
    for (; i < to; i++, set++) {
        char *eq = strchr(ws->w[i], '=');
        if (!eq || eq == ws->w[i]) {
            snprintf(why, n, "sysctl %s: only NAME=VALUE settings are supported", ws->w[i]);
            return false;
        }
        *eq = '\0';
        bool ok = set_one(c, ws->w[i], eq + 1, why, n);
        *eq = '=';
        if (!ok)
            return false;
    }
    if (set == 0)
        snprintf(why, n, "sysctl without a setting");
    return set > 0;
}

/* `echo VALUE... > /proc/sys/NAME` */
static bool run_echo(struct synack_config *c, struct words *ws, size_t from, size_t to,
                     char *why, size_t n)
{
    static const char prefix[] = "/proc/sys/";
    if (to - from < 4 || !ws->op[to - 2] || strcmp(ws->w[to - 2], ">") != 0 ||
        strncmp(ws->w[to - 1], prefix, sizeof prefix - 1) != 0) {
        snprintf(why, n, "echo other than 'echo VALUE > /proc/sys/NAME'");
        return false;
    }
    char value[256] = "";
    for (size_t i = from + 1; i < to - 2; i++) {
        if (ws->op[i] || ws->w[i][0] == '-') {
            snprintf(why, n, "echo %s", ws->w[i]);
            return false;
        }
        size_t len = strlen(value);
        snprintf(value + len, sizeof value - len, "%s%s", len ? " " : "", ws->w[i]);
    }
    return set_one(c, ws->w[to - 1] + sizeof prefix - 1, value, why, n);
}

enum sysctl_outcome sysctl_apply(struct synack_config *c, const char *cmd, char *why, size_t n)
{
    struct words *ws = malloc(sizeof *ws);
    struct synack_config work = *c;
    bool ok = ws && split(cmd, ws);
    if (ws && !ok)
        snprintf(why, n, "shell syntax beyond plain commands");
    else if (!ws)
        snprintf(why, n, "out of memory");
    for (size_t from = 0, to; ok && from < (ws ? ws->n : 0); from = to + 1) {
        for (to = from; to < ws->n && !(ws->op[to] && strcmp(ws->w[to], ">") != 0); to++)
            ;
        if (to == from) {
            snprintf(why, n, "an empty command");
            ok = false;
        } else if (ws->op[from]) {
            snprintf(why, n, "'%s' where a command starts", ws->w[from]);
            ok = false;
        } else if (strcmp(ws->w[from], "sysctl") == 0)
            ok = run_sysctl(&work, ws, from, to, why, n);
        else if (strcmp(ws->w[from], "echo") == 0)
            ok = run_echo(&work, ws, from, to, why, n);
        else {
            snprintf(why, n, "%s is not sysctl", ws->w[from]);
            ok = false;
        }
    }
    if (ok && ws && ws->n == 0) {
        snprintf(why, n, "an empty command");
        ok = false;
    }
    free(ws);
    if (!ok)
        return SYSCTL_UNSUPPORTED;
    *c = work;
    return SYSCTL_APPLIED;
}
