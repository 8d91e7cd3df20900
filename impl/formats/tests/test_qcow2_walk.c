/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 cluster walk: the states of qcow2_co_block_status() as map
 * entries, runs of clusters answered at once, and corruption found while
 * walking. Entries are those qemu-img 7.2 prints for the same L2 states
 * (qemu-img-map.md §5.2; diff_qemu.sh checks real images).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "block_status.h"
#include "jsonmap.h"
#include "qcow2.h"
#include "qcow2_builder.h"
#include "testutil.h"

#define C64K 65536ull

static struct tctx t;
static struct qb b;
static struct extents *x;
static struct map_error err;

static void setup(void)
{
    tctx_init(&t, 8 << 20);
    qb_init(&b, 3, 16, 1 << 20);
    x = calloc(1, sizeof(*x));
}

static void teardown(void)
{
    free(x);
    qb_free(&b);
    tctx_free(&t);
}

TestSuite(qcow2_walk, .init = setup, .fini = teardown);

static struct node *open_image(void)
{
    struct node *n = topen(&t, qb_to_memdev(&b, &t.m), FMT_PROBE);

    cr_assert_not_null(n, "%s", t.err.msg);
    return n;
}

static void expect_extents(const struct map_extent *want, int n)
{
    int i;

    cr_expect_eq(x->n, n, "%d extents, want %d", x->n, n);
    for (i = 0; i < n && i < x->n; i++)
        cr_expect(ext_eq(&x->e[i], &want[i]), "extent %d", i);
}

static struct map_extent compressed(uint64_t start, uint64_t length)
{
    struct map_extent e = ext(start, length, true, false, true, false, 0);

    e.compressed = true;
    return e;
}

Test(qcow2_walk, cluster_states)
{
    uint64_t d0, d3, d8;
    struct node *n;

    d0 = qb_data(&b, 0);                                /* NORMAL */
    qb_set_entry(&b, 2 * C64K, QB_ZERO);                /* ZERO_PLAIN */
    d3 = qb_alloc(&b);
    qb_set_entry(&b, 3 * C64K, d3 | QB_ZERO | QB_COPIED);   /* ZERO_ALLOC */
    qb_set_entry(&b, 4 * C64K, QB_COMPRESSED | 0x12345);    /* COMPRESSED */
    qb_set_entry(&b, 5 * C64K, QB_COMPRESSED | 0x22345);
    d8 = qb_data(&b, 8 * C64K);
    n = open_image();

    cr_assert_eq(tmap(n, 0, -1, MERGE_PRESENT, x, &err), 0, "%s", err.msg);
    {
        struct map_extent want[] = {
            ext(0, C64K, true, false, true, true, d0),
            ext(C64K, C64K, false, true, false, false, 0),
            ext(2 * C64K, C64K, true, true, false, false, 0),
            ext(3 * C64K, C64K, true, true, false, true, d3),
            /* 6.1-8.1 merge compressed runs like any offset-less data */
            compressed(4 * C64K, 2 * C64K),
            ext(6 * C64K, 2 * C64K, false, true, false, false, 0),
            ext(8 * C64K, C64K, true, false, true, true, d8),
            ext(9 * C64K, 7 * C64K, false, true, false, false, 0),
        };
        expect_extents(want, 8);
    }
}

Test(qcow2_walk, compressed_merges_only_with_compressed_in_j3)
{
    struct node *n;

    qb_set_entry(&b, 0, QB_COMPRESSED | 0x12345);
    qb_set_entry(&b, C64K, QB_COMPRESSED | 0x22345);
    n = open_image();
    cr_assert_eq(tmap(n, 0, 2 * C64K, MERGE_PRESENT | MERGE_COMPRESSED, x,
                      &err), 0);
    cr_expect_eq(x->n, 1);
    cr_expect(x->e[0].compressed);
    cr_expect_eq(x->e[0].length, 2 * C64K);
}

