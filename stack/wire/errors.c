/* Names and messages of the wire error codes (synack/wire.h). */
#include <stdio.h>

#include <synack/wire.h>

static const struct {
    const char *name;
    const char *msg;
} wire_errors[WIRE_ERR_COUNT] = {
    [WIRE_OK] = {"WIRE_OK", "no error"},
    [WIRE_EIP_TRUNCATED] = {"WIRE_EIP_TRUNCATED", "ipv4: header truncated (fewer than 20 octets)"},
    [WIRE_EIP_VERSION] = {"WIRE_EIP_VERSION", "ipv4: version is not 4"},
    [WIRE_EIP_IHL_SMALL] = {"WIRE_EIP_IHL_SMALL", "ipv4: IHL below 5"},
    [WIRE_EIP_IHL_OVERRUN] = {"WIRE_EIP_IHL_OVERRUN", "ipv4: IHL runs past the end of the packet"},
    [WIRE_EIP_TOTLEN_SMALL] = {"WIRE_EIP_TOTLEN_SMALL", "ipv4: total length smaller than the header"},
    [WIRE_EIP_TOTLEN_OVERRUN] = {"WIRE_EIP_TOTLEN_OVERRUN", "ipv4: total length runs past the end of the packet"},
    [WIRE_EIP_CHECKSUM] = {"WIRE_EIP_CHECKSUM", "ipv4: bad header checksum"},
    [WIRE_EIP_OPT_TRUNCATED] = {"WIRE_EIP_OPT_TRUNCATED", "ipv4 option: type without a length octet"},
    [WIRE_EIP_OPTLEN_ZERO] = {"WIRE_EIP_OPTLEN_ZERO", "ipv4 option: length 0"},
    [WIRE_EIP_OPTLEN_ONE] = {"WIRE_EIP_OPTLEN_ONE", "ipv4 option: length 1"},
    [WIRE_EIP_OPTLEN_OVERRUN] = {"WIRE_EIP_OPTLEN_OVERRUN", "ipv4 option: length runs past the header"},
    [WIRE_EIP_OPT_ROUTE] = {"WIRE_EIP_OPT_ROUTE", "ipv4 option: route length below 3, or pointer below 4 or at a partial address"},
    [WIRE_EIP_OPT_TS] = {"WIRE_EIP_OPT_TS", "ipv4 option: timestamp length below 4, or pointer below 5 or at a partial entry"},
    [WIRE_EIP_OPT_DUP] = {"WIRE_EIP_OPT_DUP", "ipv4 option: record route, timestamp or source route given twice"},
    [WIRE_ETCP_TRUNCATED] = {"WIRE_ETCP_TRUNCATED", "tcp: header truncated (fewer than 20 octets)"},
    [WIRE_ETCP_DOFF_SMALL] = {"WIRE_ETCP_DOFF_SMALL", "tcp: data offset below 5"},
    [WIRE_ETCP_DOFF_OVERRUN] = {"WIRE_ETCP_DOFF_OVERRUN", "tcp: data offset runs past the end of the segment"},
    [WIRE_ETCP_CHECKSUM] = {"WIRE_ETCP_CHECKSUM", "tcp: bad checksum"},
    [WIRE_ETCP_TOO_LONG] = {"WIRE_ETCP_TOO_LONG", "tcp: segment longer than 65535 octets"},
    [WIRE_ETCP_OPT_TRUNCATED] = {"WIRE_ETCP_OPT_TRUNCATED", "tcp option: kind without a length octet"},
    [WIRE_ETCP_OPTLEN_ZERO] = {"WIRE_ETCP_OPTLEN_ZERO", "tcp option: length 0"},
    [WIRE_ETCP_OPTLEN_ONE] = {"WIRE_ETCP_OPTLEN_ONE", "tcp option: length 1"},
    [WIRE_ETCP_OPTLEN_OVERRUN] = {"WIRE_ETCP_OPTLEN_OVERRUN", "tcp option: length runs past the option space"},
    [WIRE_ETCP_MSS_LEN] = {"WIRE_ETCP_MSS_LEN", "tcp option: mss length is not 4"},
    [WIRE_ETCP_WSCALE_LEN] = {"WIRE_ETCP_WSCALE_LEN", "tcp option: window scale length is not 3"},
    [WIRE_ETCP_SACKOK_LEN] = {"WIRE_ETCP_SACKOK_LEN", "tcp option: sack-permitted length is not 2"},
    [WIRE_ETCP_SACK_LEN] = {"WIRE_ETCP_SACK_LEN", "tcp option: sack length is not 2+8n (n = 1..4)"},
    [WIRE_ETCP_TS_LEN] = {"WIRE_ETCP_TS_LEN", "tcp option: timestamps length is not 10"},
    [WIRE_EICMP_TRUNCATED] = {"WIRE_EICMP_TRUNCATED", "icmp: message truncated (fewer than 8 octets)"},
    [WIRE_EICMP_CHECKSUM] = {"WIRE_EICMP_CHECKSUM", "icmp: bad checksum"},
    [WIRE_EICMP_INNER_TRUNCATED] = {"WIRE_EICMP_INNER_TRUNCATED", "icmp: error without the original IP header and 8 octets"},
    [WIRE_EICMP_INNER_VERSION] = {"WIRE_EICMP_INNER_VERSION", "icmp: embedded header is not IPv4"},
    [WIRE_EICMP_INNER_IHL] = {"WIRE_EICMP_INNER_IHL", "icmp: embedded IHL below 5 or past the end of the message"},
    [WIRE_EIP6_TRUNCATED] = {"WIRE_EIP6_TRUNCATED", "ipv6: header truncated (fewer than 40 octets)"},
    [WIRE_EIP6_VERSION] = {"WIRE_EIP6_VERSION", "ipv6: version is not 6"},
    [WIRE_EIP6_PLEN_OVERRUN] = {"WIRE_EIP6_PLEN_OVERRUN", "ipv6: payload length runs past the end of the packet"},
    [WIRE_EIP6_EXT_TRUNCATED] = {"WIRE_EIP6_EXT_TRUNCATED", "ipv6: extension header runs past the payload"},
    [WIRE_EIP6_HBH_NOT_FIRST] = {"WIRE_EIP6_HBH_NOT_FIRST", "ipv6: hop-by-hop options not right after the header"},
    [WIRE_EIP6_OPT_TRUNCATED] = {"WIRE_EIP6_OPT_TRUNCATED", "ipv6 option: type without a length octet"},
    [WIRE_EIP6_OPT_OVERRUN] = {"WIRE_EIP6_OPT_OVERRUN", "ipv6 option: length runs past its header"},
    [WIRE_EICMP6_TRUNCATED] = {"WIRE_EICMP6_TRUNCATED", "icmpv6: message truncated (fewer than 8 octets)"},
    [WIRE_EICMP6_CHECKSUM] = {"WIRE_EICMP6_CHECKSUM", "icmpv6: bad checksum"},
    [WIRE_EICMP6_INNER_TRUNCATED] = {"WIRE_EICMP6_INNER_TRUNCATED", "icmpv6: error without the invoking packet's header"},
    [WIRE_EICMP6_INNER_VERSION] = {"WIRE_EICMP6_INNER_VERSION", "icmpv6: invoking packet is not IPv6"},
    [WIRE_EBUILD_SPACE] = {"WIRE_EBUILD_SPACE", "build: output buffer too small"},
    [WIRE_EBUILD_OPTSPACE] = {"WIRE_EBUILD_OPTSPACE", "build: tcp options exceed 40 octets or are not padded to 4"},
    [WIRE_EBUILD_FIELD] = {"WIRE_EBUILD_FIELD", "build: field value cannot be encoded"},
};

const char *synack_wire_strerror(enum synack_wire_err code)
{
    if ((unsigned)code >= WIRE_ERR_COUNT)
        return "unknown error";
    return wire_errors[code].msg;
}

const char *synack_wire_errname(enum synack_wire_err code)
{
    if ((unsigned)code >= WIRE_ERR_COUNT)
        return "WIRE_EUNKNOWN";
    return wire_errors[code].name;
}

int synack_wire_error_format(const struct synack_wire_error *err, char *buf, size_t len)
{
    return snprintf(buf, len, "%s at offset %u", synack_wire_strerror(err->code),
                    (unsigned)err->offset);
}
