/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vmdk driver: open in vmdk_open()'s order, so that the first check
 * qemu fails is the one instar reports, and block status per
 * vmdk_co_block_status(). Extent files named by a text descriptor are
 * opened through io->open, once per distinct path string, so that two
 * extents share a device exactly when qemu would print the same file
 * name for them (map.c merges by device).
 */
#include "vmdk.h"

#include "compat.h"
#include "drivers.h"
#include "endian.h"
#include "errnos.h"
#include "meta_cache.h"

#define VMDK3_MAGIC 0x434f5744u /* "COWD" */
#define VMDK4_MAGIC 0x4b444d56u /* "KDMV" */
#define VMDK4_FLAG_RGD        (1u << 1)
#define VMDK4_FLAG_ZERO_GRAIN (1u << 2)
#define VMDK4_COMPRESSION_DEFLATE 1u
#define VMDK4_GD_AT_END UINT64_MAX
#define VMDK4_HEADER_SIZE 75u   /* packed VMDK4Header */
#define VMDK3_HEADER_SIZE 40u
#define SESPARSE_CONST_MAGIC    0xcafebabeull
#define SESPARSE_VOLATILE_MAGIC 0xcafecafeull
#define MAX_GRANULARITY 0x200000u
#define MAX_L1_SIZE (32u * 1024u * 1024u)

/* get_cluster_offset() results */
enum { VMDK_OK, VMDK_ERROR, VMDK_UNALLOC, VMDK_ZEROED };


/* The image's own file name as qemu's file node has it ("file:" gone). */
static const char *top_name(const struct node *n)
{
    const char *f = n->ctx->filename;

    if (!f)
        return "";
    if (memcmp(f, "file:", 5) == 0)
        return f + 5;
    return f;
}

/* A read in an open path; a failure becomes "<what>: <strerror>". */
static int open_read(struct node *file, uint64_t off, void *buf, uint64_t len,
                     const char *what, const char *name,
                     struct map_error *err)
{
    int errnum;

    if (node_pread(file, off, buf, len, err) == 0)
        return 0;
    errnum = err->errnum;
    if (name)
        return map_fail(err, MAP_ERR_OPEN, errnum, "%s '%s': %s", what, name,
                        map_strerror(errnum));
    return map_fail(err, MAP_ERR_OPEN, errnum, "%s: %s", what,
                    map_strerror(errnum));
}

/* --- extents ------------------------------------------------------------ */

/* vmdk_add_extent() */
static int add_extent(struct node *n, struct node *file, const char *name,
                      bool flat, int64_t sectors, uint64_t l1_offset,
                      uint32_t l1_size, uint32_t l2_size,
                      uint64_t cluster_sectors, struct vmdk_extent **out,
                      struct map_error *err)
{
    struct vmdk_state *s = n->opaque;
    struct vmdk_extent *e;

    if (cluster_sectors > MAX_GRANULARITY)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EFBIG,
                        "Invalid granularity, image may be corrupt");
    if (l1_size > MAX_L1_SIZE)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EFBIG, "L1 size too big");
    if (s->n == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 4;
        struct vmdk_extent *a;

        if (cap < s->cap)
            return map_fail(err, MAP_ERR_INTERNAL, LINUX_ENOMEM,
                            "too many vmdk extents");
        a = node_alloc(n, (size_t)cap * sizeof(*a), "extent list", err);
        if (!a)
            return -1;
        if (s->n)
            memcpy(a, s->ext, (size_t)s->n * sizeof(*a));
        s->ext = a;
        s->cap = cap;
    }
    e = &s->ext[s->n];
    memset(e, 0, sizeof(*e));
    e->file = file;
    e->name = name;
    e->flat = flat;
    e->sectors = sectors;
    e->l1_offset = l1_offset;
    e->l1_size = l1_size;
    e->l1_entry_sectors = (uint32_t)((uint64_t)l2_size * cluster_sectors);
    e->l2_size = l2_size;
    e->cluster_sectors = flat ? (uint64_t)sectors : cluster_sectors;
    e->entry_size = 4;
    /* qemu's int64 sums wrap (-fwrapv) */
    e->end_sector = (int64_t)((s->n ? (uint64_t)s->ext[s->n - 1].end_sector
                                     : 0) + (uint64_t)sectors);
    if (s->n && e->end_sector < s->ext[s->n - 1].end_sector)
        s->monotonic = false;
    s->n++;
    *out = e;
    return 0;
}

