/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The internal snapshot table, walked only to fail where qemu's
 * qcow2_read_snapshots() fails when opening an image: too much extra data
 * in an entry, or a table longer than qemu accepts. Entries are variable
 * sized (header, extra data, id, name, 8-byte aligned), so they are
 * visited one after another through the read-ahead window.
 */
#include "qcow2.h"

#include "endian.h"
#include "errnos.h"

#define INT_MAX_VALUE 0x7fffffffu

static int read_failed(struct map_error *err)
{
    int errnum = err->errnum;

    return map_fail(err, MAP_ERR_OPEN, errnum,
                    "Failed to read snapshot table: %s",
                    map_strerror(errnum));
}

int qcow2_check_snapshots(struct node *n, struct reader *r,
                          const struct qcow2_header *h,
                          struct map_error *err)
{
    uint64_t off = h->snapshots_offset;
    uint64_t table_length = 0;
    uint32_t i;

    (void)n;
    for (i = 0; i < h->nb_snapshots; i++) {
        uint8_t b[QCOW2_SNAPSHOT_HEADER_SIZE];
        uint32_t extra, id_size, name_size;

        table_length = (table_length + 7) & ~(uint64_t)7;
        off = (off + 7) & ~(uint64_t)7;
        if (reader_read(r, off, b, sizeof(b), err) < 0)
            return read_failed(err);
        id_size = load_be16(b + 12);
        name_size = load_be16(b + 14);
        extra = load_be32(b + 36);
        if (extra > QCOW2_MAX_SNAPSHOT_EXTRA_DATA)
            return map_fail(err, MAP_ERR_OPEN, LINUX_EFBIG,
                            "Too much extra metadata in snapshot table entry "
                            "%u\nYou can force-remove this extra metadata "
                            "with qemu-img check -r all", i);
        /* Bounded by the checks: at most 40 + 1024 + 2 * 65535 bytes. */
        off += QCOW2_SNAPSHOT_HEADER_SIZE + extra + id_size + name_size;
        /* qemu reads the extra data, id and name too: past its maximum
         * offset that is an I/O error. */
        if (off > NODE_MAX_LENGTH)
            return map_fail(err, MAP_ERR_OPEN, LINUX_EIO,
                            "Failed to read snapshot table: %s",
                            map_strerror(LINUX_EIO));
        table_length += QCOW2_SNAPSHOT_HEADER_SIZE + extra + id_size +
                        name_size;
        if (table_length > QCOW2_MAX_SNAPSHOTS_SIZE ||
            off - h->snapshots_offset > INT_MAX_VALUE)
            return map_fail(err, MAP_ERR_OPEN, LINUX_EFBIG,
                            "Snapshot table is too big\nYou can force-remove "
                            "all %u overhanging snapshots with qemu-img "
                            "check -r all", h->nb_snapshots - i);
    }
    return 0;
}
