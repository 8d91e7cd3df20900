/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img's img_map() loop over the generic block status: walk
 * [start, end), resolve each position down the backing chain
 * (get_block_status), merge neighbours by entry_mergeable() under the
 * profile's merge keys, and hand each entry to the sink only once its
 * successor is known, which is exactly when qemu-img prints it.
 */
#include "map.h"

#include "block_status.h"
#include "compat.h"
#include "errnos.h"

/* qemu is built with -fwrapv: int64 sums wrap instead of being UB. */
static int64_t wrapping_add(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* get_block_status(): the first layer that knows, and how deep it is. */
static int resolve(struct node *top, uint64_t off, uint64_t bytes,
                   struct map_extent *e, struct map_error *err)
{
    struct node *bs = top;
    struct block_status st;
    uint32_t depth = 0;

    for (;;) {
        if (node_block_status(bs, off, bytes, &st, err) < 0)
            return -1;
        if (st.pnum == 0)
            return map_fail(err, MAP_ERR_INTERNAL, LINUX_EIO,
                            "empty block status at %llu",
                            (unsigned long long)off);
        bytes = st.pnum;
        if (st.flags & (BS_ZERO | BS_DATA))
            break;
        bs = bs->backing;
        if (!bs) {
            st.flags = 0;
            break;
        }
        depth++;
    }

    memset(e, 0, sizeof(*e));
    e->start = off;
    e->length = bytes;
    e->depth = depth;
    e->present = (st.flags & BS_ALLOCATED) != 0;
    e->zero = (st.flags & BS_ZERO) != 0;
    e->data = (st.flags & BS_DATA) != 0;
    e->compressed = (st.flags & BS_COMPRESSED) != 0;
    e->has_offset = (st.flags & BS_OFFSET_VALID) != 0;
    if (e->has_offset) {
        e->offset = st.map;
        e->file = st.file;
    }
    return 0;
}

/* entry_mergeable(); a filename exists exactly when an offset does. */
static bool mergeable(const struct map_extent *cur,
                      const struct map_extent *next, uint32_t keys)
{
    if (cur->length == 0)
        return false;
    if (cur->zero != next->zero || cur->data != next->data ||
        cur->depth != next->depth || cur->has_offset != next->has_offset)
        return false;
    if ((keys & MERGE_PRESENT) && cur->present != next->present)
        return false;
    if ((keys & MERGE_COMPRESSED) && cur->compressed != next->compressed)
        return false;
    if (cur->has_offset && (cur->file != next->file ||
                            cur->offset + cur->length != next->offset))
        return false;
    return true;
}

int map_image(struct node *top, const struct map_request *rq, map_sink sink,
              void *sink_ctx, struct map_error *err)
{
    /* Open refuses lengths above qemu's BDRV_MAX_LENGTH < INT64_MAX. */
    int64_t end = (int64_t)top->length;
    struct map_extent cur, next;

    if (rq->start < 0)
        return map_fail(err, MAP_ERR_INTERNAL, LINUX_EINVAL,
                        "negative start offset");
    if (rq->max_length != -1) {
        int64_t limit = wrapping_add(rq->start, rq->max_length);
        if (limit < end)
            end = limit;
    }

    memset(&cur, 0, sizeof(cur));
    cur.start = (uint64_t)rq->start;
    while ((int64_t)(cur.start + cur.length) < end) {
        uint64_t pos = cur.start + cur.length;

        if (resolve(top, pos, (uint64_t)end - pos, &next, err) < 0)
            return -1;
        if (mergeable(&cur, &next, rq->merge_keys)) {
            cur.length += next.length;
            continue;
        }
        if (cur.length > 0 && sink(sink_ctx, &cur, err) < 0)
            return -1;
        cur = next;
    }
    return sink(sink_ctx, &cur, err);
}
