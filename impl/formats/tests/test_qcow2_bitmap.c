/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Persistent bitmaps at open: qemu loads them all, so broken directories
 * and tables fail the open. Messages as qemu-img 7.2.22 prints them for
 * the same edits of a real image (diff_qemu.sh, "bmpoke" cases).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "qcow2.h"
#include "qcow2_builder.h"
#include "testutil.h"

static struct tctx t;
static struct qb b;
static uint64_t dir_off, ext_off = 112;
static uint64_t entry_at[4];
static uint64_t table_at[4];

static void setup(void)
{
    tctx_init(&t, 8 << 20);
    qb_init(&b, 3, 16, 1 << 20);
    qb_put64(&b, 88, QCOW2_AUTOCLEAR_BITMAPS);
}

static void teardown(void)
{
    qb_free(&b);
    tctx_free(&t);
}

TestSuite(qcow2_bitmap, .init = setup, .fini = teardown);

/* A directory of bitmaps named by names[], one table cluster each. */
static void bitmaps(const char *const *names, int n)
{
    uint64_t off, size = 0;
    int i;

    dir_off = qb_alloc(&b);
    off = dir_off;
    for (i = 0; i < n; i++) {
        size_t len = strlen(names[i]), k;
        table_at[i] = qb_alloc(&b);
        entry_at[i] = off;
        qb_put64(&b, off, table_at[i]);
        qb_put32(&b, off + 8, 1);      /* table size */
        qb_put32(&b, off + 12, 2);     /* flags: auto */
        qb_put8(&b, off + 16, 1);      /* type: dirty tracking */
        qb_put8(&b, off + 17, 16);     /* granularity 64 KiB */
        qb_put16(&b, off + 18, (uint16_t)len);
        for (k = 0; k < len; k++)
            qb_put8(&b, off + 24 + k, (uint8_t)names[i][k]);
        off += (24 + len + 7) & ~7ull;
    }
    size = off - dir_off;
    qb_put32(&b, ext_off, QCOW2_EXT_BITMAPS);
    qb_put32(&b, ext_off + 4, 24);
    qb_put32(&b, ext_off + 8, (uint32_t)n);
    qb_put64(&b, ext_off + 16, size);
    qb_put64(&b, ext_off + 24, dir_off);
}

static void expect_open_error(const char *msg)
{
    cr_expect_null(topen(&t, qb_to_memdev(&b, &t.m), FMT_QCOW2),
                   "opened, expected: %s", msg);
    cr_expect_str_eq(t.err.msg, msg);
}

static void expect_opens(void)
{
    cr_expect_not_null(topen(&t, qb_to_memdev(&b, &t.m), FMT_QCOW2), "%s",
                       t.err.msg);
}

static const char *const two[] = {"b0", "b1"};

Test(qcow2_bitmap, valid_bitmaps_open)
{
    bitmaps(two, 2);
    expect_opens();
}

Test(qcow2_bitmap, directory_counts)
{
    bitmaps(two, 2);
    qb_put32(&b, ext_off + 8, 3);
    expect_open_error("Less bitmaps found than specified in header "
                      "extension");
    qb_put32(&b, ext_off + 8, 1);
    expect_open_error("More bitmaps found than specified in header "
                      "extension");
}

Test(qcow2_bitmap, directory_size)
{
    bitmaps(two, 2);
    qb_put64(&b, ext_off + 16, 0);
    expect_open_error("Requested bitmap directory size is zero");
    qb_put64(&b, ext_off + 16, 56);
    expect_open_error("Broken bitmap directory");
    qb_put64(&b, ext_off + 16, 72);
    expect_open_error("Broken bitmap directory");
}

Test(qcow2_bitmap, entry_constraints)
{
    bitmaps(two, 2);
    qb_put8(&b, entry_at[1] + 17, 32);   /* granularity 2^32 */
    expect_open_error("Bitmap 'b1' doesn't satisfy the constraints");
    qb_put8(&b, entry_at[1] + 17, 16);
    qb_put32(&b, entry_at[0] + 12, 4);   /* reserved flag */
    expect_open_error("Bitmap 'b0' doesn't satisfy the constraints");
    qb_put32(&b, entry_at[0] + 12, 2);
    qb_put64(&b, entry_at[0], 0);        /* no table */
    expect_open_error("Bitmap 'b0' doesn't satisfy the constraints");
    qb_put64(&b, entry_at[0], table_at[0]);
    qb_put32(&b, entry_at[0] + 20, 8);
    expect_open_error("Bitmap extra data is not supported");
}

Test(qcow2_bitmap, too_small_a_table_is_fine_only_when_in_use)
{
    bitmaps(two, 2);
    /* one 64 KiB table cluster of bits at 512-byte granularity covers
     * 256 MiB; a 1 GiB image needs more unless the bitmap is in use */
    qb_put8(&b, entry_at[0] + 17, 9);
    qb_put64(&b, 24, 1ull << 30);
    qb_put32(&b, 36, 2);
    expect_open_error("Bitmap 'b0' doesn't satisfy the constraints");
    qb_put32(&b, entry_at[0] + 12, 3);
    qb_put8(&b, entry_at[1] + 17, 20);   /* b1: 64 KiB of bits at 1 MiB */
    expect_opens();
}

Test(qcow2_bitmap, duplicate_names)
{
    static const char *const dup[] = {"b0", "b0"};

    bitmaps(dup, 2);
    expect_open_error("Bitmap already exists: b0");
    qb_put32(&b, entry_at[1] + 12, 3);   /* in use: qemu keeps the first */
    expect_opens();
}

Test(qcow2_bitmap, table_entries)
{
    bitmaps(two, 2);
    qb_put64(&b, table_at[1], 2);        /* reserved bit */
    expect_open_error("Could not read bitmap_table table from image for "
                      "bitmap 'b1': Invalid argument");
    qb_put64(&b, table_at[1], 0x50200);  /* unaligned data cluster */
    expect_open_error("Could not read bitmap_table table from image for "
                      "bitmap 'b1': Invalid argument");
    qb_put64(&b, table_at[1], 0x50001);  /* "all ones" with an offset */
    expect_open_error("Could not read bitmap_table table from image for "
                      "bitmap 'b1': Invalid argument");
    qb_put64(&b, table_at[1], 1);        /* "all ones" alone is fine */
    expect_opens();
}

Test(qcow2_bitmap, table_size_must_match_the_image)
{
    bitmaps(two, 2);
    qb_put32(&b, entry_at[0] + 8, 2);
    expect_open_error("Could not read bitmap 'b0' from image: Invalid "
                      "argument");
    qb_put32(&b, entry_at[0] + 12, 3);   /* in use: data is not loaded */
    expect_opens();
}
