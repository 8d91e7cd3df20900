/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The protocol node over a host device, as qemu's file-posix driver sees a
 * regular file: its length is st_size rounded up to a sector, and block
 * status comes from lseek(SEEK_DATA/SEEK_HOLE) through io->data_status,
 * interpreted exactly like find_allocation() + raw_co_block_status().
 */
#include "drivers.h"
#include "errnos.h"

/* Where offset lies, in find_allocation()'s terms. */
enum alloc_kind {
    ALLOC_DATA,      /* data from off up to *end (the next hole) */
    ALLOC_HOLE,      /* hole from off up to *end (the next data) */
    ALLOC_TRAILING,  /* ENXIO: a trailing hole or past EOF */
    ALLOC_UNKNOWN,   /* any other failure: qemu pretends there are no holes */
};

static enum alloc_kind classify_errno(int64_t neg_errno)
{
    return neg_errno == -LINUX_ENXIO ? ALLOC_TRAILING : ALLOC_UNKNOWN;
}

static enum alloc_kind find_allocation(struct node *n, uint64_t off,
                                       uint64_t *end)
{
    const struct io_ops *io = n->ctx->io;
    int64_t data = 0, hole = 0;
    int rc;

    rc = io->data_status(io->ctx, n->dev, off, &data, &hole);
    if (rc < 0)
        return classify_errno(rc);
    if (data < 0)                       /* D3 (ENXIO) or D4 */
        return classify_errno(data);
    if ((uint64_t)data < off)           /* impossible lseek result: EIO */
        return ALLOC_UNKNOWN;
    if ((uint64_t)data > off) {         /* D2: in a hole up to data */
        *end = (uint64_t)data;
        return ALLOC_HOLE;
    }
    if (hole < 0)                       /* D1 with H3 (ENXIO) or H4 */
        return classify_errno(hole);
    if ((uint64_t)hole < off)           /* impossible: EIO */
        return ALLOC_UNKNOWN;
    if ((uint64_t)hole > off) {         /* D1 and H2: data up to hole */
        *end = (uint64_t)hole;
        return ALLOC_DATA;
    }
    return ALLOC_UNKNOWN;               /* D1 and H1: EBUSY, a race */
}

static int file_open(struct node *n, struct map_error *err)
{
    const struct io_ops *io = n->ctx->io;
    struct device_info info;
    int rc;

    rc = io->info(io->ctx, n->dev, &info);
    if (rc < 0)
        return map_fail(err, MAP_ERR_OPEN, -rc, "Could not stat the image");
    /* qemu counts whole sectors: a 1000-byte file is 1024 bytes long. */
    if (info.size > UINT64_MAX - 511)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EFBIG,
                        "Could not refresh total sector count: "
                        "File too large");
    n->length = (info.size + 511) / 512 * 512;
    return 0;
}

static int file_block_status(struct node *n, uint64_t off, uint64_t bytes,
                             struct block_status *st, struct map_error *err)
{
    uint64_t end = 0;

    (void)err;
    switch (find_allocation(n, off, &end)) {
    case ALLOC_DATA:
        /* Request alignment is 1, so the run ends at the byte EOF. */
        st->flags = BS_DATA;
        st->pnum = end - off;
        break;
    case ALLOC_HOLE:
        st->flags = BS_ZERO;
        st->pnum = end - off;
        break;
    case ALLOC_TRAILING:
        st->flags = BS_ZERO;
        st->pnum = bytes;
        break;
    case ALLOC_UNKNOWN:
    default:
        st->flags = BS_DATA;
        st->pnum = bytes;
        break;
    }
    if (st->pnum > bytes)
        st->pnum = bytes;
    st->flags |= BS_OFFSET_VALID;
    st->map = off;
    st->file = n->dev;
    st->host = n;
    return 0;
}

const struct format_driver file_driver = {
    .name = "file",
    .open = file_open,
    .block_status = file_block_status,
    .supports_backing = false,
    .is_protocol = true,
};
