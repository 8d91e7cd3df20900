/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The metadata cache (see meta_cache.h): slots, the readahead window and
 * the zero rule.
 */
#include "meta_cache.h"

#include "checked.h"
#include "compat.h"
#include "errnos.h"
#include "node.h"

#define SLOT ((uint64_t)META_SLOT_SIZE)
#define SLOT_MASK (SLOT - 1)

static uint64_t pow2_floor(uint64_t v)
{
    uint64_t p = 1;

    if (!v)
        return 0;
    while (p <= v / 2)
        p *= 2;
    return p;
}

/* x rounded up to a slot boundary, saturating. */
static uint64_t slot_up(uint64_t x)
{
    uint64_t r;

    if (add_overflow_u64(x, SLOT_MASK, &r))
        return UINT64_MAX & ~SLOT_MASK;
    return r & ~SLOT_MASK;
}

int meta_cache_setup(struct meta_cache *c, struct arena *a,
                     struct map_error *err)
{
    uint64_t room, budget, win, ra_min;
    uint32_t nsets;

    if (c->ready)
        return 0;
    room = a->used < a->size ? (a->size - a->used) / 2 : 0;
    budget = c->budget ? c->budget : META_BUDGET;
    if (budget > room)
        budget = room;
    /* Half for the window (a power of two), the rest for the slots. */
    win = pow2_floor(budget / 2) & ~SLOT_MASK;
    if (win > META_RA_MAX)
        win = META_RA_MAX;
    nsets = win ? (uint32_t)pow2_floor((budget - win) / SLOT / META_WAYS) : 0;
    while (nsets && win + (uint64_t)nsets * META_WAYS *
                              (SLOT + sizeof(struct meta_slot)) > room)
        nsets /= 2;
    if (!win || !nsets)
        return map_fail(err, MAP_ERR_INTERNAL, LINUX_ENOMEM,
                        "out of guest memory for the metadata cache");
    c->tags = arena_alloc(a, (size_t)nsets * META_WAYS * sizeof(*c->tags));
    c->mem = arena_alloc_uninit(a, (size_t)nsets * META_WAYS * SLOT);
    c->win = arena_alloc_uninit(a, (size_t)win);
    if (!c->tags || !c->mem || !c->win)
        return map_fail(err, MAP_ERR_INTERNAL, LINUX_ENOMEM,
                        "out of guest memory for the metadata cache");
    ra_min = c->ra_min ? c->ra_min : META_RA_MIN;
    ra_min &= ~SLOT_MASK;
    if (ra_min < SLOT)
        ra_min = SLOT;
    c->ra_min = ra_min < win ? ra_min : win;
    c->ra_max = win;
    c->win_cap = win;
    c->nsets = nsets;
    c->win_len = 0;
    c->clock = 0;
    c->last = 0;
    c->next_stream = 0;
    memset(c->streams, 0, sizeof(c->streams));
    memset(&c->stats, 0, sizeof(c->stats));
    c->ready = true;
    return 0;
}

static uint32_t set_of(const struct meta_cache *c, uint32_t dev, uint64_t s)
{
    uint64_t h = (s >> META_SLOT_BITS) ^ (((uint64_t)dev + 1) * 0x9e3779b1u);

    return (uint32_t)(h & (c->nsets - 1));
}

static bool holds(const struct meta_slot *t, uint32_t dev, uint64_t s)
{
    return t->used && t->dev == dev && t->off == s;
}

/* The slot holding (dev, s), or -1. */
static int64_t lookup(struct meta_cache *c, uint32_t dev, uint64_t s)
{
    uint32_t base, w;

    if (holds(&c->tags[c->last], dev, s))
        return c->last;
    base = set_of(c, dev, s) * META_WAYS;
    for (w = 0; w < META_WAYS; w++)
        if (holds(&c->tags[base + w], dev, s))
            return base + w;
    return -1;
}

/* Take the least recently used slot of (dev, s)'s set for it. */
static uint32_t claim(struct meta_cache *c, uint32_t dev, uint64_t s)
{
    uint32_t base = set_of(c, dev, s) * META_WAYS, best = base, w;

    for (w = 1; w < META_WAYS; w++)
        if (c->tags[base + w].used < c->tags[best].used)
            best = base + w;
    if (c->tags[best].used)
        c->stats.evictions++;
    c->tags[best].dev = dev;
    c->tags[best].off = s;
    c->tags[best].used = ++c->clock;
    return best;
}

static uint8_t *slot_mem(const struct meta_cache *c, uint32_t i)
{
    return c->mem + (size_t)i * SLOT;
}

/*
 * How far to read ahead from slot s: a stream whose last readahead ended
 * less than one readahead before s goes on at twice its size, anything
 * else starts a stream at ra_min. Tables closer together than a readahead
 * are then read with everything between them in few large reads (an exit
 * costs about as much as copying ra_min bytes); sparser ones each cost
 * one ra_min read.
 */