Test(qcow2_walk, one_answer_per_run_of_contiguous_clusters)
{
    struct block_status st;
    uint64_t first = 0, i;
    struct node *n;

    for (i = 0; i < 8; i++) {
        uint64_t h = qb_data(&b, i * C64K);
        if (i == 0)
            first = h;
    }
    n = open_image();
    cr_assert_eq(node_block_status(n, 100, 1 << 20, &st, &err), 0);
    cr_expect_eq(st.flags, BS_DATA | BS_OFFSET_VALID | BS_ALLOCATED);
    cr_expect_eq(st.pnum, 8 * C64K - 100);
    cr_expect_eq(st.map, first + 100);
    cr_expect_eq(st.host, n->file);
    /* the rest of the image is one unallocated answer */
    cr_assert_eq(node_block_status(n, 8 * C64K, 1 << 19, &st, &err), 0);
    cr_expect_eq(st.flags, BS_ZERO | BS_EOF);
    cr_expect_eq(st.pnum, 1 << 19);
}

Test(qcow2_walk, host_discontiguity_splits_runs)
{
    uint64_t h0, h1;
    struct node *n;

    qb_l2(&b, 0);
    h1 = qb_alloc(&b);
    h0 = qb_alloc(&b);
    qb_set_entry(&b, 0, h0 | QB_COPIED);
    qb_set_entry(&b, C64K, h1 | QB_COPIED);
    n = open_image();
    cr_assert_eq(tmap(n, 0, 2 * C64K, MERGE_PRESENT, x, &err), 0);
    {
        struct map_extent want[] = {
            ext(0, C64K, true, false, true, true, h0),
            ext(C64K, C64K, true, false, true, true, h1),
        };
        expect_extents(want, 2);
    }
}

Test(qcow2_walk, window_shifts_host_offsets)
{
    uint64_t h;
    struct node *n;

    h = qb_data(&b, C64K);
    n = open_image();
    cr_assert_eq(tmap(n, C64K + 1000, 5000, MERGE_PRESENT, x, &err), 0);
    cr_assert_eq(x->n, 1);
    {
        struct map_extent want = ext(C64K + 1000, 5000, true, false, true,
                                     true, h + 1000);
        cr_expect(ext_eq(&x->e[0], &want));
    }
}

Test(qcow2_walk, v2_discard_is_unallocated_and_zero_flag_is_corrupt)
{
    struct node *n;

    qb_free(&b);
    qb_init(&b, 2, 16, 1 << 20);
    qb_data(&b, 0);
    qb_set_entry(&b, 3 * C64K, QB_ZERO);
    n = open_image();
    cr_expect_eq(tmap(n, 0, -1, MERGE_PRESENT, x, &err), -1);
    cr_expect_eq(err.kind, MAP_ERR_METADATA);
    cr_expect_eq(err.errnum, 5);
    /* the data entry was printed once the unallocated one followed it */
    cr_expect_eq(x->n, 1);
    cr_expect_eq(t.m.nlog, 1);
    cr_expect_str_eq(t.m.log[0], "qcow2: Image is corrupt: Zero cluster "
                     "entry found in pre-v3 image (L2 offset: 0x40000, L2 "
                     "index: 0x3); further non-fatal corruption events will "
                     "be suppressed");
}

Test(qcow2_walk, unaligned_l2_table_offset)
{
    struct node *n;
    uint64_t l2;

    qb_data(&b, 0);
    l2 = qb_alloc(&b);
    qb_free(&b);
    qb_init(&b, 3, 16, 1ull << 30);
    qb_data(&b, 0);
    l2 = qb_alloc(&b);
    qb_put64(&b, b.l1_off + 8, (l2 + 0x200) | QB_COPIED);
    n = open_image();
    cr_expect_eq(tmap(n, 0, -1, MERGE_PRESENT, x, &err), -1);
    cr_expect_eq(x->n, 1);
    cr_expect_str_eq(t.m.log[0], "qcow2: Image is corrupt: L2 table offset "
                     "0x60200 unaligned (L1 index: 0x1); further non-fatal "
                     "corruption events will be suppressed");
}

