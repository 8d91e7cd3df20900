/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The file protocol node: length rounding and block status from
 * SEEK_DATA/SEEK_HOLE answers, as file-posix find_allocation() and
 * raw_co_block_status() interpret them.
 */
#include <criterion/criterion.h>
#include <errno.h>

#include "block_status.h"
#include "testutil.h"

static struct tctx t;

static void setup(void)
{
    tctx_init(&t, 1 << 20);
}

static void teardown(void)
{
    tctx_free(&t);
}

TestSuite(file, .init = setup, .fini = teardown);

static struct node *file_node(uint64_t size)
{
    struct node *n = topen(&t, memdev_add(&t.m, size), FMT_FILE);

    cr_assert_not_null(n, "%s", t.err.msg);
    return n;
}

static struct block_status status(struct node *n, uint64_t off,
                                  uint64_t bytes)
{
    struct block_status st;
    struct map_error err;

    cr_assert_eq(node_block_status(n, off, bytes, &st, &err), 0);
    return st;
}

Test(file, length_rounds_up_to_sectors)
{
    cr_expect_eq(file_node(0)->length, 0);
    cr_expect_eq(file_node(1)->length, 512);
    cr_expect_eq(file_node(512)->length, 512);
    cr_expect_eq(file_node(1000)->length, 1024);
}

Test(file, data_then_hole_then_trailing_hole)
{
    struct node *n = file_node(1 << 20);
    struct block_status st;

    memdev_hole(&t.m, n->dev, 65536, 131072);
    memdev_hole(&t.m, n->dev, 262144, 1 << 20);

    st = status(n, 0, 1 << 20);
    cr_expect_eq(st.flags, BS_DATA | BS_OFFSET_VALID | BS_ALLOCATED);
    cr_expect_eq(st.pnum, 65536);
    cr_expect_eq(st.map, 0);
    cr_expect_eq(st.host, n);

    st = status(n, 70000, 1 << 20);   /* mid-hole */
    cr_expect_eq(st.flags, BS_ZERO | BS_OFFSET_VALID | BS_ALLOCATED);
    cr_expect_eq(st.pnum, 131072 - 70000);
    cr_expect_eq(st.map, 70000);

    st = status(n, 131072, 4096);     /* clamped to the request */
    cr_expect_eq(st.flags, BS_DATA | BS_OFFSET_VALID | BS_ALLOCATED);
    cr_expect_eq(st.pnum, 4096);

    /* a trailing hole is ENXIO: zero for the whole request, and EOF */
    st = status(n, 300000, (1 << 20) - 300000);
    cr_expect_eq(st.flags,
                 BS_ZERO | BS_OFFSET_VALID | BS_ALLOCATED | BS_EOF);
    cr_expect_eq(st.pnum, (1 << 20) - 300000);
}

Test(file, data_ends_at_the_byte_eof)
{
    struct node *n = file_node(1000);
    struct block_status st = status(n, 0, 1024);

    cr_expect_eq(st.flags, BS_DATA | BS_OFFSET_VALID | BS_ALLOCATED);
    cr_expect_eq(st.pnum, 1000);
    st = status(n, 1000, 24);   /* past the byte EOF: ENXIO */
    cr_expect_eq(st.flags,
                 BS_ZERO | BS_OFFSET_VALID | BS_ALLOCATED | BS_EOF);
    cr_expect_eq(st.pnum, 24);
}

Test(file, past_the_node_end_is_eof_with_no_bytes)
{
    struct node *n = file_node(4096);
    struct block_status st = status(n, 4096, 100);

    cr_expect_eq(st.flags, BS_EOF);
    cr_expect_eq(st.pnum, 0);
    st = status(n, 0, 0);
    cr_expect_eq(st.flags, 0);
    cr_expect_eq(st.pnum, 0);
}

