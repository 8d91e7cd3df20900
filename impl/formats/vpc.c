/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vpc (VHD) driver: open in vpc_open()'s order with its messages, and
 * block status as vpc_co_block_status(): fixed images are data at the
 * same position (RECURSE into the file), dynamic images are data for
 * allocated blocks (sector bitmaps ignored) and zero elsewhere. qemu's
 * vpc driver has no backing support: a differencing image is opened like
 * a dynamic one and its parent never consulted.
 */
#include "vpc.h"

#include "compat.h"
#include "drivers.h"
#include "endian.h"
#include "errnos.h"
#include "meta_cache.h"

#define BAT_UNALLOCATED 0xffffffffu
/* qemu's largest single request (BDRV_REQUEST_MAX_BYTES). */
#define REQUEST_MAX_BYTES 0x7ffffe00ull

static int open_fail(struct map_error *err, int errnum, const char *msg)
{
    return map_fail(err, MAP_ERR_OPEN, errnum, "%s", msg);
}

/* Footer at 0 (dynamic), else at the end of the file (fixed only). */
static int read_footer(struct node *n, uint8_t *f, bool *fixed,
                       struct map_error *err)
{
    uint64_t len = n->file->length;

    if (node_pread(n->file, 0, f, VPC_FOOTER_SIZE, err) < 0)
        return open_fail(err, err->errnum, "Unable to read VHD header");
    *fixed = false;
    if (memcmp(f + VPC_F_CREATOR, "conectix", 8) == 0)
        return 0;
    if (len < VPC_FOOTER_SIZE)
        return open_fail(err, LINUX_EINVAL,
                         "File too small for a VHD header");
    if (node_pread(n->file, len - VPC_FOOTER_SIZE, f, VPC_FOOTER_SIZE,
                   err) < 0) {
        err->kind = MAP_ERR_OPEN_ERRNO;
        return -1;
    }
    if (memcmp(f + VPC_F_CREATOR, "conectix", 8) != 0 ||
        load_be32(f + VPC_F_TYPE) != VPC_TYPE_FIXED)
        return open_fail(err, LINUX_EINVAL, "invalid VPC image");
    *fixed = true;
    return 0;
}

static bool is_power_of_2(uint32_t v)
{
    return v && !(v & (v - 1));
}

/* The dynamic header's checks, in vpc_open() order. */
static int check_dyn_header(struct vpc_state *s, const uint8_t *d,
                            uint64_t total_sectors, struct map_error *err)
{
    uint64_t computed;

    if (memcmp(d + VPC_D_MAGIC, "cxsparse", 8) != 0)
        return open_fail(err, LINUX_EINVAL, "Invalid header magic");
    s->block_size = load_be32(d + VPC_D_BLOCK_SIZE);
    if (!is_power_of_2(s->block_size) || s->block_size < 512)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "Invalid block size %u", (unsigned)s->block_size);
    s->bitmap_size = ((s->block_size / (8 * 512)) + 511) & ~511u;
    s->max_table_entries = (int32_t)load_be32(d + VPC_D_MAX_ENTRIES);
    if (total_sectors * 512 / s->block_size > 0xffffffffu)
        return open_fail(err, LINUX_EINVAL, "Too many blocks");
    /* qemu widens the signed count: a negative one wraps. */
    computed = (uint64_t)(int64_t)s->max_table_entries * s->block_size;
    if (computed < total_sectors * 512)
        return open_fail(err, LINUX_EINVAL, "Page table too small");
    if (s->max_table_entries < 0 || s->max_table_entries > 0x7fffffff / 4)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "Max Table Entries too large (%d)",
                        (int)s->max_table_entries);
    s->bat_offset = load_be64(d + VPC_D_TABLE);
    return 0;
}

/*
 * qemu reads the whole BAT and refuses an image whose last allocated
 * block ends past the file: scan it through the metadata cache, which
 * then answers block status from the same slots.
 */
