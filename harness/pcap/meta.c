/* The metadata file of a capture vector: one item per line (meta.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcap/meta.h"

#define META_MAX_FILE (1u << 20)

static const char *const app_names[] = {
    [META_APP_LISTEN] = "listen", [META_APP_CONNECT] = "connect", [META_APP_ACCEPT] = "accept",
    [META_APP_WRITE] = "write",   [META_APP_READ] = "read",       [META_APP_SHUTDOWN] = "shutdown",
    [META_APP_CLOSE] = "close",
};

const char *meta_app_name(enum meta_app_kind k)
{
    return (unsigned)k < sizeof app_names / sizeof app_names[0] ? app_names[k] : "?";
}

struct mparse {
    struct pcap_meta *m;
    const char *name;
    unsigned line;
    char *err;
    size_t errlen;
};

static int perr(struct mparse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int perr(struct mparse *p, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(p->err, p->errlen, "%s:%u: %s", p->name, p->line, msg);
    return -1;
}

struct pcap_meta *pcap_meta_new(void)
{
    struct pcap_meta *m = calloc(1, sizeof *m);
    if (m)
        m->time_scale = 1.0;
    return m;
}

void pcap_meta_free(struct pcap_meta *m)
{
    if (!m)
        return;
    free(m->path);
    free(m->description);
    for (size_t i = 0; i < m->req_count; i++)
        free(m->reqs[i]);
    free(m->reqs);
    for (size_t i = 0; i < m->expect_count; i++)
        free(m->oracle_expect[i]);
    free(m->oracle_expect);
    free(m);
}

/* Split line into at most max words (in place). */
static size_t split(char *line, char **w, size_t max)
{
    size_t n = 0;
    char *s = line;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            *s++ = '\0';
        if (!*s)
            break;
        if (n == max)
            return max + 1;
        w[n++] = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
    }
    return n;
}

/* Seconds as a decimal number in [0, max]: into microseconds. */
static int seconds(struct mparse *p, const char *what, const char *s, double max, int64_t *us)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v) || v < 0 || v > max || !isdigit((unsigned char)s[0]))
        return perr(p, "%s: expected seconds from 0 to %g, got '%s'", what, max, s);
    *us = (int64_t)llround(v * 1e6);
    return 0;
}

static bool tag_valid(const char *s)
{
    size_t i = 0, n = strlen(s);
    while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_'))
        i++;
    if (i == 0 || i + 1 >= n || s[i] != ':')
        return false;
    for (size_t k = i + 1; k < n; k++)
        if (!isalnum((unsigned char)s[k]) && s[k] != '_' && s[k] != '.' && s[k] != '-')
            return false;
    return isalnum((unsigned char)s[n - 1]);
}

static bool rule_name_valid(const char *s)
{
    if (!*s || strlen(s) > 63)
        return false;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
            return false;
    return true;
}

static int push_str(struct mparse *p, char ***v, size_t *n, const char *s)
{
    char **nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv)
        return perr(p, "out of memory");
    *v = nv;
    if (!(nv[*n] = strdup(s)))
        return perr(p, "out of memory");
    (*n)++;
    return 0;
}

