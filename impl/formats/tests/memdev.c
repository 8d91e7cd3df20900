/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The in-memory test devices. */
#include "memdev.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct memdev *get(struct memdevs *m, uint32_t dev)
{
    return dev < (uint32_t)m->ndev ? &m->dev[dev] : NULL;
}

static int md_read(void *ctx, uint32_t dev, uint64_t off, void *buf,
                   uint64_t len)
{
    struct memdevs *m = ctx;
    struct memdev *d = get(m, dev);
    uint64_t n = 0;

    if (!d)
        return -EBADF;
    if (d->read_errno)
        return -d->read_errno;
    if (off < d->bad_end && (off >= d->bad_start || d->bad_start - off < len))
        return -EIO;
    m->reads++;
    m->bytes_read += len;
    if (len > m->max_read)
        m->max_read = len;
    if (off < d->size)
        n = d->size - off < len ? d->size - off : len;
    if (n)
        memcpy(buf, d->data + off, n);
    memset((uint8_t *)buf + n, 0, len - n);
    return 0;
}

static bool in_hole(const struct memdev *d, uint64_t off, int *which)
{
    int i;

    for (i = 0; i < d->nholes; i++) {
        if (off >= d->hole_start[i] && off < d->hole_end[i]) {
            *which = i;
            return true;
        }
    }
    return false;
}

/* Linux semantics: EOF is an implicit hole; offsets at or past it ENXIO. */
static int md_data_status(void *ctx, uint32_t dev, uint64_t off,
                          int64_t *data, int64_t *hole)
{
    struct memdevs *m = ctx;
    struct memdev *d = get(m, dev);
    uint64_t pos;
    int h, i;

    if (!d)
        return -EBADF;
    if (d->seek_errno) {
        *data = -d->seek_errno;
        return 0;
    }
    if (off >= d->size) {
        *data = -ENXIO;
        return 0;
    }
    pos = off;
    while (pos < d->size && in_hole(d, pos, &h))
        pos = d->hole_end[h];
    if (pos >= d->size) {
        *data = -ENXIO;
        return 0;
    }
    *data = (int64_t)pos;
    if (pos != off)
        return 0;
    /* off is in data: the next hole start, or EOF. */
    pos = d->size;
    for (i = 0; i < d->nholes; i++)
        if (d->hole_start[i] > off && d->hole_start[i] < pos)
            pos = d->hole_start[i];
    *hole = (int64_t)pos;
    return 0;
}

static int md_info(void *ctx, uint32_t dev, struct device_info *out)
{
    struct memdevs *m = ctx;
    struct memdev *d = get(m, dev);

    if (!d)
        return -EBADF;
    if (d->info_errno)
        return -d->info_errno;
    out->size = d->size;
    out->alloc_bytes = d->alloc_set ? d->alloc_bytes
                                    : (d->size + 4095) / 4096 * 4096;
    return 0;
}

/* Lines are kept as qemu-img prints them, so tests compare qemu's text. */
static void md_log(void *ctx, enum log_kind kind, const char *line)
{
    struct memdevs *m = ctx;

    if (m->nlog < MEMDEV_MAX_LOG)
        snprintf(m->log[m->nlog], sizeof(m->log[0]), "%s%s",
                 kind == LOG_MESSAGE ? "qemu-img: " : "", line);
    m->nlog++;
}

static int md_open(void *ctx, const char *path, uint32_t *dev)
{
    struct memdevs *m = ctx;
    int i;

    if (m->open_errno)
        return -m->open_errno;
    for (i = 0; i < m->ndev; i++) {
        if (m->dev[i].name && strcmp(m->dev[i].name, path) == 0) {
            m->opens++;
            *dev = (uint32_t)i;
            return 0;
        }
    }
    return -ENOENT;
}

void memdev_name(struct memdevs *m, uint32_t dev, const char *name)
{
    m->dev[dev].name = name;
}

void memdevs_init(struct memdevs *m)
{
    memset(m, 0, sizeof(*m));
    m->io.read = md_read;
    m->io.data_status = md_data_status;
    m->io.info = md_info;
    m->io.log = md_log;
    m->io.open = md_open;
    m->io.ctx = m;
}

uint32_t memdev_add(struct memdevs *m, uint64_t size)
{
    struct memdev *d;

    if (m->ndev >= MEMDEV_MAX_DEVS)
        abort();
    d = &m->dev[m->ndev];
    memset(d, 0, sizeof(*d));
    d->data = calloc(1, size ? size : 1);
    d->size = size;
    return (uint32_t)m->ndev++;
}

void memdev_hole(struct memdevs *m, uint32_t dev, uint64_t start,
                 uint64_t end)
{
    struct memdev *d = get(m, dev);

    d->hole_start[d->nholes] = start;
    d->hole_end[d->nholes] = end;
    d->nholes++;
}

void memdevs_free(struct memdevs *m)
{
    int i;

    for (i = 0; i < m->ndev; i++)
        free(m->dev[i].data);
    m->ndev = 0;
}
