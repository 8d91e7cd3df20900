/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The generic layer: block status rules (bdrv_co_block_status) and the
 * img_map loop (clipping, wrap-around, merging, emission timing), driven
 * by a scripted fake format driver over an in-memory file node.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "block_status.h"
#include "testutil.h"

#define HOST_NONE -1
#define HOST_FILE 0
#define HOST_OTHER 1

struct seg {
    uint64_t start, len;
    uint32_t flags;
    uint64_t map;
    int host;
    bool fail;   /* querying this segment is a metadata error */
};

struct script {
    struct seg segs[16];
    int n;
    unsigned calls;
    uint64_t last_bytes;
    struct node *other;   /* a second host node */
};

static int fake_status(struct node *n, uint64_t off, uint64_t bytes,
                       struct block_status *st, struct map_error *err)
{
    struct script *s = n->opaque;
    int i;

    s->calls++;
    s->last_bytes = bytes;
    for (i = 0; i < s->n; i++) {
        const struct seg *g = &s->segs[i];
        if (off < g->start || off >= g->start + g->len)
            continue;
        if (g->fail)
            return map_fail(err, MAP_ERR_METADATA, 5, "scripted failure");
        st->flags = g->flags;
        st->pnum = g->start + g->len - off;
        if (st->pnum > bytes)
            st->pnum = bytes;
        st->map = g->map + (off - g->start);
        if (g->host == HOST_FILE)
            st->host = n->file;
        else if (g->host == HOST_OTHER)
            st->host = s->other;
        if (st->host)
            st->file = st->host->dev;
        return 0;
    }
    return map_fail(err, MAP_ERR_INTERNAL, 0, "no segment at %llu",
                    (unsigned long long)off);
}

static struct format_driver fake_driver = {
    .name = "fake",
    .block_status = fake_status,
    .supports_backing = true,
};

static struct tctx t;
static struct script s;
static struct node top;
static struct extents *x;
static struct map_error err;

static void setup(void)
{
    uint32_t dev, dev2;

    tctx_init(&t, 1 << 20);
    memset(&s, 0, sizeof(s));
    dev = memdev_add(&t.m, 1 << 20);
    dev2 = memdev_add(&t.m, 1 << 20);
    memset(&top, 0, sizeof(top));
    top.drv = &fake_driver;
    top.ctx = &t.ctx;
    top.file = topen(&t, dev, FMT_FILE);
    s.other = topen(&t, dev2, FMT_FILE);
    top.opaque = &s;
    top.length = 1 << 20;
    x = calloc(1, sizeof(*x));
}

static void teardown(void)
{
    free(x);
    tctx_free(&t);
}

TestSuite(map, .init = setup, .fini = teardown);

static void seg(uint64_t start, uint64_t len, uint32_t flags, uint64_t map,
                int host)
{
    struct seg g = {start, len, flags, map, host, false};

    s.segs[s.n++] = g;
}

static void expect(const struct map_extent *want, int n)
{
    int i;

    cr_expect_eq(x->n, n, "%d extents, want %d", x->n, n);
    for (i = 0; i < n && i < x->n; i++)
        cr_expect(ext_eq(&x->e[i], &want[i]), "extent %d", i);
}

#define D (BS_DATA)
#define Z (BS_ZERO)
#define O (BS_OFFSET_VALID)

Test(map, zero_length_walks)
{
    struct map_extent e0 = ext(4096, 0, false, false, false, false, 0);
    struct map_extent e1 = ext(1 << 20, 0, false, false, false, false, 0);
    struct map_extent e2 = ext(INT64_MAX, 0, false, false, false, false, 0);

    seg(0, 1 << 20, D | O, 0, HOST_FILE);
    cr_assert_eq(tmap(&top, 4096, 0, MERGE_PRESENT, x, &err), 0);
    expect(&e0, 1);
    cr_assert_eq(tmap(&top, 1 << 20, -1, MERGE_PRESENT, x, &err), 0);
    expect(&e1, 1);
    cr_assert_eq(tmap(&top, INT64_MAX, -1, MERGE_PRESENT, x, &err), 0);
    expect(&e2, 1);
    cr_expect_eq(s.calls, 0);
    top.length = 0;
    cr_assert_eq(tmap(&top, 0, -1, MERGE_PRESENT, x, &err), 0);
    e0.start = 0;
    expect(&e0, 1);
}

Test(map, start_plus_length_wraps_like_fwrapv)
{
    /* -s 7E -l 7E: the sum is negative, so nothing is walked */
    int64_t seven_e = 7ll << 60;
    struct map_extent e = ext((uint64_t)seven_e, 0, false, false, false,
                              false, 0);

    seg(0, 1 << 20, D | O, 0, HOST_FILE);
    top.length = 1ull << 62;   /* any length: the limit is negative */
    cr_assert_eq(tmap(&top, seven_e, seven_e, MERGE_PRESENT, x, &err), 0);
    expect(&e, 1);
    /* INT64_MAX as max length from 1 also wraps */
    cr_assert_eq(tmap(&top, 1, INT64_MAX, MERGE_PRESENT, x, &err), 0);
    cr_expect_eq(x->n, 1);
    cr_expect_eq(x->e[0].length, 0);
    cr_expect_eq(x->e[0].start, 1);
}

