/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The generic map layer: what qemu's block layer and img_map do on top of
 * the drivers. It walks [start, end), asks the layer stack for status the
 * way bdrv_block_status() does (EOF clamp, RAW passthrough, ALLOCATED,
 * ZERO for unallocated ranges, RECURSE into the host file), merges
 * neighbours by qemu's rule and hands each finished entry to a sink.
 */
#ifndef INSTAR_FORMATS_MAP_H
#define INSTAR_FORMATS_MAP_H

#include <stdint.h>

#include "error.h"
#include "node.h"
#include "status.h"

struct map_request {
    int64_t start;        /* --start-offset, >= 0 */
    int64_t max_length;   /* --max-length, or -1 for none */
    uint32_t merge_keys;  /* MERGE_* of the selected output profile */
};

/*
 * Receives each merged entry in order. The last entry of a successful walk
 * is passed after the walk ends; an entry is passed only once its
 * successor is known, exactly when qemu-img prints it. Return 0 to go on,
 * or -1 (with err filled) to stop the walk.
 */
typedef int (*map_sink)(void *ctx, const struct map_extent *e,
                        struct map_error *err);

/* Returns 0 or -1 with err. Emits one zero-length entry for an empty walk. */
int map_image(struct node *top, const struct map_request *rq, map_sink sink,
              void *sink_ctx, struct map_error *err);

#endif
