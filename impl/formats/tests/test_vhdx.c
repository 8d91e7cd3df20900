/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vhdx: vhdx_open()'s checks (headers, log, region table, metadata, BAT)
 * on a synthetic image, and the single data extent of a driver without a
 * block-status callback. diff_qemu_vhd.sh checks the same against real
 * qemu-img.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vhdx.h"

#define MIB (1u << 20)
#define META_OFF (2 * MIB)
#define BAT_OFF (3 * MIB)

static struct tctx t;
static struct extents *x;
static uint32_t dev;
static uint8_t *d;

static void le16(uint8_t *p, uint16_t v) { p[0] = v & 0xff; p[1] = v >> 8; }
static void le32(uint8_t *p, uint32_t v)
{
    le16(p, v & 0xffff);
    le16(p + 2, v >> 16);
}
static void le64(uint8_t *p, uint64_t v)
{
    le32(p, v & 0xffffffffu);
    le32(p + 4, v >> 32);
}

static const char *bat_guid = "\x66\x77\xc2\x2d\x23\xf6\x00\x42"
                              "\x9d\x64\x11\x5e\x9b\xfd\x4a\x08";
static const char *meta_guid = "\x06\xa2\x7c\x8b\x90\x47\x9a\x4b"
                               "\xb8\xfe\x57\x5f\x05\x0f\x88\x6e";
static const char *items[5] = {
    "\x37\x67\xa1\xca\x36\xfa\x43\x4d\xb3\xb6\x33\xf0\xaa\x44\xe7\x6b",
    "\x24\x42\xa5\x2f\x1b\xcd\x76\x48\xb2\x11\x5d\xbe\xd8\x3b\xf4\xb8",
    "\xab\x12\xca\xbe\xe6\xb2\x23\x45\x93\xef\xc3\x09\xe0\x00\xc7\x46",
    "\x1d\xbf\x41\x81\x6f\xa9\x09\x47\xba\x47\xf2\x33\xa8\xfa\xab\x5f",
    "\xc7\x48\xa3\xcd\x5d\x44\x71\x44\x9c\xc9\xe9\x88\x52\x51\xc5\x56",
};
/* Item data offsets inside the metadata region. */
static const uint32_t item_off[5] = {0x10000, 0x10008, 0x10010, 0x10020,
                                     0x10024};

static void fix_crc(uint32_t off, uint32_t len)
{
    le32(d + off + 4, 0);
    le32(d + off + 4, vhdx_crc32c(0, d + off, len));
}

static void fix_all(void)
{
    fix_crc(VHDX_HEADER1_OFFSET, VHDX_HEADER_SIZE);
    fix_crc(VHDX_HEADER2_OFFSET, VHDX_HEADER_SIZE);
    fix_crc(VHDX_REGION_OFFSET, VHDX_BLOCK_64K);
}

/* 8 MiB virtual, 1 MiB blocks, empty log and BAT, in a 4 MiB file. */
static void build(void)
{
    uint32_t h, i;

    dev = memdev_add(&t.m, 4 * MIB);
    d = t.m.dev[dev].data;
    memcpy(d, "vhdxfile", 8);
    for (i = 0; i < 2; i++) {
        h = i ? VHDX_HEADER2_OFFSET : VHDX_HEADER1_OFFSET;
        memcpy(d + h, "head", 4);
        le64(d + h + 8, i + 1);
        le16(d + h + 66, 1);
        le32(d + h + 68, MIB);
        le64(d + h + 72, MIB);
    }
    memcpy(d + VHDX_REGION_OFFSET, "regi", 4);
    le32(d + VHDX_REGION_OFFSET + 8, 2);
    memcpy(d + VHDX_REGION_OFFSET + 16, bat_guid, 16);
    le64(d + VHDX_REGION_OFFSET + 32, BAT_OFF);
    le32(d + VHDX_REGION_OFFSET + 40, MIB);
    memcpy(d + VHDX_REGION_OFFSET + 48, meta_guid, 16);
    le64(d + VHDX_REGION_OFFSET + 64, META_OFF);
    le32(d + VHDX_REGION_OFFSET + 72, MIB);
    memcpy(d + META_OFF, "metadata", 8);
    le16(d + META_OFF + 10, 5);
    for (i = 0; i < 5; i++) {
        memcpy(d + META_OFF + 32 + 32 * i, items[i], 16);
        le32(d + META_OFF + 48 + 32 * i, item_off[i]);
        le32(d + META_OFF + 52 + 32 * i, 8);
    }
    le32(d + META_OFF + item_off[0], MIB);
    le64(d + META_OFF + item_off[1], 8 * MIB);
    le32(d + META_OFF + item_off[3], 512);
    le32(d + META_OFF + item_off[4], 4096);
    fix_all();
}

