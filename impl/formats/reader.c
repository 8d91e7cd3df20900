/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small metadata pieces, through the metadata cache. */
#include "reader.h"

#include "meta_cache.h"

void reader_init(struct reader *r, struct node *n)
{
    r->n = n;
}

int reader_read(struct reader *r, uint64_t off, void *out, size_t len,
                struct map_error *err)
{
    return meta_read(r->n, off, out, len, 0, err);
}
