/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vhdx region table and metadata table, in vhdx_open_region_tables() and
 * vhdx_parse_metadata() order. qemu fails these with bare errnos.
 */
#include "vhdx.h"

#include "compat.h"
#include "endian.h"
#include "errnos.h"

static const uint8_t bat_guid[16] = {
    0x66, 0x77, 0xc2, 0x2d, 0x23, 0xf6, 0x00, 0x42,
    0x9d, 0x64, 0x11, 0x5e, 0x9b, 0xfd, 0x4a, 0x08};
static const uint8_t metadata_guid[16] = {
    0x06, 0xa2, 0x7c, 0x8b, 0x90, 0x47, 0x9a, 0x4b,
    0xb8, 0xfe, 0x57, 0x5f, 0x05, 0x0f, 0x88, 0x6e};

/* Metadata items, in the order of their "present" bits. */
enum { META_FILE_PARAMS, META_VIRTUAL_SIZE, META_PAGE83, META_LOGICAL,
       META_PHYSICAL, META_PARENT, META_COUNT };
#define META_ALL_PRESENT 0x1fu

static const uint8_t meta_guids[META_COUNT][16] = {
    {0x37, 0x67, 0xa1, 0xca, 0x36, 0xfa, 0x43, 0x4d,
     0xb3, 0xb6, 0x33, 0xf0, 0xaa, 0x44, 0xe7, 0x6b},
    {0x24, 0x42, 0xa5, 0x2f, 0x1b, 0xcd, 0x76, 0x48,
     0xb2, 0x11, 0x5d, 0xbe, 0xd8, 0x3b, 0xf4, 0xb8},
    {0xab, 0x12, 0xca, 0xbe, 0xe6, 0xb2, 0x23, 0x45,
     0x93, 0xef, 0xc3, 0x09, 0xe0, 0x00, 0xc7, 0x46},
    {0x1d, 0xbf, 0x41, 0x81, 0x6f, 0xa9, 0x09, 0x47,
     0xba, 0x47, 0xf2, 0x33, 0xa8, 0xfa, 0xab, 0x5f},
    {0xc7, 0x48, 0xa3, 0xcd, 0x5d, 0x44, 0x71, 0x44,
     0x9c, 0xc9, 0xe9, 0x88, 0x52, 0x51, 0xc5, 0x56},
    {0x2d, 0x5f, 0xd3, 0xa8, 0x0b, 0xb3, 0x4d, 0x45,
     0xab, 0xf7, 0xd3, 0xd8, 0x48, 0x34, 0xab, 0x0c},
};

#define REGION_REQUIRED 0x1u
#define META_REQUIRED 0x4u
#define PARAMS_HAS_PARENT 0x2u

static int read_or_errno(struct node *n, uint64_t off, void *buf,
                         uint64_t len, struct map_error *err)
{
    if (node_pread(n->file, off, buf, len, err) < 0)
        return vhdx_errno(err, err->errnum);
    return 0;
}

int vhdx_read_region_table(struct node *n, struct map_error *err)
{
    struct vhdx_state *s = n->opaque;
    const uint8_t *b = s->buf;
    bool bat_found = false, meta_found = false;
    uint32_t count, i;

    if (read_or_errno(n, VHDX_REGION_OFFSET, s->buf, VHDX_BLOCK_64K, err) < 0)
        return -1;
    if (vhdx_checksum(b, VHDX_BLOCK_64K, 4) != load_le32(b + 4) ||
        load_le32(b) != 0x69676572u /* "regi" */)
        return vhdx_errno(err, LINUX_EINVAL);
    count = load_le32(b + 8);
    if (count > 2047)
        return vhdx_errno(err, LINUX_EINVAL);
    for (i = 0; i < count; i++) {
        const uint8_t *e = b + 16 + 32 * i;
        uint64_t off = load_le64(e + 16);
        uint32_t len = load_le32(e + 24);

        if (vhdx_region_check(n, off, len, err) < 0)
            return -1;
        vhdx_region_register(s, off, len);
        if (memcmp(e, bat_guid, 16) == 0) {
            if (bat_found)
                return vhdx_errno(err, LINUX_EINVAL);
            bat_found = true;
            s->bat_offset = off;
            s->bat_length = len;
        } else if (memcmp(e, metadata_guid, 16) == 0) {
            if (meta_found)
                return vhdx_errno(err, LINUX_EINVAL);
            meta_found = true;
            s->metadata_offset = off;
        } else if (load_le32(e + 28) & REGION_REQUIRED) {
            return vhdx_errno(err, LINUX_ENOTSUP);
        }
    }
    if (!bat_found || !meta_found)
        return vhdx_errno(err, LINUX_EINVAL);
    return 0;
}