Test(qcow2_walk, unaligned_cluster_offset)
{
    struct node *n;

    qb_set_entry(&b, 0, 0x50200 | QB_COPIED);
    n = open_image();
    cr_expect_eq(tmap(n, 0, -1, MERGE_PRESENT, x, &err), -1);
    cr_expect_eq(x->n, 0);
    cr_expect_str_eq(t.m.log[0], "qcow2: Image is corrupt: Cluster "
                     "allocation offset 0x50200 unaligned (L2 offset: "
                     "0x40000, L2 index: 0); further non-fatal corruption "
                     "events will be suppressed");
}

Test(qcow2_walk, slice_relative_l2_index_on_big_images)
{
    struct node *n;

    /* > 256 GiB with 64 KiB clusters: qemu caches 4 KiB slices, and the
     * index in its message is relative to the slice (1000 % 512). */
    qb_free(&b);
    qb_init(&b, 2, 16, 300ull << 30);
    qb_set_entry(&b, 1000 * C64K, QB_ZERO);
    n = open_image();
    cr_expect_eq(tmap(n, 0, -1, MERGE_PRESENT, x, &err), -1);
    cr_expect_str_eq(t.m.log[0], "qcow2: Image is corrupt: Zero cluster "
                     "entry found in pre-v3 image (L2 offset: 0x40000, L2 "
                     "index: 0x1e8); further non-fatal corruption events "
                     "will be suppressed");
}

Test(qcow2_walk, l2_tables_past_eof_read_as_zero_without_io)
{
    struct node *n;
    uint64_t i;
    unsigned reads;

    qb_free(&b);
    qb_init(&b, 3, 16, 1ull << 40);
    /* every L1 entry points far past the end of the file */
    for (i = 0; i < b.l1_size; i++)
        qb_put64(&b, b.l1_off + i * 8, (0x100000000ull + i * C64K) |
                 QB_COPIED);
    n = open_image();
    reads = t.m.reads;
    cr_assert_eq(tmap(n, 0, -1, MERGE_PRESENT, x, &err), 0);
    cr_expect_eq(x->n, 1);
    cr_expect(!x->e[0].present && x->e[0].zero && !x->e[0].data);
    cr_expect_eq(x->e[0].length, 1ull << 40);
    /* the L1 table (16 KiB) once, and the refcount heuristic */
    cr_expect_leq(t.m.reads - reads, 4);
}

Test(qcow2_walk, empty_huge_image_reads_only_the_l1_table)
{
    struct node *n;
    unsigned reads;

    qb_free(&b);
    qb_init(&b, 3, 16, 1ull << 42);   /* 8192 L1 entries: one chunk */
    n = open_image();
    reads = t.m.reads;
    cr_assert_eq(tmap(n, 0, -1, MERGE_PRESENT, x, &err), 0);
    cr_expect_eq(x->n, 1);
    cr_expect_leq(t.m.reads - reads, 3);
}

Test(qcow2_walk, l1_read_in_chunks)
{
    struct node *n;
    uint64_t h0, h1, span = 64 * 512;   /* one L2 table of 512 B clusters */
    uint64_t far = 8200 * span;

    qb_free(&b);
    qb_init(&b, 3, 9, far + span);
    h0 = qb_data(&b, 0);
    h1 = qb_data(&b, far + 512);
    n = open_image();
    cr_assert_eq(tmap(n, 0, -1, MERGE_PRESENT, x, &err), 0, "%s", err.msg);
    {
        struct map_extent want[] = {
            ext(0, 512, true, false, true, true, h0),
            ext(512, far, false, true, false, false, 0),
            ext(far + 512, 512, true, false, true, true, h1),
            ext(far + 1024, span - 1024, false, true, false, false, 0),
        };
        expect_extents(want, 4);
    }
}

