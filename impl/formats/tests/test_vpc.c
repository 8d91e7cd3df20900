/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vpc (VHD): vpc_open()'s checks and messages, the virtual-size rule of
 * both qemu eras, and dynamic/fixed block status, on synthetic images.
 * diff_qemu_vhd.sh checks the same against real qemu-img.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static struct tctx t;
static struct extents *x;

static void setup(void)
{
    tctx_init(&t, 4 << 20);
    x = calloc(1, sizeof(*x));
}

static void teardown(void)
{
    free(x);
    tctx_free(&t);
}

TestSuite(vpc, .init = setup, .fini = teardown);

static void be16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }
static void be32(uint8_t *p, uint32_t v)
{
    be16(p, v >> 16);
    be16(p + 2, v & 0xffff);
}
static void be64(uint8_t *p, uint64_t v)
{
    be32(p, v >> 32);
    be32(p + 4, v & 0xffffffffu);
}

static void footer(uint8_t *f, const char *app, uint64_t size, uint16_t c,
                   uint8_t h, uint8_t s, uint32_t type, uint64_t dyn)
{
    uint32_t sum = 0;
    int i;

    memset(f, 0, 512);
    memcpy(f, "conectix", 8);
    be64(f + 16, dyn);
    memcpy(f + 28, app, 4);
    be64(f + 40, size);
    be64(f + 48, size);
    be16(f + 56, c);
    f[58] = h;
    f[59] = s;
    be32(f + 60, type);
    for (i = 0; i < 512; i++)
        sum += f[i];
    be32(f + 64, ~sum);
}

/*
 * A dynamic VHD of 4 blocks of 2 MiB (CHS 20/13/63 = 8386560 bytes,
 * current_size 8388608): footer, header at 512, BAT at 1536, block 1
 * allocated at sector 3 (bitmap 512 bytes, data at 2048).
 */
static uint32_t dynamic_image(const char *app, uint32_t block_size,
                              uint32_t entries)
{
    uint32_t dev = memdev_add(&t.m, 2048 + 512 + (2u << 20) + 512);
    uint8_t *d = t.m.dev[dev].data;
    uint32_t i;

    footer(d, app, 8388608, 20, 13, 63, 3, 512);
    memcpy(d + 512, "cxsparse", 8);
    be64(d + 512 + 16, 1536);
    be32(d + 512 + 28, entries);
    be32(d + 512 + 32, block_size);
    for (i = 0; i < 4; i++)
        be32(d + 1536 + 4 * i, 0xffffffffu);
    be32(d + 1536 + 4, 3);
    memcpy(d + t.m.dev[dev].size - 512, d, 512);
    return dev;
}

static void expect_open_error(uint32_t dev, int kind, const char *msg)
{
    cr_expect_null(topen(&t, dev, FMT_VPC));
    cr_expect_eq(t.err.kind, kind);
    if (msg)
        cr_expect_str_eq(t.err.msg, msg);
}

Test(vpc, dynamic_map)
{
    uint32_t dev = dynamic_image("qemu", 2u << 20, 4);
    struct map_error err;
    struct node *n = topen(&t, dev, FMT_PROBE);

    cr_assert_not_null(n, "%s", t.err.msg);
    cr_expect_str_eq(n->drv->name, "vpc");
    cr_expect_eq(n->length, 8386560);
    cr_assert_eq(tmap(n, 0, -1, MERGE_PRESENT, x, &err), 0);
    cr_assert_eq(x->n, 3);
    cr_expect(ext_eq(&x->e[0], &(struct map_extent){0, 2097152, 0, true, true,
                                                    false, false, false, 0,
                                                    0}));
    cr_expect(ext_eq(&x->e[1], &(struct map_extent){2097152, 2097152, 0, true,
                                                    false, true, false, true,
                                                    2048, 0}));
    cr_expect(ext_eq(&x->e[2], &(struct map_extent){4194304, 4192256, 0, true,
                                                    true, false, false, false,
                                                    0, 0}));
}

