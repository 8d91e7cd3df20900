/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The qcow2 fixed header: decoding from bytes and the field checks of
 * qcow2_do_open(), in qemu's order and with qemu's messages, so that an
 * image qemu refuses is refused with the same words.
 */
#include "qcow2.h"

#include "endian.h"
#include "errnos.h"

#define INT_MAX_VALUE 0x7fffffffu

void qcow2_header_parse(const uint8_t *b, struct qcow2_header *h)
{
    h->magic = load_be32(b + 0);
    h->version = load_be32(b + 4);
    h->backing_file_offset = load_be64(b + 8);
    h->backing_file_size = load_be32(b + 16);
    h->cluster_bits = load_be32(b + 20);
    h->size = load_be64(b + 24);
    h->crypt_method = load_be32(b + 32);
    h->l1_size = load_be32(b + 36);
    h->l1_table_offset = load_be64(b + 40);
    h->refcount_table_offset = load_be64(b + 48);
    h->refcount_table_clusters = load_be32(b + 56);
    h->nb_snapshots = load_be32(b + 60);
    h->snapshots_offset = load_be64(b + 64);
    if (h->version == 2) {
        /* v2 has none of these fields; qemu fills in their v3 meaning. */
        h->incompatible_features = 0;
        h->compatible_features = 0;
        h->autoclear_features = 0;
        h->refcount_order = 4;
        h->header_length = QCOW2_V2_HEADER_LENGTH;
    } else {
        h->incompatible_features = load_be64(b + 72);
        h->compatible_features = load_be64(b + 80);
        h->autoclear_features = load_be64(b + 88);
        h->refcount_order = load_be32(b + 96);
        h->header_length = load_be32(b + 100);
    }
    /* Older v3 headers end before the compression type: zlib. */
    h->compression_type = h->header_length > QCOW2_COMPRESSION_TYPE_OFFSET
                              ? b[QCOW2_COMPRESSION_TYPE_OFFSET]
                              : QCOW2_COMPRESSION_ZLIB;
}

static int open_fail(struct map_error *err, int errnum, const char *msg)
{
    return map_fail(err, MAP_ERR_OPEN, errnum, "%s", msg);
}

/* validate_compression_type(); this qemu build knows zlib and zstd. */
static int check_compression_type(const struct qcow2_header *h,
                                  struct map_error *err)
{
    bool bit = (h->incompatible_features & QCOW2_INCOMPAT_COMPRESSION) != 0;

    if (h->compression_type != QCOW2_COMPRESSION_ZLIB &&
        h->compression_type != QCOW2_COMPRESSION_ZSTD)
        return map_fail(err, MAP_ERR_OPEN, LINUX_ENOTSUP,
                        "qcow2: unknown compression type: %u",
                        (unsigned)h->compression_type);
    if (h->compression_type == QCOW2_COMPRESSION_ZLIB && bit)
        return open_fail(err, LINUX_EINVAL,
                         "qcow2: Compression type incompatible feature bit "
                         "must not be set");
    if (h->compression_type != QCOW2_COMPRESSION_ZLIB && !bit)
        return open_fail(err, LINUX_EINVAL,
                         "qcow2: Compression type incompatible feature bit "
                         "must be set");
    return 0;
}

int qcow2_header_check_basic(const struct qcow2_header *h,
                             struct map_error *err)
{
    uint64_t cluster_size;

    if (h->magic != QCOW2_MAGIC)
        return open_fail(err, LINUX_EINVAL, "Image is not in qcow2 format");
    if (h->version < 2 || h->version > 3)
        return map_fail(err, MAP_ERR_OPEN, LINUX_ENOTSUP,
                        "Unsupported qcow2 version %u", h->version);
    if (h->cluster_bits < QCOW2_MIN_CLUSTER_BITS ||
        h->cluster_bits > QCOW2_MAX_CLUSTER_BITS)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "Unsupported cluster size: 2^%u", h->cluster_bits);
    cluster_size = (uint64_t)1 << h->cluster_bits;
    if (h->version == 3 && h->header_length < QCOW2_V3_MIN_HEADER_LENGTH)
        return open_fail(err, LINUX_EINVAL, "qcow2 header too short");
    if (h->header_length > cluster_size)
        return open_fail(err, LINUX_EINVAL,
                         "qcow2 header exceeds cluster size");
    if (h->backing_file_offset > cluster_size)
        return open_fail(err, LINUX_EINVAL, "Invalid backing file offset");
    return check_compression_type(h, err);
}