/* vmdk_init_tables(): qemu reads the whole L1 (and backup) table here;
 * instar reads entries on demand but fails where qemu's read fails. */
static int init_tables(struct vmdk_extent *e, uint64_t l1_backup,
                       struct map_error *err)
{
    uint64_t bytes = (uint64_t)e->l1_size * e->entry_size;

    if (node_past_max(e->l1_offset, bytes))
        return map_fail(err, MAP_ERR_OPEN, LINUX_EIO,
                        "Could not read l1 table from extent '%s': %s",
                        e->name, map_strerror(LINUX_EIO));
    if (l1_backup && node_past_max(l1_backup, bytes))
        return map_fail(err, MAP_ERR_OPEN, LINUX_EIO,
                        "Could not read l1 backup table from extent '%s': %s",
                        e->name, map_strerror(LINUX_EIO));
    return 0;
}

static int open_desc_file(struct node *n, const char *desc,
                          struct map_error *err);

/* vmdk_read_desc(): the file must hold 4 bytes; reads at most 1 MiB - 1. */
static char *read_desc(struct node *n, struct node *file, uint64_t off,
                       struct map_error *err)
{
    uint64_t size = file->length;
    char *buf;

    if (size < 4) {
        map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                 "File is too small, not a valid image");
        return NULL;
    }
    if (size > VMDK_DESC_MAX)
        size = VMDK_DESC_MAX;
    buf = node_alloc(n, (size_t)size + 1, "descriptor", err);
    if (!buf)
        return NULL;
    if (open_read(file, off, buf, size, "Could not read from file", NULL,
                  err) < 0)
        return NULL;
    buf[size] = '\0';
    return buf;
}

/* vmdk_open_vmdk4() */
static int open_vmdk4(struct node *n, struct node *file, const char *name,
                      struct map_error *err)
{
    struct vmdk_state *s = n->opaque;
    uint8_t h[VMDK4_HEADER_SIZE];
    uint32_t version, flags, gtes, l1_entry_sectors, l1_size;
    uint64_t capacity, granularity, gd_offset, grain_offset, l1_backup = 0;
    bool compressed;
    struct vmdk_extent *e;

    if (open_read(file, 4, h, sizeof(h), "Could not read header from file",
                  name, err) < 0)
        return -1;
    if (load_le64(h + 8) == 0 && load_le64(h + 24) != 0) {
        /* A descriptor inside a sparse file (capacity 0). */
        uint64_t desc_offset = load_le64(h + 24) << 9;
        char *buf;
        int rc;

        if (s->nesting >= VMDK_MAX_NESTING)
            return map_fail(err, MAP_ERR_INTERNAL, LINUX_EINVAL,
                            "vmdk descriptors nested too deeply");
        buf = read_desc(n, file, desc_offset, err);
        if (!buf)
            return -1;
        s->nesting++;
        rc = open_desc_file(n, buf, err);
        s->nesting--;
        return rc;
    }
    if (load_le64(h + 52) == VMDK4_GD_AT_END) {
        /* The footer (at -1536 from the end of the *image's* file, as
         * qemu computes it) takes precedence over the header. */
        uint8_t f[1536];
        int64_t at = (int64_t)(n->file->length - 1536);

        if (at < 0)
            return map_fail(err, MAP_ERR_OPEN, LINUX_EIO,
                            "Failed to read footer: %s",
                            map_strerror(LINUX_EIO));
        if (open_read(file, (uint64_t)at, f, sizeof(f),
                      "Failed to read footer", NULL, err) < 0)
            return -1;
        if (load_be32(f + 512) != VMDK4_MAGIC || load_le32(f + 8) != 0 ||
            load_le32(f + 12) != 3 || load_le64(f + 1024) != 0 ||
            load_le32(f + 1032) != 0 || load_le32(f + 1036) != 0)
            return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                            "Invalid footer");
        memcpy(h, f + 516, sizeof(h));
    }
    version = load_le32(h);
    flags = load_le32(h + 4);
    capacity = load_le64(h + 8);
    granularity = load_le64(h + 16);
    gtes = load_le32(h + 40);
    gd_offset = load_le64(h + 52);
    grain_offset = load_le64(h + 60);
    compressed = load_le16(h + 73) == VMDK4_COMPRESSION_DEFLATE;

    if (version > 3)
        return map_fail(err, MAP_ERR_OPEN, LINUX_ENOTSUP,
                        "Unsupported VMDK version %u", (unsigned)version);
    /* version 3 is refused only for read-write opens; map is read-only */
    if (gtes > 512)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "L2 table size too big");
    l1_entry_sectors = (uint32_t)(gtes * granularity);
    if (l1_entry_sectors == 0)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "L1 entry size is invalid");
    l1_size = (uint32_t)((capacity + l1_entry_sectors - 1) / l1_entry_sectors);
    if (flags & VMDK4_FLAG_RGD)
        l1_backup = load_le64(h + 44) << 9;
    if (file->length / 512 < grain_offset)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "File truncated, expecting at least %lld bytes",
                        (long long)(grain_offset * 512));
    if (add_extent(n, file, name, false, (int64_t)capacity, gd_offset << 9,
                   l1_size, gtes, granularity, &e, err) < 0)
        return -1;
    e->compressed = compressed;
    e->zero_grain = (flags & VMDK4_FLAG_ZERO_GRAIN) != 0;
    return init_tables(e, l1_backup, err);
}

