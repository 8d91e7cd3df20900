/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host's batch decoder against well-formed and hostile batches. */
#include <criterion/criterion.h>
#include <string.h>

#include "guest_decode.h"
#include "guest_encode.h"
#include "instar_abi.h"

struct seen {
    int extents, logs, results;
    uint64_t last_start;
    int stop_after;
};

static int count(void *ctx, const Instar__GuestMessage *m)
{
    struct seen *s = ctx;
    switch (m->body_case) {
    case INSTAR__GUEST_MESSAGE__BODY_EXTENT:
        s->extents++;
        s->last_start = m->extent->start;
        break;
    case INSTAR__GUEST_MESSAGE__BODY_LOG: s->logs++; break;
    case INSTAR__GUEST_MESSAGE__BODY_RESULT: s->results++; break;
    default: break;
    }
    if (s->stop_after && s->extents == s->stop_after)
        return 7;
    return 0;
}

static size_t sample_batch(uint8_t *buf, size_t cap)
{
    size_t n = 0;
    for (uint64_t i = 0; i < 10; i++) {
        struct map_extent e = { .start = i * 65536, .length = 65536,
                                .data = true, .has_offset = true,
                                .offset = 327680 + i * 65536 };
        n += pb_put_extent(buf + n, cap - n, &e);
    }
    n += pb_put_log(buf + n, cap - n,
                    &(struct pb_log){ INSTAR_LOG_MESSAGE, "a warning" });
    struct pb_result r = { 0, 0, "", 10 };
    n += pb_put_result(buf + n, cap - n, &r);
    return n;
}

Test(guest_decode, decodes_a_batch_in_order)
{
    uint8_t buf[4096];
    char err[128];
    struct seen s = { 0 };
    size_t n = sample_batch(buf, sizeof buf);
    cr_assert_eq(guest_batch_decode(buf, n, count, &s, err, sizeof err), 0);
    cr_assert_eq(s.extents, 10);
    cr_assert_eq(s.last_start, 9 * 65536);
    cr_assert_eq(s.logs, 1);
    cr_assert_eq(s.results, 1);
}

Test(guest_decode, callback_can_stop)
{
    uint8_t buf[4096];
    char err[128];
    struct seen s = { .stop_after = 3 };
    size_t n = sample_batch(buf, sizeof buf);
    cr_assert_eq(guest_batch_decode(buf, n, count, &s, err, sizeof err), 7);
    cr_assert_eq(s.extents, 3);
}

Test(guest_decode, every_truncation_fails_cleanly)
{
    uint8_t buf[4096];
    char err[128];
    size_t n = sample_batch(buf, sizeof buf);
    /* A cut inside a message must be an error, never a partial accept. */
    size_t first = 1 + buf[0];
    for (size_t cut = 1; cut < first; cut++) {
        struct seen s = { 0 };
        cr_assert_eq(guest_batch_decode(buf, cut, count, &s, err, sizeof err),
                     -1, "cut %zu", cut);
        cr_assert_eq(s.extents, 0);
    }
    (void)n;
}

Test(guest_decode, rejects_bad_prefixes_and_bodies)
{
    char err[128];
    struct seen s = { 0 };
    /* 11-byte varint */
    uint8_t long_varint[12];
    memset(long_varint, 0xff, sizeof long_varint);
    cr_assert_eq(guest_batch_decode(long_varint, sizeof long_varint, count,
                                    &s, err, sizeof err), -1);
    /* length above the message cap */
    uint8_t big[3] = { 0x81, 0x80, 0x01 }; /* 16385 */
    cr_assert_eq(guest_batch_decode(big, sizeof big, count, &s, err,
                                    sizeof err), -1);
    /* zero-length message */
    uint8_t zero[1] = { 0 };
    cr_assert_eq(guest_batch_decode(zero, 1, count, &s, err, sizeof err), -1);
    /* a message whose only field is unknown has no body */
    uint8_t unknown[3] = { 2, (15 << 3) | 0, 1 };
    cr_assert_eq(guest_batch_decode(unknown, 3, count, &s, err, sizeof err),
                 -1);
    /* garbage that is not protobuf */
    uint8_t junk[5] = { 4, 0xff, 0xff, 0xff, 0xff };
    cr_assert_eq(guest_batch_decode(junk, 5, count, &s, err, sizeof err), -1);
    cr_assert_eq(s.extents + s.logs + s.results, 0);
}
