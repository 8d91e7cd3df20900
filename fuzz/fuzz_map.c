/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the whole map pipeline (probe, format driver, generic
 * layer) over an in-memory image, as it runs in the guest.
 *
 * Input: 16 bytes of parameters, then the image. The parameters choose
 * the -f format, a window, the merge keys, the release rules (VHD size,
 * driver profile) and where holes lie. The
 * target asserts the invariants the host also checks: the extents
 * partition exactly the requested range, in order, with no gap, no
 * overlap, no zero length except qemu's empty-walk record, no overflow;
 * and it bounds the device reads per emitted extent (a quadratic walk is
 * a bug even when it terminates).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "instar_abi.h"
#include "map.h"
#include "memdev.h"
#include "meta_cache.h"
#include "node.h"

#define ARENA_SIZE GUEST_ARENA_SIZE /* what the guest has */

/* A tiny image can legitimately describe millions of extents (every L1
 * entry naming the same grain table, as qemu would print them too); the
 * target stops such a walk so one input costs bounded time. */
#define MAX_EXTENTS 100000

struct check {
    uint64_t start, end, next, count;
    bool empty, stopped;
};

static int sink(void *ctx, const struct map_extent *e, struct map_error *err)
{
    struct check *c = ctx;
    if (e->start != c->next)
        abort();
    if (c->empty) {
        if (c->count || e->length || e->data || e->zero || e->present)
            abort();
    } else {
        if (e->length == 0 || e->length > c->end - c->next)
            abort();
        /* No check on offset + length: the offset is only printed, and
         * qemu-img prints whatever its int64 arithmetic gives, wrapped
         * values included (a vmdk FLAT extent whose sector offset is near
         * 2^63 maps to a negative "offset"); instar must print the same. */
    }
    c->next += e->length;
    c->count++;
    if (c->count >= MAX_EXTENTS) {
        c->stopped = true;
        return map_fail(err, MAP_ERR_INTERNAL, 0, "fuzz: extent cap");
    }
    return 0;
}

static void run(const uint8_t *img, size_t len, const uint8_t *p,
                uint8_t *arena_mem, int64_t start, int64_t max)
{
    struct memdevs m;
    memdevs_init(&m);
    uint32_t dev = memdev_add(&m, len);
    if (len)
        memcpy(m.dev[dev].data, img, len);
    /* up to two holes at parameter-chosen places */
    if (len > 4096 && (p[0] & 1)) {
        uint64_t a = (uint64_t)p[1] * 4096 % len, b = a + 4096 * (p[2] % 8);
        if (b > len)
            b = len;
        if (b > a)
            memdev_hole(&m, dev, a, b);
    }
    struct arena arena;
    arena_init(&arena, arena_mem, ARENA_SIZE);
    struct meta_cache cache = { 0 };
    struct open_ctx ctx = { .io = &m.io, .arena = &arena, .cache = &cache,
                            .filename = "fuzz.img",
                            .vhd_size_rule = p[3] & 1,
                            .driver_rules = (p[3] >> 1) & 3 };
    struct map_error err = { 0 };
    static const enum image_format fmts[] = { FMT_PROBE, FMT_RAW, FMT_QCOW2,
                                              FMT_VMDK, FMT_VPC, FMT_VHDX,
                                              FMT_FILE };
    struct node *top = image_open(&ctx, dev, fmts[p[4] % 7], &err);
    if (top) {
        struct map_request rq = { .start = start, .max_length = max,
                                  .merge_keys = p[5] & 3 };
        uint64_t end = max < 0 ? top->length
                               : (uint64_t)start + (uint64_t)max;
        if (max >= 0 && end > top->length)
            end = top->length;
        struct check c = { .start = (uint64_t)start, .next = (uint64_t)start,
                           .end = end, .empty = (uint64_t)start >= end };
        unsigned reads_before = m.reads;
        if (map_image(top, &rq, sink, &c, &err) == 0 && c.next != c.end &&
            !c.empty)
            abort(); /* success must cover the range exactly */
        if (!c.stopped && m.reads - reads_before > 4096 + 64 * c.count)
            abort(); /* reads per extent must stay bounded */
    }
    memdevs_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t *arena_mem;
    if (!arena_mem)
        arena_mem = malloc(ARENA_SIZE);
    if (size < 16)
        return 0;
    const uint8_t *p = data;
    const uint8_t *img = data + 16;
    size_t len = size - 16;
    int64_t start, max;
    memcpy(&start, p + 6, 4);
    start &= 0x7fffffff;
    uint32_t max32;
    memcpy(&max32, p + 10, 4);
    max = (p[14] & 1) ? -1 : (int64_t)max32;
    run(img, len, p, arena_mem, 0, -1);      /* whole image */
    run(img, len, p, arena_mem, start, max); /* and a window */
    return 0;
}
