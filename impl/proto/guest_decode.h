/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host-side decoding of a guest message batch. The batch comes from the
 * guest, which is untrusted: every length prefix is bounded and every
 * message must unpack cleanly with a known body, or the whole run fails.
 */
#ifndef INSTAR_PROTO_GUEST_DECODE_H
#define INSTAR_PROTO_GUEST_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "guest.pb-c.h"

/* Called for each message in order; return 0 to go on, nonzero to stop. */
typedef int (*guest_message_fn)(void *ctx, const Instar__GuestMessage *m);

/*
 * Decode every message of the batch [buf, buf+len). Returns 0 when all
 * were decoded and accepted, the callback's nonzero value when it stopped,
 * or -1 with a description in err when the batch is malformed.
 */
int guest_batch_decode(const uint8_t *buf, size_t len, guest_message_fn fn,
                       void *ctx, char *err, size_t errlen);

#endif
