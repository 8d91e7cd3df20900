/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The metadata-preallocation heuristic (qcow2_detect_metadata_
 * preallocation) and what it changes: with it on, data clusters over
 * host holes, or past the end of the file, read as zero (data:true,
 * zero:true), as qemu-img-map.md §5.2 describes for preallocation=metadata
 * and for images sparsified by cp --sparse.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "qcow2.h"
#include "qcow2_builder.h"
#include "testutil.h"

#define C64K 65536ull

static struct tctx t;
static struct qb b;
static struct extents *x;
static struct map_error err;
static uint64_t d0, d1;
static uint32_t dev;

static void setup(void)
{
    tctx_init(&t, 8 << 20);
    qb_init(&b, 3, 16, 1 << 20);
    /* clusters: 0 header, 1 reftable, 2 refblock, 3 L1, 4 L2, 5-6 data */
    d0 = qb_data(&b, 0);
    d1 = qb_data(&b, C64K);
    x = calloc(1, sizeof(*x));
}

static void teardown(void)
{
    free(x);
    qb_free(&b);
    tctx_free(&t);
}

TestSuite(qcow2_refcount, .init = setup, .fini = teardown);

/* The image, with the second data cluster a host hole. */
static struct node *open_with(uint64_t alloc_bytes)
{
    struct node *n;

    dev = qb_to_memdev(&b, &t.m);
    t.m.dev[dev].alloc_bytes = alloc_bytes;
    t.m.dev[dev].alloc_set = true;
    memdev_hole(&t.m, dev, d1, d1 + C64K);
    n = topen(&t, dev, FMT_QCOW2);
    cr_assert_not_null(n, "%s", t.err.msg);
    return n;
}

/* Is the hole under cluster 1 reported as zero? Both clusters are data
 * with contiguous host offsets, so without the heuristic they merge. */
static bool heuristic_fired(struct node *n)
{
    cr_assert_eq(tmap(n, 0, 2 * C64K, MERGE_PRESENT, x, &err), 0, "%s",
                 err.msg);
    cr_assert_geq(x->n, 1);
    cr_expect(x->e[0].data && !x->e[0].zero && x->e[0].offset == d0);
    if (x->n == 1) {
        cr_expect_eq(x->e[0].length, 2 * C64K);
        return false;
    }
    cr_assert_eq(x->n, 2);
    cr_expect(x->e[1].data && x->e[1].zero && x->e[1].has_offset &&
              x->e[1].offset == d1);
    return true;
}

Test(qcow2_refcount, fully_allocated_file_is_not_preallocated)
{
    cr_expect(!heuristic_fired(open_with(7 * C64K)));
}

/* 7 clusters carry a refcount: threshold max(real*10/9, real+2) */
Test(qcow2_refcount, threshold_boundary)
{
    cr_expect(heuristic_fired(open_with(5 * C64K)));        /* 7 >= 7 */
    tctx_free(&t);
    tctx_init(&t, 8 << 20);
    cr_expect(!heuristic_fired(open_with(6 * C64K)));       /* 7 < 8 */
    tctx_free(&t);
    tctx_init(&t, 8 << 20);
    /* partial clusters of allocation round down */
    cr_expect(heuristic_fired(open_with(6 * C64K - 1)));
}

Test(qcow2_refcount, data_past_the_end_of_the_file_reads_as_zero)
{
    struct node *n;

    qb_set_entry(&b, 2 * C64K, (64 * C64K) | QB_COPIED);
    n = open_with(0);
    cr_assert_eq(tmap(n, 2 * C64K, C64K, MERGE_PRESENT, x, &err), 0);
    cr_assert_eq(x->n, 1);
    {
        struct map_extent want = ext(2 * C64K, C64K, true, true, true, true,
                                     64 * C64K);
        cr_expect(ext_eq(&x->e[0], &want));
    }
}

Test(qcow2_refcount, allocation_unknown_means_off)
{
    struct node *n = open_with(0);

    t.m.dev[dev].info_errno = 5;
    cr_expect(!heuristic_fired(n));
}

Test(qcow2_refcount, refcount_block_entries_of_every_width)
{
    uint32_t order;

    for (order = 0; order <= 6; order++) {
        uint64_t bits = 1ull << order, i;
        struct node *n;

        tctx_free(&t);
        tctx_init(&t, 8 << 20);
        /* rewrite the refcount block with 7 ones of this width */
        for (i = 0; i < C64K; i++)
            qb_put8(&b, b.rb_off + i, 0);
        for (i = 0; i < 7; i++) {
            uint64_t bit = i * bits + (bits > 8 ? bits - 1 : 0);
            if (bits >= 8)
                qb_put8(&b, b.rb_off + (i + 1) * bits / 8 - 1, 1);
            else
                qb_put8(&b, b.rb_off + bit / 8,
                        (uint8_t)(b.buf[b.rb_off + bit / 8] |
                                  (1u << (bit % 8))));
        }
        qb_put32(&b, 96, order);
        n = open_with(5 * C64K);
        cr_expect(heuristic_fired(n), "refcount order %u", order);
        tctx_free(&t);
        tctx_init(&t, 8 << 20);
        n = open_with(6 * C64K);
        cr_expect(!heuristic_fired(n), "refcount order %u", order);
    }
}

Test(qcow2_refcount, missing_refcount_blocks_count_as_zero)
{
    /* reftable entry 0 empty, entry 1 past EOF: no refcounts at all */
    qb_put64(&b, b.rt_off, 0);
    qb_put64(&b, b.rt_off + 8, 1ull << 40);
    cr_expect(!heuristic_fired(open_with(0)));
}

Test(qcow2_refcount, corrupt_refblock_is_reported_once)
{
    struct node *n;
    uint64_t l2b;

    qb_put64(&b, b.rt_off, b.rb_off + 0x200);
    /* and an L2 table offset that is unaligned too */
    l2b = qb_alloc(&b);
    qb_free(&b);
    qb_init(&b, 3, 16, 1 << 30);
    d0 = qb_data(&b, 0);
    d1 = qb_data(&b, C64K);
    l2b = qb_alloc(&b);
    qb_put64(&b, b.l1_off + 8, (l2b + 0x200) | QB_COPIED);
    qb_put64(&b, b.rt_off, b.rb_off + 0x200);
    n = open_with(0);
    cr_expect_eq(tmap(n, 0, -1, MERGE_PRESENT, x, &err), -1);
    cr_expect_eq(err.kind, MAP_ERR_METADATA);
    cr_expect_eq(err.errnum, 5);
    cr_expect_eq(t.m.nlog, 1);
    cr_expect_str_eq(t.m.log[0], "qcow2: Image is corrupt: Refblock offset "
                     "0x20200 unaligned (reftable index: 0); further "
                     "non-fatal corruption events will be suppressed");
    /* and the heuristic is off: the hole under cluster 1 is data */
    cr_assert_geq(x->n, 1);
    cr_expect_eq(x->e[0].length, 2 * C64K);
    cr_expect(!x->e[0].zero);
}

Test(qcow2_refcount, walk_stops_at_the_threshold)
{
    struct node *n;

    /* a second refcount block past what the threshold needs is corrupt,
     * but never read: no message */
    qb_put64(&b, b.rt_off + 8, 0x12345);
    n = open_with(0);
    cr_expect(heuristic_fired(n));
    cr_expect_eq(t.m.nlog, 0);
}
