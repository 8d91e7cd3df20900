/*
 * A small read-ahead window over a node's device, for metadata that is
 * parsed in many small pieces (header extensions, snapshot headers):
 * one device read serves many of them.
 */
#ifndef INSTAR_FORMATS_READER_H
#define INSTAR_FORMATS_READER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "node.h"

struct reader {
    struct node *n;
    uint8_t *buf;
    size_t cap;      /* window size */
    uint64_t base;   /* device offset of buf[0] */
    size_t filled;   /* buf holds [base, base + filled); 0 when empty */
};

/* Take the window from the arena. Returns 0 or -1 (MAP_ERR_INTERNAL). */
int reader_init(struct reader *r, struct node *n, size_t cap,
                struct map_error *err);

/*
 * Copy [off, off+len) (len <= cap) into out; bytes past the device end
 * read as zero. Returns 0 or -1 with err (MAP_ERR_METADATA).
 */
int reader_read(struct reader *r, uint64_t off, void *out, size_t len,
                struct map_error *err);

#endif