static int scan_bat(struct node *n, struct vpc_state *s, struct map_error *err)
{
    uint64_t size = (uint64_t)s->max_table_entries * 4, done, end;
    uint64_t free_off;
    uint8_t buf[4096];

    if (size > REQUEST_MAX_BYTES || s->bat_offset > NODE_MAX_LENGTH ||
        size > NODE_MAX_LENGTH - s->bat_offset)
        return open_fail(err, LINUX_EIO, "Error reading pagetable");
    free_off = (s->bat_offset + size + 511) & ~(uint64_t)511;
    for (done = 0; done < size; done += sizeof(buf)) {
        uint64_t chunk = size - done < sizeof(buf) ? size - done : sizeof(buf);
        uint64_t i;

        if (meta_read(n->file, s->bat_offset + done, buf, chunk,
                      s->bat_offset + size, err) < 0)
            return open_fail(err, err->errnum, "Error reading pagetable");
        for (i = 0; i < chunk; i += 4) {
            uint32_t e = load_be32(buf + i);
            if (e == BAT_UNALLOCATED)
                continue;
            end = 512 * (uint64_t)e + s->bitmap_size + s->block_size;
            if (end > free_off)
                free_off = end;
        }
    }
    if (free_off > n->file->length)
        return open_fail(err, LINUX_EINVAL,
                         "block-vpc: free_data_block_offset points after "
                         "the end of file. The image has been truncated.");
    return 0;
}

static int vpc_open(struct node *n, struct map_error *err)
{
    uint8_t f[VPC_FOOTER_SIZE], d[VPC_DYN_HEADER_SIZE];
    struct vpc_state *s = arena_alloc(n->ctx->arena, sizeof(*s));
    uint64_t total_sectors;

    if (!s)
        return map_fail(err, MAP_ERR_INTERNAL, LINUX_ENOMEM,
                        "out of guest memory for the vpc state");
    n->opaque = s;
    if (read_footer(n, f, &s->fixed, err) < 0)
        return -1;
    if (!vpc_footer_checksum_ok(f))
        return open_fail(err, LINUX_EINVAL, "Incorrect header checksum");
    total_sectors = vpc_total_sectors(f, n->ctx->vhd_size_rule);
    if (total_sectors > VPC_MAX_SECTORS)
        return map_fail(err, MAP_ERR_OPEN_ERRNO, LINUX_EFBIG,
                        "VHD larger than 2040 GiB");
    n->length = total_sectors * 512;
    if (!s->fixed) {
        if (node_pread(n->file, load_be64(f + VPC_F_DATA_OFFSET), d,
                       sizeof(d), err) < 0)
            return open_fail(err, err->errnum,
                             "Error reading dynamic VHD header");
        if (check_dyn_header(s, d, total_sectors, err) < 0 ||
            scan_bat(n, s, err) < 0)
            return -1;
    }
    /* Block status follows the footer's type, whichever copy was read. */
    s->fixed = load_be32(f + VPC_F_TYPE) == VPC_TYPE_FIXED;
    return 0;
}

/* get_image_offset(): host offset of a guest offset, or false. */
static int block_offset(struct node *n, uint64_t off, bool *alloc,
                        uint64_t *host, struct map_error *err)
{
    struct vpc_state *s = n->opaque;
    uint64_t index = off / s->block_size;
    uint8_t e[4];
    uint32_t entry;

    *alloc = false;
    if (index >= (uint64_t)s->max_table_entries)
        return 0;
    if (meta_read(n->file, s->bat_offset + index * 4, e, 4,
                  s->bat_offset + (uint64_t)s->max_table_entries * 4,
                  err) < 0)
        return -1;
    entry = load_be32(e);
    if (entry == BAT_UNALLOCATED)
        return 0;
    *alloc = true;
    *host = 512 * (uint64_t)entry + s->bitmap_size + off % s->block_size;
    return 0;
}

static int vpc_block_status(struct node *n, uint64_t off, uint64_t bytes,
                            struct block_status *st, struct map_error *err)
{
    struct vpc_state *s = n->opaque;
    uint64_t host = 0;
    bool alloc;

    if (s->fixed) {
        st->flags = BS_DATA | BS_OFFSET_VALID | BS_RECURSE;
        st->pnum = bytes;
        st->map = off;
        st->file = n->file->dev;
        st->host = n->file;
        return 0;
    }
    if (block_offset(n, off, &alloc, &host, err) < 0)
        return -1;
    st->pnum = 0;
    for (;;) {
        /* The rest of this block; allocated blocks end every answer. */
        uint64_t len = s->block_size - off % s->block_size;

        if (len > bytes)
            len = bytes;
        st->pnum += len;
        off += len;
        bytes -= len;
        if (alloc) {
            st->flags = BS_DATA | BS_OFFSET_VALID;
            st->map = host;
            st->file = n->file->dev;
            st->host = n->file;
            return 0;
        }
        st->flags = BS_ZERO;
        if (bytes == 0)
            return 0;
        if (block_offset(n, off, &alloc, &host, err) < 0)
            return -1;
        if (alloc)
            return 0;
    }
}

const struct format_driver vpc_driver = {
    .name = "vpc",
    .open = vpc_open,
    .block_status = vpc_block_status,
    .supports_backing = false,
    .is_protocol = false,
};
