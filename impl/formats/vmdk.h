/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vmdk driver (qemu's block/vmdk.c as qemu-img map sees it): sparse
 * extents (VMDK4 "KDMV", VMDK3 "COWD", ESXi seSparse), flat extents, and
 * text descriptors naming extent files, each opened as its own device.
 */
#ifndef INSTAR_FORMATS_VMDK_H
#define INSTAR_FORMATS_VMDK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "node.h"

/* qemu's limits and constants. */
#define VMDK_DESC_SIZE      (20u * 512u) /* what CID/parent lookups read */
#define VMDK_DESC_MAX       ((1u << 20) - 1u) /* vmdk_read_desc() cap */
#define VMDK_MAX_NESTING    8u   /* instar: descriptor -> sparse -> descriptor */

struct vmdk_extent {
    struct node *file;       /* the extent's host (protocol) node */
    const char *name;        /* its file name, for messages */
    bool flat;
    bool compressed;
    bool zero_grain;
    bool sesparse;
    int64_t sectors;
    int64_t end_sector;
    int64_t flat_start_offset;
    uint64_t l1_offset;      /* byte offset of the grain directory */
    uint32_t l1_size;        /* entries */
    uint32_t l1_entry_sectors;
    uint32_t l2_size;        /* entries per grain table */
    uint32_t entry_size;     /* 4, or 8 for seSparse */
    uint64_t cluster_sectors;
    uint64_t se_l2_tables;   /* seSparse: sectors */
    uint64_t se_clusters;    /* seSparse: sectors */
};

/* A file the descriptor named, opened once per distinct path string. */
struct vmdk_file {
    const char *path;
    struct node *node;
};

struct vmdk_state {
    struct vmdk_extent *ext;
    uint32_t n, cap;
    struct vmdk_file *files;
    uint32_t nfiles, files_cap;
    bool monotonic;          /* end sectors never decrease: bisect */
    unsigned nesting;
};

/* --- vmdk_desc.c: the text descriptor, parsed the way qemu's sscanf and
 * strstr calls parse it. `desc` is always a NUL-terminated C string. --- */

/* One sscanf("%10s %lld %10s \"%511[^\n\r\"]\" %lld") over desc. */
struct vmdk_extent_line {
    int matches;             /* sscanf's return value (-1 for EOF) */
    char access[11];
    int64_t sectors;
    char type[11];
    char fname[512];
    int64_t flat_offset;
};
void vmdk_scan_extent_line(const char *p, struct vmdk_extent_line *out);

/* vmdk_parse_description(desc, "createType", buf, 128): 0 or -1. */
int vmdk_create_type(const char *desc, char *out, size_t out_size);

/*
 * vmdk_parent_open() over buf[0..VMDK_DESC_SIZE] (buf[VMDK_DESC_SIZE]
 * must be 0): 0 without a hint, 1 with *name and *len set (possibly empty),
 * -1 for qemu's -EINVAL.
 */
int vmdk_parent_hint(const char *buf, const char **name, size_t *len);

/* vmdk_read_cid() over a VMDK_DESC_SIZE buffer (modified): 0 or -1. */
int vmdk_read_cid(char *buf, bool parent, uint32_t *cid);

/* The directory part of a file name (through its last '/'), as a length. */
size_t vmdk_dirname_len(const char *filename);

#endif
