/*
 * qcow2_detect_metadata_preallocation(): qemu decides once per open
 * whether an image looks preallocated (metadata=...): more clusters carry
 * a refcount than the file has allocated blocks. If so, data clusters are
 * reported with BS_RECURSE so that host holes under them read as zero.
 *
 * The walk counts host clusters with a non-zero refcount, in order, and
 * stops as soon as the threshold is reached; a refcount block is read
 * whole (into the L2 table buffer, which is free at this point), the
 * refcount table in chunks.
 */
#include "qcow2.h"

#include "endian.h"
#include "errnos.h"

static int reftable_entry(struct node *n, uint64_t idx, uint64_t *out,
                          struct map_error *err)
{
    struct qcow2_state *s = n->opaque;

    if (idx < s->rt_base || idx - s->rt_base >= s->rt_count) {
        uint64_t base = idx - idx % QCOW2_RT_CHUNK_ENTRIES;
        uint64_t count = s->g.refcount_table_size - base;

        if (count > QCOW2_RT_CHUNK_ENTRIES)
            count = QCOW2_RT_CHUNK_ENTRIES;
        s->rt_count = 0;
        if (node_pread(n->file, s->h.refcount_table_offset + base * 8,
                       s->rt_buf, count * 8, err) < 0)
            return -1;
        s->rt_base = base;
        s->rt_count = (uint32_t)count;
    }
    *out = load_be64(s->rt_buf + (idx - s->rt_base) * 8);
    return 0;
}

/* Refcount idx of a refcount block, 2^order bits wide, big-endian. */
static uint64_t get_refcount(const uint8_t *block, uint32_t order,
                             uint64_t idx)
{
    switch (order) {
    case 0:
        return (block[idx / 8] >> (idx % 8)) & 0x1;
    case 1:
        return (block[idx / 4] >> (2 * (idx % 4))) & 0x3;
    case 2:
        return (block[idx / 2] >> (4 * (idx % 2))) & 0xf;
    case 3:
        return block[idx];
    case 4:
        return load_be16(block + idx * 2);
    case 5:
        return load_be32(block + idx * 4);
    default:
        return load_be64(block + idx * 8);
    }
}

int qcow2_detect_metadata_preallocation(struct node *n, struct map_error *err)
{
    struct qcow2_state *s = n->opaque;
    const struct qcow2_layout *g = &s->g;
    const struct io_ops *io = n->ctx->io;
    struct device_info info;
    int64_t real_clusters, threshold, count = 0;
    uint64_t end_cluster, i = 0;
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
        s->l2_tag = 0;   /* the buffer now holds a refcount block */
        if (block_offset > NODE_MAX_LENGTH - g->cluster_size)
            return map_fail(err, MAP_ERR_METADATA, LINUX_EIO,
                            "qcow2: refcount block offset %#llx is past the "
                            "maximum image size",
                            (unsigned long long)block_offset);
        if (block_offset >= s->file_size)
            i = block_end;   /* reads as zeros: no refcounts */
        else if (node_pread(n->file, block_offset, s->l2_buf, g->cluster_size,
                            err) < 0)
            return -1;
        for (; i < block_end && count < threshold; i++)
            count += get_refcount(s->l2_buf, g->refcount_order,
                                  i - block_first) != 0;
    }
    return count >= threshold;
}
