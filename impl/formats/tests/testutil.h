/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared fixtures for the format library's unit tests. */
#ifndef INSTAR_TESTS_TESTUTIL_H
#define INSTAR_TESTS_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "map.h"
#include "memdev.h"
#include "meta_cache.h"

#define T_MAX_EXTENTS 4096

/* Devices, an arena and an open context wired together. */
struct tctx {
    struct memdevs m;
    struct arena arena;
    void *mem;
    struct open_ctx ctx;
    struct meta_cache cache;
    struct map_error err;
};

/* What a map walk handed to its sink. */
struct extents {
    struct map_extent e[T_MAX_EXTENTS];
    int n;
    int stop_after;   /* > 0: the sink fails on call number stop_after */
};

void tctx_init(struct tctx *t, size_t arena_size);
void tctx_free(struct tctx *t);
/* image_open() on device dev; NULL with t->err on failure. */
struct node *topen(struct tctx *t, uint32_t dev, enum image_format fmt);
/* map_image() into x (x->n reset); returns its result. */
int tmap(struct node *top, int64_t start, int64_t max_length, uint32_t keys,
         struct extents *x, struct map_error *err);
/* A map_extent literal helper. */
struct map_extent ext(uint64_t start, uint64_t length, bool present,
                      bool zero, bool data, bool has_offset, uint64_t offset);
/* Compare everything but file; prints a diff line on mismatch. */
int ext_eq(const struct map_extent *a, const struct map_extent *b);

#endif
