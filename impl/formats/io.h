/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The only way format code reaches image bytes.
 *
 * In the guest these calls become hypercalls; in host unit tests and
 * fuzzers they read an in-memory buffer. Format code never assumes which.
 */
#ifndef INSTAR_FORMATS_IO_H
#define INSTAR_FORMATS_IO_H

#include <stddef.h>
#include <stdint.h>

/*
 * What kind of stderr line a driver reports. MESSAGE is one of qemu's
 * error_report()/warn_report() lines, which qemu-img prints after its own
 * name ("qemu-img: warning: ..."): the driver gives the text without that
 * prefix, and whoever prints it adds the program's name. PLAIN is a line
 * qemu prints as it is (a hint, a corruption event).
 */
enum log_kind {
    LOG_MESSAGE,
    LOG_PLAIN,
};

/* Facts about a device that the host learned from fstat, not from bytes. */
struct device_info {
    uint64_t size;        /* st_size in bytes */
    uint64_t alloc_bytes; /* st_blocks * 512 (qcow2 preallocation rule) */
};

struct io_ops {
    /*
     * Read len bytes at off of device dev into buf. Bytes past the end of
     * the device read as zero. Returns 0 or a negative errno.
     */
    int (*read)(void *ctx, uint32_t dev, uint64_t off, void *buf,
                uint64_t len);
    /*
     * lseek(SEEK_DATA) at off, and when that lands exactly on off,
     * lseek(SEEK_HOLE) at off: *data and *hole receive each call's result
     * or its negative errno (*hole is left alone when not asked).
     * Returns 0, or a negative errno when the call itself failed.
     */
    int (*data_status)(void *ctx, uint32_t dev, uint64_t off, int64_t *data,
                       int64_t *hole);
    /* Size facts for dev; returns 0 or a negative errno (unknown dev). */
    int (*info)(void *ctx, uint32_t dev, struct device_info *out);
    /* A warning or diagnostic line for stderr, without the newline. */
    void (*log)(void *ctx, enum log_kind kind, const char *line);
    /*
     * Open a file the image names (a VMDK extent, a qcow2 external data
     * file) as a new read-only device. `path` is the name exactly as qemu
     * would pass it to open(2): the caller has already resolved it the way
     * qemu does (e.g. textually against the naming file's directory). The
     * host applies its path policy first (regular files only, allowed
     * directories, a bounded number). Returns 0 with *dev, or a negative
     * errno: -ENOENT etc. from open(2), -EACCES when the policy refuses,
     * -EMFILE when too many files are open. NULL where not available.
     */
    int (*open)(void *ctx, const char *path, uint32_t *dev);
    void *ctx;
};

#endif