Test(vpc, size_rule_by_creator_and_era)
{
    uint32_t dev = dynamic_image("vbox", 2u << 20, 4);
    struct node *n;

    t.ctx.vhd_size_rule = 0;
    n = topen(&t, dev, FMT_VPC);
    cr_assert_not_null(n);
    cr_expect_eq(n->length, 8386560);       /* CHS up to 9.2 */
    t.ctx.vhd_size_rule = 1;
    n = topen(&t, dev, FMT_VPC);
    cr_assert_not_null(n);
    cr_expect_eq(n->length, 8388608);       /* current_size from 10.0 */
    dev = dynamic_image("win ", 2u << 20, 4);
    t.ctx.vhd_size_rule = 0;
    n = topen(&t, dev, FMT_VPC);
    cr_assert_not_null(n);
    cr_expect_eq(n->length, 8388608);
}

Test(vpc, fixed_needs_format_and_maps_in_place)
{
    uint32_t dev = memdev_add(&t.m, 8386560 + 512);
    uint8_t *d = t.m.dev[dev].data;
    struct map_error err;
    struct node *n;

    footer(d + 8386560, "qemu", 8386560, 20, 13, 63, 2, ~0ull);
    memset(d, 0xaa, 4096);
    memdev_hole(&t.m, dev, 4096, 8386560);
    n = topen(&t, dev, FMT_PROBE);
    cr_assert_not_null(n);
    cr_expect_str_eq(n->drv->name, "raw");
    n = topen(&t, dev, FMT_VPC);
    cr_assert_not_null(n, "%s", t.err.msg);
    cr_assert_eq(tmap(n, 0, -1, MERGE_PRESENT, x, &err), 0);
    cr_assert_eq(x->n, 2);
    cr_expect(ext_eq(&x->e[0], &(struct map_extent){0, 4096, 0, true, false,
                                                    true, false, true, 0, 0}));
    cr_expect(ext_eq(&x->e[1], &(struct map_extent){4096, 8382464, 0, true,
                                                    true, true, false, true,
                                                    4096, 0}));
}

Test(vpc, header_errors)
{
    uint32_t dev = dynamic_image("qemu", 2u << 20, 4);
    uint8_t *d = t.m.dev[dev].data;

    d[100] ^= 1;
    expect_open_error(dev, MAP_ERR_OPEN, "Incorrect header checksum");
    expect_open_error(dynamic_image("qemu", 0, 4), MAP_ERR_OPEN,
                      "Invalid block size 0");
    expect_open_error(dynamic_image("qemu", 3u << 20, 4), MAP_ERR_OPEN,
                      "Invalid block size 3145728");
    expect_open_error(dynamic_image("qemu", 2u << 20, 3), MAP_ERR_OPEN,
                      "Page table too small");
    expect_open_error(dynamic_image("qemu", 2u << 20, 0x80000000u),
                      MAP_ERR_OPEN,
                      "Max Table Entries too large (-2147483648)");
    expect_open_error(dynamic_image("qemu", 2u << 20, 0x20000000u),
                      MAP_ERR_OPEN, "Max Table Entries too large (536870912)");
    expect_open_error(dynamic_image("qemu", 2u << 20, 0x1fffffffu),
                      MAP_ERR_OPEN, "Error reading pagetable");
    dev = dynamic_image("qemu", 2u << 20, 4);
    memcpy(t.m.dev[dev].data + 512, "cxsparsf", 8);
    expect_open_error(dev, MAP_ERR_OPEN, "Invalid header magic");
}

Test(vpc, truncated_and_foreign_files)
{
    uint32_t dev = dynamic_image("qemu", 2u << 20, 4);

    be32(t.m.dev[dev].data + 1536 + 8, 0x10000);
    expect_open_error(dev, MAP_ERR_OPEN,
                      "block-vpc: free_data_block_offset points after the "
                      "end of file. The image has been truncated.");
    expect_open_error(memdev_add(&t.m, 4096), MAP_ERR_OPEN,
                      "invalid VPC image");
    expect_open_error(memdev_add(&t.m, 0), MAP_ERR_OPEN,
                      "File too small for a VHD header");
    dev = dynamic_image("win ", 2u << 20, 4);
    footer(t.m.dev[dev].data, "win ", 0x20000000000ull, 20, 13, 63, 3, 512);
    expect_open_error(dev, MAP_ERR_OPEN_ERRNO, NULL);
    cr_expect_eq(t.err.errnum, 27);
}