/* The metadata table: which items exist and where (offsets). */
static int read_table(struct node *n, uint32_t *item_off, unsigned *present,
                      struct map_error *err)
{
    struct vhdx_state *s = n->opaque;
    const uint8_t *b = s->buf;
    uint32_t count, i;
    unsigned k;

    if (read_or_errno(n, s->metadata_offset, s->buf,
                      VHDX_METADATA_TABLE_SIZE, err) < 0)
        return -1;
    if (load_le64(b) != 0x617461646174656Dull /* "metadata" */)
        return vhdx_errno(err, LINUX_EINVAL);
    count = load_le16(b + 10);
    if ((uint64_t)count * 32 > VHDX_METADATA_TABLE_SIZE - 32)
        return vhdx_errno(err, LINUX_EINVAL);
    *present = 0;
    for (i = 0; i < count; i++) {
        const uint8_t *e = b + 32 + 32 * i;

        for (k = 0; k < META_COUNT; k++)
            if (memcmp(e, meta_guids[k], 16) == 0)
                break;
        if (k < META_COUNT) {
            if (*present & (1u << k))
                return vhdx_errno(err, LINUX_EINVAL);
            *present |= 1u << k;
            item_off[k] = load_le32(e + 16);
        } else if (load_le32(e + 24) & META_REQUIRED) {
            return vhdx_errno(err, LINUX_ENOTSUP);
        }
    }
    if (*present != META_ALL_PRESENT)
        return vhdx_errno(err, LINUX_ENOTSUP);
    return 0;
}

static bool pow2(uint64_t v)
{
    return (v & (v - 1)) == 0;
}

int vhdx_read_metadata(struct node *n, struct map_error *err)
{
    struct vhdx_state *s = n->opaque;
    uint32_t item_off[META_COUNT] = {0};
    uint8_t params[8], vds[8], lss[4], pss[4];
    uint32_t logical, spb;
    unsigned present = 0;
    uint64_t base = s->metadata_offset;

    if (read_table(n, item_off, &present, err) < 0)
        return -1;
    /* qemu adds the u32 item offset to the region offset in 64 bits. */
    if (read_or_errno(n, base + item_off[META_FILE_PARAMS], params, 8,
                      err) < 0)
        return -1;
    if (load_le32(params + 4) & PARAMS_HAS_PARENT)
        return vhdx_errno(err, (present & (1u << META_PARENT))
                                   ? LINUX_ENOTSUP : LINUX_EINVAL);
    if (read_or_errno(n, base + item_off[META_VIRTUAL_SIZE], vds, 8, err) < 0 ||
        read_or_errno(n, base + item_off[META_LOGICAL], lss, 4, err) < 0 ||
        read_or_errno(n, base + item_off[META_PHYSICAL], pss, 4, err) < 0)
        return -1;
    s->virtual_disk_size = load_le64(vds);
    s->block_size = load_le32(params);
    logical = load_le32(lss);
    if (s->block_size < VHDX_BLOCK_SIZE_MIN ||
        s->block_size > VHDX_BLOCK_SIZE_MAX)
        return vhdx_errno(err, LINUX_EINVAL);
    if (logical != 512)
        return vhdx_errno(err, LINUX_ENOTSUP);
    spb = s->block_size / 512;
    s->chunk_ratio = (uint64_t)VHDX_MAX_SECTORS_PER_BLOCK * 512 /
                     s->block_size;
    if (!pow2(spb) || !pow2(s->chunk_ratio) || !pow2(s->block_size))
        return vhdx_errno(err, LINUX_EINVAL);
    s->chunk_ratio_bits = (uint32_t)__builtin_ctzll(s->chunk_ratio);
    return 0;
}