static int parse_app(struct mparse *p, char **w, size_t n)
{
    struct pcap_meta *m = p->m;
    if (n < 2)
        return perr(p, "app: expected a call (listen, connect, accept, write N, read N, "
                       "shutdown, close)");
    if (m->app_count == META_MAX_APP)
        return perr(p, "app: more than %d calls", META_MAX_APP);
    struct meta_app a = {.line = p->line};
    size_t k;
    for (k = 0; k < sizeof app_names / sizeof app_names[0]; k++)
        if (strcmp(w[1], app_names[k]) == 0)
            break;
    if (k == sizeof app_names / sizeof app_names[0])
        return perr(p, "app: unknown call '%s' (known: listen, connect, accept, write, read, "
                       "shutdown, close)", w[1]);
    a.kind = (enum meta_app_kind)k;
    size_t i = 2;
    if (a.kind == META_APP_WRITE || a.kind == META_APP_READ) {
        char *end;
        if (n < 3)
            return perr(p, "app %s: expected a number of octets", w[1]);
        errno = 0;
        unsigned long v = strtoul(w[2], &end, 10);
        if (!isdigit((unsigned char)w[2][0]) || *end || errno || v == 0 || v > 100000000ul)
            return perr(p, "app %s: expected 1 to 100000000 octets, got '%s'", w[1], w[2]);
        a.n = (uint32_t)v;
        i = 3;
    }
    if (i < n) {
        if (strcmp(w[i], "at") != 0 || i + 2 != n)
            return perr(p, "app %s: unexpected '%s' (only 'at SECONDS' may follow)", w[1], w[i]);
        if (seconds(p, "at", w[i + 1], 1e6, &a.at_us) < 0)
            return -1;
        a.at_given = true;
    }
    m->app[m->app_count++] = a;
    return 0;
}

static int parse_line(struct mparse *p, char *line)
{
    struct pcap_meta *m = p->m;
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    char *w[16];
    char *rest = line + strspn(line, " \t");
    char copy[META_MAX_LINE];
    snprintf(copy, sizeof copy, "%s", rest);
    size_t n = split(line, w, 15);
    if (n == 0)
        return 0;
    if (n > 15 && strcmp(w[0], "description") != 0)
        return perr(p, "too many words");
    const char *key = w[0];
    if (strcmp(key, "description") == 0) {
        const char *text = copy + strlen("description");
        text += strspn(text, " \t");
        size_t tl = strlen(text);
        while (tl && (text[tl - 1] == ' ' || text[tl - 1] == '\t'))
            tl--;
        size_t old = m->description ? strlen(m->description) : 0;
        char *d = realloc(m->description, old + tl + 2);
        if (!d)
            return perr(p, "out of memory");
        if (old)
            d[old++] = ' ';
        memcpy(d + old, text, tl);
        d[old + tl] = '\0';
        m->description = d;
        return 0;
    }
    if (strcmp(key, "stack") == 0 || strcmp(key, "peer") == 0) {
        bool stack = key[0] == 's';
        if (n != 2)
            return perr(p, "%s: expected ADDR[:PORT]", key);
        if ((stack && m->stack_given) || (!stack && m->peer_given))
            return perr(p, "%s given twice", key);
        struct conv_endpoint ep;
        if (conv_endpoint_parse(w[1], &ep) < 0)
            return perr(p, "%s: expected an address and optional port "
                           "(192.0.2.1:8080, [2001:db8::1]:8080), got '%s'", key, w[1]);
        if (stack) {
            m->stack = ep;
            m->stack_given = true;
        } else {
            m->peer = ep;
            m->peer_given = true;
        }
        return 0;
    }
    if (strcmp(key, "app") == 0)
        return parse_app(p, w, n);
    if (strcmp(key, "tolerance") == 0) {
        if (n != 2)
            return perr(p, "tolerance: expected seconds");
        m->tolerance_given = true;
        return seconds(p, "tolerance", w[1], 10, &m->tolerance_us);
    }
    if (strcmp(key, "time-scale") == 0) {
        char *end;
        if (n != 2)
            return perr(p, "time-scale: expected a factor");
        errno = 0;
        double v = strtod(w[1], &end);
        if (*end || errno || !isfinite(v) || v < 0.001 || v > 1000)
            return perr(p, "time-scale: expected a factor from 0.001 to 1000, got '%s'", w[1]);
        m->time_scale = v;
        return 0;
    }
    if (strcmp(key, "ignore") == 0) {
        if (n < 2)
            return perr(p, "ignore: expected window, options or psh");
        for (size_t i = 1; i < n; i++) {
            if (strcmp(w[i], "window") == 0)
                m->ignore_window = true;
            else if (strcmp(w[i], "options") == 0)
                m->ignore_options = true;
            else if (strcmp(w[i], "psh") == 0)
                m->ignore_psh = true;
            else
                return perr(p, "ignore: unknown field '%s' (window, options, psh)", w[i]);
        }
        return 0;
    }
    if (strcmp(key, "req") == 0 || strcmp(key, "oracle-expect") == 0) {
        bool req = key[0] == 'r';
        if (n < 2)
            return perr(p, "%s: expected at least one %s", key, req ? "tag" : "rule");
        for (size_t i = 1; i < n; i++) {
            if (req && !tag_valid(w[i]))
                return perr(p, "req: malformed requirement tag '%s' (expected NAME:ID)", w[i]);
            if (!req && !rule_name_valid(w[i]))
                return perr(p, "oracle-expect: malformed rule name '%s'", w[i]);
            if (push_str(p, req ? &m->reqs : &m->oracle_expect,
                         req ? &m->req_count : &m->expect_count, w[i]) < 0)
                return -1;
        }
        return 0;
    }
    return perr(p, "unknown item '%s' (known: description, stack, peer, app, tolerance, "
                   "time-scale, ignore, req, oracle-expect)", key);
}

