/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The generic half of qemu's block status (block/io.c,
 * bdrv_co_block_status). Drivers only describe their own layer; the
 * rules that make raw transparent, unallocated qcow2 clusters read as
 * zero and preallocated clusters over host holes read as zero live here.
 */
#include "block_status.h"

#include "compat.h"
#include "errnos.h"

static int call_driver(struct node *n, uint64_t off, uint64_t bytes,
                       struct block_status *st, struct map_error *err)
{
    memset(st, 0, sizeof(*st));
    if (!n->drv->block_status) {
        /* qemu: a driver without the callback is all data; only a
         * protocol driver can say where that data lives. */
        st->flags = BS_DATA | BS_ALLOCATED;
        st->pnum = bytes;
        if (n->drv->is_protocol) {
            st->flags |= BS_OFFSET_VALID;
            st->map = off;
            st->file = n->dev;
            st->host = n;
        }
        return 0;
    }
    if (n->drv->block_status(n, off, bytes, st, err) < 0)
        return -1;
    if (st->pnum == 0)
        return map_fail(err, MAP_ERR_INTERNAL, LINUX_EIO,
                        "%s driver answered an empty run at %llu",
                        n->drv->name, (unsigned long long)off);
    if (st->pnum > bytes)
        st->pnum = bytes;
    if ((st->flags & (BS_RAW | BS_RECURSE)) &&
        (!(st->flags & BS_OFFSET_VALID) || !st->host))
        return map_fail(err, MAP_ERR_INTERNAL, LINUX_EIO,
                        "%s driver asked to descend without a host "
                        "offset", n->drv->name);
    return 0;
}

/*
 * BS_RECURSE: the format says "data, but the host file may have holes
 * under it". Ask the host node; errors there are ignored, as in qemu.
 */
static void refine_with_host(struct node *n, struct block_status *st)
{
    struct block_status fs;
    struct map_error ignored;

    if (!st->host || st->host == n || !(st->flags & BS_DATA) ||
        (st->flags & BS_ZERO) || !(st->flags & BS_OFFSET_VALID))
        return;
    if (node_block_status(st->host, st->map, st->pnum, &fs, &ignored) < 0)
        return;
    if ((fs.flags & BS_EOF) && (fs.pnum == 0 || (fs.flags & BS_ZERO))) {
        /* Reads past the host file's end return zeros: the whole run. */
        st->flags |= BS_ZERO;
    } else {
        st->pnum = fs.pnum;
        st->flags |= fs.flags & BS_ZERO;
    }
}

int node_block_status(struct node *n, uint64_t off, uint64_t bytes,
                      struct block_status *st, struct map_error *err)
{
    uint64_t total = n->length;

    memset(st, 0, sizeof(*st));
    if (off >= total) {
        st->flags = BS_EOF;
        return 0;
    }
    if (bytes == 0)
        return 0;
    if (bytes > total - off)
        bytes = total - off;

    if (call_driver(n, off, bytes, st, err) < 0)
        return -1;

    if (st->flags & BS_RAW) {
        /* Passthrough: the host node's answer is returned unchanged. */
        struct node *host = st->host;
        uint64_t map = st->map, pnum = st->pnum;

        if (node_block_status(host, map, pnum, st, err) < 0)
            return -1;
        if (st->pnum == 0)
            return map_fail(err, MAP_ERR_INTERNAL, LINUX_EIO,
                            "%s node maps past its file's end",
                            n->drv->name);
    } else {
        if (st->flags & (BS_DATA | BS_ZERO)) {
            st->flags |= BS_ALLOCATED;
        } else if (n->drv->supports_backing) {
            if (!n->backing || off >= n->backing->length)
                st->flags |= BS_ZERO;
        }
        if (st->flags & BS_RECURSE)
            refine_with_host(n, st);
    }
    if (off + st->pnum == total)
        st->flags |= BS_EOF;
    return 0;
}
