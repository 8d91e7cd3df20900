/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host files the guest may read, by index. The host copies bytes and asks
 * the filesystem about holes; it never looks at what it copies.
 */
#ifndef INSTAR_VMM_DEVICES_H
#define INSTAR_VMM_DEVICES_H

#include <stddef.h>
#include <stdint.h>

#include "instar_abi.h"

struct device {
    int fd;
    uint64_t size;
    char *name;     /* as the output shows it (qemu's filename), owned */
};

/* pread exactly len bytes at off; bytes past EOF are zero. 0 or -errno. */
int device_read(const struct device *d, uint64_t off, uint8_t *buf,
                uint64_t len);

/* Fill up to max runs from off (see struct instar_data_run). Returns the
 * number of runs (>= 1). */
uint64_t device_data_runs(const struct device *d, uint64_t off,
                          struct instar_data_run *runs, uint64_t max);

#endif
