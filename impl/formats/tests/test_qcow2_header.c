/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 open: header validation in qcow2_do_open()'s order with qemu's
 * messages (checked against qemu-img 7.2.22 by diff_qemu.sh, which pokes
 * the same fields into real images), and the refusals of features instar
 * does not implement yet.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "qcow2.h"
#include "qcow2_builder.h"
#include "testutil.h"

static struct tctx t;
static struct qb b;

static void setup(void)
{
    tctx_init(&t, 8 << 20);
    qb_init(&b, 3, 16, 1 << 20);
}

static void teardown(void)
{
    qb_free(&b);
    tctx_free(&t);
}

TestSuite(qcow2_header, .init = setup, .fini = teardown);

static struct node *open_image(void)
{
    return topen(&t, qb_to_memdev(&b, &t.m), FMT_PROBE);
}

static void expect_open_error(const char *msg)
{
    cr_expect_null(open_image(), "opened, expected: %s", msg);
    cr_expect_eq(t.err.kind, MAP_ERR_OPEN);
    cr_expect_str_eq(t.err.msg, msg);
}

static void expect_opens(void)
{
    struct node *n = open_image();

    cr_expect_not_null(n, "open failed: %s", t.err.msg);
}

Test(qcow2_header, valid_v3_and_v2)
{
    struct node *n = open_image();

    cr_assert_not_null(n, "%s", t.err.msg);
    cr_expect_str_eq(n->drv->name, "qcow2");
    cr_expect_eq(n->length, 1 << 20);
    cr_expect(n->drv->supports_backing);
    qb_free(&b);
    qb_init(&b, 2, 16, 1 << 20);
    expect_opens();
}

Test(qcow2_header, size_rounds_down_to_sectors)
{
    struct node *n;

    qb_put64(&b, 24, 1000000);
    n = open_image();
    cr_assert_not_null(n);
    cr_expect_eq(n->length, 999936);
}

Test(qcow2_header, magic_and_version)
{
    qb_put32(&b, 4, 4);
    expect_open_error("Unsupported qcow2 version 4");
    qb_put32(&b, 4, 1);
    cr_expect_null(topen(&t, qb_to_memdev(&b, &t.m), FMT_QCOW2));
    cr_expect_str_eq(t.err.msg, "Unsupported qcow2 version 1");
    qb_put32(&b, 0, 0x514649fc);
    cr_expect_null(topen(&t, qb_to_memdev(&b, &t.m), FMT_QCOW2));
    cr_expect_str_eq(t.err.msg, "Image is not in qcow2 format");
}

Test(qcow2_header, cluster_bits)
{
    qb_put32(&b, 20, 8);
    expect_open_error("Unsupported cluster size: 2^8");
    qb_put32(&b, 20, 22);
    expect_open_error("Unsupported cluster size: 2^22");
    qb_put32(&b, 20, 0xffffffff);
    expect_open_error("Unsupported cluster size: 2^4294967295");
}

Test(qcow2_header, header_length)
{
    qb_put32(&b, 100, 103);
    expect_open_error("qcow2 header too short");
    qb_put32(&b, 100, 65537);
    expect_open_error("qcow2 header exceeds cluster size");
    qb_put32(&b, 100, 104);   /* before compression_type: zlib */
    qb_put8(&b, 104, 7);
    expect_opens();
}

Test(qcow2_header, backing_file_offset)
{
    qb_put64(&b, 8, 65537);
    expect_open_error("Invalid backing file offset");
}

Test(qcow2_header, compression_type)
{
    qb_put8(&b, 104, 2);
    expect_open_error("qcow2: unknown compression type: 2");
    qb_put8(&b, 104, 1);
    expect_open_error("qcow2: Compression type incompatible feature bit "
                      "must be set");
    qb_put64(&b, 72, 0x8);
    expect_opens();   /* zstd with its bit */
    qb_put8(&b, 104, 0);
    expect_open_error("qcow2: Compression type incompatible feature bit "
                      "must not be set");
}

Test(qcow2_header, unknown_incompatible_features)
{
    qb_put64(&b, 72, 0x10000000020ull);
    expect_open_error("Unsupported qcow2 feature(s): Unknown incompatible "
                      "feature: 10000000020");
}

static void add_extension(uint64_t *off, uint32_t magic, const void *data,
                          uint32_t len)
{
    uint32_t i;

    qb_put32(&b, *off, magic);
    qb_put32(&b, *off + 4, len);
    for (i = 0; i < len; i++)
        qb_put8(&b, *off + 8 + i, ((const uint8_t *)data)[i]);
    *off += 8 + ((len + 7) & ~7u);
}

