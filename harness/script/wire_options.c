/* TCP options between the script's list and the wire, in both directions:
 * the runner builds inbound options and describes outbound ones, the
 * capture translator writes a capture's options as a script would. */
#include <string.h>

#include "script/script.h"

/* A known kind with the length its definition requires. */
static bool known_length(uint8_t kind, uint8_t len)
{
    switch (kind) {
    case TCPOPT_MSS: return len == 4;
    case TCPOPT_WSCALE: return len == 3;
    case TCPOPT_SACK_PERM: return len == 2;
    case TCPOPT_TIMESTAMP: return len == 10;
    case TCPOPT_SACK:
        return len >= 10 && (len - 2) % 8 == 0 && (len - 2) / 8 <= SYNACK_SACK_MAX;
    case SCRIPT_TCPOPT_FASTOPEN: return len >= 2 && len <= 2 + SCRIPT_FASTOPEN_COOKIE_MAX;
    case SCRIPT_TCPOPT_MD5: return len == 2 + SCRIPT_MD5_DIGEST_MAX;
    case SCRIPT_TCPOPT_ACCECN0:
    case SCRIPT_TCPOPT_ACCECN1: return len >= 2 && len <= 11 && (len - 2) % 3 == 0;
    default: return false;
    }
}

static void decode_known(const struct synack_tcp_opt *o, uint32_t sack_offset,
                         struct script_tcp_option *so)
{
    switch (o->kind) {
    case TCPOPT_MSS:
        so->type = SCRIPT_OPT_MSS;
        so->mss = synack_get16(o->data);
        break;
    case TCPOPT_WSCALE:
        so->type = SCRIPT_OPT_WSCALE;
        so->wscale = o->data[0];
        break;
    case TCPOPT_SACK_PERM:
        so->type = SCRIPT_OPT_SACK_PERM;
        break;
    case TCPOPT_TIMESTAMP:
        so->type = SCRIPT_OPT_TS;
        so->ts_val = synack_get32(o->data);
        so->ts_ecr = synack_get32(o->data + 4);
        break;
    case TCPOPT_SACK:
        so->type = SCRIPT_OPT_SACK;
        so->sack_count = (uint8_t)((o->len - 2) / 8);
        for (unsigned b = 0; b < so->sack_count; b++) {
            so->sack[b].left = synack_get32(o->data + 8 * b) - sack_offset;
            so->sack[b].right = synack_get32(o->data + 8 * b + 4) - sack_offset;
        }
        break;
    case SCRIPT_TCPOPT_FASTOPEN:
    case SCRIPT_TCPOPT_MD5:
    case SCRIPT_TCPOPT_ACCECN0:
    case SCRIPT_TCPOPT_ACCECN1:
        so->type = o->kind == SCRIPT_TCPOPT_MD5        ? SCRIPT_OPT_MD5
                   : o->kind == SCRIPT_TCPOPT_FASTOPEN ? SCRIPT_OPT_FASTOPEN
                                                       : SCRIPT_OPT_ACCECN;
        so->data_len = (uint8_t)(o->len - 2);
        memcpy(so->data, o->data, so->data_len);
        break;
    default:
        break;
    }
}

/* RFC 7413's experimental form: kind 254, length 4 + cookie, magic 0xf989. */
static bool fastopen_exp(const struct synack_tcp_opt *o)
{
    return o->kind == SCRIPT_TCPOPT_EXP && o->len >= 4 &&
           o->len <= 2 + SCRIPT_FASTOPEN_COOKIE_MAX &&
           synack_get16(o->data) == SCRIPT_FASTOPEN_MAGIC;
}