/* vmdk_open_vmfs_sparse(): the VMDK3 "COWD" header. */
static int open_vmdk3(struct node *n, struct node *file, const char *name,
                      struct map_error *err)
{
    uint8_t h[VMDK3_HEADER_SIZE];
    struct vmdk_extent *e;

    if (open_read(file, 4, h, sizeof(h), "Could not read header from file",
                  name, err) < 0)
        return -1;
    if (add_extent(n, file, name, false, (int64_t)load_le32(h + 8),
                   (uint64_t)load_le32(h + 16) << 9, load_le32(h + 20), 4096,
                   load_le32(h + 12), &e, err) < 0)
        return -1;
    return init_tables(e, 0, err);
}

/* vmdk_open_sparse(): dispatch on the magic. */
static int open_sparse(struct node *n, struct node *file, const char *name,
                       uint32_t magic, struct map_error *err)
{
    if (magic == VMDK3_MAGIC)
        return open_vmdk3(n, file, name, err);
    if (magic == VMDK4_MAGIC)
        return open_vmdk4(n, file, name, err);
    return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                    "Image not in VMDK format");
}

static bool all_zero(const uint8_t *p, size_t n)
{
    while (n--)
        if (*p++)
            return false;
    return true;
}

/* check_se_sparse_const_header() */
static int check_se_const(const uint8_t *h, struct map_error *err)
{
    uint64_t v;

    if ((v = load_le64(h)) != SESPARSE_CONST_MAGIC)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "Bad const header magic: 0x%016llx",
                        (unsigned long long)v);
    if ((v = load_le64(h + 8)) != 0x0000000200000001ull)
        return map_fail(err, MAP_ERR_OPEN, LINUX_ENOTSUP,
                        "Unsupported version: 0x%016llx",
                        (unsigned long long)v);
    if ((v = load_le64(h + 24)) != 8)
        return map_fail(err, MAP_ERR_OPEN, LINUX_ENOTSUP,
                        "Unsupported grain size: %llu",
                        (unsigned long long)v);
    if ((v = load_le64(h + 32)) != 64)
        return map_fail(err, MAP_ERR_OPEN, LINUX_ENOTSUP,
                        "Unsupported grain table size: %llu",
                        (unsigned long long)v);
    if ((v = load_le64(h + 40)) != 0)
        return map_fail(err, MAP_ERR_OPEN, LINUX_ENOTSUP,
                        "Unsupported flags: 0x%016llx",
                        (unsigned long long)v);
    if (!all_zero(h + 48, 32))
        return map_fail(err, MAP_ERR_OPEN, LINUX_ENOTSUP,
                        "Unsupported reserved bits: 0x%016llx 0x%016llx "
                        "0x%016llx 0x%016llx",
                        (unsigned long long)load_le64(h + 48),
                        (unsigned long long)load_le64(h + 56),
                        (unsigned long long)load_le64(h + 64),
                        (unsigned long long)load_le64(h + 72));
    if (!all_zero(h + 208, 304))
        return map_fail(err, MAP_ERR_OPEN, LINUX_ENOTSUP,
                        "Unsupported non-zero const header padding");
    return 0;
}

