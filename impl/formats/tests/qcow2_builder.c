/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The synthetic qcow2 builder. */
#include "qcow2_builder.h"

#include <stdlib.h>
#include <string.h>

static void grow(struct qb *b, uint64_t size)
{
    if (size <= b->size)
        return;
    if (size > b->cap) {
        uint64_t cap = b->cap ? b->cap : 4096;
        while (cap < size)
            cap *= 2;
        b->buf = realloc(b->buf, cap);
        memset(b->buf + b->cap, 0, cap - b->cap);
        b->cap = cap;
    }
    b->size = size;
}

void qb_put8(struct qb *b, uint64_t off, uint8_t v)
{
    grow(b, off + 1);
    b->buf[off] = v;
}

void qb_put16(struct qb *b, uint64_t off, uint16_t v)
{
    qb_put8(b, off, (uint8_t)(v >> 8));
    qb_put8(b, off + 1, (uint8_t)v);
}

void qb_put32(struct qb *b, uint64_t off, uint32_t v)
{
    qb_put16(b, off, (uint16_t)(v >> 16));
    qb_put16(b, off + 2, (uint16_t)v);
}

void qb_put64(struct qb *b, uint64_t off, uint64_t v)
{
    qb_put32(b, off, (uint32_t)(v >> 32));
    qb_put32(b, off + 4, (uint32_t)v);
}

static uint64_t get64(const struct qb *b, uint64_t off)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < 8; i++)
        v = v << 8 | (off + i < b->size ? b->buf[off + i] : 0);
    return v;
}

void qb_refcount(struct qb *b, uint64_t cluster, uint16_t v)
{
    qb_put16(b, b->rb_off + cluster * 2, v);
}

uint64_t qb_alloc(struct qb *b)
{
    uint64_t off = (b->size + b->cs - 1) / b->cs * b->cs;

    grow(b, off + b->cs);
    qb_refcount(b, off / b->cs, 1);
    return off;
}

void qb_init(struct qb *b, uint32_t version, uint32_t cluster_bits,
             uint64_t vsize)
{
    uint64_t l2_entries, l1_bytes, i;

    memset(b, 0, sizeof(*b));
    b->version = version;
    b->cluster_bits = cluster_bits;
    b->cs = 1ull << cluster_bits;
    b->vsize = vsize;
    l2_entries = b->cs / 8;
    b->l1_size = (uint32_t)((vsize + l2_entries * b->cs - 1) /
                            (l2_entries * b->cs));
    grow(b, 3 * b->cs);
    b->rt_off = b->cs;
    b->rb_off = 2 * b->cs;
    qb_put64(b, b->rt_off, b->rb_off);
    for (i = 0; i < 3; i++)
        qb_refcount(b, i, 1);
    l1_bytes = (uint64_t)b->l1_size * 8;
    b->l1_off = 3 * b->cs;
    for (i = 0; i < (l1_bytes + b->cs - 1) / b->cs || i == 0; i++)
        qb_alloc(b);

    qb_put32(b, 0, 0x514649fb);
    qb_put32(b, 4, version);
    qb_put32(b, 20, cluster_bits);
    qb_put64(b, 24, vsize);
    qb_put32(b, 36, b->l1_size);
    qb_put64(b, 40, b->l1_off);
    qb_put64(b, 48, b->rt_off);
    qb_put32(b, 56, 1);
    if (version >= 3) {
        qb_put32(b, 96, 4);
        qb_put32(b, 100, 112);
    }
}

void qb_free(struct qb *b)
{
    free(b->buf);
    b->buf = NULL;
}

uint64_t qb_l2(struct qb *b, uint64_t goff)
{
    uint64_t l2_entries = b->cs / 8;
    uint64_t idx = goff / b->cs / l2_entries;
    uint64_t l1e = get64(b, b->l1_off + idx * 8) & 0x00fffffffffffe00ull;

    if (!l1e) {
        l1e = qb_alloc(b);
        qb_put64(b, b->l1_off + idx * 8, l1e | QB_COPIED);
    }
    return l1e;
}

void qb_set_entry(struct qb *b, uint64_t goff, uint64_t entry)
{
    uint64_t l2 = qb_l2(b, goff);
    uint64_t l2_entries = b->cs / 8;

    qb_put64(b, l2 + (goff / b->cs % l2_entries) * 8, entry);
}

uint64_t qb_data(struct qb *b, uint64_t goff)
{
    uint64_t host;

    qb_l2(b, goff);
    host = qb_alloc(b);
    qb_set_entry(b, goff, host | QB_COPIED);
    return host;
}

uint32_t qb_to_memdev(const struct qb *b, struct memdevs *m)
{
    uint32_t id = memdev_add(m, b->size);

    memcpy(m->dev[id].data, b->buf, b->size);
    return id;
}
