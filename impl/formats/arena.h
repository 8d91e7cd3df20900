/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bump allocator over a fixed region. The guest has no heap: tables,
 * caches and driver state come from here, and running out is an error the
 * caller reports, never a reason to trust a smaller size from the image.
 */
#ifndef INSTAR_FORMATS_ARENA_H
#define INSTAR_FORMATS_ARENA_H

#include <stddef.h>
#include <stdint.h>

struct arena {
    uint8_t *base;
    size_t size;
    size_t used;
};

static inline void arena_init(struct arena *a, void *base, size_t size)
{
    a->base = base;
    a->size = size;
    a->used = 0;
}

/* Zeroed, 16-byte aligned memory, or NULL when the region is exhausted. */
void *arena_alloc(struct arena *a, size_t size);

/* The same without zeroing, for buffers that are always written before
 * they are read (the metadata cache's slots and window): untouched guest
 * pages then cost nothing. */
void *arena_alloc_uninit(struct arena *a, size_t size);

#endif
