/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bump allocator behind every table and cache. Nothing is ever freed:
 * a map run allocates a bounded amount up front (driver state, the
 * metadata cache) and the arena goes away with the guest.
 */
#include "arena.h"

#include "compat.h"

#define ARENA_ALIGN 16u

void *arena_alloc_uninit(struct arena *a, size_t size)
{
    size_t start, end;

    /* Align the cursor; the region base is assumed to be 16-byte aligned. */
    start = (a->used + (ARENA_ALIGN - 1)) & ~(size_t)(ARENA_ALIGN - 1);
    if (start < a->used || start > a->size)
        return NULL;
    if (size > a->size - start)
        return NULL;
    end = start + size;
    a->used = end;
    return a->base + start;
}

void *arena_alloc(struct arena *a, size_t size)
{
    void *p = arena_alloc_uninit(a, size);

    if (p)
        memset(p, 0, size);
    return p;
}
