/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vhdx driver: vhdx_open()'s checks in qemu's order. qemu's vhdx has
 * no block-status callback, so the generic layer maps the whole image as
 * one data run without an offset; the payload BAT is only validated.
 */
#include "vhdx.h"

#include "compat.h"
#include "drivers.h"
#include "endian.h"
#include "errnos.h"
#include "meta_cache.h"

#define HDR_SIGNATURE 0x64616568u /* "head" */
#define BAT_WINDOW 65536u

int vhdx_errno(struct map_error *err, int errnum)
{
    return map_fail(err, MAP_ERR_OPEN_ERRNO, errnum, "vhdx: %s",
                    map_strerror(errnum));
}

/* qemu's error_report() lines: printed after the program's name. */
static void log_line(struct node *n, const char *line)
{
    const struct io_ops *io = n->ctx->io;

    if (io->log)
        io->log(io->ctx, LOG_MESSAGE, line);
}

int vhdx_region_check(struct node *n, uint64_t start, uint64_t length,
                      struct map_error *err)
{
    struct vhdx_state *s = n->opaque;
    uint64_t end = start + length;
    uint32_t i;

    /* qemu walks its list newest first and reports the first overlap. */
    for (i = s->nregions; i-- > 0;) {
        const struct vhdx_region *r = &s->regions[i];
        char line[160], tail[24] = "";

        if (start >= r->end || end <= r->start)
            continue;
        /* qemu's format ends in "%." PRIu64: precision 0 prints 0 as "". */
        if (r->end)
            snprintf(tail, sizeof(tail), "%llu", (unsigned long long)r->end);
        snprintf(line, sizeof(line), "VHDX region %llu-%llu "
                 "overlaps with region %llu-%s", (unsigned long long)start,
                 (unsigned long long)end, (unsigned long long)r->start, tail);
        log_line(n, line);
        return vhdx_errno(err, LINUX_EINVAL);
    }
    return 0;
}

void vhdx_region_register(struct vhdx_state *s, uint64_t start,
                          uint64_t length)
{
    /* At most the log and 2047 region entries are ever registered. */
    if (s->nregions < VHDX_MAX_REGIONS) {
        s->regions[s->nregions].start = start;
        s->regions[s->nregions].end = start + length;
        s->nregions++;
    }
}

/* vhdx_parse_header(): the valid header with the higher sequence. */
static int parse_headers(struct node *n, struct map_error *err)
{
    struct vhdx_state *s = n->opaque;
    static const uint32_t offs[2] = {VHDX_HEADER1_OFFSET, VHDX_HEADER2_OFFSET};
    uint8_t h[2][VHDX_HEADER_STRUCT_SIZE];
    bool valid[2];
    int i, cur;

    for (i = 0; i < 2; i++) {
        const uint8_t *b = s->buf;
        if (node_pread(n->file, offs[i], s->buf, VHDX_HEADER_SIZE, err) < 0)
            return map_fail(err, MAP_ERR_OPEN, err->errnum,
                            "No valid VHDX header found: %s",
                            map_strerror(err->errnum));
        memcpy(h[i], b, VHDX_HEADER_STRUCT_SIZE);
        valid[i] = vhdx_checksum(b, VHDX_HEADER_SIZE, 4) == load_le32(b + 4) &&
                   load_le32(b) == HDR_SIGNATURE && load_le16(b + 66) == 1;
    }
    if (valid[0] && valid[1]) {
        uint64_t s1 = load_le64(h[0] + 8), s2 = load_le64(h[1] + 8);
        if (s1 == s2 && memcmp(h[0], h[1], VHDX_HEADER_STRUCT_SIZE) != 0)
            valid[0] = valid[1] = false;
        cur = s2 > s1 ? 1 : 0;
    } else {
        cur = valid[1] ? 1 : 0;
    }
    /* Before 7.1 the errno printed is minus the last bdrv_pread()'s
     * result, the 4096 bytes of a header. */
    if (!valid[0] && !valid[1]) {
        if (!(n->ctx->driver_rules & NODE_RULE_PREAD_RETURNS_0))
            return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                            "No valid VHDX header found: Unknown error %d",
                            -(int)VHDX_HEADER_SIZE);
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "No valid VHDX header found");
    }
    memcpy(s->header, h[cur], VHDX_HEADER_STRUCT_SIZE);
    s->log_length = load_le32(s->header + 68);
    s->log_offset = load_le64(s->header + 72);
    vhdx_region_register(s, s->log_offset, s->log_length);
    return 0;
}