static void setup(void)
{
    tctx_init(&t, 4 << 20);
    x = calloc(1, sizeof(*x));
    build();
}

static void teardown(void)
{
    free(x);
    tctx_free(&t);
}

TestSuite(vhdx, .init = setup, .fini = teardown);

static void expect_errno(int errnum)
{
    cr_expect_null(topen(&t, dev, FMT_VHDX));
    cr_expect_eq(t.err.kind, MAP_ERR_OPEN_ERRNO);
    cr_expect_eq(t.err.errnum, errnum, "errno %d", t.err.errnum);
}

Test(vhdx, crc32c_check_value)
{
    cr_expect_eq(vhdx_crc32c(0, (const uint8_t *)"123456789", 9),
                 0xe3069283u);
}

Test(vhdx, one_data_extent_without_offset)
{
    struct map_error err;
    struct node *n = topen(&t, dev, FMT_PROBE);

    cr_assert_not_null(n, "%s", t.err.msg);
    cr_expect_str_eq(n->drv->name, "vhdx");
    cr_expect_eq(n->length, 8 * MIB);
    cr_assert_eq(tmap(n, 1000, 1000, MERGE_PRESENT, x, &err), 0);
    cr_assert_eq(x->n, 1);
    cr_expect(ext_eq(&x->e[0], &(struct map_extent){1000, 1000, 0, true,
                                                    false, true, false, false,
                                                    0, 0}));
}

Test(vhdx, headers)
{
    d[VHDX_HEADER2_OFFSET + 100] ^= 1;       /* header 1 still valid */
    cr_expect_not_null(topen(&t, dev, FMT_VHDX));
    d[VHDX_HEADER1_OFFSET + 100] ^= 1;
    cr_expect_null(topen(&t, dev, FMT_VHDX));
    cr_expect_eq(t.err.kind, MAP_ERR_OPEN);
    cr_expect_str_eq(t.err.msg, "No valid VHDX header found");
}

/* Up to 7.0 qemu printed minus bdrv_pread()'s byte count as the errno. */
Test(vhdx, headers_before_7_1)
{
    d[VHDX_HEADER1_OFFSET + 100] ^= 1;
    d[VHDX_HEADER2_OFFSET + 100] ^= 1;
    t.ctx.driver_rules = NODE_RULE_LENGTH_AT_OPEN;
    cr_expect_null(topen(&t, dev, FMT_VHDX));
    cr_expect_eq(t.err.kind, MAP_ERR_OPEN);
    cr_expect_str_eq(t.err.msg,
                     "No valid VHDX header found: Unknown error -4096");
}

Test(vhdx, log_fields)
{
    le16(d + VHDX_HEADER2_OFFSET + 64, 1);   /* log version */
    fix_all();
    expect_errno(22);
}

Test(vhdx, region_table)
{
    d[VHDX_REGION_OFFSET + 1000] = 1;        /* checksum now wrong */
    expect_errno(22);
    fix_all();
    cr_expect_not_null(topen(&t, dev, FMT_VHDX));
    le64(d + VHDX_REGION_OFFSET + 32, MIB);  /* BAT over the log */
    fix_all();
    expect_errno(22);
    cr_expect_eq(t.m.nlog, 1);
    cr_expect_str_eq(t.m.log[0], "qemu-img: VHDX region 1048576-2097152 "
                                 "overlaps with region 1048576-2097152");
}

Test(vhdx, metadata)
{
    le32(d + META_OFF + item_off[3], 4096);  /* logical sector size */
    expect_errno(95);
    le32(d + META_OFF + item_off[3], 512);
    le32(d + META_OFF + item_off[0], 3 * MIB);
    expect_errno(22);
    le32(d + META_OFF + item_off[0], 512 * MIB);
    expect_errno(22);
    le32(d + META_OFF + item_off[0], MIB);
    d[META_OFF + 32 + 32 * 2] ^= 0xff;       /* page 83 item missing */
    expect_errno(95);
}

Test(vhdx, bat_entry_past_eof)
{
    le64(d + BAT_OFF, 0x100000000ull | 6);
    expect_errno(22);
    cr_expect_eq(t.m.nlog, 1);
    cr_expect_str_eq(t.m.log[0], "qemu-img: VHDX BAT entry 0 start offset "
                                 "4294967296 points after end of file "
                                 "(4194304). Image has probably been "
                                 "truncated.");
}