int pcap_meta_parse_buffer(const char *buf, size_t len, const char *name,
                           struct pcap_meta **out, char *err, size_t errlen)
{
    *out = NULL;
    struct pcap_meta *m = pcap_meta_new();
    struct mparse p = {.m = m, .name = name ? name : "metadata", .err = err, .errlen = errlen};
    if (!m || (name && !(m->path = strdup(name)))) {
        snprintf(err, errlen, "%s: out of memory", p.name);
        pcap_meta_free(m);
        return -1;
    }
    size_t pos = 0;
    int rc = 0;
    while (pos < len && rc == 0) {
        p.line++;
        size_t end = pos;
        while (end < len && buf[end] != '\n')
            end++;
        size_t n = end - pos;
        if (n && buf[pos + n - 1] == '\r')
            n--;
        char line[META_MAX_LINE];
        if (n >= sizeof line)
            rc = perr(&p, "line longer than %d octets", META_MAX_LINE - 1);
        else if (memchr(buf + pos, '\0', n))
            rc = perr(&p, "NUL octet in the file");
        else {
            memcpy(line, buf + pos, n);
            line[n] = '\0';
            rc = parse_line(&p, line);
        }
        pos = end + 1;
    }
    if (rc < 0) {
        pcap_meta_free(m);
        return -1;
    }
    *out = m;
    return 0;
}

int pcap_meta_parse_file(const char *path, struct pcap_meta **out, char *err, size_t errlen)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = malloc(META_MAX_FILE + 1);
    size_t n = buf ? fread(buf, 1, META_MAX_FILE + 1, f) : 0;
    bool bad = ferror(f);
    fclose(f);
    int rc = -1;
    if (!buf)
        snprintf(err, errlen, "%s: out of memory", path);
    else if (bad)
        snprintf(err, errlen, "%s: read error", path);
    else if (n > META_MAX_FILE)
        snprintf(err, errlen, "%s: larger than %u octets", path, META_MAX_FILE);
    else
        rc = pcap_meta_parse_buffer(buf, n, path, out, err, errlen);
    free(buf);
    return rc;
}

char *pcap_meta_path_for(const char *capture_path)
{
    size_t n = strlen(capture_path);
    const char *dot = strrchr(capture_path, '.');
    const char *slash = strrchr(capture_path, '/');
    size_t base = (dot && (!slash || dot > slash)) ? (size_t)(dot - capture_path) : n;
    char *p = malloc(base + 6);
    if (!p)
        return NULL;
    memcpy(p, capture_path, base);
    memcpy(p + base, ".meta", 6);
    return p;
}
