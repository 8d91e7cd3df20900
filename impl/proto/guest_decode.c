/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "guest_decode.h"

#include <stdio.h>

#include "instar_abi.h"

/* Reads a varint of at most 10 bytes; returns bytes used or 0 if bad. */
static size_t read_varint(const uint8_t *p, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < len && i < 10; i++) {
        v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            *out = v;
            return i + 1;
        }
    }
    return 0;
}

int guest_batch_decode(const uint8_t *buf, size_t len, guest_message_fn fn,
                       void *ctx, char *err, size_t errlen)
{
    size_t pos = 0;
    while (pos < len) {
        uint64_t mlen;
        size_t used = read_varint(buf + pos, len - pos, &mlen);
        if (used == 0) {
            snprintf(err, errlen, "bad length prefix at batch offset %zu",
                     pos);
            return -1;
        }
        pos += used;
        if (mlen == 0 || mlen > INSTAR_MESSAGE_MAX || mlen > len - pos) {
            snprintf(err, errlen,
                     "message length %llu at batch offset %zu is out of "
                     "bounds", (unsigned long long)mlen, pos - used);
            return -1;
        }
        Instar__GuestMessage *m =
            instar__guest_message__unpack(NULL, (size_t)mlen, buf + pos);
        if (!m) {
            snprintf(err, errlen, "message at batch offset %zu does not "
                     "decode", pos - used);
            return -1;
        }
        if (m->body_case == INSTAR__GUEST_MESSAGE__BODY__NOT_SET) {
            instar__guest_message__free_unpacked(m, NULL);
            snprintf(err, errlen, "message at batch offset %zu has no body",
                     pos - used);
            return -1;
        }
        int rc = fn(ctx, m);
        instar__guest_message__free_unpacked(m, NULL);
        if (rc)
            return rc;
        pos += (size_t)mlen;
    }
    return 0;
}
