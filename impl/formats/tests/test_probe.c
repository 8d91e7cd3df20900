/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Format probing: qemu's per-driver scores over the first 2 KiB. */
#include <criterion/criterion.h>
#include <string.h>

#include "probe.h"
#include "testutil.h"

static uint8_t buf[PROBE_BUF_SIZE];

static void reset(void)
{
    memset(buf, 0, sizeof(buf));
}

static void put(size_t off, const void *p, size_t n)
{
    memcpy(buf + off, p, n);
}

static void put_be32(size_t off, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
                    (uint8_t)v};
    put(off, b, 4);
}

static void put_le32(size_t off, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
                    (uint8_t)(v >> 24)};
    put(off, b, 4);
}

static struct probe_result probe(void)
{
    return probe_image(buf, sizeof(buf), NULL);
}

static void expect(enum image_format fmt, const char *driver)
{
    struct probe_result r = probe();

    cr_expect_eq(r.fmt, fmt, "format %d, want %d (%s)", r.fmt, fmt, driver);
    cr_expect_str_eq(r.driver, driver);
}

Test(probe, zeros_are_raw)
{
    reset();
    expect(FMT_RAW, "raw");
}

Test(probe, qcow2_versions)
{
    reset();
    put(0, "QFI\xfb", 4);
    put_be32(4, 2);
    expect(FMT_QCOW2, "qcow2");
    put_be32(4, 3);
    expect(FMT_QCOW2, "qcow2");
    /* qcow2 only checks version >= 2; open then says "Unsupported" */
    put_be32(4, 99);
    expect(FMT_QCOW2, "qcow2");
    put_be32(4, 1);
    expect(FMT_OTHER, "qcow");
    put_be32(4, 0);
    expect(FMT_RAW, "raw");
}

Test(probe, vmdk_magic)
{
    reset();
    put(0, "KDMV", 4);
    expect(FMT_VMDK, "vmdk");
    put(0, "COWD", 4);
    expect(FMT_VMDK, "vmdk");
}

static void descriptor(const char *text)
{
    reset();
    put(0, text, strlen(text));
}

Test(probe, vmdk_text_descriptor)
{
    descriptor("# Disk DescriptorFile\nversion=1\nCID=fffffffe\n");
    expect(FMT_VMDK, "vmdk");
    descriptor("#a\n#b\n   \n \r\nversion=3\r\n");
    expect(FMT_VMDK, "vmdk");
    descriptor("version=2\n");
    expect(FMT_VMDK, "vmdk");
}

Test(probe, vmdk_text_descriptor_rejects)
{
    /* a bare empty line is not skipped by qemu */
    descriptor("# x\n\nversion=1\n");
    expect(FMT_RAW, "raw");
    descriptor("version=4\n");
    expect(FMT_RAW, "raw");
    descriptor("  x\nversion=1\n");
    expect(FMT_RAW, "raw");
    descriptor("version=1");   /* no line end: zeros follow */
    expect(FMT_RAW, "raw");
    descriptor("CID=1\nversion=1\n");
    expect(FMT_RAW, "raw");
}

Test(probe, vmdk_comment_to_end_of_buffer)
{
    reset();
    memset(buf, '#', sizeof(buf));
    expect(FMT_RAW, "raw");
    memset(buf, ' ', sizeof(buf));
    expect(FMT_RAW, "raw");
}

Test(probe, vpc_vhdx)
{
    reset();
    put(0, "conectix", 8);
    expect(FMT_VPC, "vpc");
    reset();
    put(0, "vhdxfile", 8);
    expect(FMT_VHDX, "vhdx");
    reset();
    put(0, "conecti", 7);
    expect(FMT_RAW, "raw");
}

Test(probe, other_magic_formats)
{
    reset();
    put_le32(64, 0xbeda107f);
    expect(FMT_OTHER, "vdi");
    reset();
    put(0, "QED\0", 4);
    expect(FMT_OTHER, "qed");
    reset();
    put(0, "WithoutFreeSpace", 16);
    put_le32(16, 2);
    expect(FMT_OTHER, "parallels");
    reset();
    put(0, "WithouFreSpacExt", 16);
    put_le32(16, 2);
    expect(FMT_OTHER, "parallels");
    put_le32(16, 3);
    expect(FMT_RAW, "raw");
    reset();
    put(0, "LUKS\xba\xbe\x00\x01", 8);
    expect(FMT_OTHER, "luks");
    put(0, "LUKS\xba\xbe\x00\x02", 8);
    expect(FMT_RAW, "raw");
}

Test(probe, bochs)
{
    reset();
    put(0, "Bochs Virtual HD Image", 23);
    put(32, "Redolog", 8);
    put(48, "Growing", 8);
    put_le32(64, 0x00020000);
    expect(FMT_OTHER, "bochs");
    put_le32(64, 0x00010000);
    expect(FMT_OTHER, "bochs");
    put(48, "Undoable", 9);
    expect(FMT_RAW, "raw");
}

