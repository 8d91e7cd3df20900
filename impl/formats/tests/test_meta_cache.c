/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The metadata cache over an in-memory device: hits, readahead sizes and
 * bounds, the zero rule, eviction, and the exact-read fallback.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "drivers.h"
#include "meta_cache.h"
#include "testutil.h"

#define KIB 1024ull
#define MIB (1024ull * 1024)

static struct tctx t;
static uint32_t dev;

/* A device of size bytes whose byte i is (i * 7 + i / 4096) & 0xff. */
static struct node *open_dev(uint64_t size, uint64_t budget, uint64_t ra_min)
{
    struct node *n;
    uint64_t i;

    tctx_init(&t, 64 << 20);
    t.cache.budget = budget;
    t.cache.ra_min = ra_min;
    dev = memdev_add(&t.m, size);
    for (i = 0; i < size; i++)
        t.m.dev[dev].data[i] = (uint8_t)(i * 7 + i / 4096);
    n = topen(&t, dev, FMT_FILE);
    cr_assert_not_null(n, "%s", t.err.msg);
    return n;
}

static uint8_t byte_at(uint64_t i)
{
    return (uint8_t)(i * 7 + i / 4096);
}

static void expect_bytes(const uint8_t *p, uint64_t off, uint64_t len)
{
    uint64_t i;

    for (i = 0; i < len; i++)
        if (p[i] != byte_at(off + i))
            cr_assert_fail("byte %llu: %u, expected %u",
                           (unsigned long long)(off + i), p[i],
                           byte_at(off + i));
}

static void fini(void)
{
    tctx_free(&t);
}

TestSuite(meta_cache, .fini = fini);

Test(meta_cache, one_readahead_serves_later_pieces)
{
    struct node *n = open_dev(4 * MIB, 0, 0);
    uint8_t b[64];
    uint64_t off;

    cr_assert_eq(meta_read(n, 100, b, sizeof(b), 0, &t.err), 0);
    expect_bytes(b, 100, sizeof(b));
    cr_expect_eq(t.m.reads, 1);
    cr_expect_eq(t.m.bytes_read, META_RA_MIN, "first readahead: ra_min");
    /* Everything in the window: no further read, the same bytes. */
    for (off = 0; off + sizeof(b) <= META_RA_MIN; off += 4000) {
        cr_assert_eq(meta_read(n, off, b, sizeof(b), 0, &t.err), 0);
        expect_bytes(b, off, sizeof(b));
    }
    cr_expect_eq(t.m.reads, 1);
    cr_expect_gt(t.cache.stats.window_hits, 0);
    /* A second read of the same piece is a slot hit. */
    uint64_t hits = t.cache.stats.hits;
    cr_assert_eq(meta_read(n, 100, b, sizeof(b), 0, &t.err), 0);
    cr_expect_eq(t.cache.stats.hits, hits + 1);
    cr_expect_eq(t.m.reads, 1);
}

Test(meta_cache, pieces_across_slots)
{
    struct node *n = open_dev(1 * MIB, 0, 0);
    static uint8_t b[3 * META_SLOT_SIZE];

    cr_assert_eq(meta_read(n, META_SLOT_SIZE - 5, b, sizeof(b), 0, &t.err),
                 0);
    expect_bytes(b, META_SLOT_SIZE - 5, sizeof(b));
    cr_expect_eq(t.m.reads, 1);
}