static void feature(uint8_t *entry, uint8_t type, uint8_t bit,
                    const char *name)
{
    memset(entry, 0, 48);
    entry[0] = type;
    entry[1] = bit;
    memcpy(entry + 2, name, strlen(name) < 46 ? strlen(name) : 46);
}

Test(qcow2_header, feature_names_from_the_table)
{
    uint8_t table[4 * 48];
    uint64_t off = 112;

    feature(table, 0, 5, "five");
    feature(table + 48, 1, 9, "compatible nine");        /* wrong type */
    feature(table + 96, 0, 9, "nine");
    /* a 46-character name without a terminating NUL */
    feature(table + 144, 0, 12,
            "0123456789012345678901234567890123456789012345");
    add_extension(&off, QCOW2_EXT_FEATURE_TABLE, table, sizeof(table));
    qb_put64(&b, 72, (1ull << 5) | (1ull << 9) | (1ull << 12) | (1ull << 40));
    expect_open_error("Unsupported qcow2 feature(s): five, nine, "
                      "0123456789012345678901234567890123456789012345, "
                      "Unknown incompatible feature: 10000000000");
}

Test(qcow2_header, feature_table_after_a_bad_extension_is_not_read)
{
    uint8_t table[48];
    uint8_t crypto[16] = {0};
    uint64_t off = 112;

    feature(table, 0, 5, "five");
    /* the first pass stops at a crypto header (no method known yet) */
    add_extension(&off, QCOW2_EXT_CRYPTO_HEADER, crypto, sizeof(crypto));
    add_extension(&off, QCOW2_EXT_FEATURE_TABLE, table, sizeof(table));
    qb_put64(&b, 72, 1ull << 5);
    expect_open_error("Unsupported qcow2 feature(s): Unknown incompatible "
                      "feature: 20");
}

Test(qcow2_header, refcount_order)
{
    qb_put32(&b, 96, 7);
    expect_open_error("Reference count entry width too large; may not "
                      "exceed 64 bits");
}

Test(qcow2_header, subcluster_size)
{
    qb_free(&b);
    qb_init(&b, 3, 13, 1 << 20);
    qb_put64(&b, 72, QCOW2_INCOMPAT_EXTL2);
    expect_open_error("Unsupported subcluster size: 256");
}

Test(qcow2_header, refcount_table)
{
    qb_put32(&b, 56, 0);
    expect_open_error("Image does not contain a reference count table");
    qb_put32(&b, 56, 129);
    expect_open_error("Reference count table too large");
    qb_put32(&b, 56, 1);
    qb_put64(&b, 48, 0x10200);
    expect_open_error("Reference count table offset invalid");
    qb_put64(&b, 48, 0x7fffffffffff0000ull);
    expect_open_error("Reference count table offset invalid");
    /* below INT64_MAX, but not readable below qemu's maximum offset */
    qb_put64(&b, 48, 0x7fffffffffff0000ull - 0x10000);
    expect_open_error("Could not initialize refcount handling: "
                      "Input/output error");
}

Test(qcow2_header, snapshot_table_fields)
{
    qb_put64(&b, 64, 0x123);   /* checked even with no snapshots */
    expect_open_error("Snapshot table offset invalid");
    qb_put64(&b, 64, 0);
    qb_put32(&b, 60, 65537);
    expect_open_error("Snapshot table too large");
}

Test(qcow2_header, l1_table)
{
    qb_put32(&b, 36, 0x20000001);
    expect_open_error("Active L1 table too large");
    qb_put32(&b, 36, 1);
    qb_put64(&b, 40, 0x30200);
    expect_open_error("Active L1 table offset invalid");
    qb_put64(&b, 40, 0xfffffffffff00000ull);
    expect_open_error("Active L1 table offset invalid");
    qb_put64(&b, 40, 0x7ffffffffff00000ull);
    expect_open_error("Could not read L1 table: Input/output error");
    qb_put64(&b, 40, 0x30000);
    qb_put32(&b, 36, 0);
    expect_open_error("L1 table is too small");
}

Test(qcow2_header, virtual_size_limits)
{
    qb_put64(&b, 24, 0x8000000000000000ull);
    expect_open_error("Image is too big");
    /* size_to_l1() wraps to 0 here; the length check catches it */
    qb_put64(&b, 24, 0xffffffffffffffffull);
    expect_open_error("Could not refresh total sector count: File too "
                      "large");
}

Test(qcow2_header, encryption)
{
    qb_put32(&b, 32, 3);
    expect_open_error("Unsupported encryption method 3");
    qb_put32(&b, 32, 0x80000000u);
    expect_open_error("Unsupported encryption method -2147483648");
    qb_put32(&b, 32, 2);
    expect_open_error("Missing CRYPTO header for crypt method 2");
    qb_put32(&b, 32, 1);   /* aes: qemu needs a key secret */
    expect_open_error("Parameter 'encrypt.key-secret' is required for "
                      "cipher");
}

