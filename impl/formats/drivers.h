/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The driver tables image_open() chooses from. */
#ifndef INSTAR_FORMATS_DRIVERS_H
#define INSTAR_FORMATS_DRIVERS_H

#include "node.h"

/* The protocol driver over a host device (qemu's file-posix "file"). */
extern const struct format_driver file_driver;
/* raw format: every query passes through to the file node. */
extern const struct format_driver raw_driver;
/* qcow2 v2/v3. */
extern const struct format_driver qcow2_driver;
/* vmdk: sparse, stream-optimized, flat and descriptor-based images. */
extern const struct format_driver vmdk_driver;

/*
 * A protocol ("file") node over another device, e.g. an extent file the
 * image names and the format driver opened through io->open.
 */
struct node *node_open_protocol(const struct open_ctx *ctx, uint32_t dev,
                                struct map_error *err);
/* vpc (VHD): fixed, dynamic (and differencing, read as dynamic). */
extern const struct format_driver vpc_driver;
/* vhdx: no block-status callback, one data extent. */
extern const struct format_driver vhdx_driver;

#endif