Test(meta_cache, readahead_grows_along_a_walk_and_stays_bounded)
{
    struct node *n = open_dev(64 * MIB, 0, 0);
    uint64_t off = 0, want = META_RA_MIN, in;
    unsigned reads = 0;
    uint8_t b[8];

    /* A dense forward walk (a piece of every slot): each readahead
     * doubles, up to the window. */
    while (off < 32 * MIB) {
        cr_assert_eq(meta_read(n, off, b, sizeof(b), 0, &t.err), 0);
        expect_bytes(b, off, sizeof(b));
        cr_assert_eq(t.m.reads, reads + 1, "at %llu",
                     (unsigned long long)off);
        cr_expect_eq(t.m.bytes_read, off + want, "at %llu",
                     (unsigned long long)off);
        for (in = META_SLOT_SIZE; in < want; in += META_SLOT_SIZE)
            cr_assert_eq(meta_read(n, off + in, b, 1, 0, &t.err), 0);
        cr_assert_eq(t.m.reads, reads + 1);
        reads++;
        off += want;
        want = want * 2 > META_RA_MAX ? META_RA_MAX : want * 2;
    }
    cr_expect_eq(t.m.max_read, META_RA_MAX);
    /* A jump elsewhere starts again at ra_min. */
    unsigned long long before = t.m.bytes_read;
    cr_assert_eq(meta_read(n, 48 * MIB + 12345, b, sizeof(b), 0, &t.err), 0);
    cr_expect_eq(t.m.bytes_read - before, META_RA_MIN);
}

/* Tables further apart than a readahead: each costs one ra_min read. */
Test(meta_cache, sparse_walk_stays_at_ra_min)
{
    struct node *n = open_dev(16 * MIB, 0, 0);
    uint64_t off;
    uint8_t b[8];

    for (off = 0; off < 8 * MIB; off += 2 * META_RA_MIN)
        cr_assert_eq(meta_read(n, off, b, sizeof(b), 0, &t.err), 0);
    cr_expect_eq(t.m.max_read, META_RA_MIN);
    cr_expect_eq(t.m.reads, 8 * MIB / (2 * META_RA_MIN));
}

Test(meta_cache, readahead_clipped_to_the_run_and_the_device)
{
    struct node *n = open_dev(1 * MIB + 1000, 0, 0);
    uint8_t b[8];

    /* The driver says the table ends 10000 bytes on: up to its slot. */
    cr_assert_eq(meta_read(n, 0, b, sizeof(b), 10000, &t.err), 0);
    cr_expect_eq(t.m.bytes_read, 3 * META_SLOT_SIZE);
    /* Near the end of the device: up to its last slot. */
    cr_assert_eq(meta_read(n, 1 * MIB - 8, b, sizeof(b), 0, &t.err), 0);
    expect_bytes(b, 1 * MIB - 8, sizeof(b));
    cr_expect_eq(t.m.bytes_read, 3 * META_SLOT_SIZE + 2 * META_SLOT_SIZE);
    /* A hint that ends before the request is no hint. */
    cr_assert_eq(meta_read(n, 512 * KIB, b, sizeof(b), 100, &t.err), 0);
    cr_expect_eq(t.m.reads, 3);
    cr_expect_eq(t.m.max_read, META_RA_MIN);
}

/* The zero rule: past the end of the device or wholly in a hole, a range
 * is zeros without a read; overlapping data, or when SEEK_DATA fails, it
 * is read. */
Test(meta_cache, holes_and_eof_read_as_zero_without_a_read)
{
    struct node *n = open_dev(1 * MIB, 0, 0);
    uint8_t buf[4096];

    memdev_hole(&t.m, dev, 65536, 131072);
    cr_assert_eq(meta_read(n, 65536, buf, sizeof(buf), 0, &t.err), 0);
    cr_expect_eq(t.m.reads, 0, "a hole was read");
    cr_expect_eq(buf[0], 0);
    cr_expect_eq(buf[sizeof(buf) - 1], 0);
    cr_expect_eq(t.cache.stats.zero_fills, 1);
    /* Its slot is kept: no second look at the hole. */
    cr_assert_eq(meta_read(n, 65536 + 100, buf, 8, 0, &t.err), 0);
    cr_expect_eq(t.cache.stats.zero_fills, 1);
    cr_expect_eq(t.cache.stats.hits, 1);

    /* Half hole, half data: the hole half is zeros, the data half read. */
    cr_assert_eq(meta_read(n, 131072 - 2048, buf, sizeof(buf), 0, &t.err),
                 0);
    cr_expect_eq(t.m.reads, 1);
    cr_expect_eq(buf[0], 0);
    cr_expect_eq(buf[sizeof(buf) - 1], byte_at(131072 + 2047));

    /* Past EOF. */
    unsigned reads = t.m.reads;
    cr_assert_eq(meta_read(n, 2 * MIB, buf, sizeof(buf), 0, &t.err), 0);
    cr_expect_eq(t.m.reads, reads, "past EOF is a hole");
    cr_expect_eq(buf[0], 0);
    cr_assert_eq(meta_load(n, 1 * MIB, 2 * MIB, 0, &t.err), 0);
    cr_expect_eq(t.m.reads, reads);

    /* No answer from SEEK_DATA: read. */
    t.m.dev[dev].seek_errno = 5;
    cr_assert_eq(meta_read(n, 512 * KIB + 65536, buf, sizeof(buf), 0,
                           &t.err), 0);
    cr_expect_eq(t.m.reads, reads + 1, "no seek answer: read");
}

