/* MP_CAPABLE (RFC 8684 3.1) in packetdrill's MPTCP syntax, the option of
 * an MPTCP connection's handshake:
 *
 *   mpcapable v1 flags[flag_h] nokey          the SYN (v1: no key)
 *   mpcapable v1 flags 0x41 nokey             flags as a number
 *   mpcapable v1 flags[flag_h] key[skey=2]    a key given (2, 64 bits)
 *   mpcapable v1 flags[flag_h] key[ckey,skey] keys by name: learned from
 *                                             the stack's packets
 *
 * On the wire: kind 30, length 4 + 8 per key, subtype 0 and the version in
 * one octet, the flags (A B C D E F G H) in the next, then the keys in the
 * order written. A key written with a value is that value; one written by
 * name alone is the value that name got last (from a line or from the
 * stack's packet), or, in an outbound line, is learned from it. The data
 * sequence mapping (mpcdatalen), DSS, ADD_ADDR and MP_JOIN are not built:
 * mptcp_mpc_parse refuses them and the runner skips the vector. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/run_internal.h"

static bool mpc_flags(const char *w, uint8_t *flags)
{
    static const char *const names[8] = {"flag_h", "flag_g", "flag_f", "flag_e",
                                         "flag_d", "flag_c", "flag_b", "flag_a"};
    *flags = 0;
    if (strncmp(w, "flags[", 6) != 0 || w[strlen(w) - 1] != ']')
        return false;
    char buf[96];
    snprintf(buf, sizeof buf, "%.*s", (int)(strlen(w) - 7), w + 6);
    for (char *save = NULL, *f = strtok_r(buf, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
        unsigned i = 0;
        while (i < 8 && strcmp(f, names[i]) != 0)
            i++;
        if (i == 8)
            return false;
        *flags |= (uint8_t)(1u << i);
    }
    return true;
}

static bool mpc_keys(const char *w, struct mptcp_mpc *m)
{
    if (strncmp(w, "key[", 4) != 0 || w[strlen(w) - 1] != ']')
        return false;
    char buf[96];
    snprintf(buf, sizeof buf, "%.*s", (int)(strlen(w) - 5), w + 4);
    for (char *save = NULL, *k = strtok_r(buf, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
        if (m->nkeys == 2)
            return false;
        char *eq = strchr(k, '=');
        if (eq) {
            char *end;
            *eq = '\0';
            m->value[m->nkeys] = strtoull(eq + 1, &end, 0);
            if (*end || end == eq + 1)
                return false;
            m->given[m->nkeys] = true;
        }
        if (strlen(k) == 0 || strlen(k) >= sizeof m->name[0])
            return false;
        snprintf(m->name[m->nkeys], sizeof m->name[0], "%s", k);
        m->nkeys++;
    }
    return m->nkeys > 0;
}

bool mptcp_mpc_parse(const char *text, struct mptcp_mpc *m)
{
    char buf[256];
    char *w[8];
    unsigned n = 0;
    memset(m, 0, sizeof *m);
    snprintf(buf, sizeof buf, "%s", text ? text : "");
    for (char *save = NULL, *t = strtok_r(buf, " ", &save); t && n < 8; t = strtok_r(NULL, " ", &save))
        w[n++] = t;
    if (n < 4 || strcmp(w[0], "mpcapable") != 0 || (strcmp(w[1], "v0") && strcmp(w[1], "v1")))
        return false;
    m->version = (uint8_t)(w[1][1] - '0');
    unsigned i = 2;
    if (strcmp(w[i], "flags") == 0 && i + 1 < n) { /* flags 0x41 */
        char *end;
        unsigned long v = strtoul(w[i + 1], &end, 0);
        if (*end || v > 0xff)
            return false;
        m->flags = (uint8_t)v;
        i += 2;
    } else if (mpc_flags(w[i], &m->flags)) {
        i++;
    } else {
        return false;
    }
    if (i + 1 != n) /* one key part, nothing after it (mpcdatalen: not built) */
        return false;
    return strcmp(w[i], "nokey") == 0 || mpc_keys(w[i], m);
}

/* The value a key name got last; false if it has none yet. */
static bool key_of(const struct runner *r, const char *name, uint64_t *v)
{
    for (unsigned i = 0; i < r->map.mptcp_key_count; i++)
        if (strcmp(r->map.mptcp_keys[i].name, name) == 0) {
            *v = r->map.mptcp_keys[i].value;
            return true;
        }
    return false;
}

static void key_set(struct runner *r, const char *name, uint64_t v)
{
    unsigned i = 0;
    while (i < r->map.mptcp_key_count && strcmp(r->map.mptcp_keys[i].name, name) != 0)
        i++;
    if (i == RUN_MPTCP_KEYS)
        return; /* bounded: a script names at most a few keys */
    if (i == r->map.mptcp_key_count)
        r->map.mptcp_key_count++;
    snprintf(r->map.mptcp_keys[i].name, sizeof r->map.mptcp_keys[i].name, "%s", name);
    r->map.mptcp_keys[i].value = v;
}

size_t mptcp_mpc_build(struct runner *r, const struct mptcp_mpc *m, uint8_t *out, char *why,
                       size_t n)
{
    size_t k = 0;
    out[k++] = SCRIPT_TCPOPT_MPTCP;
    out[k++] = (uint8_t)(4 + 8 * m->nkeys);
    out[k++] = m->version; /* subtype 0 (MP_CAPABLE) in the high nibble */
    out[k++] = m->flags;
    for (unsigned i = 0; i < m->nkeys; i++) {
        uint64_t v = m->value[i];
        if (m->given[i])
            key_set(r, m->name[i], v);
        else if (!key_of(r, m->name[i], &v)) {
            snprintf(why, n, "MPTCP key %s has no value yet (no line gave it, no packet of the "
                     "stack's carried it)", m->name[i]);
            return 0;
        }
        synack_put32(out + k, (uint32_t)(v >> 32));
        synack_put32(out + k + 4, (uint32_t)v);
        k += 8;
    }
    return k;
}

bool mptcp_mpc_match(struct runner *r, const struct mptcp_mpc *m, const uint8_t *data,
                     size_t len, char *why, size_t n)
{
    if (len != 2 + 8 * m->nkeys || len < 2 || (data[0] >> 4) != 0) {
        snprintf(why, n, "expected MP_CAPABLE with %u keys", m->nkeys);
        return false;
    }
    if ((data[0] & 0x0f) != m->version || data[1] != m->flags) {
        snprintf(why, n, "expected MP_CAPABLE v%u flags 0x%02x, got v%u flags 0x%02x", m->version,
                 m->flags, data[0] & 0x0f, data[1]);
        return false;
    }
    for (unsigned i = 0; i < m->nkeys; i++) {
        uint64_t got = (uint64_t)synack_get32(data + 2 + 8 * i) << 32 |
                       synack_get32(data + 6 + 8 * i), want;
        if ((m->given[i] && (want = m->value[i], true)) || key_of(r, m->name[i], &want)) {
            if (got != want) {
                snprintf(why, n, "MP_CAPABLE key %s differs", m->name[i]);
                return false;
            }
        }
        key_set(r, m->name[i], got); /* learned, or confirmed */
    }
    return true;
}
