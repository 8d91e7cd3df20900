/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * In-memory devices for unit tests: io_ops over malloc'd buffers, with a
 * list of holes that data_status reports the way Linux lseek
 * SEEK_DATA/SEEK_HOLE would, error injection, a read counter and a log.
 */
#ifndef INSTAR_TESTS_MEMDEV_H
#define INSTAR_TESTS_MEMDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io.h"

#define MEMDEV_MAX_DEVS 16
#define MEMDEV_MAX_HOLES 64
#define MEMDEV_MAX_LOG 16

struct memdev {
    uint8_t *data;
    uint64_t size;          /* st_size */
    uint64_t alloc_bytes;   /* st_blocks * 512; defaults to size rounded */
    bool alloc_set;
    uint64_t hole_start[MEMDEV_MAX_HOLES];
    uint64_t hole_end[MEMDEV_MAX_HOLES];
    int nholes;             /* sorted, disjoint, within [0, size) */
    int read_errno;         /* > 0: every read fails with -read_errno */
    uint64_t bad_start;     /* reads overlapping [bad_start, bad_end) */
    uint64_t bad_end;       /* fail with EIO (a bad region) */
    int seek_errno;         /* > 0: data_status reports -seek_errno */
    int info_errno;         /* > 0: info fails */
    const char *name;       /* for io.open (memdev_name); NULL: none */
};

struct memdevs {
    struct memdev dev[MEMDEV_MAX_DEVS];
    int ndev;
    unsigned reads;
    uint64_t bytes_read;
    uint64_t max_read;      /* the longest read made */
    char log[MEMDEV_MAX_LOG][512];
    int nlog;
    int open_errno;         /* > 0: every io.open fails with it */
    unsigned opens;         /* io.open calls that found their name */
    struct io_ops io;
};

/* Set up io (ops pointing at m). */
void memdevs_init(struct memdevs *m);
/* Add a device of size bytes (zeroed); returns its id. */
uint32_t memdev_add(struct memdevs *m, uint64_t size);
/* Declare [start, end) a hole (must be added in increasing order). */
void memdev_hole(struct memdevs *m, uint32_t dev, uint64_t start,
                 uint64_t end);
/*
 * Name device dev for io.open, which finds devices by exact name (ENOENT
 * otherwise). The string is not copied.
 */
void memdev_name(struct memdevs *m, uint32_t dev, const char *name);
/* Free all buffers. */
void memdevs_free(struct memdevs *m);

#endif
