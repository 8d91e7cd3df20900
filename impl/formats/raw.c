/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * raw format: the guest view is the file itself. Like qemu's raw-format
 * driver it answers every query with "ask my file at the same offset",
 * and the generic layer returns the file node's answer unchanged.
 */
#include "drivers.h"

static int raw_open(struct node *n, struct map_error *err)
{
    (void)err;
    n->length = n->file->length;
    return 0;
}

static int raw_block_status(struct node *n, uint64_t off, uint64_t bytes,
                            struct block_status *st, struct map_error *err)
{
    (void)err;
    st->flags = BS_RAW | BS_OFFSET_VALID;
    st->pnum = bytes;
    st->map = off;
    st->file = n->file->dev;
    st->host = n->file;
    return 0;
}

const struct format_driver raw_driver = {
    .name = "raw",
    .open = raw_open,
    .block_status = raw_block_status,
    .supports_backing = false,
    .is_protocol = false,
};
