/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 internals shared by the driver's files:
 *   qcow2_header.c   fixed header: parse a byte buffer, validate fields
 *   qcow2_ext.c      header extensions and the feature-name table
 *   qcow2_snapshot.c snapshot table walk (validation only)
 *   qcow2_bitmap.c   persistent bitmaps directory and tables (validation)
 *   qcow2.c          open sequence (qcow2_do_open order) and block status
 *   qcow2_cluster.c  L1/L2 lookups: one run of same-state clusters
 *   qcow2_refcount.c the metadata-preallocation heuristic
 * Names and limits follow qemu's block/qcow2*.{c,h}.
 */
#ifndef INSTAR_FORMATS_QCOW2_H
#define INSTAR_FORMATS_QCOW2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "node.h"
#include "reader.h"

#define QCOW2_MAGIC 0x514649fbu            /* "QFI\xfb" */
#define QCOW2_HEADER_SIZE 112u             /* sizeof(QCowHeader), v3 + pad */
#define QCOW2_V2_HEADER_LENGTH 72u
#define QCOW2_V3_MIN_HEADER_LENGTH 104u
#define QCOW2_COMPRESSION_TYPE_OFFSET 104u

#define QCOW2_MIN_CLUSTER_BITS 9u
#define QCOW2_MAX_CLUSTER_BITS 21u

#define QCOW2_MAX_REFTABLE_SIZE (8u << 20)   /* bytes */
#define QCOW2_MAX_L1_SIZE (32u << 20)        /* bytes */
#define QCOW2_MAX_SNAPSHOTS 65536u
#define QCOW2_SNAPSHOT_HEADER_SIZE 40u
#define QCOW2_MAX_SNAPSHOT_EXTRA_DATA 1024u
#define QCOW2_MAX_SNAPSHOTS_SIZE (1024u * QCOW2_MAX_SNAPSHOTS)
#define QCOW2_MAX_BITMAPS 65535u
#define QCOW2_MAX_BITMAP_DIRECTORY_SIZE (1024u * QCOW2_MAX_BITMAPS)
#define QCOW2_EXTL2_SUBCLUSTERS 32u

#define QCOW2_INCOMPAT_DIRTY       (1u << 0)
#define QCOW2_INCOMPAT_CORRUPT     (1u << 1)
#define QCOW2_INCOMPAT_DATA_FILE   (1u << 2)
#define QCOW2_INCOMPAT_COMPRESSION (1u << 3)
#define QCOW2_INCOMPAT_EXTL2       (1u << 4)
#define QCOW2_INCOMPAT_MASK        0x1fu

#define QCOW2_AUTOCLEAR_BITMAPS       (1u << 0)
#define QCOW2_AUTOCLEAR_DATA_FILE_RAW (1u << 1)

#define QCOW2_CRYPT_NONE 0u
#define QCOW2_CRYPT_AES  1u
#define QCOW2_CRYPT_LUKS 2u

#define QCOW2_COMPRESSION_ZLIB 0u
#define QCOW2_COMPRESSION_ZSTD 1u

#define QCOW2_EXT_END            0x00000000u
#define QCOW2_EXT_BACKING_FORMAT 0xe2792acau
#define QCOW2_EXT_FEATURE_TABLE  0x6803f857u
#define QCOW2_EXT_CRYPTO_HEADER  0x0537be77u
#define QCOW2_EXT_BITMAPS        0x23852875u
#define QCOW2_EXT_DATA_FILE      0x44415441u

#define QCOW2_L1E_OFFSET_MASK  0x00fffffffffffe00ull
#define QCOW2_L2E_OFFSET_MASK  0x00fffffffffffe00ull
#define QCOW2_REFT_OFFSET_MASK 0xfffffffffffffe00ull
#define QCOW2_OFLAG_COPIED     (1ull << 63)
#define QCOW2_OFLAG_COMPRESSED (1ull << 62)
#define QCOW2_OFLAG_ZERO       (1ull << 0)

/* The fixed header, v2 fields defaulted as qcow2_do_open() does. */
struct qcow2_header {
    uint32_t magic;
    uint32_t version;
    uint64_t backing_file_offset;
    uint32_t backing_file_size;
    uint32_t cluster_bits;
    uint64_t size;
    uint32_t crypt_method;
    uint32_t l1_size;
    uint64_t l1_table_offset;
    uint64_t refcount_table_offset;
    uint32_t refcount_table_clusters;
    uint32_t nb_snapshots;
    uint64_t snapshots_offset;
    uint64_t incompatible_features;
    uint64_t compatible_features;
    uint64_t autoclear_features;
    uint32_t refcount_order;
    uint32_t header_length;
    uint8_t compression_type;
};

/* Geometry derived from a validated header. */
struct qcow2_layout {
    uint32_t cluster_bits;
    uint64_t cluster_size;
    uint32_t l2_entry_size;         /* 8, or 16 with extended L2 */
    uint32_t l2_bits;               /* log2(entries per L2 table) */
    uint64_t l2_size;               /* entries per L2 table */
    uint64_t l2_slice_size;         /* entries per qemu L2-cache slice */
    uint32_t subclusters;           /* per cluster: 1 or 32 */
    uint32_t refcount_order;
    uint32_t refcount_block_bits;   /* log2(refcounts per refblock) */
    uint64_t refcount_table_size;   /* entries */
    uint64_t l1_vm_state_index;     /* L1 entries the virtual size needs */
};