size_t script_options_from_wire(const uint8_t *opts, size_t len, uint32_t sack_offset,
                                struct script_tcp_option *out, size_t max)
{
    size_t off = 0, n = 0;
    struct synack_tcp_opt o;
    while (n < max && synack_tcp_opt_next(opts, len, &off, &o, NULL) == 1) {
        struct script_tcp_option *so = &out[n++];
        memset(so, 0, sizeof *so);
        so->kind = o.kind;
        so->len = o.len;
        if (o.kind == TCPOPT_EOL) {
            so->type = SCRIPT_OPT_EOL;
            break;
        }
        if (o.kind == TCPOPT_NOP) {
            so->type = SCRIPT_OPT_NOP;
        } else if (known_length(o.kind, o.len)) {
            decode_known(&o, sack_offset, so);
        } else if (fastopen_exp(&o)) {
            so->type = SCRIPT_OPT_FASTOPEN_EXP;
            so->data_len = (uint8_t)(o.len - 4);
            memcpy(so->data, o.data + 2, so->data_len);
        } else { /* unknown kind, or a known one of the wrong length */
            so->type = SCRIPT_OPT_GENERIC;
            so->len_given = true;
            so->data_len = (uint8_t)(o.len - 2 > SCRIPT_OPT_DATA_MAX ? SCRIPT_OPT_DATA_MAX
                                                                     : o.len - 2);
            memcpy(so->data, o.data, so->data_len);
        }
    }
    return n;
}

/* One option's octets into tmp (at most 2 + 38 octets); returns the count. */
static size_t encode_one(const struct script_tcp_option *o, const struct script_opt_map *map,
                         uint8_t *tmp)
{
    uint32_t sack_offset = map ? map->sack_offset : 0;
    size_t k = 0;
    tmp[k++] = o->kind;
    switch (o->type) {
    case SCRIPT_OPT_EOL:
    case SCRIPT_OPT_NOP:
        break;
    case SCRIPT_OPT_MSS:
        tmp[k++] = 4;
        synack_put16(tmp + k, o->mss);
        k += 2;
        break;
    case SCRIPT_OPT_WSCALE:
        tmp[k++] = 3;
        tmp[k++] = o->wscale;
        break;
    case SCRIPT_OPT_SACK_PERM:
        tmp[k++] = 2;
        break;
    case SCRIPT_OPT_SACK:
        tmp[k++] = (uint8_t)(2 + 8 * o->sack_count);
        for (unsigned b = 0; b < o->sack_count; b++) {
            synack_put32(tmp + k, o->sack[b].left + sack_offset);
            synack_put32(tmp + k + 4, o->sack[b].right + sack_offset);
            k += 8;
        }
        break;
    case SCRIPT_OPT_TS:
        tmp[k++] = 10;
        synack_put32(tmp + k, o->ts_val);
        synack_put32(tmp + k + 4, map && map->ts_ecr ? map->ts_ecr(map->ctx, o->ts_ecr) : o->ts_ecr);
        k += 8;
        break;
    case SCRIPT_OPT_FASTOPEN:
    case SCRIPT_OPT_MD5:
    case SCRIPT_OPT_ACCECN:
        tmp[k++] = (uint8_t)(2 + o->data_len);
        memcpy(tmp + k, o->data, o->data_len);
        k += o->data_len;
        break;
    case SCRIPT_OPT_FASTOPEN_EXP:
        tmp[k++] = (uint8_t)(4 + o->data_len);
        synack_put16(tmp + k, SCRIPT_FASTOPEN_MAGIC);
        memcpy(tmp + k + 2, o->data, o->data_len);
        k += 2u + o->data_len;
        break;
    case SCRIPT_OPT_MPTCP: /* the runner's (MP_CAPABLE); else a bare kind and length */
        if (map && map->mptcp)
            return map->mptcp(map->ctx, o, tmp);
        tmp[k++] = 2;
        break;
    case SCRIPT_OPT_GENERIC:
        tmp[k++] = o->len; /* verbatim: illegal lengths are the point */
        memcpy(tmp + k, o->data, o->data_len);
        k += o->data_len;
        break;
    }
    return k;
}

int script_options_to_wire(const struct script_packet *p, const struct script_opt_map *map,
                           uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < p->opt_count; i++) {
        uint8_t tmp[2 + 8 * SYNACK_SACK_MAX + SCRIPT_OPT_DATA_MAX];
        size_t k = encode_one(&p->opts[i], map, tmp);
        if (n + k > cap)
            return -1;
        memcpy(out + n, tmp, k);
        n += k;
    }
    return (int)n;
}