/* vhdx_calc_bat_entries(), in qemu's 32-bit arithmetic. */
static uint32_t bat_entries(const struct vhdx_state *s)
{
    uint32_t data_blocks = (uint32_t)((s->virtual_disk_size +
                                       s->block_size - 1) / s->block_size);

    return data_blocks + ((data_blocks - 1) >> s->chunk_ratio_bits);
}

static int bat_entry_fail(struct node *n, const char *line,
                          struct map_error *err)
{
    log_line(n, line);
    return vhdx_errno(err, LINUX_EINVAL);
}

/* vhdx_check_bat_entries(): fully present payload blocks must lie inside
 * the file and clear of every registered region. */
static int check_bat_entry(struct node *n, uint64_t i, uint64_t e,
                           uint64_t *payblocks, struct map_error *err)
{
    struct vhdx_state *s = n->opaque;
    uint64_t file_size = n->file->length, off, limit, block_length;
    char line[200];

    if ((e & VHDX_BAT_STATE_MASK) != VHDX_BAT_FULLY_PRESENT)
        return 0;
    off = e & VHDX_BAT_OFFSET_MASK;
    limit = (n->length) - i * s->block_size;
    block_length = limit < s->block_size ? limit : s->block_size;
    if (off > (uint64_t)INT64_MAX - s->block_size) {
        snprintf(line, sizeof(line), "VHDX BAT entry %llu offset "
                 "overflow.", (unsigned long long)i);
        return bat_entry_fail(n, line, err);
    }
    if (off >= file_size || off + block_length > file_size) {
        bool start = off >= file_size;
        snprintf(line, sizeof(line), "VHDX BAT entry %llu %s "
                 "offset %llu points after end of file (%lld). Image has "
                 "probably been truncated.", (unsigned long long)i,
                 start ? "start" : "end",
                 (unsigned long long)(start ? off : off + block_length - 1),
                 (long long)file_size);
        return bat_entry_fail(n, line, err);
    }
    if ((*payblocks)--)
        return vhdx_region_check(n, off, s->block_size, err);
    *payblocks = s->chunk_ratio;
    return 0;
}

static int check_bat(struct node *n, struct map_error *err)
{
    struct vhdx_state *s = n->opaque;
    uint32_t count = bat_entries(s), i;
    uint64_t payblocks = s->chunk_ratio;
    uint64_t end = s->bat_offset + (uint64_t)count * 8;

    if (count > s->bat_length / 8)
        return vhdx_errno(err, LINUX_EINVAL);
    /* qemu reads the whole BAT region in one request. */
    if (s->bat_length > VHDX_REQUEST_MAX_BYTES ||
        s->bat_offset > NODE_MAX_LENGTH ||
        s->bat_length > NODE_MAX_LENGTH - s->bat_offset)
        return vhdx_errno(err, LINUX_EIO);
    /* Entries are copied out of the metadata cache a window at a time. */
    for (i = 0; i < count; i++) {
        uint32_t k = i % (BAT_WINDOW / 8);
        if (k == 0) {
            uint64_t left = (uint64_t)(count - i) * 8;
            if (meta_read(n->file, s->bat_offset + (uint64_t)i * 8, s->buf,
                          left < BAT_WINDOW ? left : BAT_WINDOW, end,
                          err) < 0)
                return vhdx_errno(err, err->errnum);
        }
        if (check_bat_entry(n, i, load_le64(s->buf + 8 * k), &payblocks,
                            err) < 0)
            return -1;
    }
    return 0;
}

static int vhdx_open(struct node *n, struct map_error *err)
{
    struct arena *a = n->ctx->arena;
    struct vhdx_state *s = arena_alloc(a, sizeof(*s));
    uint8_t sig[8];

    if (s) {
        s->buf = arena_alloc(a, VHDX_BLOCK_64K);
        s->regions = arena_alloc(a, VHDX_MAX_REGIONS * sizeof(*s->regions));
    }
    if (!s || !s->buf || !s->regions)
        return map_fail(err, MAP_ERR_INTERNAL, LINUX_ENOMEM,
                        "out of guest memory for the vhdx state");
    n->opaque = s;
    if (node_pread(n->file, 0, sig, sizeof(sig), err) < 0)
        return vhdx_errno(err, err->errnum);
    if (memcmp(sig, "vhdxfile", 8) != 0)
        return vhdx_errno(err, LINUX_EINVAL);
    if (parse_headers(n, err) < 0 || vhdx_check_log(n, err) < 0 ||
        vhdx_read_region_table(n, err) < 0 || vhdx_read_metadata(n, err) < 0)
        return -1;
    n->length = s->virtual_disk_size / 512 * 512;
    return check_bat(n, err);
}

const struct format_driver vhdx_driver = {
    .name = "vhdx",
    .open = vhdx_open,
    .block_status = NULL,
    .supports_backing = false,
    .is_protocol = false,
};