/* Header extension facts the rest of the open needs. */
struct qcow2_extensions {
    bool has_feature_table;
    uint64_t feature_table_offset;
    uint32_t feature_table_len;
    bool has_crypto_header;
    bool has_data_file_name;
    uint64_t data_file_name_offset; /* the last data file extension's name */
    uint32_t data_file_name_len;
    uint32_t nb_bitmaps;            /* 0: no (valid) bitmaps extension */
    uint64_t bitmap_directory_offset;
    uint64_t bitmap_directory_size;
};

/* Driver state, from the arena. */
struct qcow2_state {
    struct qcow2_header h;
    struct qcow2_layout g;
    struct qcow2_extensions ext;

    /* The external data file's protocol node, or NULL when the data
     * lives in the image file itself (qemu's has_data_file()). */
    struct node *data_file;

    /* Metadata-preallocation heuristic, decided at the first query. */
    bool prealloc_checked;
    bool prealloc;

    /* qcow2_signal_corruption(): read-only images report once. */
    bool signaled_corruption;
};

/* The cluster states of qemu's QCow2SubclusterType. */
enum qcow2_cluster_type {
    QCOW2_UNALLOCATED_PLAIN,
    QCOW2_UNALLOCATED_ALLOC,
    QCOW2_ZERO_PLAIN,
    QCOW2_ZERO_ALLOC,
    QCOW2_NORMAL,
    QCOW2_COMPRESSED,
};

/* One answer of the cluster walk. */
struct qcow2_run {
    enum qcow2_cluster_type type;
    uint64_t bytes;        /* guest bytes from the queried offset, >= 1 */
    uint64_t host_offset;  /* for NORMAL / ZERO_ALLOC / UNALLOCATED_ALLOC */
};

/* --- qcow2_header.c ------------------------------------------------- */

/* Decode QCOW2_HEADER_SIZE bytes; v2 images get qemu's v3 defaults. */
void qcow2_header_parse(const uint8_t *buf, struct qcow2_header *h);

/*
 * The checks qcow2_do_open() makes before it looks at feature bits:
 * magic, version, cluster size, header length, backing file offset,
 * compression type. Returns 0 or -1 with MAP_ERR_OPEN and qemu's text.
 */
int qcow2_header_check_basic(const struct qcow2_header *h,
                             struct map_error *err);

/*
 * The checks after the feature bits: subcluster size, refcount order,
 * refcount/snapshot/L1 tables, virtual size vs L1, encryption method.
 * Fills g. Returns 0 or -1 with MAP_ERR_OPEN and qemu's text.
 */
int qcow2_header_check_layout(const struct qcow2_header *h,
                              struct qcow2_layout *g, struct map_error *err);

/* --- qcow2_ext.c ------------------------------------------------------ */

/*
 * Walk the header extensions in [h->header_length, end) as
 * qcow2_read_extensions() does. With probe_only (qemu's first pass, made
 * only to find feature names), errors stop the walk silently; otherwise
 * they fail the open with qemu's text. Fills ext.
 */
int qcow2_read_extensions(struct node *n, struct reader *r,
                          const struct qcow2_header *h, uint64_t end,
                          bool probe_only, struct qcow2_extensions *ext,
                          struct map_error *err);

/* "Unsupported qcow2 feature(s): ..." for the unknown incompatible bits. */
int qcow2_report_unsupported_features(struct node *n, struct reader *r,
                                      const struct qcow2_header *h,
                                      const struct qcow2_extensions *ext,
                                      struct map_error *err);

/* --- qcow2_snapshot.c ------------------------------------------------- */

/* qcow2_read_snapshots() without keeping anything: only its errors. */
int qcow2_check_snapshots(struct node *n, struct reader *r,
                          const struct qcow2_header *h,
                          struct map_error *err);

/* --- qcow2_bitmap.c --------------------------------------------------- */

/*
 * qcow2_load_dirty_bitmaps() on a read-only open, without keeping
 * anything: the bitmap directory and each bitmap's table are checked as
 * qemu checks them, and fail the open with qemu's text.
 */
int qcow2_check_bitmaps(struct node *n, struct reader *r,
                        const struct qcow2_header *h,
                        const struct qcow2_extensions *ext,
                        struct map_error *err);

/* --- qcow2_cluster.c -------------------------------------------------- */

/*
 * qcow2_get_host_offset(): the state of the cluster holding guest offset
 * off and how many following bytes (at most bytes) share it. Corruption
 * is logged once and fails with MAP_ERR_METADATA / EIO.
 */
int qcow2_find_run(struct node *n, uint64_t off, uint64_t bytes,
                   struct qcow2_run *run, struct map_error *err);

/* qcow2_signal_corruption() for a read-only image, then EIO. */
int qcow2_corruption(struct node *n, struct map_error *err, const char *fmt,
                     ...) __attribute__((format(printf, 3, 4)));

/* --- qcow2_refcount.c ------------------------------------------------- */

/*
 * qcow2_detect_metadata_preallocation(): 1 when at least
 * max(real*10/9, real+2) host clusters have a refcount, where real is the
 * file's allocated size in clusters; 0 when not; -1 on error (ignored by
 * the caller, as in qemu, though a corrupt refblock is still logged).
 */
int qcow2_detect_metadata_preallocation(struct node *n, struct map_error *err);

#endif