/* vmdk_open_se_sparse() */
static int open_sesparse(struct node *n, struct node *file, const char *name,
                         struct map_error *err)
{
    uint8_t c[512], v[512];
    struct vmdk_extent *e;

    if (open_read(file, 0, c, sizeof(c),
                  "Could not read const header from file", name, err) < 0)
        return -1;
    if (check_se_const(c, err) < 0)
        return -1;
    if (open_read(file, load_le64(c + 80) * 512, v, sizeof(v),
                  "Could not read volatile header from file", name, err) < 0)
        return -1;
    if (load_le64(v) != SESPARSE_VOLATILE_MAGIC)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "Bad volatile header magic: 0x%016llx",
                        (unsigned long long)load_le64(v));
    if (load_le64(v + 24))
        return map_fail(err, MAP_ERR_OPEN, LINUX_ENOTSUP,
                        "Image is dirty, Replaying journal not supported");
    if (!all_zero(v + 32, 480))
        return map_fail(err, MAP_ERR_OPEN, LINUX_ENOTSUP,
                        "Unsupported non-zero volatile header padding");
    /* capacity, grain_dir_offset/size, grain_table_size, grain_size */
    if (add_extent(n, file, name, false, (int64_t)load_le64(c + 16),
                   load_le64(c + 128) * 512,
                   (uint32_t)(load_le64(c + 136) * 512 / 8),
                   (uint32_t)(load_le64(c + 32) * 512 / 8), load_le64(c + 24),
                   &e, err) < 0)
        return -1;
    e->sesparse = true;
    e->se_l2_tables = load_le64(c + 144);
    e->se_clusters = load_le64(c + 192);
    e->entry_size = 8;
    return init_tables(e, 0, err);
}

/* path_has_protocol(): a ':' before any '/'. */
static bool has_protocol(const char *path)
{
    for (; *path && *path != '/'; path++)
        if (*path == ':')
            return true;
    return false;
}

/*
 * The host node of an extent file: the image's own file when the names
 * are equal, an already opened extent file of the same name, or a new
 * device from io->open.
 */
static struct node *open_extent_file(struct node *n, const char *path,
                                     struct map_error *err)
{
    const struct io_ops *io = n->ctx->io;
    struct vmdk_state *s = n->opaque;
    struct node *f;
    uint32_t i, dev;
    int rc;

    if (strcmp(path, top_name(n)) == 0 && n->ctx->filename)
        return n->file;
    for (i = 0; i < s->nfiles; i++)
        if (strcmp(s->files[i].path, path) == 0)
            return s->files[i].node;
    if (!io->open || has_protocol(path)) {
        map_fail(err, MAP_ERR_OPEN, LINUX_ENOTSUP,
                 "vmdk extent file '%s' is not supported by instar yet",
                 path);
        return NULL;
    }
    rc = io->open(io->ctx, path, &dev);
    if (rc < 0) {
        map_fail(err, MAP_ERR_OPEN, -rc, "Could not open '%s': %s", path,
                 map_strerror(-rc));
        return NULL;
    }
    f = node_open_protocol(n->ctx, dev, err);
    if (!f)
        return NULL;
    if (s->nfiles == s->files_cap) {
        uint32_t cap = s->files_cap ? s->files_cap * 2 : 8;
        struct vmdk_file *a = node_alloc(n, (size_t)cap * sizeof(*a),
                                            "file list", err);
        if (!a)
            return NULL;
        if (s->nfiles)
            memcpy(a, s->files, (size_t)s->nfiles * sizeof(*a));
        s->files = a;
        s->files_cap = cap;
    }
    s->files[s->nfiles].path = path;
    s->files[s->nfiles].node = f;
    s->nfiles++;
    return f;
}