Test(map, clipping_is_byte_exact)
{
    seg(0, 65536, D | O, 300000, HOST_FILE);
    seg(65536, (1 << 20) - 65536, 0, 0, HOST_NONE);
    cr_assert_eq(tmap(&top, 1000, 70000, MERGE_PRESENT, x, &err), 0);
    {
        struct map_extent want[] = {
            ext(1000, 64536, true, false, true, true, 301000),
            ext(65536, 5464, false, true, false, false, 0),
        };
        expect(want, 2);
    }
    /* the last query asks only for what is left of the window */
    cr_expect_eq(s.last_bytes, 5464);
}

Test(map, merge_rules)
{
    seg(0, 100, D | O, 1000, HOST_FILE);
    seg(100, 100, D | O, 1100, HOST_FILE);     /* contiguous: merges */
    seg(200, 100, D | O, 1400, HOST_FILE);     /* gap in host: splits */
    seg(300, 100, D | O, 1500, HOST_OTHER);    /* other file: splits */
    seg(400, 100, Z | O, 1600, HOST_OTHER);    /* flags differ */
    seg(500, 100, Z, 0, HOST_NONE);            /* offset vs none */
    seg(600, 100, 0, 0, HOST_NONE);            /* present differs */
    seg(700, (1 << 20) - 700, Z, 0, HOST_NONE);
    cr_assert_eq(tmap(&top, 0, -1, MERGE_PRESENT, x, &err), 0);
    {
        struct map_extent want[] = {
            ext(0, 200, true, false, true, true, 1000),
            ext(200, 100, true, false, true, true, 1400),
            ext(300, 100, true, false, true, true, 1500),
            ext(400, 100, true, true, false, true, 1600),
            ext(500, 100, true, true, false, false, 0),
            ext(600, 100, false, true, false, false, 0),
            ext(700, (1 << 20) - 700, true, true, false, false, 0),
        };
        expect(want, 7);
    }
    /* 6.0 (no present key) merges the last three */
    cr_assert_eq(tmap(&top, 0, -1, 0, x, &err), 0);
    cr_expect_eq(x->n, 5);
    cr_expect_eq(x->e[4].start, 500);
    cr_expect_eq(x->e[4].length, (1 << 20) - 500);
    cr_expect(x->e[4].present);
}

Test(map, compressed_is_a_merge_key_only_in_j3)
{
    seg(0, 100, D | BS_COMPRESSED, 0, HOST_NONE);
    seg(100, (1 << 20) - 100, D, 0, HOST_NONE);
    cr_assert_eq(tmap(&top, 0, -1, MERGE_PRESENT, x, &err), 0);
    cr_expect_eq(x->n, 1);
    cr_expect(x->e[0].compressed);   /* the first one's flag is kept */
    cr_assert_eq(tmap(&top, 0, -1, MERGE_PRESENT | MERGE_COMPRESSED, x, &err),
                 0);
    cr_expect_eq(x->n, 2);
    cr_expect(!x->e[1].compressed);
}

Test(map, entries_are_emitted_when_their_successor_is_known)
{
    seg(0, 100, D | O, 0, HOST_FILE);
    seg(100, 100, Z, 0, HOST_NONE);
    seg(200, 100, D | O, 200, HOST_FILE);
    seg(300, 100, D | O, 300, HOST_FILE);   /* merges into the previous */
    seg(400, 100, 0, 0, HOST_NONE);
    s.segs[4].fail = true;
    cr_assert_eq(tmap(&top, 0, -1, MERGE_PRESENT, x, &err), -1);
    cr_expect_eq(err.kind, MAP_ERR_METADATA);
    cr_expect_eq(err.errnum, 5);
    /* [200, 400) was still being merged when the walk failed */
    cr_expect_eq(x->n, 2);
    cr_expect_eq(x->e[1].start, 100);
}

Test(map, a_failing_sink_stops_the_walk)
{
    seg(0, 100, D | O, 0, HOST_FILE);
    seg(100, 100, Z, 0, HOST_NONE);
    seg(200, (1 << 20) - 200, D | O, 200, HOST_FILE);
    x->stop_after = 2;
    cr_assert_eq(tmap(&top, 0, -1, MERGE_PRESENT, x, &err), -1);
    cr_expect_str_eq(err.msg, "sink stopped");
    cr_expect_eq(x->n, 1);
    cr_expect_eq(s.calls, 3);
}

