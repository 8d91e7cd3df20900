/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Metadata parsed in many small pieces at open (qcow2 header extensions,
 * the feature table, snapshot headers, the bitmap directory and tables):
 * a thin handle on the metadata cache (meta_cache.h), whose readahead
 * lets one device read serve many of them.
 */
#ifndef INSTAR_FORMATS_READER_H
#define INSTAR_FORMATS_READER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "node.h"

struct reader {
    struct node *n;   /* the protocol node read */
};

void reader_init(struct reader *r, struct node *n);

/*
 * Copy [off, off+len) into out; bytes past the device end read as zero.
 * Returns 0 or -1 with err (MAP_ERR_METADATA).
 */
int reader_read(struct reader *r, uint64_t off, void *out, size_t len,
                struct map_error *err);

#endif
