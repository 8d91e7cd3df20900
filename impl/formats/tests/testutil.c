/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared fixtures for the format library's unit tests. */
#include "testutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tctx_init(struct tctx *t, size_t arena_size)
{
    memset(t, 0, sizeof(*t));
    memdevs_init(&t->m);
    t->mem = aligned_alloc(16, arena_size);
    arena_init(&t->arena, t->mem, arena_size);
    t->ctx.io = &t->m.io;
    t->ctx.arena = &t->arena;
    t->ctx.filename = NULL;
    t->ctx.vhd_size_rule = 1;
    t->ctx.driver_rules = NODE_RULES_NEWEST;
    t->ctx.cache = &t->cache;
}

void tctx_free(struct tctx *t)
{
    memdevs_free(&t->m);
    free(t->mem);
}

struct node *topen(struct tctx *t, uint32_t dev, enum image_format fmt)
{
    memset(&t->err, 0, sizeof(t->err));
    return image_open(&t->ctx, dev, fmt, &t->err);
}

static int collect(void *ctx, const struct map_extent *e,
                   struct map_error *err)
{
    struct extents *x = ctx;

    if (x->stop_after > 0 && x->n + 1 == x->stop_after)
        return map_fail(err, MAP_ERR_INTERNAL, 0, "sink stopped");
    if (x->n < T_MAX_EXTENTS)
        x->e[x->n] = *e;
    x->n++;
    return 0;
}

int tmap(struct node *top, int64_t start, int64_t max_length, uint32_t keys,
         struct extents *x, struct map_error *err)
{
    struct map_request rq = {start, max_length, keys};

    x->n = 0;
    memset(err, 0, sizeof(*err));
    return map_image(top, &rq, collect, x, err);
}

struct map_extent ext(uint64_t start, uint64_t length, bool present,
                      bool zero, bool data, bool has_offset, uint64_t offset)
{
    struct map_extent e;

    memset(&e, 0, sizeof(e));
    e.start = start;
    e.length = length;
    e.present = present;
    e.zero = zero;
    e.data = data;
    e.has_offset = has_offset;
    e.offset = has_offset ? offset : 0;
    return e;
}

int ext_eq(const struct map_extent *a, const struct map_extent *b)
{
    int same = a->start == b->start && a->length == b->length &&
               a->depth == b->depth && a->present == b->present &&
               a->zero == b->zero && a->data == b->data &&
               a->compressed == b->compressed &&
               a->has_offset == b->has_offset &&
               (!a->has_offset || a->offset == b->offset);

    if (!same)
        fprintf(stderr,
                "extent {%" PRIu64 ",%" PRIu64 ",P%d,Z%d,D%d,C%d,O%d:%" PRIu64
                "} != {%" PRIu64 ",%" PRIu64 ",P%d,Z%d,D%d,C%d,O%d:%" PRIu64
                "}\n", a->start, a->length, a->present, a->zero, a->data,
                a->compressed, a->has_offset, a->offset, b->start, b->length,
                b->present, b->zero, b->data, b->compressed, b->has_offset,
                b->offset);
    return same;
}