static const char *next_line(const char *p)
{
    while (*p)
        if (*p++ == '\n')
            return p;
    return p;
}

static bool is_type(const char *t, const char *name)
{
    return strcmp(t, name) == 0;
}

/* One extent line that passed the checks: open its file and add it. */
static int open_extent(struct node *n, const struct vmdk_extent_line *l,
                       struct map_error *err)
{
    const char *top = top_name(n);
    size_t dlen = l->fname[0] == '/' ? 0 : vmdk_dirname_len(top);
    size_t flen = strlen(l->fname);
    struct vmdk_extent *e;
    struct node *file;
    char *path;

    /* absolute names as is; others textually after the image's dir */
    path = node_alloc(n, dlen + flen + 1, "extent name", err);
    if (!path)
        return -1;
    memcpy(path, top, dlen);
    memcpy(path + dlen, l->fname, flen + 1);
    file = open_extent_file(n, path, err);
    if (!file)
        return -1;
    if (is_type(l->type, "FLAT") || is_type(l->type, "VMFS")) {
        if (add_extent(n, file, path, true, l->sectors, 0, 0, 0, 0, &e,
                       err) < 0)
            return -1;
        e->flat_start_offset = (int64_t)((uint64_t)l->flat_offset << 9);
        return 0;
    }
    if (is_type(l->type, "SESPARSE"))
        return open_sesparse(n, file, path, err);
    /* SPARSE, VMFSSPARSE: vmdk_read_desc() then the magic */
    {
        uint8_t magic[4];

        if (file->length < 4)
            return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                            "File is too small, not a valid image");
        if (open_read(file, 0, magic, 4, "Could not read from file", NULL,
                      err) < 0)
            return -1;
        return open_sparse(n, file, path, load_be32(magic), err);
    }
}

/* vmdk_parse_extents() */
static int parse_extents(struct node *n, const char *desc,
                         struct map_error *err)
{
    const char *p;

    for (p = desc; *p; p = next_line(p)) {
        struct vmdk_extent_line l;
        bool flat = false;

        vmdk_scan_extent_line(p, &l);
        if (l.matches < 4 || strcmp(l.access, "RW") != 0)
            continue;
        if (is_type(l.type, "FLAT")) {
            if (l.matches != 5 || l.flat_offset < 0)
                goto invalid;
            flat = true;
        } else if (is_type(l.type, "VMFS")) {
            if (l.matches != 4)
                goto invalid;
            l.flat_offset = 0;
            flat = true;
        } else if (l.matches != 4) {
            goto invalid;
        }
        if (l.sectors <= 0 ||
            (!flat && !is_type(l.type, "SPARSE") &&
             !is_type(l.type, "VMFSSPARSE") && !is_type(l.type, "SESPARSE")))
            continue;
        if (open_extent(n, &l, err) < 0)
            return -1;
        continue;
invalid:
        {
            const char *np = next_line(p);

            if (np[-1] == '\n')
                np--;
            return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                            "Invalid extent line: %.*s", (int)(np - p), p);
        }
    }
    return 0;
}

/* vmdk_open_desc_file() */
static int open_desc_file(struct node *n, const char *desc,
                          struct map_error *err)
{
    static const char *const types[] = {
        "monolithicFlat", "vmfs", "vmfsSparse", "seSparse",
        "twoGbMaxExtentSparse", "twoGbMaxExtentFlat",
    };
    char ct[128];
    size_t i;

    if (vmdk_create_type(desc, ct, sizeof(ct)) < 0)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "invalid VMDK image descriptor");
    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(ct, types[i]) == 0)
            break;
    if (i == sizeof(types) / sizeof(types[0]))
        return map_fail(err, MAP_ERR_OPEN, LINUX_ENOTSUP,
                        "Unsupported image type '%s'", ct);
    return parse_extents(n, desc, err);
}

/* vmdk_parent_open() and vmdk_read_cid(): -EINVAL without a message, so
 * qemu's generic "Could not open '<image>': Invalid argument". */
