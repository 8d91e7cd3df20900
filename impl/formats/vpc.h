/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vpc (VHD) on-disk layout and the driver state, after qemu's
 * block/vpc.c. All fields are big-endian on disk.
 *   vpc.c        open sequence (vpc_open order and messages), block status
 *   vpc_footer.c footer decoding, checksum and the virtual-size rule
 */
#ifndef INSTAR_FORMATS_VPC_H
#define INSTAR_FORMATS_VPC_H

#include <stdbool.h>
#include <stdint.h>

#include "node.h"

#define VPC_FOOTER_SIZE 512u
#define VPC_DYN_HEADER_SIZE 1024u

#define VPC_TYPE_FIXED 2u

/* qemu's VHD_MAX_SECTORS (2040 GiB) and VHD_MAX_GEOMETRY (C*H*S). */
#define VPC_MAX_SECTORS 0xff000000ull
#define VPC_MAX_GEOMETRY (65535ull * 16 * 255)

/* Footer fields (offsets into the 512-byte footer). */
#define VPC_F_CREATOR     0   /* "conectix" */
#define VPC_F_DATA_OFFSET 16  /* be64: dynamic header */
#define VPC_F_CREATOR_APP 28  /* 4 chars, e.g. "qemu" */
#define VPC_F_CURRENT     48  /* be64: current_size */
#define VPC_F_CYLS        56  /* be16 */
#define VPC_F_HEADS       58  /* u8 */
#define VPC_F_SECS        59  /* u8 */
#define VPC_F_TYPE        60  /* be32 */
#define VPC_F_CHECKSUM    64  /* be32 */

/* Dynamic disk header fields. */
#define VPC_D_MAGIC       0   /* "cxsparse" */
#define VPC_D_TABLE       16  /* be64: BAT offset */
#define VPC_D_MAX_ENTRIES 28  /* be32 */
#define VPC_D_BLOCK_SIZE  32  /* be32 */

struct vpc_state {
    bool fixed;               /* footer type says fixed: map = position */
    uint32_t block_size;
    uint32_t bitmap_size;     /* per-block sector bitmap, whole sectors */
    int32_t max_table_entries;
    uint64_t bat_offset;      /* read through the metadata cache */
};

/* Is the footer's checksum right (qemu: ones' complement byte sum)? */
bool vpc_footer_checksum_ok(const uint8_t *footer);

/*
 * The virtual size in sectors as vpc_open() computes it: CHS geometry or
 * current_size depending on the creator application, under `rule`
 * (enum vhd_size_rule).
 */
uint64_t vpc_total_sectors(const uint8_t *footer, uint32_t rule);

#endif
