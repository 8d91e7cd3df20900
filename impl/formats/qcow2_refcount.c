/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2_detect_metadata_preallocation(): qemu decides once per open
 * whether an image looks preallocated (metadata=...): more clusters carry
 * a refcount than the file has allocated blocks. If so, data clusters are
 * reported with BS_RECURSE so that host holes under them read as zero.
 *
 * The walk counts host clusters with a non-zero refcount, in order, and
 * stops as soon as the threshold is reached. The refcount table and the
 * blocks come from the metadata cache, each block loaded whole first.
 */
#include "qcow2.h"

#include "endian.h"
#include "errnos.h"
#include "meta_cache.h"

static int reftable_entry(struct node *n, uint64_t idx, uint64_t *out,
                          struct map_error *err)
{
    struct qcow2_state *s = n->opaque;
    uint64_t rt_end = s->h.refcount_table_offset +
                      s->g.refcount_table_size * 8;
    uint8_t b[8];

    if (meta_read(n->file, s->h.refcount_table_offset + idx * 8, b,
                  sizeof(b), rt_end, err) < 0)
        return -1;
    *out = load_be64(b);
    return 0;
}

/* Refcount idx of a refcount block, 2^order bits wide, big-endian; p
 * points at the byte that holds it (its first byte when wider). */
static uint64_t get_refcount(const uint8_t *p, uint32_t order, uint64_t idx)
{
    switch (order) {
    case 0:
        return (p[0] >> (idx % 8)) & 0x1;
    case 1:
        return (p[0] >> (2 * (idx % 4))) & 0x3;
    case 2:
        return (p[0] >> (4 * (idx % 2))) & 0xf;
    case 3:
        return p[0];
    case 4:
        return load_be16(p);
    case 5:
        return load_be32(p);
    default:
        return load_be64(p);
    }
}

/* Is refcount idx of the block in t non-zero? */
static int refcount_set(struct meta_batch *t, uint64_t block, uint32_t order,
                        uint64_t idx, bool *set, struct map_error *err)
{
    uint32_t width = order > 3 ? 1u << (order - 3) : 1;
    const uint8_t *p;

    if (meta_batch_get(t, block + ((idx << order) >> 3), width, &p, err) < 0)
        return -1;
    *set = get_refcount(p, order, idx) != 0;
    return 0;
}

int qcow2_detect_metadata_preallocation(struct node *n, struct map_error *err)
{
    struct qcow2_state *s = n->opaque;
    const struct qcow2_layout *g = &s->g;
    const struct io_ops *io = n->ctx->io;
    struct device_info info;
    int64_t real_clusters, threshold, count = 0;
    uint64_t end_cluster, i = 0;
    struct meta_batch t;
    int rc;

    rc = io->info(io->ctx, n->file->dev, &info);
    if (rc < 0)
        return map_fail(err, MAP_ERR_METADATA, -rc,
                        "qcow2: could not get the allocated file size");
    real_clusters = (int64_t)(info.alloc_bytes / g->cluster_size);
    threshold = real_clusters * 10 / 9;
    if (threshold < real_clusters + 2)
        threshold = real_clusters + 2;
    end_cluster = (n->file->length + g->cluster_size - 1) >> g->cluster_bits;

    while (i < end_cluster && count < threshold) {
        uint64_t rt_index = i >> g->refcount_block_bits;
        uint64_t block_first = rt_index << g->refcount_block_bits;
        uint64_t block_end = block_first +
                             ((uint64_t)1 << g->refcount_block_bits);
        uint64_t entry, block_offset;

        if (rt_index >= g->refcount_table_size)
            break;   /* no refcount block: every later refcount is 0 */
        if (reftable_entry(n, rt_index, &entry, err) < 0)
            return -1;
        block_offset = entry & QCOW2_REFT_OFFSET_MASK;
        if (block_end > end_cluster)
            block_end = end_cluster;
        if (!block_offset) {
            i = block_end;
            continue;
        }
        if (block_offset & (g->cluster_size - 1))
            return qcow2_corruption(n, err,
                                    "Refblock offset %#llx unaligned "
                                    "(reftable index: %#llx)",
                                    (unsigned long long)block_offset,
                                    (unsigned long long)rt_index);
        if (block_offset > NODE_MAX_LENGTH - g->cluster_size)
            return map_fail(err, MAP_ERR_METADATA, LINUX_EIO,
                            "qcow2: refcount block offset %#llx is past the "
                            "maximum image size",
                            (unsigned long long)block_offset);
        /* Whole, as qemu reads it; past the end of the file or in a hole
         * it reads as zeros without a read (no refcounts). */
        if (meta_load(n->file, block_offset, g->cluster_size, 0, err) < 0)
            return -1;
        meta_batch_init(&t, n->file, block_offset + g->cluster_size, 0);
        for (; i < block_end && count < threshold; i++) {
            bool set;
            if (refcount_set(&t, block_offset, g->refcount_order,
                             i - block_first, &set, err) < 0)
                return -1;
            count += set;
        }
    }
    return count >= threshold;
}
