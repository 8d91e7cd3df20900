/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Opening an image the way qemu's bdrv_open() does for `qemu-img map`:
 * a protocol node over the device, then the format node chosen by -f or
 * by probing, each checked against qemu's length limit.
 */
#include "node.h"

#include "compat.h"
#include "drivers.h"
#include "errnos.h"
#include "meta_cache.h"
#include "probe.h"

static struct node *node_new(const struct open_ctx *ctx,
                             const struct format_driver *drv, uint32_t dev,
                             struct node *file, struct map_error *err)
{
    struct node *n = arena_alloc(ctx->arena, sizeof(*n));

    if (!n) {
        map_fail(err, MAP_ERR_INTERNAL, LINUX_ENOMEM,
                 "out of guest memory opening a %s node", drv->name);
        return NULL;
    }
    n->drv = drv;
    n->ctx = ctx;
    n->dev = dev;
    n->file = file;
    return n;
}

int node_set_sectors(struct node *n, int64_t sectors, struct map_error *err)
{
    uint64_t bytes = (uint64_t)sectors * 512;   /* wraps, as in qemu */

    if ((n->ctx->driver_rules & NODE_RULE_LENGTH_AT_OPEN) &&
        bytes > NODE_MAX_LENGTH)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EFBIG,
                        "Could not refresh total sector count: %s",
                        map_strerror(LINUX_EFBIG));
    if (sectors < 0 || sectors > INT64_MAX / 512)
        return map_fail(err, MAP_ERR_LENGTH, LINUX_EFBIG,
                        "Failed to get size");
    /* Only 5.2 gets here: it would map a length that 6.0+ refuses and
     * that the generic layer's bounds (qemu's since 6.0) do not cover. */
    if (bytes > NODE_MAX_LENGTH)
        return map_fail(err, MAP_ERR_INTERNAL, LINUX_EFBIG,
                        "a virtual size over 2^63 - 2^30 bytes is not "
                        "supported in qemu 5.2 compatibility");
    n->length = bytes;
    return 0;
}

/* bdrv_open_driver(): open, then refresh_total_sectors()'s limit check. */
static struct node *node_open(const struct open_ctx *ctx,
                              const struct format_driver *drv, uint32_t dev,
                              struct node *file, struct map_error *err)
{
    struct node *n = node_new(ctx, drv, dev, file, err);

    if (!n || drv->open(n, err) < 0)
        return NULL;
    if (n->length > NODE_MAX_LENGTH &&
        node_set_sectors(n, (int64_t)(n->length / 512), err) < 0)
        return NULL;
    return n;
}

struct node *node_open_protocol(const struct open_ctx *ctx, uint32_t dev,
                                struct map_error *err)
{
    return node_open(ctx, &file_driver, dev, NULL, err);
}

/* find_image_format(): an empty file is raw; otherwise score 2 KiB. */
static int probe_node(struct node *file, struct probe_result *out,
                      struct map_error *err)
{
    uint8_t buf[PROBE_BUF_SIZE];

    if (file->length == 0) {
        out->fmt = FMT_RAW;
        out->driver = "raw";
        return 0;
    }
    if (node_pread(file, 0, buf, sizeof(buf), err) < 0) {
        err->kind = MAP_ERR_OPEN;
        return -1;
    }
    *out = probe_image(buf, sizeof(buf), file->ctx->filename);
    return 0;
}

static const struct format_driver *driver_for(enum image_format fmt,
                                              const char *name,
                                              struct map_error *err)
{
    switch (fmt) {
    case FMT_RAW:
        return &raw_driver;
    case FMT_QCOW2:
        return &qcow2_driver;
    case FMT_VPC:
        return &vpc_driver;
    case FMT_VHDX:
        return &vhdx_driver;
    case FMT_VMDK:
        return &vmdk_driver;
    case FMT_OTHER:
    case FMT_PROBE:
    case FMT_FILE:
    default:
        break;
    }
    if (name)
        map_fail(err, MAP_ERR_OPEN, LINUX_ENOTSUP,
                 "%s images are not supported by instar yet", name);
    else
        map_fail(err, MAP_ERR_OPEN, LINUX_ENOTSUP,
                 "this image format is not supported by instar yet");
    return NULL;
}

static const char *format_name(enum image_format fmt)
{
    switch (fmt) {
    case FMT_VMDK:
        return "vmdk";
    case FMT_VPC:
        return "vpc";
    case FMT_VHDX:
        return "vhdx";
    default:
        return NULL;
    }
}

struct node *image_open(const struct open_ctx *ctx, uint32_t dev,
                        enum image_format fmt, struct map_error *err)
{
    const struct format_driver *drv;
    const char *name = format_name(fmt);
    struct node *file;

    file = node_open(ctx, &file_driver, dev, NULL, err);
    if (!file)
        return NULL;
    /* Every driver's tables go through the one cache, sized now. */
    if (ctx->cache && meta_cache_setup(ctx->cache, ctx->arena, err) < 0)
        return NULL;
    if (fmt == FMT_FILE)
        return file;
    if (fmt == FMT_PROBE) {
        struct probe_result pr;
        if (probe_node(file, &pr, err) < 0)
            return NULL;
        fmt = pr.fmt;
        name = pr.driver;
    }
    drv = driver_for(fmt, name, err);
    if (!drv)
        return NULL;
    return node_open(ctx, drv, dev, file, err);
}

int node_pread(struct node *n, uint64_t off, void *buf, uint64_t len,
               struct map_error *err)
{
    const struct io_ops *io = n->ctx->io;
    int rc;

    if (off > NODE_MAX_LENGTH || len > NODE_MAX_LENGTH - off)
        return map_fail(err, MAP_ERR_METADATA, LINUX_EIO,
                        "read of %llu bytes at %llu is past the maximum "
                        "image size", (unsigned long long)len,
                        (unsigned long long)off);
    rc = io->read(io->ctx, n->dev, off, buf, len);
    if (rc < 0)
        return map_fail(err, MAP_ERR_METADATA, -rc,
                        "read of %llu bytes at %llu failed",
                        (unsigned long long)len, (unsigned long long)off);
    return 0;
}

void *node_alloc(struct node *n, size_t size, const char *what,
                 struct map_error *err)
{
    void *p = arena_alloc(n->ctx->arena, size);

    if (!p)
        map_fail(err, MAP_ERR_INTERNAL, LINUX_ENOMEM,
                 "out of guest memory for the %s %s (%zu bytes)",
                 n->drv->name, what, size);
    return p;
}