static int check_desc_keys(struct node *n, uint64_t desc_offset,
                           bool *has_backing, struct map_error *err)
{
    char *buf = node_alloc(n, VMDK_DESC_SIZE + 1, "descriptor", err);
    const char *name;
    size_t len;
    uint32_t cid;
    int rc;

    if (!buf)
        return -1;
    if (node_pread(n->file, desc_offset, buf, VMDK_DESC_SIZE, err) < 0)
        return map_fail(err, MAP_ERR_OPEN, err->errnum,
                        "Could not open '%s': %s", top_name(n),
                        map_strerror(err->errnum));
    buf[VMDK_DESC_SIZE] = '\0';
    rc = vmdk_parent_hint(buf, &name, &len);
    *has_backing = rc > 0 && len > 0;
    if (rc >= 0)
        rc = vmdk_read_cid(buf, false, &cid);
    if (rc >= 0) {
        /* read_cid cut the buffer; read it again for the parent CID */
        if (node_pread(n->file, desc_offset, buf, VMDK_DESC_SIZE, err) < 0)
            return -1;
        rc = vmdk_read_cid(buf, true, &cid);
    }
    if (rc < 0) {
        if (n->ctx->filename)
            return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                            "Could not open '%s': %s", top_name(n),
                            map_strerror(LINUX_EINVAL));
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "Could not open image: %s",
                        map_strerror(LINUX_EINVAL));
    }
    return 0;
}

/* bdrv_open_driver()'s refresh_total_sectors() and blk_getlength(). */
static int set_length(struct node *n, struct map_error *err)
{
    struct vmdk_state *s = n->opaque;
    int64_t total = s->n ? s->ext[s->n - 1].end_sector : 0;
    uint32_t i;

    /* qemu (6.0+): total_sectors * BDRV_SECTOR_SIZE > BDRV_MAX_LENGTH,
     * both unsigned 64-bit, so the product wraps: 2^55 - 1 or -1 sectors
     * fail at open, 2^55 or 2^63 sectors (product 0) pass and then
     * blk_getlength() fails in qemu-img map: "Failed to get size". */
    if (node_set_sectors(n, total, err) < 0)
        return -1;
    for (i = 0; i < s->n; i++)
        if (s->ext[i].sectors < 0 || (i && s->ext[i].end_sector <
                                           s->ext[i - 1].end_sector))
            return map_fail(err, MAP_ERR_INTERNAL, LINUX_EFBIG,
                            "vmdk extent sizes overflow");
    return 0;
}

static int vmdk_open(struct node *n, struct map_error *err)
{
    struct vmdk_state *s;
    uint8_t magic[4];
    uint64_t desc_offset = 0;
    bool has_backing = false;

    s = node_alloc(n, sizeof(*s), "driver state", err);
    if (!s)
        return -1;
    s->monotonic = true;
    n->opaque = s;

    if (n->file->length < 4)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "File is too small, not a valid image");
    if (open_read(n->file, 0, magic, 4, "Could not read from file", NULL,
                  err) < 0)
        return -1;
    if (load_be32(magic) == VMDK3_MAGIC || load_be32(magic) == VMDK4_MAGIC) {
        if (open_sparse(n, n->file, top_name(n), load_be32(magic), err) < 0)
            return -1;
        desc_offset = 0x200;
    } else {
        char *desc = read_desc(n, n->file, 0, err);

        if (!desc || open_desc_file(n, desc, err) < 0)
            return -1;
    }
    if (check_desc_keys(n, desc_offset, &has_backing, err) < 0)
        return -1;
    if (set_length(n, err) < 0)
        return -1;
    if (has_backing)
        return map_fail(err, MAP_ERR_OPEN, LINUX_ENOTSUP,
                        "vmdk images with a backing file are not supported "
                        "by instar yet");
    return 0;
}

/* --- block status ------------------------------------------------------- */

/* find_extent(): the first extent whose end lies past the sector. */
static struct vmdk_extent *find_extent(struct vmdk_state *s, int64_t sector)
{
    uint32_t lo = 0, hi = s->n, i;

    if (!s->monotonic) {
        for (i = 0; i < s->n; i++)
            if (sector < s->ext[i].end_sector)
                return &s->ext[i];
        return NULL;
    }
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (sector < s->ext[mid].end_sector)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo < s->n ? &s->ext[lo] : NULL;
}

