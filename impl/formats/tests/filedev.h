/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host-only io_ops over real files (pread, lseek, fstat), for the
 * hostmap dev tool and tests that compare with real qemu-img.
 */
#ifndef INSTAR_TESTS_FILEDEV_H
#define INSTAR_TESTS_FILEDEV_H

#include <stdint.h>
#include <stdio.h>

#include "io.h"

#define FILEDEV_MAX_FILES 64

struct filedev {
    int fd;         /* device 0, the image */
    int fds[FILEDEV_MAX_FILES];   /* devices 1.. from io.open */
    int nfds;
    unsigned long opens;          /* io.open calls that succeeded */
    FILE *log;      /* where log lines go; stderr after filedev_open() */
    unsigned long reads, seeks;   /* I/O calls made, for benchmarks */
    unsigned long long bytes_read;
    struct io_ops io;
};

/*
 * Open path read-only; returns 0 or -errno. Device id 0 is the file; the
 * io.open op opens further files (plain open(2), relative to the cwd, no
 * path policy) as devices 1, 2, ...
 */
int filedev_open(struct filedev *f, const char *path);
void filedev_close(struct filedev *f);

#endif