Test(probe, weak_probes)
{
    static const char cloop[] = "#!/bin/sh\n#V2.0 Format\n"
        "modprobe cloop file=$0 && mount -r -t iso9660 /dev/cloop $1\n";
    struct probe_result r;

    reset();
    put(0, cloop, strlen(cloop));
    expect(FMT_OTHER, "cloop");

    reset();
    r = probe_image(buf, sizeof(buf), "disk.dmg");
    cr_expect_eq(r.fmt, FMT_OTHER);
    cr_expect_str_eq(r.driver, "dmg");
    r = probe_image(buf, sizeof(buf), ".dmg");   /* needs len > 4 */
    cr_expect_str_eq(r.driver, "raw");
    r = probe_image(buf, sizeof(buf), "disk.dmg.raw");
    cr_expect_str_eq(r.driver, "raw");
    /* a magic beats the file name */
    put(0, "QFI\xfb\0\0\0\3", 8);
    r = probe_image(buf, sizeof(buf), "disk.dmg");
    cr_expect_str_eq(r.driver, "qcow2");
}

Test(probe, short_buffers)
{
    struct probe_result r;

    reset();
    put(0, "QFI\xfb\0\0\0\3", 8);
    r = probe_image(buf, 8, NULL);   /* shorter than a qcow2 header */
    cr_expect_str_eq(r.driver, "raw");
}

/* image_open(): probing and -f over a device. */

static uint32_t device_with(struct tctx *t, const void *head, size_t n,
                            uint64_t size)
{
    uint32_t dev = memdev_add(&t->m, size);

    memcpy(t->m.dev[dev].data, head, n);
    return dev;
}

Test(probe_open, empty_file_is_raw_without_probing)
{
    struct tctx t;
    struct node *n;

    tctx_init(&t, 1 << 20);
    n = topen(&t, memdev_add(&t.m, 0), FMT_PROBE);
    cr_assert_not_null(n);
    cr_expect_str_eq(n->drv->name, "raw");
    cr_expect_eq(n->length, 0);
    cr_expect_eq(t.m.reads, 0);
    tctx_free(&t);
}

Test(probe_open, unsupported_formats_are_refused_clearly)
{
    static const struct { const char head[8]; const char *msg; } cases[] = {
        {"KDMV", "L1 entry size is invalid"},               /* vmdk */
        {"conectix", "Incorrect header checksum"},          /* vpc */
        {"vhdxfile", "No valid VHDX header found"},         /* vhdx */
        {"QFI\xfb\0\0\0\1", "qcow images are not supported by instar yet"},
        {"QED", "qed images are not supported by instar yet"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tctx t;
        tctx_init(&t, 1 << 20);
        cr_expect_null(topen(&t, device_with(&t, cases[i].head, 8, 4096),
                             FMT_PROBE));
        cr_expect_eq(t.err.kind, MAP_ERR_OPEN);
        cr_expect_str_eq(t.err.msg, cases[i].msg);
        tctx_free(&t);
    }
}

Test(probe_open, forced_formats)
{
    struct tctx t;
    uint32_t dev;
    struct node *n;

    tctx_init(&t, 1 << 20);
    dev = device_with(&t, "KDMV", 4, 1000);
    n = topen(&t, dev, FMT_RAW);
    cr_assert_not_null(n);
    cr_expect_str_eq(n->drv->name, "raw");
    cr_expect_eq(n->length, 1024);
    n = topen(&t, dev, FMT_FILE);
    cr_assert_not_null(n);
    cr_expect_str_eq(n->drv->name, "file");
    cr_expect(n->drv->is_protocol);
    cr_expect_null(topen(&t, dev, FMT_QCOW2));
    cr_expect_str_eq(t.err.msg, "Image is not in qcow2 format");
    cr_expect_null(topen(&t, dev, FMT_VPC));
    cr_expect_str_eq(t.err.msg, "invalid VPC image");
    cr_expect_null(topen(&t, dev, FMT_OTHER));
    cr_expect_str_eq(t.err.msg,
                     "this image format is not supported by instar yet");
    tctx_free(&t);
}

Test(probe_open, dmg_name_needs_the_filename)
{
    struct tctx t;
    uint32_t dev;

    tctx_init(&t, 1 << 20);
    dev = memdev_add(&t.m, 4096);
    t.ctx.filename = "some/disk.dmg";
    cr_expect_null(topen(&t, dev, FMT_PROBE));
    cr_expect_str_eq(t.err.msg, "dmg images are not supported by instar yet");
    t.ctx.filename = NULL;
    cr_expect_not_null(topen(&t, dev, FMT_PROBE));
    tctx_free(&t);
}

Test(probe_open, probe_read_failure_is_an_open_error)
{
    struct tctx t;
    uint32_t dev;

    tctx_init(&t, 1 << 20);
    dev = memdev_add(&t.m, 4096);
    t.m.dev[dev].read_errno = 5;
    cr_expect_null(topen(&t, dev, FMT_PROBE));
    cr_expect_eq(t.err.kind, MAP_ERR_OPEN);
    tctx_free(&t);
}

Test(probe_open, out_of_memory_is_internal)
{
    struct tctx t;

    tctx_init(&t, 64);
    cr_expect_null(topen(&t, memdev_add(&t.m, 4096), FMT_PROBE));
    cr_expect_eq(t.err.kind, MAP_ERR_INTERNAL);
    tctx_free(&t);
}
