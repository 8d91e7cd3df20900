/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Block status: the one extent model every format driver speaks.
 *
 * These are qemu's block-status flags, kept as a flag set rather than a
 * hole/zero/data enum because the combinations matter: a zeroed cluster
 * that keeps its host offset (ZERO|OFFSET_VALID), compressed data with no
 * offset (DATA|COMPRESSED), or data whose host range must be asked about
 * holes (DATA|OFFSET_VALID|RECURSE).
 */
#ifndef INSTAR_FORMATS_STATUS_H
#define INSTAR_FORMATS_STATUS_H

#include <stdbool.h>
#include <stdint.h>

struct node;

#define BS_DATA         0x01u /* reads come from this layer's data */
#define BS_ZERO         0x02u /* reads return zeros */
#define BS_OFFSET_VALID 0x04u /* map/file name where the bytes live */
#define BS_ALLOCATED    0x08u /* this layer answered (qemu: "present") */
#define BS_EOF          0x10u /* the answer reaches the node's end */
#define BS_RAW          0x20u /* pass the query to file at map (raw fmt) */
#define BS_RECURSE      0x40u /* ask the host file about holes under map */
#define BS_COMPRESSED   0x80u /* compressed data, never has an offset */

/* One answer to "what is at this offset, and for how long?" */
struct block_status {
    uint32_t flags;  /* BS_* */
    uint64_t pnum;   /* bytes the answer covers, at least 1 */
    uint64_t map;    /* host offset of the first byte, with BS_OFFSET_VALID */
    uint32_t file;   /* device that holds the bytes, with BS_OFFSET_VALID */
    struct node *host; /* the node that holds them (qemu's *file): where
                          RAW and RECURSE queries go; host->dev == file */
};

/*
 * One entry of `qemu-img map` output after merging (qemu's MapEntry).
 * `file` identifies the device whose name the human output prints.
 */
struct map_extent {
    uint64_t start;
    uint64_t length;
    uint32_t depth;
    bool present;
    bool zero;
    bool data;
    bool compressed;
    bool has_offset;
    uint64_t offset;
    uint32_t file;
};

/* Which fields besides zero/data/depth/offset/file must match to merge. */
#define MERGE_PRESENT    0x1u /* 6.1+: present is in the JSON key set */
#define MERGE_COMPRESSED 0x2u /* 8.2+: compressed is in the JSON key set */

#endif
