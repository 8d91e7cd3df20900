/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * io_ops for the format library, backed by hypercalls.
 *
 * DATA_STATUS answers come back as a list of consecutive data/hole runs
 * (the host only calls lseek). They are cached here so that a raw image
 * with many extents costs one exit per few thousand runs, and every
 * lookup inside the cached span is answered exactly as lseek would.
 */
#include "compat.h"
#include "guest.h"
#include "guest_mem.h"
#include "hypercall.h"
#include "instar_abi.h"
#include "map_words.h"

#define MAX_RUNS (GUEST_RUNS_SIZE / sizeof(struct instar_data_run))

static const struct instar_map_config *config;
#define runs ((struct instar_data_run *)GUEST_PTR(GUEST_RUNS_ADDR))
static uint64_t run_count;
static uint64_t run_hint; /* where the last lookup hit: walks go forward */
static uint32_t run_dev;

static int guest_read(void *ctx, uint32_t dev, uint64_t off, void *buf,
                      uint64_t len)
{
    (void)ctx;
    uint8_t *p = buf;
    while (len) {
        uint64_t chunk = len < INSTAR_READ_MAX ? len : INSTAR_READ_MAX;
        int64_t rc = hc_read(dev, off, p, chunk);
        if (rc < 0)
            return (int)rc;
        p += chunk;
        off += chunk;
        len -= chunk;
    }
    return 0;
}

/* The end of run i: where lseek found the other kind of extent. */
static uint64_t run_end(const struct instar_data_run *r)
{
    return (uint64_t)(r->data == (int64_t)r->pos ? r->hole : r->data);
}

static bool run_usable(const struct instar_data_run *r)
{
    if (r->data < 0)
        return false;               /* errors are answered fresh */
    if (r->data == (int64_t)r->pos)
        return r->hole > r->data;   /* a data run with its hole */
    return r->data > (int64_t)r->pos; /* a hole run up to data */
}

/* Answer from the cache if off lies inside a cached run. */
static bool lookup(uint32_t dev, uint64_t off, int64_t *data, int64_t *hole)
{
    if (dev != run_dev)
        return false;
    for (uint64_t k = 0; k < run_count; k++) {
        uint64_t i = (run_hint + k) % run_count;
        const struct instar_data_run *r = &runs[i];
        if (!run_usable(r))
            continue;
        if (off < r->pos || off >= run_end(r))
            continue;
        run_hint = i;
        if (r->data == (int64_t)r->pos) {
            *data = (int64_t)off;
            *hole = r->hole;
        } else {
            *data = r->data;
        }
        return true;
    }
    return false;
}

static int guest_data_status(void *ctx, uint32_t dev, uint64_t off,
                             int64_t *data, int64_t *hole)
{
    (void)ctx;
    if (lookup(dev, off, data, hole))
        return 0;
    int64_t n = hc_data_status(dev, off, runs, MAX_RUNS);
    if (n < 0) {
        run_count = 0;
        return (int)n;
    }
    if (n == 0 || (uint64_t)n > MAX_RUNS || runs[0].pos != off)
        panic("DATA_STATUS returned %lld runs for offset %llu",
              (long long)n, (unsigned long long)off);
    run_count = (uint64_t)n;
    run_hint = 0;
    run_dev = dev;
    /* The first run is the answer itself, errors included. */
    *data = runs[0].data;
    if (runs[0].data == (int64_t)off)
        *hole = runs[0].hole;
    return 0;
}

static int guest_info(void *ctx, uint32_t dev, struct device_info *out)
{
    (void)ctx;
    if (dev >= config->device_count || dev >= INSTAR_MAX_DEVICES)
        return -19; /* ENODEV */
    out->size = config->devices[dev].size;
    out->alloc_bytes = config->devices[dev].alloc_bytes;
    return 0;
}

static void guest_log(void *ctx, enum log_kind kind, const char *line)
{
    (void)ctx;
    emit_log(words_log_kind_out(kind), line);
}

static int guest_open(void *ctx, const char *path, uint32_t *dev)
{
    (void)ctx;
    int64_t rc = hc_open(path, strlen(path));
    if (rc < 0)
        return (int)rc;
    /* The host filled in the new device's facts in the config page. */
    if ((uint64_t)rc >= config->device_count)
        panic("OPEN returned device %lld of %u", (long long)rc,
              config->device_count);
    *dev = (uint32_t)rc;
    return 0;
}

void guest_io_init(struct io_ops *ops, const struct instar_map_config *cfg)
{
    config = cfg;
    ops->read = guest_read;
    ops->data_status = guest_data_status;
    ops->info = guest_info;
    ops->log = guest_log;
    ops->open = guest_open;
    ops->ctx = NULL;
}