Test(file, seek_errors)
{
    struct node *n = file_node(65536);
    struct block_status st;

    /* any error but ENXIO: "pretend there are no holes" */
    t.m.dev[n->dev].seek_errno = EIO;
    st = status(n, 512, 8192);
    cr_expect_eq(st.flags, BS_DATA | BS_OFFSET_VALID | BS_ALLOCATED);
    cr_expect_eq(st.pnum, 8192);
    cr_expect_eq(st.map, 512);
    t.m.dev[n->dev].seek_errno = EINVAL;
    st = status(n, 0, 65536);
    cr_expect_eq(st.flags,
                 BS_DATA | BS_OFFSET_VALID | BS_ALLOCATED | BS_EOF);
    /* ENXIO from SEEK_DATA: a trailing hole */
    t.m.dev[n->dev].seek_errno = ENXIO;
    st = status(n, 0, 4096);
    cr_expect_eq(st.flags, BS_ZERO | BS_OFFSET_VALID | BS_ALLOCATED);
    cr_expect_eq(st.pnum, 4096);
}

/* data_status stubs for the lseek results a real file cannot produce. */
static int64_t stub_data, stub_hole;
static int stub_rc;

static int stub_status(void *ctx, uint32_t dev, uint64_t off, int64_t *data,
                       int64_t *hole)
{
    (void)ctx;
    (void)dev;
    (void)off;
    *data = stub_data;
    *hole = stub_hole;
    return stub_rc;
}

static struct node *stub_node;

static struct block_status stubbed(int64_t data, int64_t hole, int rc)
{
    struct node *n = stub_node ? stub_node : (stub_node = file_node(1 << 20));

    stub_data = data;
    stub_hole = hole;
    stub_rc = rc;
    t.m.io.data_status = stub_status;
    return status(n, 4096, 8192);
}

Test(file, impossible_lseek_results)
{
    /* SEEK_DATA before the offset: EIO, treated as "no information" */
    struct block_status st = stubbed(0, 0, 0);

    cr_expect_eq(st.flags & (BS_DATA | BS_ZERO), BS_DATA);
    cr_expect_eq(st.pnum, 8192);
    /* data here, SEEK_HOLE before it: EIO */
    st = stubbed(4096, 100, 0);
    cr_expect_eq(st.flags & (BS_DATA | BS_ZERO), BS_DATA);
    cr_expect_eq(st.pnum, 8192);
    /* data here and a hole here: a race (EBUSY) */
    st = stubbed(4096, 4096, 0);
    cr_expect_eq(st.flags & (BS_DATA | BS_ZERO), BS_DATA);
    cr_expect_eq(st.pnum, 8192);
    /* SEEK_HOLE fails with ENXIO: truncated behind our back */
    st = stubbed(4096, -ENXIO, 0);
    cr_expect_eq(st.flags & (BS_DATA | BS_ZERO), BS_ZERO);
    cr_expect_eq(st.pnum, 8192);
    st = stubbed(4096, -EOVERFLOW, 0);
    cr_expect_eq(st.flags & (BS_DATA | BS_ZERO), BS_DATA);
    /* the call itself failing is read like the lseek error it carries */
    st = stubbed(0, 0, -EIO);
    cr_expect_eq(st.flags & (BS_DATA | BS_ZERO), BS_DATA);
    st = stubbed(0, 0, -ENXIO);
    cr_expect_eq(st.flags & (BS_DATA | BS_ZERO), BS_ZERO);
    /* data beyond the request: zero up to the request end only */
    st = stubbed(1 << 19, 0, 0);
    cr_expect_eq(st.flags & (BS_DATA | BS_ZERO), BS_ZERO);
    cr_expect_eq(st.pnum, 8192);
}

Test(file, stat_failure_is_an_open_error)
{
    uint32_t dev = memdev_add(&t.m, 4096);

    t.m.dev[dev].info_errno = EIO;
    cr_expect_null(topen(&t, dev, FMT_FILE));
    cr_expect_eq(t.err.kind, MAP_ERR_OPEN);
}

Test(file, map_as_protocol)
{
    struct node *n = file_node(5);
    struct extents *x = calloc(1, sizeof(*x));
    struct map_error err;
    struct map_extent want[] = {
        ext(0, 5, true, false, true, true, 0),
        ext(5, 507, true, true, false, true, 5),
    };
    int i;

    cr_assert_eq(tmap(n, 0, -1, MERGE_PRESENT, x, &err), 0);
    cr_assert_eq(x->n, 2);
    for (i = 0; i < 2; i++)
        cr_expect(ext_eq(&x->e[i], &want[i]));
    free(x);
}