/* A request that is a hole but whose slot is not: zeros, nothing kept. */
Test(meta_cache, hole_inside_a_slot)
{
    struct node *n = open_dev(1 * MIB, 0, 0);
    uint8_t buf[512];

    memdev_hole(&t.m, dev, 8192 + 1024, 8192 + 3072);
    cr_assert_eq(meta_read(n, 8192 + 1024, buf, sizeof(buf), 0, &t.err), 0);
    cr_expect_eq(t.m.reads, 0);
    cr_expect_eq(buf[0], 0);
    cr_assert_eq(meta_read(n, 8192, buf, sizeof(buf), 0, &t.err), 0);
    cr_expect_eq(t.m.reads, 1);
    expect_bytes(buf, 8192, sizeof(buf));
}

Test(meta_cache, least_recently_used_slot_is_evicted)
{
    /* 80 KiB: a 32 KiB window and one set of META_WAYS slots. */
    struct node *n = open_dev(4 * MIB, 80 * KIB, META_SLOT_SIZE);
    uint8_t b[8];
    unsigned i;

    cr_assert_eq(t.cache.nsets, 1);
    cr_assert_eq(t.cache.win_cap, 32 * KIB);
    /* Slots far apart: one read each (1-slot readahead for new walks). */
    for (i = 0; i < META_WAYS; i++)
        cr_assert_eq(meta_read(n, (uint64_t)i * 256 * KIB, b, 8, 0, &t.err),
                     0);
    cr_expect_eq(t.m.reads, META_WAYS);
    cr_expect_eq(t.m.max_read, META_SLOT_SIZE);
    /* Touch slot 0, then one more slot evicts slot 1, the oldest. */
    cr_assert_eq(meta_read(n, 0, b, 8, 0, &t.err), 0);
    cr_assert_eq(meta_read(n, 3 * MIB, b, 8, 0, &t.err), 0);
    cr_expect_eq(t.cache.stats.evictions, 1);
    unsigned reads = t.m.reads;
    cr_assert_eq(meta_read(n, 0, b, 8, 0, &t.err), 0);
    cr_expect_eq(t.m.reads, reads, "slot 0 was kept");
    cr_assert_eq(meta_read(n, 256 * KIB, b, 8, 0, &t.err), 0);
    cr_expect_eq(t.m.reads, reads + 1, "slot 1 was evicted");
    expect_bytes(b, 256 * KIB, 8);
}

/* A failing readahead is ignored; the exact bytes are read again, and only
 * an error in those is reported. */
Test(meta_cache, readahead_failure_falls_back_to_the_exact_read)
{
    struct node *n = open_dev(1 * MIB, 0, 0);
    uint8_t b[16];

    t.m.dev[dev].bad_start = 65536;
    t.m.dev[dev].bad_end = 65536 + 4096;
    cr_assert_eq(meta_read(n, 1000, b, sizeof(b), 0, &t.err), 0);
    expect_bytes(b, 1000, sizeof(b));
    cr_expect_eq(t.cache.stats.fallbacks, 1);
    cr_assert_eq(meta_load(n, 0, 65536, 0, &t.err), 0);
    cr_expect_eq(meta_read(n, 65536 + 8, b, sizeof(b), 0, &t.err), -1);
    cr_expect_eq(t.err.kind, MAP_ERR_METADATA);
    cr_expect_eq(t.err.errnum, EIO);
}

