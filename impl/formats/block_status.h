/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Block status of one node, as qemu's bdrv_co_block_status() computes it
 * on top of the node's driver (want_zero mode): the driver's answer plus
 * the generic rules every format gets for free.
 */
#ifndef INSTAR_FORMATS_BLOCK_STATUS_H
#define INSTAR_FORMATS_BLOCK_STATUS_H

#include <stdint.h>

#include "error.h"
#include "node.h"
#include "status.h"

/*
 * Status of [off, off+bytes) of node n alone (no backing descent):
 * - off >= n->length: flags BS_EOF and pnum 0; bytes == 0: flags 0, pnum 0;
 * - otherwise pnum in [1, min(bytes, length - off)] and:
 *   - no driver callback: DATA|ALLOCATED (+OFFSET_VALID for protocols);
 *   - BS_RAW answers are replaced by the host node's answer at map;
 *   - ALLOCATED whenever DATA or ZERO; ZERO for unallocated ranges of
 *     backing-capable formats with no (or a too short) backing;
 *   - BS_RECURSE data is refined by the host node (holes and past-EOF
 *     ranges read as zero);
 *   - EOF when the answer reaches the node's end.
 * Returns 0, or -1 with err (a driver error).
 */
int node_block_status(struct node *n, uint64_t off, uint64_t bytes,
                      struct block_status *st, struct map_error *err);

#endif