static struct meta_stream *stream_for(struct meta_cache *c, uint32_t dev,
                                      uint64_t s, uint64_t *ra)
{
    struct meta_stream *st;
    uint32_t i;

    for (i = 0; i < META_STREAMS; i++) {
        st = &c->streams[i];
        if (st->live && st->dev == dev && s >= st->next &&
            s - st->next < st->ra) {
            *ra = st->ra < c->ra_max / 2 ? st->ra * 2 : c->ra_max;
            return st;
        }
    }
    st = &c->streams[c->next_stream];
    c->next_stream = (c->next_stream + 1) % META_STREAMS;
    st->live = false;
    *ra = c->ra_min;
    return st;
}

static void put(uint8_t *out, const uint8_t *src, uint64_t len)
{
    if (out)
        memcpy(out, src, len);
}

static void put_zero(struct meta_cache *c, uint8_t *out, uint64_t len)
{
    if (c)
        c->stats.zero_fills++;
    if (out)
        memset(out, 0, len);
}

/*
 * The zero rule for [a, b) of f's device: true when it reads as zeros
 * without a read. *zero_end is set to where the zeros are known to end
 * (UINT64_MAX: to the end of the device), *data_end to where the data run
 * holding a ends when a lies in data (0 when unknown).
 */
static bool reads_as_zero(struct node *f, uint64_t a, uint64_t b,
                          uint64_t *zero_end, uint64_t *data_end)
{
    const struct io_ops *io = f->ctx->io;
    int64_t data = 0, hole = 0;

    *zero_end = 0;
    *data_end = 0;
    if (a >= f->length) {
        *zero_end = UINT64_MAX;
        return true;
    }
    if (io->data_status(io->ctx, f->dev, a, &data, &hole) != 0)
        return false;
    if (data == -LINUX_ENXIO) {
        *zero_end = UINT64_MAX;
        return true;
    }
    if (data >= 0 && (uint64_t)data >= b) {
        *zero_end = (uint64_t)data;
        return true;
    }
    if (data >= 0 && (uint64_t)data == a && hole > data)
        *data_end = (uint64_t)hole;
    return false;
}

/*
 * Read the window for slot s on behalf of a request for [a, b) that goes
 * on to req_end, and copy the slot out of it. Returns the slot, or -1
 * when the readahead failed.
 */
static int64_t read_ahead(struct meta_cache *c, struct node *f, uint64_t s,
                          uint64_t b, uint64_t req_end, uint64_t run_end,
                          uint64_t data_end)
{
    const struct io_ops *io = f->ctx->io;
    struct meta_stream *st;
    uint64_t ra, end, limit;
    uint32_t i;
    int rc;

    st = stream_for(c, f->dev, s, &ra);
    /* A table larger than the readahead (a 2 MiB L2 table) in one read
     * when the window holds it. */
    if (slot_up(req_end) - s > ra)
        ra = slot_up(req_end) - s < c->ra_max ? slot_up(req_end) - s
                                              : c->ra_max;
    end = s + ra;                       /* s < NODE_MAX_LENGTH: no wrap */
    limit = slot_up(f->length);
    if (run_end >= b && slot_up(run_end) < limit)
        limit = slot_up(run_end);
    if (data_end > s && slot_up(data_end) < limit)
        limit = slot_up(data_end);
    if (NODE_MAX_LENGTH < limit)
        limit = NODE_MAX_LENGTH;
    if (end > limit)
        end = limit;
    if (end <= s)
        end = s + SLOT;   /* the slot itself (past EOF: zeros) */
    c->win_len = 0;
    c->stats.reads++;
    c->stats.read_bytes += end - s;
    rc = io->read(io->ctx, f->dev, s, c->win, end - s);
    if (rc < 0)
        return -1;
    c->win_dev = f->dev;
    c->win_off = s;
    c->win_len = end - s;
    st->live = true;
    st->dev = f->dev;
    st->next = end;
    st->ra = ra;
    i = claim(c, f->dev, s);
    memcpy(slot_mem(c, i), c->win, SLOT);
    return i;
}

/*
 * Bytes [a, b) of the slot at s (s <= a < b <= s + SLOT) of a request
 * that ends at req_end, copied to out unless out is NULL.
 */