Test(meta_cache, past_the_maximum_offset_fails_like_node_pread)
{
    struct node *n = open_dev(1 * MIB, 0, 0);
    uint8_t b[16];

    cr_expect_eq(meta_read(n, NODE_MAX_LENGTH - 8, b, sizeof(b), 0, &t.err),
                 -1);
    cr_expect_eq(t.err.kind, MAP_ERR_METADATA);
    cr_expect_eq(t.err.errnum, EIO);
    cr_expect_eq(t.m.reads, 0);
}

/* Two devices never share a slot. */
Test(meta_cache, slots_are_per_device)
{
    struct node *n = open_dev(1 * MIB, 0, 0), *m;
    uint32_t dev2 = memdev_add(&t.m, 1 * MIB);
    struct map_error err;
    uint8_t a[8], b[8];

    memset(t.m.dev[dev2].data, 0xab, 1 * MIB);
    m = node_open_protocol(&t.ctx, dev2, &err);
    cr_assert_not_null(m);
    cr_assert_eq(meta_read(n, 4096, a, 8, 0, &t.err), 0);
    cr_assert_eq(meta_read(m, 4096, b, 8, 0, &t.err), 0);
    expect_bytes(a, 4096, 8);
    cr_expect_eq(b[0], 0xab);
    cr_expect_eq(t.m.reads, 2);
}

Test(meta_cache, batches_walk_entries_inside_the_table)
{
    struct node *n = open_dev(1 * MIB, 0, 0);
    struct meta_batch tb;
    const uint8_t *p;
    uint64_t i;

    meta_batch_init(&tb, n, 65536 + 5000, 0);
    for (i = 65536; i + 4 <= 65536 + 5000; i += 4) {
        cr_assert_eq(meta_batch_get(&tb, i, 4, &p, &t.err), 0);
        expect_bytes(p, i, 4);
        cr_assert_leq(tb.base + tb.len, 65536 + 5000);
    }
    cr_expect_eq(t.m.reads, 1);
}

Test(meta_cache, no_memory_for_the_cache_is_internal)
{
    tctx_init(&t, 16 * KIB);
    dev = memdev_add(&t.m, 4096);
    cr_expect_null(topen(&t, dev, FMT_RAW));
    cr_expect_eq(t.err.kind, MAP_ERR_INTERNAL);
}

/* Loading the same table again costs nothing while nothing was evicted. */
Test(meta_cache, reloading_a_loaded_table_is_free)
{
    struct node *n = open_dev(1 * MIB, 0, 0);
    uint64_t hits;

    cr_assert_eq(meta_load(n, 65536, 3 * META_SLOT_SIZE, 0, &t.err), 0);
    cr_expect_eq(t.m.reads, 1);
    hits = t.cache.stats.hits + t.cache.stats.window_hits;
    cr_assert_eq(meta_load(n, 65536, 3 * META_SLOT_SIZE, 0, &t.err), 0);
    cr_expect_eq(t.cache.stats.hits + t.cache.stats.window_hits, hits);
    /* Another range in between: the first is looked up again. */
    cr_assert_eq(meta_load(n, 0, 8, 0, &t.err), 0);
    hits = t.cache.stats.hits;
    cr_assert_eq(meta_load(n, 65536, 3 * META_SLOT_SIZE, 0, &t.err), 0);
    cr_expect_eq(t.cache.stats.hits, hits + 3);
    cr_expect_eq(t.m.reads, 2);
}

/* A table larger than the first readahead is read in one go. */
Test(meta_cache, a_large_table_is_one_read)
{
    struct node *n = open_dev(8 * MIB, 0, 0);

    cr_assert_eq(meta_load(n, 2 * MIB, 2 * MIB, 0, &t.err), 0);
    cr_expect_eq(t.m.reads, 1);
    cr_expect_eq(t.m.max_read, 2 * MIB);
    /* ... up to the window. */
    cr_assert_eq(meta_load(n, 0, 1, 0, &t.err), 0);
    cr_assert_eq(meta_load(n, 4 * MIB, 4 * MIB, 0, &t.err), 0);
    cr_expect_eq(t.m.max_read, META_RA_MAX);
}