Test(qcow2_walk, cluster_sizes)
{
    static const uint32_t bits[] = {9, 12, 16, 21};
    size_t i;

    for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
        uint64_t cs = 1ull << bits[i], h;
        struct node *n;
        qb_free(&b);
        qb_init(&b, 3, bits[i], 64 * cs);
        h = qb_data(&b, 3 * cs);
        n = open_image();
        cr_assert_eq(tmap(n, 0, -1, MERGE_PRESENT, x, &err), 0);
        {
            struct map_extent want[] = {
                ext(0, 3 * cs, false, true, false, false, 0),
                ext(3 * cs, cs, true, false, true, true, h),
                ext(4 * cs, 60 * cs, false, true, false, false, 0),
            };
            expect_extents(want, 3);
        }
    }
}

Test(qcow2_walk, l2_read_error_is_a_metadata_error)
{
    struct node *n;
    uint32_t dev;

    qb_data(&b, 0);
    dev = qb_to_memdev(&b, &t.m);
    n = topen(&t, dev, FMT_QCOW2);
    cr_assert_not_null(n);
    t.m.dev[dev].read_errno = 5;
    cr_expect_eq(tmap(n, 0, -1, MERGE_PRESENT, x, &err), -1);
    cr_expect_eq(err.kind, MAP_ERR_METADATA);
    cr_expect_eq(err.errnum, 5);
    cr_expect_eq(t.m.nlog, 0);
}

/* An external data file "d.raw" (incompatible bit 2, extension). */
static uint32_t with_data_file(void)
{
    uint32_t dev;

    qb_put64(&b, 72, 1ull << 2);
    qb_put32(&b, 112, QCOW2_EXT_DATA_FILE);
    qb_put32(&b, 116, 5);
    qb_put32(&b, 120, 0x642e7261);   /* "d.ra" */
    qb_put8(&b, 124, 'w');
    dev = memdev_add(&t.m, 1 << 20);
    memdev_name(&t.m, dev, "d.raw");
    return dev;
}

Test(qcow2_walk, external_data_file_offsets)
{
    uint32_t dev = with_data_file();
    struct node *n;
    int i;

    qb_set_entry(&b, 0, QB_COPIED);             /* offset 0: COPIED */
    qb_set_entry(&b, C64K, C64K | QB_COPIED);
    qb_set_entry(&b, 3 * C64K, 0);              /* offset 0 w/o COPIED */
    qb_set_entry(&b, 4 * C64K, QB_ZERO | QB_COPIED);    /* ZERO_PLAIN */
    qb_set_entry(&b, 5 * C64K, 5 * C64K | QB_ZERO | QB_COPIED);
    qb_set_entry(&b, 6 * C64K, 6 * C64K);       /* no COPIED: still data */
    n = open_image();

    cr_assert_eq(tmap(n, 0, -1, MERGE_PRESENT, x, &err), 0, "%s", err.msg);
    {
        struct map_extent want[] = {
            ext(0, 2 * C64K, true, false, true, true, 0),
            ext(2 * C64K, 2 * C64K, false, true, false, false, 0),
            ext(4 * C64K, C64K, true, true, false, false, 0),
            ext(5 * C64K, C64K, true, true, false, true, 5 * C64K),
            ext(6 * C64K, C64K, true, false, true, true, 6 * C64K),
            ext(7 * C64K, 9 * C64K, false, true, false, false, 0),
        };
        expect_extents(want, 6);
    }
    for (i = 0; i < x->n; i++)
        if (x->e[i].has_offset)
            cr_expect_eq(x->e[i].file, dev, "extent %d in the data file", i);
}

Test(qcow2_walk, external_data_file_offset_must_match)
{
    struct node *n;

    with_data_file();
    qb_set_entry(&b, 0, QB_COPIED);
    qb_set_entry(&b, C64K, 2 * C64K | QB_COPIED);
    n = open_image();
    cr_expect_eq(tmap(n, 0, -1, MERGE_PRESENT, x, &err), -1);
    cr_expect_eq(x->n, 0);   /* [0, 64k) was still pending */
    cr_expect_str_eq(t.m.log[0], "qcow2: Image is corrupt: External data "
                     "file host cluster offset 0x20000 does not match guest "
                     "cluster offset: 0x10000, L2 index: 0x1); further "
                     "non-fatal corruption events will be suppressed");
}