/* One L1 (grain directory) entry, through the metadata cache. */
static int l1_entry(struct vmdk_extent *e, uint32_t idx, uint64_t *out,
                    struct map_error *err)
{
    uint64_t end = e->l1_offset + (uint64_t)e->l1_size * e->entry_size;
    uint8_t b[8];

    if (meta_read(e->file, e->l1_offset + (uint64_t)idx * e->entry_size, b,
                  e->entry_size, end, err) < 0)
        return -1;
    *out = e->entry_size == 8 ? load_le64(b) : load_le32(b);
    return 0;
}

/* A grain table, loaded whole as qemu reads it; t then walks its entries.
 * A table in a hole of the file reads as zeros without a read. */
static int l2_table(struct vmdk_extent *e, uint32_t l2_offset,
                    struct meta_batch *t, struct map_error *err)
{
    uint64_t off = (uint64_t)l2_offset * 512;
    uint64_t bytes = (uint64_t)e->l2_size * e->entry_size;

    meta_batch_init(t, e->file, off + bytes, 0);
    return meta_load(e->file, off, bytes, 0, err);
}

/* Entry idx of the grain table in t. */
static int l2_entry(const struct vmdk_extent *e, struct meta_batch *t,
                    uint32_t idx, uint64_t *out, struct map_error *err)
{
    uint64_t table = t->end - (uint64_t)e->l2_size * e->entry_size;
    const uint8_t *p;

    if (meta_batch_get(t, table + (uint64_t)idx * e->entry_size,
                       e->entry_size, &p, err) < 0)
        return -1;
    *out = e->entry_size == 8 ? load_le64(p) : load_le32(p);
    return 0;
}

/* get_cluster_offset() without allocation. Returns VMDK_* or -1 with err
 * for instar's own failures (memory, qemu's division by zero). */
static int cluster_offset(struct vmdk_extent *e, uint64_t off,
                          uint64_t *cluster, uint64_t *unalloc,
                          struct map_error *err)
{
    uint64_t rel, l1e, gte;
    uint32_t l1_index, l2_index, l2_offset;
    struct meta_batch t;
    bool zeroed = false;

    if (e->flat) {
        *cluster = (uint64_t)e->flat_start_offset;
        return VMDK_OK;
    }
    rel = off - (uint64_t)(e->end_sector - e->sectors) * 512;
    if (e->l1_entry_sectors == 0 || e->cluster_sectors == 0)
        return map_fail(err, MAP_ERR_INTERNAL, LINUX_EINVAL,
                        "vmdk extent '%s' has a zero grain size",
                        e->name);
    l1_index = (uint32_t)((rel >> 9) / e->l1_entry_sectors);
    if (l1_index >= e->l1_size)
        return VMDK_ERROR;
    if (l1_entry(e, l1_index, &l1e, err) < 0)
        return err->kind == MAP_ERR_INTERNAL ? -1 : VMDK_ERROR;
    if (e->sesparse) {
        if (l1e == 0) {
            l2_offset = 0;
        } else if ((l1e & 0xffffffff00000000ull) != 0x1000000000000000ull) {
            return VMDK_ERROR;
        } else {
            uint64_t o = e->se_l2_tables +
                         (l1e & 0xffffffffull) *
                             ((uint64_t)e->l2_size * e->entry_size) / 512;
            if (o > 0xffffffffull)
                return VMDK_ERROR;
            l2_offset = (uint32_t)o;
        }
    } else {
        l2_offset = (uint32_t)l1e;
    }
    /* Unallocated answers are extended past the grain (qemu answers grain
     * by grain): merging makes the output the same, and a hostile image
     * with tiny grains and a huge capacity then costs one query per
     * grain table, not one per grain. *unalloc = bytes from off. */
    uint64_t span = (uint64_t)e->l1_entry_sectors * 512;
    if (!l2_offset) {
        *unalloc = span - rel % span;
        return VMDK_UNALLOC;
    }
    l2_index = (uint32_t)(((rel >> 9) / e->cluster_sectors) % e->l2_size);
    if (l2_table(e, l2_offset, &t, err) < 0 ||
        l2_entry(e, &t, l2_index, &gte, err) < 0)
        return err->kind == MAP_ERR_INTERNAL ? -1 : VMDK_ERROR;
    if (e->sesparse) {
        switch (gte & 0xf000000000000000ull) {
        case 0:
            if (gte)
                return VMDK_ERROR;
            break;
        case 0x1000000000000000ull:   /* scsi-unmapped */
        case 0x2000000000000000ull:   /* zeroed */
            zeroed = true;
            break;
        case 0x3000000000000000ull:
            gte = ((gte & 0x0fff000000000000ull) >> 48) |
                  ((gte & 0x0000ffffffffffffull) << 12);
            gte = e->se_clusters + gte * e->cluster_sectors;
            break;
        default:
            return VMDK_ERROR;
        }
    } else if (e->zero_grain && gte == 1) {
        zeroed = true;
    }
    if (!gte || zeroed) {
        if (!zeroed && !e->sesparse) {
            uint32_t i = l2_index + 1;
            uint64_t next = 0;
            for (; i < e->l2_size; i++) {
                if (l2_entry(e, &t, i, &next, err) < 0)
                    return err->kind == MAP_ERR_INTERNAL ? -1 : VMDK_ERROR;
                if (next)
                    break;
            }
            uint64_t grain = (uint64_t)e->cluster_sectors * 512;
            *unalloc = (uint64_t)(i - l2_index) * grain - (rel % grain);
        }
        return zeroed ? VMDK_ZEROED : VMDK_UNALLOC;
    }
    *cluster = gte << 9;
    return VMDK_OK;
}

