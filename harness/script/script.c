/* script/script.c: freeing the AST and the name tables it refers to
 * (mutation fields, ICMP types and codes).
 */
#include <stdlib.h>
#include <string.h>

#include "script/parse.h"

/* ---- mutation fields ------------------------------------------------------------ */

#define SCRIPT_MUT_INFO_(name, text, kind, max) { text, kind, max },
const struct script_mut_info script_mut_table[SCRIPT_MUT_COUNT] = {
    SCRIPT_MUTATIONS(SCRIPT_MUT_INFO_)
};
#undef SCRIPT_MUT_INFO_

const char *script_mutation_name(enum script_mut_field field)
{
    return (unsigned)field < SCRIPT_MUT_COUNT ? script_mut_table[field].name : "?";
}

bool script_mutation_is_tcp(enum script_mut_field field)
{
    return strncmp(script_mutation_name(field), "tcp.", 4) == 0;
}

/* ---- ICMP names (packetdrill's icmp_packet.c tables, RFC 792) -------------------- */

static const char *const icmp_types[] = {
    [0] = "echo_reply",           [3] = "unreachable",          [4] = "source_quench",
    [5] = "redirect",             [8] = "echo_request",         [11] = "time_exceeded",
    [12] = "parameter_problem",   [13] = "timestamp_request",   [14] = "timestamp_reply",
    [15] = "information_request", [16] = "information_reply",   [17] = "address_mask_request",
    [18] = "address_mask_reply",
};

static const char *const unreach_codes[] = {
    "net_unreachable",      "host_unreachable",        "protocol_unreachable",
    "port_unreachable",     "frag_needed",             "source_route_failed",
    "net_unknown",          "host_unknown",            "source_host_isolated",
    "net_prohibited",       "host_prohibited",         "net_unreachable_for_tos",
    "host_unreachable_for_tos", "packet_filtered",     "precedence_violation",
    "precedence_cutoff",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static bool name_eq(const char *name, const char *s, size_t n)
{
    return name != NULL && strlen(name) == n && memcmp(name, s, n) == 0;
}

const char *script_icmp_type_name(uint8_t type)
{
    return type < NELEM(icmp_types) ? icmp_types[type] : NULL;
}

const char *script_icmp_code_name(uint8_t type, uint8_t code)
{
    return type == 3 && code < NELEM(unreach_codes) ? unreach_codes[code] : NULL;
}

bool script_icmp_type_lookup(const char *name, size_t n, uint8_t *type)
{
    for (size_t i = 0; i < NELEM(icmp_types); i++) {
        if (name_eq(icmp_types[i], name, n)) {
            *type = (uint8_t)i;
            return true;
        }
    }
    return false;
}

bool script_icmp_code_lookup(uint8_t type, const char *name, size_t n, uint8_t *code)
{
    for (size_t i = 0; type == 3 && i < NELEM(unreach_codes); i++) {
        if (name_eq(unreach_codes[i], name, n)) {
            *code = (uint8_t)i;
            return true;
        }
    }
    return false;
}

/* ---- freeing ----------------------------------------------------------------------- */

/* Recursion is bounded: the parser caps nesting at SCRIPT_MAX_DEPTH. */
void script_expr_free(struct script_expr *e)
{
    if (e == NULL)
        return;
    for (size_t i = 0; i < e->count; i++)
        script_expr_free(e->items[i]);
    free(e->items);
    script_expr_free(e->lhs);
    script_expr_free(e->rhs);
    free(e->str);
    free(e);
}

static void event_free(struct script_event *ev)
{
    free(ev->source);
    switch (ev->type) {
    case SCRIPT_EV_PACKET:
        for (size_t i = 0; i < ev->packet.opt_count; i++)
            free(ev->packet.opts[i].text);
        free(ev->packet.opts);
        free(ev->packet.muts);
        free(ev->packet.frags);
        break;
    case SCRIPT_EV_SYSCALL:
        free(ev->syscall.name);
        for (size_t i = 0; i < ev->syscall.arg_count; i++)
            script_expr_free(ev->syscall.args[i]);
        free(ev->syscall.args);
        script_expr_free(ev->syscall.result);
        free(ev->syscall.errno_name);
        free(ev->syscall.note);
        break;
    case SCRIPT_EV_COMMAND:
    case SCRIPT_EV_PYTHON:
        free(ev->text);
        break;
    }
}

void script_free(struct script *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->event_count; i++)
        event_free(&s->events[i]);
    free(s->events);
    for (size_t i = 0; i < s->req_count; i++)
        free(s->reqs[i].tag);
    free(s->reqs);
    for (size_t i = 0; i < s->oracle_expect_count; i++)
        free(s->oracle_expect[i].tag);
    free(s->oracle_expect);
    free(s->app);
    for (size_t i = 0; i < s->options.given_count; i++) {
        free(s->options.given[i].name);
        free(s->options.given[i].value);
    }
    free(s->options.given);
    for (size_t i = 0; i < s->define_count; i++) {
        free(s->defines[i].name);
        free(s->defines[i].value);
    }
    free(s->defines);
    free(s->path);
    free(s);
}
