/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 cluster lookups (qcow2_get_host_offset and its helpers): which
 * state the cluster at a guest offset is in, and how far the same state
 * continues, in as few reads as possible. Tables come from the metadata
 * cache (meta_cache.h), an L2 table loaded whole, and one answer covers a
 * whole run of same-state clusters.
 */
#include "qcow2.h"

#include "compat.h"
#include "endian.h"
#include "errnos.h"
#include "meta_cache.h"

int qcow2_corruption(struct node *n, struct map_error *err, const char *fmt,
                     ...)
{
    struct qcow2_state *s = n->opaque;
    const struct io_ops *io = n->ctx->io;
    char what[MAP_ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    /* Read-only, so never fatal: qemu reports the first event only. */
    if (!s->signaled_corruption && io->log) {
        char line[MAP_ERR_MSG_MAX + 96];
        snprintf(line, sizeof(line),
                 "qcow2: Image is corrupt: %s; further non-fatal corruption "
                 "events will be suppressed", what);
        io->log(io->ctx, LOG_PLAIN, line);
    }
    s->signaled_corruption = true;
    return map_fail(err, MAP_ERR_METADATA, LINUX_EIO, "qcow2: %s", what);
}

/* Entry idx of the active L1 table (idx < l1_size), through t. */
static int l1_entry(struct node *n, struct meta_batch *t, uint64_t idx,
                    uint64_t *out, struct map_error *err)
{
    struct qcow2_state *s = n->opaque;
    const uint8_t *p;

    if (meta_batch_get(t, s->h.l1_table_offset + idx * 8, 8, &p, err) < 0)
        return -1;
    *out = load_be64(p);
    return 0;
}

static void l1_batch(struct node *n, struct meta_batch *t)
{
    struct qcow2_state *s = n->opaque;
    uint64_t l1_end = s->h.l1_table_offset + (uint64_t)s->h.l1_size * 8;

    meta_batch_init(t, n->file, l1_end, l1_end);
}

/*
 * The L2 table at l2_offset, whole, as qemu reads it before it looks at
 * any entry; its entries then come from the cache in batches. A table
 * past the end of the file or in a hole reads as zeros without a read
 * (the cache's rule), so a hostile L1 full of such pointers costs no I/O.
 */
static int load_l2(struct node *n, uint64_t l2_offset, struct meta_batch *t,
                   struct map_error *err)
{
    struct qcow2_state *s = n->opaque;

    meta_batch_init(t, n->file, l2_offset + s->g.cluster_size, 0);
    return meta_load(n->file, l2_offset, s->g.cluster_size, 0, err);
}

/* Entry idx of the L2 table in t, and its subcluster bitmap (0 without
 * extended L2 entries). */
static int l2_entry(const struct qcow2_state *s, struct meta_batch *t,
                    uint64_t idx, uint64_t *e, uint64_t *bitmap,
                    struct map_error *err)
{
    uint64_t table = t->end - s->g.cluster_size;
    const uint8_t *p;

    if (meta_batch_get(t, table + idx * s->g.l2_entry_size,
                       s->g.l2_entry_size, &p, err) < 0)
        return -1;
    *e = load_be64(p);
    *bitmap = s->g.subclusters == 1 ? 0 : load_be64(p + 8);
    return 0;
}

/*
 * qcow2_get_cluster_type(): the state of a whole cluster. With extended
 * L2 entries the zero flag is not used (the bitmap says it instead).
 */
static enum qcow2_cluster_type classify(const struct qcow2_state *s,
                                        uint64_t e)
{
    if (e & QCOW2_OFLAG_COMPRESSED)
        return QCOW2_COMPRESSED;
    if ((e & QCOW2_OFLAG_ZERO) && s->g.subclusters == 1)
        return (e & QCOW2_L2E_OFFSET_MASK) ? QCOW2_ZERO_ALLOC
                                           : QCOW2_ZERO_PLAIN;
    /* Offset 0 is a valid data file offset; every data file cluster has
     * refcount 1, so COPIED tells it from an unallocated entry. */
    if (!(e & QCOW2_L2E_OFFSET_MASK))
        return s->data_file && (e & QCOW2_OFLAG_COPIED) ? QCOW2_NORMAL
                                                        : QCOW2_UNALLOCATED_PLAIN;
    return QCOW2_NORMAL;
}

#define SUB_ALLOC(sc) ((uint64_t)1 << (sc))
#define SUB_ZERO(sc)  ((uint64_t)1 << ((sc) + 32))
#define ALL_ALLOC     0xffffffffull

/*
 * qcow2_get_subcluster_type(): the state of subcluster sc. Returns -1 for
 * an entry qemu calls invalid (a bitmap that contradicts the entry).
 */
static int subcluster_type(const struct qcow2_state *s, uint64_t e,
                           uint64_t bitmap, unsigned sc,
                           enum qcow2_cluster_type *type)
{
    enum qcow2_cluster_type t = classify(s, e);

    if (s->g.subclusters > 1 && t == QCOW2_NORMAL) {
        if ((bitmap >> 32) & bitmap)
            return -1;
        t = (bitmap & SUB_ZERO(sc))    ? QCOW2_ZERO_ALLOC
            : (bitmap & SUB_ALLOC(sc)) ? QCOW2_NORMAL
                                       : QCOW2_UNALLOCATED_ALLOC;
    } else if (s->g.subclusters > 1 && t == QCOW2_UNALLOCATED_PLAIN) {
        if (bitmap & ALL_ALLOC)
            return -1;
        t = (bitmap & SUB_ZERO(sc)) ? QCOW2_ZERO_PLAIN
                                    : QCOW2_UNALLOCATED_PLAIN;
    }
    *type = t;
    return 0;
}

static unsigned trailing_zeros32(uint32_t v)
{
    return v ? (unsigned)__builtin_ctz(v) : 32;
}

/*
 * qcow2_get_subcluster_range_type(): how many subclusters from sc_from on
 * share the state of sc_from, within this cluster. -1 if invalid.
 */
static int subcluster_range(const struct qcow2_state *s, uint64_t e,
                            uint64_t bitmap, unsigned sc_from,
                            enum qcow2_cluster_type *type)
{
    uint32_t before = (uint32_t)(SUB_ALLOC(sc_from) - 1); /* [0, sc_from) */

    if (subcluster_type(s, e, bitmap, sc_from, type) < 0)
        return -1;
    if (s->g.subclusters == 1 || *type == QCOW2_COMPRESSED)
        return (int)(s->g.subclusters - sc_from);
    switch (*type) {
    case QCOW2_NORMAL:
        return (int)(trailing_zeros32(~((uint32_t)bitmap | before)) - sc_from);
    case QCOW2_ZERO_PLAIN:
    case QCOW2_ZERO_ALLOC:
        return (int)(trailing_zeros32(~((uint32_t)(bitmap >> 32) | before)) -
                     sc_from);
    default: /* unallocated */
        return (int)(trailing_zeros32((uint32_t)((bitmap >> 32) | bitmap) &
                                      ~before) - sc_from);
    }
}

static bool has_host_offset(enum qcow2_cluster_type t)
{
    return t == QCOW2_NORMAL || t == QCOW2_ZERO_ALLOC ||
           t == QCOW2_UNALLOCATED_ALLOC;
}

/*
 * Guest bytes from off covered by unallocated L1 entries, starting with
 * the one at l1_index (already known to be unallocated): the run goes on
 * through following zero entries, and past the end of the L1 table.
 */
static int unallocated_l1_run(struct node *n, uint64_t l1_index,
                              uint64_t off, uint64_t bytes, uint64_t *pnum,
                              struct map_error *err)
{
    struct qcow2_state *s = n->opaque;
    uint32_t shift = s->g.cluster_bits + s->g.l2_bits;
    uint64_t end = off + bytes;
    uint64_t idx = l1_index + 1;
    struct meta_batch t;

    l1_batch(n, &t);
    while (idx < s->h.l1_size && (idx << shift) < end) {
        uint64_t e;
        if (l1_entry(n, &t, idx, &e, err) < 0)
            return -1;
        if (e & QCOW2_L1E_OFFSET_MASK)
            break;
        idx++;
    }
    if (idx >= s->h.l1_size || (idx << shift) >= end)
        *pnum = bytes;
    else
        *pnum = (idx << shift) - off;
    return 0;
}

/*
 * count_contiguous_subclusters(): subclusters from (l2_index, sc_index) on
 * with the first one's state and, where it has one, host offsets that
 * follow on; at most nb clusters. Like qemu it looks at every cluster it
 * passes, so an invalid entry inside a run fails the query that reaches
 * the run, not the one that reaches the entry: that decides which entries
 * were printed before the error. Returns -1 with *bad_index on an invalid
 * entry, or -2 on a read error. Compressed clusters count one at a time.
 */
static int64_t count_contiguous(const struct qcow2_state *s,
                                struct meta_batch *t, uint64_t l2_index,
                                uint64_t nb, unsigned sc_index,
                                uint64_t *bad_index, struct map_error *err)
{
    enum qcow2_cluster_type expected = QCOW2_NORMAL, type;
    uint64_t expected_offset = 0;
    bool check_offset = false;
    int64_t count = 0;

    for (uint64_t i = 0; i < nb; i++) {
        unsigned first_sc = i == 0 ? sc_index : 0;
        uint64_t e, bitmap;
        int n;

        if (l2_entry(s, t, l2_index + i, &e, &bitmap, err) < 0)
            return -2;
        n = subcluster_range(s, e, bitmap, first_sc, &type);
        if (n < 0) {
            *bad_index = l2_index + i;
            return -1;
        }
        if (i == 0) {
            if (type == QCOW2_COMPRESSED)
                return n;
            expected = type;
            expected_offset = e & QCOW2_L2E_OFFSET_MASK;
            check_offset = has_host_offset(type);
        } else if (type != expected) {
            break;
        } else if (check_offset) {
            expected_offset += s->g.cluster_size;
            if (expected_offset != (e & QCOW2_L2E_OFFSET_MASK))
                break;
        }
        count += n;
        if (first_sc + (unsigned)n < s->g.subclusters)
            break; /* the state changes inside this cluster */
    }
    return count;
}

int qcow2_find_run(struct node *n, uint64_t off, uint64_t bytes,
                   struct qcow2_run *run, struct map_error *err)
{
    struct qcow2_state *s = n->opaque;
    const struct qcow2_layout *g = &s->g;
    uint64_t in_cluster = off & (g->cluster_size - 1);
    uint64_t l1_index = off >> (g->cluster_bits + g->l2_bits);
    uint64_t l2_index = (off >> g->cluster_bits) & (g->l2_size - 1);
    uint64_t slice_index = l2_index & (g->l2_slice_size - 1);
    uint64_t l1e, l2_offset, first, first_bitmap, nb, count, covered;
    struct meta_batch t;

    memset(run, 0, sizeof(*run));
    run->type = QCOW2_UNALLOCATED_PLAIN;
    if (l1_index >= s->h.l1_size) {
        run->bytes = bytes;
        return 0;
    }
    l1_batch(n, &t);
    if (l1_entry(n, &t, l1_index, &l1e, err) < 0)
        return -1;
    l2_offset = l1e & QCOW2_L1E_OFFSET_MASK;
    if (!l2_offset)
        return unallocated_l1_run(n, l1_index, off, bytes, &run->bytes, err);
    if (l2_offset & (g->cluster_size - 1))
        return qcow2_corruption(n, err,
                                "L2 table offset %#llx unaligned (L1 index: "
                                "%#llx)", (unsigned long long)l2_offset,
                                (unsigned long long)l1_index);
    if (load_l2(n, l2_offset, &t, err) < 0 ||
        l2_entry(s, &t, l2_index, &first, &first_bitmap, err) < 0)
        return -1;

    unsigned sc_bits = g->cluster_bits - (g->subclusters == 1 ? 0 : 5);
    unsigned sc_index = (unsigned)(in_cluster >> sc_bits);
    bool invalid = subcluster_type(s, first, first_bitmap, sc_index,
                                   &run->type) < 0;
    if (!invalid && s->h.version < 3 &&
        (run->type == QCOW2_ZERO_PLAIN || run->type == QCOW2_ZERO_ALLOC))
        return qcow2_corruption(n, err,
                                "Zero cluster entry found in pre-v3 image "
                                "(L2 offset: %#llx, L2 index: %#x)",
                                (unsigned long long)l2_offset,
                                (unsigned)slice_index);
    if (!invalid && run->type == QCOW2_COMPRESSED && s->data_file)
        return qcow2_corruption(n, err,
                                "Compressed cluster entry found in image "
                                "with external data file (L2 offset: %#llx, "
                                "L2 index: %#x)",
                                (unsigned long long)l2_offset,
                                (unsigned)slice_index);
    if (!invalid && has_host_offset(run->type)) {
        uint64_t host_cluster = first & QCOW2_L2E_OFFSET_MASK;
        run->host_offset = host_cluster + in_cluster;
        if (host_cluster & (g->cluster_size - 1))
            return qcow2_corruption(n, err,
                                    "Cluster allocation offset %#llx "
                                    "unaligned (L2 offset: %#llx, L2 index: "
                                    "%#x)", (unsigned long long)host_cluster,
                                    (unsigned long long)l2_offset,
                                    (unsigned)slice_index);
        if (s->data_file && run->host_offset != off)
            /* qemu's text, unbalanced parenthesis included */
            return qcow2_corruption(n, err,
                                    "External data file host cluster offset "
                                    "%#llx does not match guest cluster "
                                    "offset: %#llx, L2 index: %#x)",
                                    (unsigned long long)host_cluster,
                                    (unsigned long long)(off - in_cluster),
                                    (unsigned)slice_index);
    }

    /* Clusters the request touches, within this L2 table. */
    uint64_t needed = bytes + in_cluster;
    nb = (needed + g->cluster_size - 1) >> g->cluster_bits;
    if (nb > g->l2_size - l2_index)
        nb = g->l2_size - l2_index;
    uint64_t bad_index = 0;
    int64_t sc = count_contiguous(s, &t, l2_index, nb, sc_index, &bad_index,
                                  err);
    if (sc == -2)
        return -1;
    if (sc < 0)
        /* qemu's text has the doubled space */
        return qcow2_corruption(n, err,
                                "Invalid cluster entry found  (L2 offset: "
                                "%#llx, L2 index: %#x)",
                                (unsigned long long)l2_offset,
                                (unsigned)(bad_index & (g->l2_slice_size - 1)));
    count = ((uint64_t)sc + sc_index) << sc_bits;
    covered = count < needed ? count : needed;
    run->bytes = covered - in_cluster;
    return 0;
}