/*
 * qcow2_validate_table(): the entry count against a byte budget, and the
 * offset cluster-aligned with the whole table below INT64_MAX.
 */
static int validate_table(uint64_t offset, uint64_t entries,
                          uint64_t entry_len, uint64_t max_bytes,
                          uint64_t cluster_size, const char *name,
                          struct map_error *err)
{
    if (entries > max_bytes / entry_len)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EFBIG, "%s too large", name);
    if ((uint64_t)INT64_MAX - entries * entry_len < offset ||
        (offset & (cluster_size - 1)) != 0)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "%s offset invalid", name);
    return 0;
}

/* size_to_l1() in qemu's unsigned, wrapping arithmetic. */
static uint64_t size_to_l1(uint64_t size, uint32_t shift)
{
    return (size + ((uint64_t)1 << shift) - 1) >> shift;
}

/*
 * read_cache_sizes(): qemu caches L2 tables in slices of 4 KiB unless its
 * default 32 MiB cache covers the whole image. Only the L2 index in
 * corruption messages depends on it (the index is slice-relative).
 */
static uint64_t l2_slice_entries(const struct qcow2_header *h,
                                 const struct qcow2_layout *g)
{
    uint64_t disk = h->size / 512 * 512;
    uint64_t max_entries = (disk + g->cluster_size - 1) / g->cluster_size;
    uint64_t max_cache = max_entries * g->l2_entry_size;
    uint64_t entry_bytes = g->cluster_size;

    max_cache = (max_cache + g->cluster_size - 1) & ~(g->cluster_size - 1);
    if (max_cache > (32u << 20))
        entry_bytes = g->cluster_size < 4096 ? g->cluster_size : 4096;
    return entry_bytes / g->l2_entry_size;
}

int qcow2_header_check_layout(const struct qcow2_header *h,
                              struct qcow2_layout *g, struct map_error *err)
{
    bool extl2 = (h->incompatible_features & QCOW2_INCOMPAT_EXTL2) != 0;
    uint32_t entry_shift;

    g->cluster_bits = h->cluster_bits;
    g->cluster_size = (uint64_t)1 << h->cluster_bits;
    g->subclusters = extl2 ? QCOW2_EXTL2_SUBCLUSTERS : 1;
    if (g->cluster_size / g->subclusters < 512)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "Unsupported subcluster size: %d",
                        (int)(g->cluster_size / g->subclusters));
    if (h->refcount_order > 6)
        return open_fail(err, LINUX_EINVAL,
                         "Reference count entry width too large; may not "
                         "exceed 64 bits");
    g->refcount_order = h->refcount_order;
    /* refcounts per refblock: cluster bytes * 8 / 2^order */
    g->refcount_block_bits = h->cluster_bits + 3 - h->refcount_order;
    g->l2_entry_size = extl2 ? 16 : 8;
    entry_shift = extl2 ? 4 : 3;
    g->l2_bits = h->cluster_bits - entry_shift;
    g->l2_size = (uint64_t)1 << g->l2_bits;
    g->refcount_table_size = (uint64_t)h->refcount_table_clusters
                             << (h->cluster_bits - 3);

    if (h->refcount_table_clusters == 0)
        return open_fail(err, LINUX_EINVAL,
                         "Image does not contain a reference count table");
    if (validate_table(h->refcount_table_offset, h->refcount_table_clusters,
                       g->cluster_size, QCOW2_MAX_REFTABLE_SIZE,
                       g->cluster_size, "Reference count table", err) < 0)
        return -1;
    if (validate_table(h->snapshots_offset, h->nb_snapshots,
                       QCOW2_SNAPSHOT_HEADER_SIZE,
                       QCOW2_SNAPSHOT_HEADER_SIZE * QCOW2_MAX_SNAPSHOTS,
                       g->cluster_size, "Snapshot table", err) < 0)
        return -1;
    if (validate_table(h->l1_table_offset, h->l1_size, 8, QCOW2_MAX_L1_SIZE,
                       g->cluster_size, "Active L1 table", err) < 0)
        return -1;

    g->l1_vm_state_index = size_to_l1(h->size, g->cluster_bits + g->l2_bits);
    if (g->l1_vm_state_index > INT_MAX_VALUE)
        return open_fail(err, LINUX_EFBIG, "Image is too big");
    if (h->l1_size < g->l1_vm_state_index)
        return open_fail(err, LINUX_EINVAL, "L1 table is too small");
    g->l2_slice_size = l2_slice_entries(h, g);
    return 0;
}
