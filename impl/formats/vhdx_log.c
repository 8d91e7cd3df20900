/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crc32c and the vhdx log search of qemu's vhdx_parse_log(): the log is a
 * circular buffer of 4 KiB sectors; if it holds a valid sequence of
 * entries, qemu must replay it and refuses a read-only open. instar only
 * needs the verdict, so entries are validated sector by sector (constant
 * memory) exactly as vhdx_validate_log_entry() walks them.
 */
#include "vhdx.h"

#include "checked.h"
#include "compat.h"
#include "endian.h"
#include "errnos.h"
#include "meta_cache.h"

#define LOG_SIGNATURE 0x65676f6cu  /* "loge" */
#define DESC_SIGNATURE 0x63736564u /* "desc" */
#define ZERO_SIGNATURE 0x6f72657au /* "zero" */
#define LOG_HDR_SIZE 64u
#define HDR_LOG_GUID 48u           /* VHDXHeader.log_guid */
#define HDR_LOG_VERSION 64u

static uint32_t crc_table[256];
static bool crc_ready;

uint32_t vhdx_crc32c(uint32_t crc, const uint8_t *buf, size_t len)
{
    size_t i;

    if (!crc_ready) {
        uint32_t k, c;
        int b;
        for (k = 0; k < 256; k++) {
            c = k;
            for (b = 0; b < 8; b++)
                c = (c >> 1) ^ (c & 1 ? 0x82f63b78u : 0);
            crc_table[k] = c;
        }
        crc_ready = true;
    }
    crc = ~crc;
    for (i = 0; i < len; i++)
        crc = crc_table[(crc ^ buf[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

uint32_t vhdx_checksum(const uint8_t *buf, size_t len, size_t crc_off)
{
    static const uint8_t zero[4];
    uint32_t crc = vhdx_crc32c(0, buf, crc_off);

    crc = vhdx_crc32c(crc, zero, 4);
    return vhdx_crc32c(crc, buf + crc_off + 4, len - crc_off - 4);
}

/* The log's read cursor: a byte index into the circular buffer. */
struct log_cursor {
    uint64_t offset;   /* file offset of the log */
    uint32_t length;   /* a multiple of 1 MiB */
    uint32_t read;
};

static uint32_t inc_idx(uint32_t idx, uint32_t length)
{
    idx += VHDX_LOG_SECTOR_SIZE;
    return idx >= length ? 0 : idx;
}

/* vhdx_log_hdr_is_valid() on a raw 64-byte entry header. */
static bool hdr_is_valid(const struct vhdx_state *s, uint32_t log_length,
                         const uint8_t *h)
{
    uint32_t entry_length = load_le32(h + 8);

    return load_le32(h) == LOG_SIGNATURE && entry_length <= log_length &&
           entry_length % VHDX_LOG_SECTOR_SIZE == 0 &&
           load_le64(h + 16) != 0 &&
           memcmp(h + 32, s->header + HDR_LOG_GUID, 16) == 0 &&
           (uint64_t)load_le32(h + 24) * 32 <= entry_length;
}

static bool desc_is_valid(const uint8_t *d, uint64_t seq)
{
    uint32_t sig = load_le32(d);

    if (load_le64(d + 24) != seq || load_le64(d + 16) % VHDX_LOG_SECTOR_SIZE)
        return false;
    if (sig == ZERO_SIGNATURE)
        return load_le64(d + 8) % VHDX_LOG_SECTOR_SIZE == 0;
    return sig == DESC_SIGNATURE;
}

/* Log bytes at the cursor, through the metadata cache (readahead stops
 * at the end of the log). */
static int log_read(struct node *n, const struct log_cursor *c, void *buf,
                    uint64_t len, struct map_error *err)
{
    uint64_t end;

    if (add_overflow_u64(c->offset, c->length, &end))
        end = 0;
    if (meta_read(n->file, c->offset + c->read, buf, len, end, err) < 0)
        return vhdx_errno(err, err->errnum);
    return 0;
}

static int read_sector(struct node *n, struct log_cursor *c, uint8_t *buf,
                       struct map_error *err)
{
    if (log_read(n, c, buf, VHDX_LOG_SECTOR_SIZE, err) < 0)
        return -1;
    c->read = inc_idx(c->read, c->length);
    return 0;
}

/*
 * vhdx_validate_log_entry(): *valid and the entry's sequence number.
 * Returns -1 on a read error or an invalid descriptor (qemu: EINVAL).
 */
static int validate_entry(struct node *n, struct log_cursor *c, uint64_t seq,
                          bool *valid, uint64_t *entry_seq,
                          struct map_error *err)
{
    struct vhdx_state *s = n->opaque;
    uint8_t *sec = s->buf;
    uint8_t h[LOG_HDR_SIZE];
    uint32_t desc_sectors, total, count, i, d, crc = 0;

    *valid = false;
    if (log_read(n, c, h, sizeof(h), err) < 0)
        return -1;
    if (!hdr_is_valid(s, c->length, h) ||
        (seq > 0 && load_le64(h + 16) != seq + 1)) {
        c->read = inc_idx(c->read, c->length);
        return 0;
    }
    count = load_le32(h + 24);
    desc_sectors = (count + 2) / 128 + ((count + 2) % 128 ? 1 : 0);
    total = load_le32(h + 8) / VHDX_LOG_SECTOR_SIZE;
    for (i = 0, d = 0; i < desc_sectors; i++) {
        uint32_t first = i == 0 ? 2 : 0;  /* the header takes 2 slots */
        if (read_sector(n, c, sec, err) < 0)
            return -1;
        for (; first < 128 && d < count; first++, d++)
            if (!desc_is_valid(sec + 32 * first, load_le64(h + 16)))
                return vhdx_errno(err, LINUX_EINVAL);
        crc = i == 0 ? vhdx_checksum(sec, VHDX_LOG_SECTOR_SIZE, 4)
                     : vhdx_crc32c(crc, sec, VHDX_LOG_SECTOR_SIZE);
    }
    for (i = desc_sectors; i < total; i++) {
        if (read_sector(n, c, sec, err) < 0)
            return -1;
        crc = vhdx_crc32c(crc, sec, VHDX_LOG_SECTOR_SIZE);
    }
    if (crc == load_le32(h + 4)) {
        *valid = true;
        *entry_seq = load_le64(h + 16);
    }
    return 0;
}

/* vhdx_log_search(): is there a valid, active sequence anywhere? */
static int log_search(struct node *n, struct log_cursor *c, bool *found,
                      struct map_error *err)
{
    uint64_t seq = 0;
    uint32_t tail;
    bool valid;

    *found = false;
    c->read = 0;
    for (;;) {
        tail = c->read;
        if (validate_entry(n, c, 0, &valid, &seq, err) < 0)
            return -1;
        if (valid) {
            uint64_t curr_seq = 0;
            *found = true;
            for (;;) {
                if (validate_entry(n, c, curr_seq, &valid, &seq, err) < 0)
                    return -1;
                if (!valid)
                    break;
                curr_seq = seq;
            }
        }
        /* qemu stops once the cursor wrapped; one that came back to
         * exactly where it was would make qemu loop forever. */
        if (c->read <= tail)
            return 0;
    }
}

int vhdx_check_log(struct node *n, struct map_error *err)
{
    struct vhdx_state *s = n->opaque;
    struct log_cursor c = {s->log_offset, s->log_length, 0};
    static const uint8_t zero_guid[16];
    const char *name = n->ctx->filename ? n->ctx->filename : "";
    bool found;

    if (s->log_offset < VHDX_LOG_MIN_SIZE ||
        s->log_offset % VHDX_LOG_MIN_SIZE)
        return vhdx_errno(err, LINUX_EINVAL);
    if (load_le16(s->header + HDR_LOG_VERSION) != 0)
        return vhdx_errno(err, LINUX_EINVAL);
    if (memcmp(s->header + HDR_LOG_GUID, zero_guid, 16) == 0 ||
        s->log_length == 0)
        return 0;
    if (s->log_length % VHDX_LOG_MIN_SIZE)
        return vhdx_errno(err, LINUX_EINVAL);
    if (log_search(n, &c, &found, err) < 0)
        return -1;
    if (!found)
        return 0;
    return map_fail(err, MAP_ERR_OPEN, 1 /* EPERM */,
                    "VHDX image file '%s' opened read-only, but contains a "
                    "log that needs to be replayed\nTo replay the log, run:\n"
                    "qemu-img check -r all '%s'", name, name);
}
