/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * raw format: a passthrough to the file node. Expected outputs are either
 * taken from real qemu-img at run time, or pasted with the command that
 * produced them (qemu-img 7.2.22, ext4).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "block_status.h"
#include "jsonmap.h"
#include "testutil.h"

#define QEMU_IMG "/usr/bin/qemu-img"
#define QEMU_IO "/usr/bin/qemu-io"

static struct tctx t;
static struct extents *x;

static void setup(void)
{
    tctx_init(&t, 1 << 20);
    x = calloc(1, sizeof(*x));
}

static void teardown(void)
{
    free(x);
    tctx_free(&t);
}

TestSuite(raw, .init = setup, .fini = teardown);

/*
 * qemu-img-map.md §5.1: truncate -s 1M s.raw; qemu-io -f raw
 * -c 'write -P 0xaa 64k 64k' -c 'write -P 0 256k 4k' s.raw;
 * qemu-img map --output=json -f raw s.raw (holes as ext4 reports them).
 */
Test(raw, sparse_file_with_two_writes)
{
    uint32_t dev = memdev_add(&t.m, 1 << 20);
    struct node *n;
    struct map_error err;
    struct map_extent want[] = {
        ext(0, 65536, true, true, false, true, 0),
        ext(65536, 65536, true, false, true, true, 65536),
        ext(131072, 131072, true, true, false, true, 131072),
        ext(262144, 4096, true, false, true, true, 262144),
        ext(266240, 782336, true, true, false, true, 266240),
    };
    int i;

    memdev_hole(&t.m, dev, 0, 65536);
    memdev_hole(&t.m, dev, 131072, 262144);
    memdev_hole(&t.m, dev, 266240, 1 << 20);
    n = topen(&t, dev, FMT_PROBE);
    cr_assert_not_null(n);
    cr_expect_str_eq(n->drv->name, "raw");
    cr_assert_eq(tmap(n, 0, -1, MERGE_PRESENT, x, &err), 0);
    cr_assert_eq(x->n, 5);
    for (i = 0; i < 5; i++)
        cr_expect(ext_eq(&x->e[i], &want[i]));
}

Test(raw, answers_come_from_the_file_node)
{
    uint32_t dev = memdev_add(&t.m, 8192);
    struct node *n;
    struct block_status st;
    struct map_error err;

    memdev_hole(&t.m, dev, 4096, 8192);
    n = topen(&t, dev, FMT_RAW);
    cr_assert_not_null(n);
    cr_assert_eq(node_block_status(n, 100, 8000, &st, &err), 0);
    cr_expect_eq(st.flags, BS_DATA | BS_OFFSET_VALID | BS_ALLOCATED);
    cr_expect_eq(st.pnum, 3996);
    cr_expect_eq(st.map, 100);
    cr_expect_eq(st.host, n->file);
    cr_assert_eq(node_block_status(n, 4096, 4096, &st, &err), 0);
    cr_expect_eq(st.flags,
                 BS_ZERO | BS_OFFSET_VALID | BS_ALLOCATED | BS_EOF);
}

Test(raw, windows_clip_exactly)
{
    uint32_t dev = memdev_add(&t.m, 8192);
    struct node *n;
    struct map_error err;
    struct map_extent a = ext(1000, 3096, true, false, true, true, 1000);
    struct map_extent b = ext(4096, 1904, true, true, false, true, 4096);

    memdev_hole(&t.m, dev, 4096, 8192);
    n = topen(&t, dev, FMT_RAW);
    cr_assert_eq(tmap(n, 1000, 5000, MERGE_PRESENT, x, &err), 0);
    cr_assert_eq(x->n, 2);
    cr_expect(ext_eq(&x->e[0], &a));
    cr_expect(ext_eq(&x->e[1], &b));
}

/* Compare with real qemu-img on files made at run time. */

static char dir[] = "/tmp/instar-raw-test.XXXXXX";

static void sh(const char *cmd)
{
    char *full;

    cr_assert(asprintf(&full, "cd %s && %s", dir, cmd) > 0);
    cr_assert_eq(system(full), 0, "%s", full);
    free(full);
}

static void same(const char *file, enum image_format fmt, int64_t start,
                 int64_t len)
{
    char path[256];

    snprintf(path, sizeof(path), "%s/%s", dir, file);
    cr_expect(same_as_qemu(QEMU_IMG, path, fmt, start, len), "%s", file);
}

Test(raw_vs_qemu, runtime_images)
{
    if (!have_program(QEMU_IMG) || !have_program(QEMU_IO))
        cr_skip_test("qemu-img/qemu-io not installed");
    cr_assert_not_null(mkdtemp(dir));
    sh("truncate -s 10M a.raw && " QEMU_IO " -f raw -c 'write 0 4k' "
       "-c 'write -P 0 1M 1M' -c 'write 9M 4097' a.raw >/dev/null");
    sh("printf hello > hello.raw && : > empty.raw");
    sh(QEMU_IMG " create -q -f raw created.raw 3M");
    same("a.raw", FMT_PROBE, 0, -1);
    same("a.raw", FMT_RAW, 4095, 1048578);
    same("a.raw", FMT_FILE, 9437184, -1);
    same("hello.raw", FMT_PROBE, 0, -1);
    same("hello.raw", FMT_PROBE, 3, 1);
    same("empty.raw", FMT_PROBE, 0, -1);
    same("empty.raw", FMT_PROBE, 512, 0);
    same("created.raw", FMT_PROBE, 0, -1);
    same("created.raw", FMT_PROBE, 1000, 3000000000LL);
    sh("rm -rf *");
    rmdir(dir);
}