static int vmdk_block_status(struct node *n, uint64_t off, uint64_t bytes,
                             struct block_status *st, struct map_error *err)
{
    struct vmdk_state *s = n->opaque;
    struct vmdk_extent *e = find_extent(s, (int64_t)(off >> 9));
    uint64_t cluster = 0, csize, idx, left, unalloc = 0;
    int rc;

    if (!e)
        return map_fail(err, MAP_ERR_METADATA, LINUX_EIO,
                        "no vmdk extent at %llu", (unsigned long long)off);
    rc = cluster_offset(e, off, &cluster, &unalloc, err);
    if (rc < 0)
        return -1;
    if (rc == VMDK_ERROR)
        return map_fail(err, MAP_ERR_METADATA, LINUX_EIO,
                        "vmdk metadata error at %llu",
                        (unsigned long long)off);
    csize = e->cluster_sectors * 512;
    if (csize == 0)
        return map_fail(err, MAP_ERR_INTERNAL, LINUX_EINVAL,
                        "vmdk extent '%s' is too large", e->name);
    idx = (off - (uint64_t)(e->end_sector - e->sectors) * 512) % csize;
    left = csize - idx;
    if (rc == VMDK_UNALLOC && unalloc > left) {
        /* Within this extent only, up to the end of its last grain:
         * qemu answers a whole grain even when the extent ends inside
         * it, so that grain hides the start of the next extent. */
        uint64_t len = (uint64_t)e->sectors * 512;
        uint64_t rel = off - (uint64_t)(e->end_sector - e->sectors) * 512;
        uint64_t to_end = len - len % csize + (len % csize ? csize : 0) - rel;
        left = unalloc < to_end ? unalloc : to_end;
    }
    st->pnum = left < bytes ? left : bytes;
    switch (rc) {
    case VMDK_UNALLOC:
        st->flags = 0;
        break;
    case VMDK_ZEROED:
        st->flags = BS_ZERO;
        break;
    default:
        st->flags = BS_DATA;
        if (e->compressed) {
            st->flags |= BS_COMPRESSED;
            break;
        }
        st->flags |= BS_OFFSET_VALID;
        st->map = cluster + idx;
        st->file = e->file->dev;
        st->host = e->file;
        if (e->flat)
            st->flags |= BS_RECURSE;
        break;
    }
    return 0;
}

const struct format_driver vmdk_driver = {
    .name = "vmdk",
    .open = vmdk_open,
    .block_status = vmdk_block_status,
    .supports_backing = true,
    .is_protocol = false,
};