Test(qcow2_header, luks_crypto_header_extension)
{
    uint8_t crypto[16] = {0};
    uint64_t off = 112;

    qb_put32(&b, 32, 2);
    crypto[7] = 0x1;   /* offset 0x100000000000001 */
    crypto[0] = 0x1;
    add_extension(&off, QCOW2_EXT_CRYPTO_HEADER, crypto, sizeof(crypto));
    expect_open_error("Encryption header offset '72057594037927937' is not "
                      "a multiple of cluster size '65536'");
    off = 112;
    add_extension(&off, QCOW2_EXT_CRYPTO_HEADER, crypto, 8);
    expect_open_error("CRYPTO header extension size 8, but expected size 16");
    off = 112;
    memset(crypto, 0, sizeof(crypto));
    add_extension(&off, QCOW2_EXT_CRYPTO_HEADER, crypto, sizeof(crypto));
    expect_open_error("Parameter 'encrypt.key-secret' is required for "
                      "cipher");
    qb_put32(&b, 32, 0);
    expect_open_error("CRYPTO header extension only expected with LUKS "
                      "encryption method");
}

Test(qcow2_header, extensions)
{
    uint8_t fmt[16] = "qcow2";
    uint64_t off = 112;

    add_extension(&off, QCOW2_EXT_BACKING_FORMAT, fmt, 5);
    add_extension(&off, 0x12345678, fmt, 3);   /* unknown: skipped */
    expect_opens();
    off = 112;
    add_extension(&off, QCOW2_EXT_BACKING_FORMAT, fmt, 16);
    expect_open_error("ERROR: ext_backing_format: len=16 too large (>=16)");
    qb_put32(&b, 116, 0x10000);
    expect_open_error("Header extension too large");
}

Test(qcow2_header, extensions_end_at_the_backing_file_name)
{
    uint8_t fmt[16] = "qcow2";
    uint64_t off = 112;

    /* the backing name at 128 ends the extension area: 8 + 16 > 16 */
    qb_put64(&b, 8, 128);
    add_extension(&off, QCOW2_EXT_BACKING_FORMAT, fmt, 16);
    expect_open_error("Header extension too large");
}

Test(qcow2_header, bitmaps_extension)
{
    uint8_t ext[24] = {0};
    uint64_t off = 112;

    add_extension(&off, QCOW2_EXT_BITMAPS, ext, 16);
    expect_open_error("bitmaps_ext: Invalid extension length");

    /* without the autoclear bit qemu only warns, on two lines */
    off = 112;
    add_extension(&off, QCOW2_EXT_BITMAPS, ext, 24);
    expect_opens();
    cr_expect_eq(t.m.nlog, 2);
    cr_expect_str_eq(t.m.log[0], "qemu-img: warning: a program lacking "
                     "bitmap support modified this file, so all bitmaps "
                     "are now considered inconsistent");

    qb_put64(&b, 88, QCOW2_AUTOCLEAR_BITMAPS);
    expect_open_error("found bitmaps extension with zero bitmaps");
    ext[3] = 1;
    ext[7] = 1;
    off = 112;
    add_extension(&off, QCOW2_EXT_BITMAPS, ext, 24);
    expect_open_error("bitmaps_ext: Reserved field is not zero");
    ext[7] = 0;
    ext[0] = 1;   /* 0x01000001 bitmaps */
    off = 112;
    add_extension(&off, QCOW2_EXT_BITMAPS, ext, 24);
    expect_open_error("bitmaps_ext: Image has 16777217 bitmaps, exceeding "
                      "the QEMU supported maximum of 65535");
    ext[0] = 0;
    ext[23] = 0x10;   /* directory at 0x10: unaligned */
    off = 112;
    add_extension(&off, QCOW2_EXT_BITMAPS, ext, 24);
    expect_open_error("bitmaps_ext: invalid bitmap directory offset");
    ext[23] = 0;
    ext[12] = 0x10;   /* directory size 0x10000000 */
    off = 112;
    add_extension(&off, QCOW2_EXT_BITMAPS, ext, 24);
    expect_open_error("bitmaps_ext: bitmap directory size (268435456) "
                      "exceeds the maximum supported size (67107840)");
}

