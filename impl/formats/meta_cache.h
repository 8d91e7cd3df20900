/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The metadata cache: every table a driver walks (qcow2 L1, L2, refcount
 * table and blocks, bitmap tables, header extensions and snapshots
 * through reader.h; vmdk grain directories and tables; vpc and vhdx
 * BATs; the vhdx log) is read through it. One cache per open context
 * serves every node and device of the image.
 *
 * It holds fixed-size slots (META_SLOT_SIZE bytes of one device at an
 * aligned offset), META_WAYS-way set associative with LRU replacement,
 * and one readahead window. A miss reads a whole run of slots in one
 * device read: at least META_RA_MIN bytes, doubling up to the window
 * size while a walk keeps missing within one readahead of where the
 * last one ended (a few such streams are tracked), clipped to the end of
 * the table run when the driver knows it, to the end of the device, to a
 * hole that SEEK_DATA reported, and to qemu's maximum offset. The missed slot is copied out of the window; later
 * slots are copied when first asked for, so only metadata that is used
 * stays cached. If the readahead read fails, that failure is ignored and
 * only the bytes asked for are read: a speculative read must never fail
 * a walk that qemu's exact reads would not fail.
 *
 * Zero rule: bytes that read as zeros are not read. A requested range
 * that starts at or past the end of the device, or that SEEK_DATA says
 * lies wholly in a hole (ENXIO: a trailing hole), is zero-filled without
 * a read. qemu reads such ranges and gets zeros from the host, so the
 * bytes are the same; instar just does not pay an exit for them.
 *
 * Memory: taken once from the arena when the image is opened (at most
 * META_BUDGET bytes and at most half of what is free), never grown.
 */
#ifndef INSTAR_FORMATS_META_CACHE_H
#define INSTAR_FORMATS_META_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "error.h"

struct node;

#define META_SLOT_BITS 12u
#define META_SLOT_SIZE (1u << META_SLOT_BITS)   /* 4 KiB */
#define META_WAYS 8u
#define META_STREAMS 4u
#define META_BUDGET (8u << 20)      /* slots + window, bytes of arena */
#define META_RA_MIN (256u << 10)    /* first readahead of a stream */
#define META_RA_MAX (4u << 20)      /* window size, readahead ceiling */

struct meta_slot {
    uint64_t off;    /* device offset of the slot, META_SLOT_SIZE aligned */
    uint64_t used;   /* LRU stamp; 0 = empty */
    uint32_t dev;
};

/* A walk reading forward: where its next readahead would start. */
struct meta_stream {
    uint64_t next;
    uint64_t ra;     /* size of its last readahead */
    uint32_t dev;
    bool live;
};

/* Counters, for tests and measurements. */
struct meta_cache_stats {
    uint64_t hits;          /* slot found in the cache */
    uint64_t window_hits;   /* slot copied from the readahead window */
    uint64_t reads;         /* device reads made by the cache */
    uint64_t read_bytes;
    uint64_t zero_fills;    /* ranges zero-filled by the zero rule */
    uint64_t fallbacks;     /* readahead failed: exact read retried */
    uint64_t evictions;
};

struct meta_cache {
    /* Configuration, read by meta_cache_setup(); 0 means the default. */
    uint64_t budget;       /* META_BUDGET */
    uint64_t ra_min;       /* META_RA_MIN */

    /* State. A zeroed struct is a cache not yet set up. */
    bool ready;
    uint32_t nsets;        /* power of two */
    struct meta_slot *tags;   /* nsets * META_WAYS */
    uint8_t *mem;          /* slot bytes, same order as tags */
    uint8_t *win;          /* the readahead window */
    uint64_t win_cap;
    uint64_t win_off, win_len;   /* valid bytes; win_len 0 = empty */
    uint32_t win_dev;
    uint64_t clock;
    uint32_t last;         /* slot of the last hit */
    uint64_t ra_max;
    struct meta_stream streams[META_STREAMS];
    uint32_t next_stream;
    /* The last range meta_load() made whole, while nothing is evicted. */
    uint32_t load_dev;
    uint64_t load_off, load_len, load_evictions;
    struct meta_cache_stats stats;
};

/*
 * Take the cache's memory from the arena (once; later calls do nothing).
 * Returns 0, or -1 with MAP_ERR_INTERNAL when even the smallest cache
 * does not fit.
 */
int meta_cache_setup(struct meta_cache *c, struct arena *a,
                     struct map_error *err);

/*
 * Copy [off, off + len) of protocol node f's device into out, through
 * the cache of f's open context. run_end is where the table being walked
 * ends (readahead stops there), or 0 when the driver does not know.
 * Bytes past the end of the device read as zeros. A range reaching past
 * NODE_MAX_LENGTH fails as node_pread() does; a read error is
 * MAP_ERR_METADATA with its errno, as from node_pread().
 */
int meta_read(struct node *f, uint64_t off, void *out, uint64_t len,
              uint64_t run_end, struct map_error *err);

/*
 * Make [off, off + len) cached (read it now, as qemu reads a whole table
 * before it looks at any entry), so that a read error is reported here
 * and not at some later entry. Same arguments and errors as meta_read.
 */
int meta_load(struct node *f, uint64_t off, uint64_t len, uint64_t run_end,
              struct map_error *err);

/*
 * A table's entries, a batch at a time: a copy of up to META_BATCH bytes
 * of [.., end) taken from the cache, so that a walk over many small
 * entries costs one cache lookup per batch. Not a cache of its own: it
 * is refilled from the requested offset whenever an entry is not in it,
 * and never reads past the table's end.
 */
#define META_BATCH 1024u

struct meta_batch {
    struct node *f;
    uint64_t end;       /* the table's end */
    uint64_t run_end;   /* readahead hint handed to meta_read() */
    uint64_t base;      /* device offset of buf[0] */
    uint32_t len;       /* bytes in buf; 0 = empty */
    uint8_t buf[META_BATCH];
};

void meta_batch_init(struct meta_batch *b, struct node *f, uint64_t end,
                     uint64_t run_end);

/*
 * Point *p at the len bytes at off (len <= META_BATCH; off + len <= end
 * for the batch to stay inside the table). *p stays valid until the next
 * call. Errors are meta_read()'s.
 */
int meta_batch_fill(struct meta_batch *b, uint64_t off, uint32_t len,
                    const uint8_t **p, struct map_error *err);

static inline int meta_batch_get(struct meta_batch *b, uint64_t off,
                                 uint32_t len, const uint8_t **p,
                                 struct map_error *err)
{
    if (off >= b->base && off - b->base <= b->len &&
        len <= b->len - (off - b->base)) {
        *p = b->buf + (off - b->base);
        return 0;
    }
    return meta_batch_fill(b, off, len, p, err);
}

#endif
