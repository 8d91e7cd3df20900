/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Format probing exactly as qemu's bdrv_probe_all(): every driver scores
 * the first 2048 bytes of the image and the highest score wins; raw scores
 * 1, so it wins only when nothing else claims the image.
 */
#ifndef INSTAR_FORMATS_PROBE_H
#define INSTAR_FORMATS_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "node.h"

/* How many leading bytes qemu reads for probing (BLOCK_PROBE_BUF_SIZE). */
#define PROBE_BUF_SIZE 2048u

struct probe_result {
    /* FMT_RAW, FMT_QCOW2, FMT_VMDK, FMT_VPC, FMT_VHDX or FMT_OTHER */
    enum image_format fmt;
    /* qemu's driver name for the winner: "raw", "qcow2", "qcow", "vdi"... */
    const char *driver;
};

/*
 * Score buf (the image's first bytes, zero-filled past EOF; qemu always
 * passes PROBE_BUF_SIZE bytes) and name the winner. filename may be NULL;
 * it only feeds the dmg rule.
 */
struct probe_result probe_image(const uint8_t *buf, size_t len,
                                const char *filename);

#endif