Test(qcow2_header, data_file)
{
    uint64_t off = 112;

    qb_put64(&b, 72, QCOW2_INCOMPAT_DATA_FILE);
    expect_open_error("'data-file' is required for this image");
    add_extension(&off, QCOW2_EXT_DATA_FILE, "d.raw", 5);
    /* opened as named (relative to the cwd), with qemu's error */
    expect_open_error("Could not open 'd.raw': No such file or directory");
    memdev_name(&t.m, memdev_add(&t.m, 1 << 20), "d.raw");
    expect_opens();
    cr_expect_eq(t.m.opens, 1);
    /* the name ends at its first NUL, as qemu reads it */
    off = 112;
    add_extension(&off, QCOW2_EXT_DATA_FILE, "d.raw\0x", 7);
    expect_opens();
    /* a data file image with aes: the data file is opened first */
    qb_put32(&b, 32, 1);
    off = 112;
    add_extension(&off, QCOW2_EXT_DATA_FILE, "e.raw", 5);
    expect_open_error("Could not open 'e.raw': No such file or directory");
    off = 112;
    add_extension(&off, QCOW2_EXT_DATA_FILE, "d.raw", 5);
    expect_open_error("Parameter 'encrypt.key-secret' is required for "
                      "cipher");
    qb_put32(&b, 32, 0);
    qb_put64(&b, 72, 0);
    qb_put64(&b, 88, QCOW2_AUTOCLEAR_DATA_FILE_RAW);
    expect_open_error("data-file-raw requires a data file");
}

Test(qcow2_header, backing_file)
{
    qb_put64(&b, 8, 0x200);
    qb_put32(&b, 16, 1024);
    expect_open_error("Backing file name too long");
    qb_put64(&b, 8, 0xff00);
    qb_put32(&b, 16, 0x101);   /* past the end of the cluster */
    expect_open_error("Backing file name too long");
    qb_put32(&b, 16, 0x100);
    expect_open_error("qcow2 images with a backing file are not supported "
                      "by instar yet");
}

Test(qcow2_header, extended_l2_opens)
{
    qb_put64(&b, 72, QCOW2_INCOMPAT_EXTL2);
    expect_opens();
    qb_put32(&b, 56, 0);   /* and qemu's checks still apply */
    expect_open_error("Image does not contain a reference count table");
}

Test(qcow2_header, dirty_and_corrupt_bits_do_not_matter_read_only)
{
    qb_put64(&b, 72, QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT);
    expect_opens();
}

static void snapshot(uint64_t off, uint32_t extra, uint16_t id,
                     uint16_t name)
{
    qb_put16(&b, off + 12, id);
    qb_put16(&b, off + 14, name);
    qb_put32(&b, off + 36, extra);
}

Test(qcow2_header, snapshots)
{
    uint64_t so = qb_alloc(&b);

    qb_put64(&b, 64, so);
    qb_put32(&b, 60, 2);
    snapshot(so, 16, 1, 2);            /* 40 + 16 + 3 = 59, next at 64 */
    snapshot(so + 64, 1024, 0, 0);
    expect_opens();
    snapshot(so + 64, 1025, 0, 0);
    expect_open_error("Too much extra metadata in snapshot table entry 1\n"
                      "You can force-remove this extra metadata with "
                      "qemu-img check -r all");
}

Test(qcow2_header, snapshot_table_too_big)
{
    uint64_t so = 1ull << 20, off = so;
    uint32_t i;

    qb_put64(&b, 64, so);
    qb_put32(&b, 60, 600);
    for (i = 0; i < 600; i++) {
        off = (off + 7) & ~7ull;
        if (i < 520)
            snapshot(off, 0, 65535, 65535);
        off += 40 + 65535 + 65535;
    }
    /* only the entry headers are written; ids and names read as zeros */
    expect_open_error("Snapshot table is too big\nYou can force-remove all "
                      "89 overhanging snapshots with qemu-img check -r all");
}

Test(qcow2_header, header_read_failure)
{
    uint32_t dev = qb_to_memdev(&b, &t.m);

    t.m.dev[dev].read_errno = 5;
    cr_expect_null(topen(&t, dev, FMT_QCOW2));
    cr_expect_eq(t.err.kind, MAP_ERR_OPEN);
    cr_expect_str_eq(t.err.msg, "Could not read qcow2 header: "
                     "Input/output error");
}

/* Tables live in the shared metadata cache, whose size does not depend
 * on the image: a 2 MiB L2 table no longer needs 2 MiB of arena. */
Test(qcow2_header, cluster_size_does_not_size_memory)
{
    static struct extents x;
    struct map_error err;
    struct node *n;

    tctx_free(&t);
    qb_free(&b);
    tctx_init(&t, 1 << 20);
    qb_init(&b, 3, 21, 1 << 30);   /* 2 MiB clusters */
    qb_set_entry(&b, 0, (8ull << 21) | QB_COPIED);
    n = open_image();
    cr_assert_not_null(n, "%s", t.err.msg);
    cr_assert_eq(tmap(n, 0, -1, MERGE_PRESENT, &x, &err), 0, "%s", err.msg);
    cr_expect_eq(x.n, 2);
    cr_expect_eq(x.e[0].offset, 8ull << 21);
}