static int slot_part(struct meta_cache *c, struct node *f, uint64_t s,
                     uint64_t a, uint64_t b, uint64_t req_end, uint8_t *out,
                     uint64_t run_end, struct map_error *err)
{
    uint64_t zero_end, data_end;
    int64_t i = lookup(c, f->dev, s);

    if (i >= 0) {
        c->stats.hits++;
        c->tags[i].used = ++c->clock;
        c->last = (uint32_t)i;
        put(out, slot_mem(c, (uint32_t)i) + (a - s), b - a);
        return 0;
    }
    if (c->win_len && c->win_dev == f->dev && s >= c->win_off &&
        s - c->win_off < c->win_len) {
        c->stats.window_hits++;
        i = claim(c, f->dev, s);
        memcpy(slot_mem(c, (uint32_t)i), c->win + (s - c->win_off), SLOT);
    } else if (reads_as_zero(f, a, b, &zero_end, &data_end)) {
        /* Keep a slot of zeros when the whole slot is a hole, so that
         * its neighbours cost no further lookup; past the end of the
         * device the test is free and nothing is kept. */
        if (a == s && zero_end >= s + SLOT && a < f->length) {
            i = claim(c, f->dev, s);
            memset(slot_mem(c, (uint32_t)i), 0, SLOT);
        } else {
            put_zero(c, out, b - a);
            return 0;
        }
        c->stats.zero_fills++;
    } else {
        i = read_ahead(c, f, s, b, req_end, run_end, data_end);
        if (i < 0) {
            /* Only the bytes asked for, as the driver would read them. */
            c->stats.fallbacks++;
            c->stats.reads++;
            c->stats.read_bytes += b - a;
            return node_pread(f, a, out ? out : c->win, b - a, err);
        }
    }
    c->last = (uint32_t)i;
    put(out, slot_mem(c, (uint32_t)i) + (a - s), b - a);
    return 0;
}

/* Without a cache: the zero rule, then exactly the bytes asked for. */
static int read_direct(struct node *f, uint64_t off, uint8_t *out,
                       uint64_t len, struct map_error *err)
{
    uint64_t zero_end, data_end;

    if (!out)
        return 0;
    if (reads_as_zero(f, off, off + len, &zero_end, &data_end)) {
        put_zero(NULL, out, len);
        return 0;
    }
    return node_pread(f, off, out, len, err);
}

static int walk(struct node *f, uint64_t off, uint8_t *out, uint64_t len,
                uint64_t run_end, struct map_error *err)
{
    struct meta_cache *c = f->ctx->cache;
    uint64_t pos, end;

    if (len == 0)
        return 0;
    /* node_pread() fails such a range before it touches the buffer. */
    if (node_past_max(off, len))
        return node_pread(f, off, out, len, err);
    if (!c || !c->ready)
        return read_direct(f, off, out, len, err);
    end = off + len;
    for (pos = off; pos < end;) {
        uint64_t s = pos & ~SLOT_MASK;
        uint64_t b = end - s > SLOT ? s + SLOT : end;

        if (slot_part(c, f, s, pos, b, end, out ? out + (pos - off) : NULL,
                      run_end, err) < 0)
            return -1;
        pos = b;
    }
    return 0;
}

int meta_read(struct node *f, uint64_t off, void *out, uint64_t len,
              uint64_t run_end, struct map_error *err)
{
    return walk(f, off, out, len, run_end, err);
}

int meta_load(struct node *f, uint64_t off, uint64_t len, uint64_t run_end,
              struct map_error *err)
{
    struct meta_cache *c = f->ctx->cache;
    uint64_t fallbacks;

    if (!c || !c->ready)
        return walk(f, off, NULL, len, run_end, err);
    /* The same table again with nothing evicted since: still whole. */
    if (c->load_len && c->load_dev == f->dev && c->load_off == off &&
        c->load_len == len && c->load_evictions == c->stats.evictions)
        return 0;
    c->load_len = 0;
    fallbacks = c->stats.fallbacks;
    if (walk(f, off, NULL, len, run_end, err) < 0)
        return -1;
    /* Remembered only when the range cannot have evicted itself (its
     * consecutive slots fill no set: sets are consecutive too) and no
     * exact-read fallback left a part uncached. */
    if (c->stats.fallbacks == fallbacks &&
        len / SLOT + 1 <= (uint64_t)c->nsets * (META_WAYS - 1)) {
        c->load_dev = f->dev;
        c->load_off = off;
        c->load_len = len;
        c->load_evictions = c->stats.evictions;
    }
    return 0;
}

void meta_batch_init(struct meta_batch *b, struct node *f, uint64_t end,
                     uint64_t run_end)
{
    b->f = f;
    b->end = end;
    b->run_end = run_end;
    b->base = 0;
    b->len = 0;
}

/* meta_batch_get() when off is not in the batch: refill from off. */
int meta_batch_fill(struct meta_batch *b, uint64_t off, uint32_t len,
                    const uint8_t **p, struct map_error *err)
{
    uint64_t n;

    if (len > META_BATCH)
        return map_fail(err, MAP_ERR_INTERNAL, LINUX_EINVAL,
                        "a table entry of %u bytes exceeds the "
                        "batch", (unsigned)len);
    n = off < b->end && b->end - off < META_BATCH ? b->end - off
                                                  : META_BATCH;
    if (n < len)
        n = len;
    b->len = 0;
    if (meta_read(b->f, off, b->buf, n, b->run_end, err) < 0)
        return -1;
    b->base = off;
    b->len = (uint32_t)n;
    *p = b->buf;
    return 0;
}
