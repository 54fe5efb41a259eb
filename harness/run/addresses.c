/* The addresses and socket family of a run under packetdrill's
 * --ip_version: ipv4 (AF_INET sockets, IPv4 on the wire), ipv4-mapped-ipv6
 * (AF_INET6 sockets, ::ffff:a.b.c.d, IPv4 on the wire), ipv6 (AF_INET6
 * sockets, IPv6 on the wire). */
#include <stdio.h>
#include <string.h>

#include "run/runner.h"

static const char *given_value(const struct script *s, const char *name)
{
    const char *v = NULL; /* the last one given wins */
    for (size_t i = 0; i < s->options.given_count; i++)
        if (strcmp(s->options.given[i].name, name) == 0)
            v = s->options.given[i].value;
    return v;
}

/* --local_ip or --remote_ip of an ipv6 run (IPv6 text), or the default. */
static bool addr6_of(const struct script *s, const char *name, const char *dflt,
                     struct synack_addr *out, char *why, size_t n)
{
    const char *v = given_value(s, name);
    if (!v)
        v = dflt;
    if (!synack_addr_parse(v, strlen(v), out) || out->family != SYNACK_AF_INET6) {
        snprintf(why, n, "--%s=%s is not an IPv6 address, and the run is ipv6", name, v);
        return false;
    }
    return true;
}

const char *run_ip_version_name(enum script_ip_version v)
{
    static const char *const names[] = {"ipv4", "ipv4-mapped-ipv6", "ipv6"};
    return (unsigned)v < 3 ? names[v] : "?";
}

/* --primary_ip, of the run's family (a->local's), or none. */
static bool primary_of(const struct script *s, struct run_addresses *a, char *why, size_t n)
{
    const char *v = given_value(s, "primary_ip");
    a->primary = (struct synack_addr){0};
    if (!v)
        return true;
    if (!synack_addr_parse(v, strlen(v), &a->primary) || a->primary.family != a->local.family ||
        synack_addr_eq(&a->primary, &a->local)) {
        snprintf(why, n, "--primary_ip=%s is not an %s address other than --local_ip, and the "
                 "run is %s", v, a->local.family == SYNACK_AF_INET6 ? "IPv6" : "IPv4",
                 run_ip_version_name(a->version));
        return false;
    }
    return true;
}

bool run_addresses_of(const struct script *s, enum script_ip_version dflt,
                      struct run_addresses *a, char *why, size_t n)
{
    const struct script_options *so = &s->options;
    a->version = so->ip_version_given ? so->ip_version : dflt;
    a->mtu = so->mtu_given ? so->mtu : SCRIPT_DEFAULT_MTU;
    if (a->version == SCRIPT_IPV6) {
        a->domain = SYNACK_AF_INET6;
        if (!so->mtu_given)
            a->mtu += SYNACK_IPV6_HDR - 20; /* the MSS an IPv4 script expects */
        if (a->mtu < SYNACK_IPV6_MIN_MTU) {
            snprintf(why, n, "--mtu=%u is below IPv6's minimum of %u (RFC 8200 5)", a->mtu,
                     SYNACK_IPV6_MIN_MTU);
            return false;
        }
        return addr6_of(s, "local_ip", RUN_DEFAULT_LOCAL_IP6, &a->local, why, n) &&
               addr6_of(s, "remote_ip", RUN_DEFAULT_REMOTE_IP6, &a->remote, why, n) &&
               primary_of(s, a, why, n);
    }
    if (so->local_ip_v6 || so->remote_ip_v6) {
        snprintf(why, n, "an IPv6 --%s in an %s run", so->local_ip_v6 ? "local_ip" : "remote_ip",
                 a->version == SCRIPT_IPV4 ? "ipv4" : "ipv4-mapped-ipv6");
        return false;
    }
    a->domain = a->version == SCRIPT_IPV4 ? SYNACK_AF_INET : SYNACK_AF_INET6;
    uint32_t local = so->local_ip_given ? so->local_ip : RUN_DEFAULT_LOCAL_IP;
    uint32_t remote = so->remote_ip_given ? so->remote_ip : RUN_DEFAULT_REMOTE_IP;
    /* One side given as the other's default (packetdrill's remote default,
     * 192.0.2.1, is synack's local one): the default side takes the other
     * default, so the two addresses differ as in packetdrill's run. */
    if (so->remote_ip_given && !so->local_ip_given && remote == local)
        local = RUN_DEFAULT_REMOTE_IP;
    if (so->local_ip_given && !so->remote_ip_given && remote == local)
        remote = RUN_DEFAULT_LOCAL_IP;
    a->local = synack_addr_from_v4(local);
    a->remote = synack_addr_from_v4(remote);
    return primary_of(s, a, why, n);
}