Test(qcow2_walk, external_data_file_has_no_compressed_clusters)
{
    struct node *n;

    with_data_file();
    qb_set_entry(&b, 0, QB_COMPRESSED | 0x12345);
    n = open_image();
    cr_expect_eq(tmap(n, 0, -1, MERGE_PRESENT, x, &err), -1);
    cr_expect_eq(x->n, 0);
    cr_expect_str_eq(t.m.log[0], "qcow2: Image is corrupt: Compressed "
                     "cluster entry found in image with external data file "
                     "(L2 offset: 0x40000, L2 index: 0); further non-fatal "
                     "corruption events will be suppressed");
}

Test(qcow2_walk, unallocated_beyond_the_l1_table)
{
    struct node *n;

    /* an L1 table longer than the virtual size needs is fine */
    qb_put32(&b, 36, 3);
    qb_data(&b, 0);
    n = open_image();
    cr_assert_eq(tmap(n, 0, -1, MERGE_PRESENT, x, &err), 0);
    cr_expect_eq(x->n, 2);
}

/* The same states made by real qemu-img / qemu-io, compared at run time. */

#define QEMU_IMG "/usr/bin/qemu-img"
#define QEMU_IO "/usr/bin/qemu-io"

static char dir[] = "/tmp/instar-qcow2-test.XXXXXX";

static void sh(const char *cmd)
{
    char *full;

    cr_assert(asprintf(&full, "cd %s && %s", dir, cmd) > 0);
    cr_assert_eq(system(full), 0, "%s", full);
    free(full);
}

static void same(const char *file, int64_t start, int64_t len)
{
    char path[256];

    snprintf(path, sizeof(path), "%s/%s", dir, file);
    cr_expect(same_as_qemu(QEMU_IMG, path, FMT_PROBE, start, len), "%s",
              file);
}

Test(qcow2_vs_qemu, runtime_images)
{
    static const char *const writes =
        " -c 'write -P 1 0 64k' -c 'write -P 2 128k 64k' -c 'write -z 256k 64k'"
        " -c 'write -P 3 384k 64k' -c 'write -z 384k 64k'"
        " -c 'write -P 4 512k 4k' -c 'write -P 5 640k 64k'"
        " -c 'discard 640k 64k' -c 'write -P 6 1M 1M'";
    char cmd[1024];

    if (!have_program(QEMU_IMG) || !have_program(QEMU_IO))
        cr_skip_test("qemu-img/qemu-io not installed");
    cr_assert_not_null(mkdtemp(dir));
    sh(QEMU_IMG " create -q -f qcow2 v3.qcow2 4M && " QEMU_IMG
       " create -q -f qcow2 -o compat=0.10,cluster_size=512 v2.qcow2 4M && "
       QEMU_IMG " create -q -f qcow2 -o preallocation=metadata pm.qcow2 4M");
    snprintf(cmd, sizeof(cmd), QEMU_IO "%s v3.qcow2 >/dev/null && " QEMU_IO
             "%s v2.qcow2 >/dev/null && " QEMU_IO
             " -c 'write 64k 64k' pm.qcow2 >/dev/null", writes, writes);
    sh(cmd);
    sh("head -c 1M /dev/urandom > r.raw && truncate -s 3M r.raw && " QEMU_IO
       " -f raw -c 'write -P 7 2M 512k' r.raw >/dev/null && " QEMU_IMG
       " convert -q -c -O qcow2 -o cluster_size=4096 r.raw c.qcow2");
    same("v3.qcow2", 0, -1);
    same("v3.qcow2", 70000, 1000000);
    same("v2.qcow2", 0, -1);
    same("v2.qcow2", 513, 511);
    same("pm.qcow2", 0, -1);
    same("c.qcow2", 0, -1);
    same("c.qcow2", 2097152 + 100, 4096);
    sh("rm -rf *");
    rmdir(dir);
}
