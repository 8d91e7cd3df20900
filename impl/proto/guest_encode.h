/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A tiny freestanding protobuf encoder for GuestMessage, used by the guest
 * (which has no protobuf-c). Each function appends one length-delimited
 * GuestMessage (varint length, then the message) to a buffer and returns
 * the bytes written, or 0 when it does not fit. A test checks the bytes
 * against protobuf-c's packer for many random messages.
 */
#ifndef INSTAR_PROTO_GUEST_ENCODE_H
#define INSTAR_PROTO_GUEST_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

struct pb_opened {
    uint64_t virtual_size;
    uint32_t format;
};

struct pb_log {
    uint32_t kind;       /* enum instar_log_kind */
    const char *text;    /* NUL-terminated */
};

struct pb_result {
    uint32_t error_kind;
    int32_t errnum;
    const char *message; /* NUL-terminated, may be empty */
    uint64_t extent_count;
};

size_t pb_put_opened(uint8_t *buf, size_t cap, const struct pb_opened *m);
size_t pb_put_extent(uint8_t *buf, size_t cap, const struct map_extent *m);
size_t pb_put_result(uint8_t *buf, size_t cap, const struct pb_result *m);
size_t pb_put_log(uint8_t *buf, size_t cap, const struct pb_log *m);

/* Field numbers of guest.proto, shared with the encoder's test. */
enum {
    PB_MSG_OPENED = 1,
    PB_MSG_EXTENT = 2,
    PB_MSG_RESULT = 3,
    PB_MSG_LOG = 4,
};

#endif