Test(map, unallocated_ranges)
{
    struct block_status st;

    seg(0, 1 << 20, 0, 0, HOST_NONE);
    /* a backing-capable format without a backing: zero, not allocated */
    cr_assert_eq(node_block_status(&top, 0, 4096, &st, &err), 0);
    cr_expect_eq(st.flags, BS_ZERO);
    /* a format without backing support: flags 0, and the map entry is
     * all false (qemu's null-co without read-zeroes) */
    fake_driver.supports_backing = false;
    cr_assert_eq(node_block_status(&top, 0, 4096, &st, &err), 0);
    cr_expect_eq(st.flags, 0);
    cr_assert_eq(tmap(&top, 0, -1, MERGE_PRESENT, x, &err), 0);
    {
        struct map_extent e = ext(0, 1 << 20, false, false, false, false, 0);
        expect(&e, 1);
    }
    fake_driver.supports_backing = true;
}

Test(map, allocated_and_eof_flags)
{
    struct block_status st;

    seg(0, 1 << 20, Z | O, 0, HOST_FILE);
    cr_assert_eq(node_block_status(&top, 0, 4096, &st, &err), 0);
    cr_expect_eq(st.flags, BS_ZERO | O | BS_ALLOCATED);
    cr_assert_eq(node_block_status(&top, 4096, 1 << 21, &st, &err), 0);
    cr_expect_eq(st.flags, BS_ZERO | O | BS_ALLOCATED | BS_EOF);
    cr_expect_eq(st.pnum, (1 << 20) - 4096);
    cr_expect_eq(s.last_bytes, (1 << 20) - 4096);   /* clamped first */
}

Test(map, drivers_without_block_status)
{
    struct format_driver plain = {.name = "plain"};
    struct block_status st;

    top.drv = &plain;
    cr_assert_eq(node_block_status(&top, 100, 1000, &st, &err), 0);
    cr_expect_eq(st.flags, BS_DATA | BS_ALLOCATED);
    cr_expect_eq(st.pnum, 1000);
    plain.is_protocol = true;
    cr_assert_eq(node_block_status(&top, 100, 1 << 21, &st, &err), 0);
    cr_expect_eq(st.flags, BS_DATA | BS_ALLOCATED | O | BS_EOF);
    cr_expect_eq(st.map, 100);
    cr_expect_eq(st.host, &top);
}

Test(map, recurse_into_host_holes)
{
    uint32_t fdev = top.file->dev;

    /* host: data [0, 64k), hole [64k, 192k), data [192k, 256k), then a
     * trailing hole to 512k; the image data maps to host 0.. */
    t.m.dev[fdev].size = 512 << 10;
    top.file->length = 512 << 10;
    memdev_hole(&t.m, fdev, 64 << 10, 192 << 10);
    memdev_hole(&t.m, fdev, 256 << 10, 512 << 10);
    seg(0, 1 << 20, D | O | BS_RECURSE, 0, HOST_FILE);
    cr_assert_eq(tmap(&top, 0, -1, MERGE_PRESENT, x, &err), 0);
    {
        struct map_extent want[] = {
            ext(0, 64 << 10, true, false, true, true, 0),
            ext(64 << 10, 128 << 10, true, true, true, true, 64 << 10),
            ext(192 << 10, 64 << 10, true, false, true, true, 192 << 10),
            /* a trailing hole (EOF|ZERO) makes the whole rest zero, also
             * past the host file's end */
            ext(256 << 10, (1 << 20) - (256 << 10), true, true, true, true,
                256 << 10),
        };
        expect(want, 4);
    }
}

Test(map, recurse_past_host_eof_and_same_node)
{
    struct block_status st;

    seg(0, 4096, D | O | BS_RECURSE, 2 << 20, HOST_FILE);
    seg(4096, (1 << 20) - 4096, D | O | BS_RECURSE, 0, HOST_NONE);
    s.segs[1].host = HOST_OTHER;
    cr_assert_eq(node_block_status(&top, 0, 4096, &st, &err), 0);
    cr_expect_eq(st.flags & (BS_DATA | BS_ZERO), BS_DATA | BS_ZERO);
    /* a host that is the node itself is never asked */
    top.file = &top;
    s.segs[0].host = HOST_FILE;
    cr_assert_eq(node_block_status(&top, 0, 4096, &st, &err), 0);
    cr_expect_eq(st.flags & (BS_DATA | BS_ZERO), BS_DATA);
}

Test(map, broken_driver_answers_are_internal_errors)
{
    struct block_status st;

    seg(0, 1 << 20, BS_RAW, 0, HOST_NONE);
    cr_expect_eq(node_block_status(&top, 0, 4096, &st, &err), -1);
    cr_expect_eq(err.kind, MAP_ERR_INTERNAL);
}

Test(map, negative_start_is_refused)
{
    cr_expect_eq(tmap(&top, -1, -1, MERGE_PRESENT, x, &err), -1);
    cr_expect_eq(err.kind, MAP_ERR_INTERNAL);
}
