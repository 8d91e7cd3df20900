/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A node is one layer of an opened image, as in qemu's block graph: the
 * protocol node over a host device ("file"), a format node over it (raw,
 * qcow2, ...), and later backing layers. Each driver answers block status
 * for its own layer only; map.c combines the layers the way qemu's
 * block/io.c does.
 */
#ifndef INSTAR_FORMATS_NODE_H
#define INSTAR_FORMATS_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "error.h"
#include "io.h"
#include "status.h"

/* The -f values qemu-img knows. FMT_PROBE means "probe like qemu". */
enum image_format {
    FMT_PROBE = 0,
    FMT_RAW,
    FMT_QCOW2,
    FMT_VMDK,
    FMT_VPC,
    FMT_VHDX,
    FMT_FILE,      /* the protocol driver named as a format */
    FMT_OTHER,     /* a qemu driver instar does not implement (qcow, vdi...) */
};

struct node;

/* How vpc sizes a VHD from a creator outside qemu's list (§5.4). */
enum vhd_size_rule {
    VHD_SIZE_CHS = 0,     /* from the CHS geometry (qemu up to 9.2) */
    VHD_SIZE_CURRENT = 1, /* the footer's current_size (10.0+) */
};

struct format_driver {
    const char *name;
    /* Parse and validate headers; fill node->length and node->opaque. */
    int (*open)(struct node *n, struct map_error *err);
    /*
     * Status of [off, off+bytes) of this layer alone; off < n->length,
     * bytes >= 1 and off + bytes <= n->length. Fills st->pnum in
     * [1, bytes] and returns 0, or fills err and returns -1.
     */
    int (*block_status)(struct node *n, uint64_t off, uint64_t bytes,
                        struct block_status *st, struct map_error *err);
    bool supports_backing; /* unallocated ranges read as zero (no backing) */
    bool is_protocol;      /* qemu's protocol_name: host file, no format */
};

struct meta_cache;

/* What every node can reach: the I/O ops and the guest's memory. */
struct open_ctx {
    const struct io_ops *io;
    struct arena *arena;
    /*
     * The image name as given on the command line, or NULL. Probing needs
     * it for one rule only: qemu's dmg driver claims any "*.dmg" file that
     * no magic-based driver claims.
     */
    const char *filename;
    /* enum vhd_size_rule of the release imitated. */
    uint32_t vhd_size_rule;
    /* NODE_RULE_*: block-layer behaviour of the release imitated. */
    uint32_t driver_rules;
    /*
     * The metadata cache every driver reads its tables through
     * (meta_cache.h), zeroed by the caller; image_open() sets it up. NULL
     * reads every table piece straight from the device: right, but slow.
     */
    struct meta_cache *cache;
};

/* 6.0+: bdrv_open_driver() refuses a length over BDRV_MAX_LENGTH. */
#define NODE_RULE_LENGTH_AT_OPEN  (1u << 0)
/* 7.1+: bdrv_pread() returns 0 on success; before, the byte count, which
 * some error paths then printed as an errno ("Unknown error -4096"). */
#define NODE_RULE_PREAD_RETURNS_0 (1u << 1)
/* What the newest release does (tests and tools without a profile). */
#define NODE_RULES_NEWEST (NODE_RULE_LENGTH_AT_OPEN | NODE_RULE_PREAD_RETURNS_0)

struct node {
    const struct format_driver *drv;
    const struct open_ctx *ctx;
    uint32_t dev;          /* the device this node reads its bytes from */
    struct node *file;     /* protocol child (NULL for a protocol node) */
    struct node *backing;  /* backing layer, NULL for none */
    uint64_t length;       /* virtual length, a multiple of 512 */
    void *opaque;          /* driver state, from the arena */
};

/*
 * Open device `dev` as an image: protocol node, then the format chosen by
 * `fmt` (probing when FMT_PROBE). Returns the top node or NULL with err.
 */
struct node *image_open(const struct open_ctx *ctx, uint32_t dev,
                        enum image_format fmt, struct map_error *err);

/*
 * qemu's BDRV_MAX_LENGTH (INT64_MAX aligned down to 1 GiB): no node may be
 * longer, and qemu refuses any request reaching past it with EIO.
 */
#define NODE_MAX_LENGTH ((uint64_t)INT64_MAX & ~(((uint64_t)1 << 30) - 1))

/* Would qemu refuse a request for [off, off + len) (bdrv_check_request)? */
static inline bool node_past_max(uint64_t off, uint64_t len)
{
    return off > NODE_MAX_LENGTH || len > NODE_MAX_LENGTH - off;
}

/* Zeroed arena memory for the driver's `what`, or NULL with an error. */
void *node_alloc(struct node *n, size_t size, const char *what,
                 struct map_error *err);

/*
 * Read helper for drivers: exact read of this node's device, zero-filled
 * past its end. A request reaching past NODE_MAX_LENGTH fails with EIO as
 * in qemu. Errors are MAP_ERR_METADATA with the errno; callers in an open
 * path turn them into MAP_ERR_OPEN with qemu's message.
 */
int node_pread(struct node *n, uint64_t off, void *buf, uint64_t len,
               struct map_error *err);

/*
 * Set n->length from qemu's total_sectors (an int64, as the driver
 * computed it) with the checks qemu makes on it: at open (6.0+, the
 * product wrapping as qemu's unsigned arithmetic does) "Could not refresh
 * total sector count: File too large"; in qemu-img map's blk_getlength()
 * "Failed to get size" for negative counts or lengths past INT64_MAX.
 */
int node_set_sectors(struct node *n, int64_t sectors, struct map_error *err);

#endif
