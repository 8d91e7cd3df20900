/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest's hand-written encoder must produce exactly the bytes that
 * protobuf-c's packer produces for the same GuestMessage, so the host's
 * decoder sees canonical protobuf. Random messages, biased to edge values.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "guest.pb-c.h"
#include "guest_encode.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
    /* xorshift64*: deterministic, so a failure reproduces. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t edgy_u64(void)
{
    static const uint64_t edges[] = { 0, 1, 127, 128, 16383, 16384,
                                      0xffffffffull, 0x100000000ull,
                                      INT64_MAX, UINT64_MAX };
    uint64_t r = rng();
    switch (r % 4) {
    case 0: return edges[(r >> 8) % (sizeof edges / sizeof edges[0])];
    case 1: return r >> (r % 64);
    default: return rng();
    }
}

static void random_text(char *buf, size_t cap)
{
    size_t n = rng() % cap;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)(0x20 + rng() % 95);
    buf[n] = 0;
}

/* protobuf-c's bytes with the same varint length prefix in front. */
static size_t reference(const Instar__GuestMessage *m, uint8_t *out)
{
    size_t n = instar__guest_message__get_packed_size(m);
    size_t p = 0;
    uint64_t v = n;
    while (v >= 0x80) {
        out[p++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[p++] = (uint8_t)v;
    return p + instar__guest_message__pack(m, out + p);
}

static void expect_same(const uint8_t *a, size_t alen, const uint8_t *b,
                        size_t blen, int iter)
{
    cr_assert_eq(alen, blen, "iteration %d: length %zu vs protobuf-c %zu",
                 iter, alen, blen);
    cr_assert(memcmp(a, b, alen) == 0, "iteration %d: bytes differ", iter);
}

Test(guest_encode, extents_match_protobuf_c)
{
    uint8_t mine[256], ref[256];
    for (int i = 0; i < 20000; i++) {
        struct map_extent e = {
            .start = edgy_u64(), .length = edgy_u64(),
            .depth = (uint32_t)edgy_u64(), .present = rng() & 1,
            .zero = rng() & 1, .data = rng() & 1, .compressed = rng() & 1,
            .has_offset = rng() & 1, .offset = edgy_u64(),
            .file = (uint32_t)edgy_u64(),
        };
        Instar__MapExtent x = INSTAR__MAP_EXTENT__INIT;
        x.start = e.start; x.length = e.length; x.depth = e.depth;
        x.present = e.present; x.zero = e.zero; x.data = e.data;
        x.compressed = e.compressed; x.has_offset = e.has_offset;
        x.offset = e.offset; x.file = e.file;
        Instar__GuestMessage g = INSTAR__GUEST_MESSAGE__INIT;
        g.body_case = INSTAR__GUEST_MESSAGE__BODY_EXTENT;
        g.extent = &x;
        size_t n = pb_put_extent(mine, sizeof mine, &e);
        expect_same(mine, n, ref, reference(&g, ref), i);
    }
}

Test(guest_encode, opened_result_log_match_protobuf_c)
{
    uint8_t mine[1024], ref[1024];
    char text[300];
    for (int i = 0; i < 20000; i++) {
        Instar__GuestMessage g = INSTAR__GUEST_MESSAGE__INIT;
        Instar__MapOpened o = INSTAR__MAP_OPENED__INIT;
        Instar__MapResult r = INSTAR__MAP_RESULT__INIT;
        Instar__Log l = INSTAR__LOG__INIT;
        size_t n;
        random_text(text, sizeof text);
        switch (i % 3) {
        case 0: {
            struct pb_opened m = { edgy_u64(), (uint32_t)edgy_u64() };
            o.virtual_size = m.virtual_size;
            o.format = m.format;
            g.body_case = INSTAR__GUEST_MESSAGE__BODY_OPENED;
            g.opened = &o;
            n = pb_put_opened(mine, sizeof mine, &m);
            break;
        }
        case 1: {
            struct pb_result m = { (uint32_t)edgy_u64(),
                                   (int32_t)edgy_u64(), text, edgy_u64() };
            r.error_kind = m.error_kind;
            r.errnum = m.errnum;
            r.message = text;
            r.extent_count = m.extent_count;
            g.body_case = INSTAR__GUEST_MESSAGE__BODY_RESULT;
            g.result = &r;
            n = pb_put_result(mine, sizeof mine, &m);
            break;
        }
        default: {
            struct pb_log m = { (uint32_t)edgy_u64(), text };
            l.text = text;
            l.kind = m.kind;
            g.body_case = INSTAR__GUEST_MESSAGE__BODY_LOG;
            g.log = &l;
            n = pb_put_log(mine, sizeof mine, &m);
            break;
        }
        }
        expect_same(mine, n, ref, reference(&g, ref), i);
    }
}

Test(guest_encode, refuses_what_does_not_fit)
{
    uint8_t buf[64];
    struct map_extent e = { .start = UINT64_MAX, .length = UINT64_MAX,
                            .offset = UINT64_MAX, .data = true };
    size_t full = pb_put_extent(buf, sizeof buf, &e);
    cr_assert_gt(full, 0);
    for (size_t cap = 0; cap < full; cap++)
        cr_assert_eq(pb_put_extent(buf, cap, &e), 0, "cap %zu", cap);
}
