/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vhdx internals shared by the driver's files, after qemu's block/vhdx.h.
 * All on-disk fields are little-endian; GUIDs are compared as their
 * on-disk bytes.
 *   vhdx.c      open sequence (vhdx_open order): signature, headers, log,
 *               region table, metadata, BAT checks; no block status
 *   vhdx_meta.c region table and metadata table parsing
 *   vhdx_log.c  crc32c and the log search (a log needing replay refuses
 *               a read-only open)
 * qemu mostly fails these checks with a bare errno; such failures are
 * MAP_ERR_OPEN_ERRNO here.
 */
#ifndef INSTAR_FORMATS_VHDX_H
#define INSTAR_FORMATS_VHDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "node.h"

#define VHDX_BLOCK_64K          65536u    /* header block, region table */
#define VHDX_HEADER1_OFFSET     65536u
#define VHDX_HEADER2_OFFSET     131072u
#define VHDX_REGION_OFFSET      196608u
#define VHDX_HEADER_SIZE        4096u     /* checksummed part of a header */
#define VHDX_HEADER_STRUCT_SIZE 80u       /* sizeof(VHDXHeader) */
#define VHDX_LOG_MIN_SIZE       (1u << 20)
#define VHDX_LOG_SECTOR_SIZE    4096u
#define VHDX_METADATA_TABLE_SIZE 65536u
#define VHDX_BLOCK_SIZE_MIN     (1u << 20)
#define VHDX_BLOCK_SIZE_MAX     (256u << 20)
#define VHDX_MAX_SECTORS_PER_BLOCK (1u << 23)
#define VHDX_MAX_REGIONS        2048u     /* the log + 2047 table entries */

#define VHDX_BAT_STATE_MASK     0x7u
#define VHDX_BAT_FULLY_PRESENT  6u
#define VHDX_BAT_OFFSET_MASK    0xFFFFFFFFFFF00000ull

/* qemu's largest single request (BDRV_REQUEST_MAX_BYTES). */
#define VHDX_REQUEST_MAX_BYTES  0x7ffffe00ull

/* A file range some structure claims (qemu's VHDXRegionEntry). */
struct vhdx_region {
    uint64_t start;
    uint64_t end;   /* start + length, wrapping like qemu's */
};

struct vhdx_state {
    /* The active header's fields (raw bytes kept for the log search). */
    uint8_t header[VHDX_HEADER_STRUCT_SIZE];
    uint64_t log_offset;
    uint32_t log_length;
    /* Regions registered so far, for overlap checks. */
    struct vhdx_region *regions;
    uint32_t nregions;
    /* Region table results. */
    uint64_t bat_offset;
    uint32_t bat_length;
    uint64_t metadata_offset;
    /* Metadata results. */
    uint32_t block_size;
    uint64_t virtual_disk_size;
    uint64_t chunk_ratio;
    uint32_t chunk_ratio_bits;
    uint8_t *buf;   /* 64 KiB scratch */
};

/* Standard CRC-32C (qemu's crc32c(0xffffffff, ...)), chainable: pass the
 * previous return value as crc (start with 0). */
uint32_t vhdx_crc32c(uint32_t crc, const uint8_t *buf, size_t len);

/* CRC-32C of buf with the 4 bytes at crc_off taken as zero. */
uint32_t vhdx_checksum(const uint8_t *buf, size_t len, size_t crc_off);

/*
 * vhdx_region_check(): 0, or -1 with MAP_ERR_OPEN_ERRNO EINVAL after
 * logging qemu's overlap line.
 */
int vhdx_region_check(struct node *n, uint64_t start, uint64_t length,
                      struct map_error *err);
void vhdx_region_register(struct vhdx_state *s, uint64_t start,
                          uint64_t length);

/* vhdx_open_region_tables() and vhdx_parse_metadata(). */
int vhdx_read_region_table(struct node *n, struct map_error *err);
int vhdx_read_metadata(struct node *n, struct map_error *err);

/* vhdx_parse_log() for a read-only open. */
int vhdx_check_log(struct node *n, struct map_error *err);

/* A bare-errno failure, as qemu's bdrv_open_driver() reports it. */
int vhdx_errno(struct map_error *err, int errnum);

#endif
