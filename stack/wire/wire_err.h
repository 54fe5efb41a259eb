/* Internal helper of the wire parsers: record an error and return its code. */
#ifndef SYNACK_WIRE_ERR_H
#define SYNACK_WIRE_ERR_H

#include <synack/wire.h>

static inline int wire_fail(struct synack_wire_error *err, enum synack_wire_err code,
                            size_t offset)
{
    if (err) {
        err->code = code;
        err->offset = (uint32_t)offset;
    }
    return (int)code;
}

#endif
