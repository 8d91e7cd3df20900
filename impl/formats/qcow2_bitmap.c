/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Persistent dirty bitmaps, as far as opening an image for `qemu-img map`
 * goes: qemu loads every bitmap at open (qcow2_load_dirty_bitmaps), so a
 * broken directory or bitmap table fails the open. Nothing is kept; the
 * checks and their order follow bitmap_list_load(), check_dir_entry(),
 * bdrv_create_dirty_bitmap(), bitmap_table_load() and the size check of
 * load_bitmap_data(). The bitmap data itself is never needed.
 */
#include "qcow2.h"

#include "compat.h"
#include "endian.h"
#include "errnos.h"

#define DIR_ENTRY_SIZE 24u            /* Qcow2BitmapDirEntry */
#define BME_MAX_TABLE_SIZE 0x8000000u
#define BME_MAX_PHYS_SIZE 0x20000000u
#define BME_MAX_GRANULARITY_BITS 31u
#define BME_MIN_GRANULARITY_BITS 9u
#define BME_MAX_NAME_SIZE 1023u
#define BME_RESERVED_FLAGS 0xfffffffcu
#define BME_FLAG_IN_USE 1u
#define BT_DIRTY_TRACKING_BITMAP 1u
#define BME_TABLE_ENTRY_RESERVED_MASK 0xff000000000001feull
#define BME_TABLE_ENTRY_OFFSET_MASK 0x00fffffffffffe00ull
#define BME_TABLE_ENTRY_FLAG_ALL_ONES 1ull
/* Enough of a name for an error message. */
#define NAME_SHOWN 160u

struct dir_entry {
    uint64_t table_offset;
    uint32_t table_size;
    uint32_t flags;
    uint8_t type;
    uint8_t granularity_bits;
    uint16_t name_size;
    uint32_t extra_data_size;
    uint64_t size;          /* this entry's bytes in the directory */
};

static void parse_entry(const uint8_t *b, struct dir_entry *e)
{
    e->table_offset = load_be64(b);
    e->table_size = load_be32(b + 8);
    e->flags = load_be32(b + 12);
    e->type = b[16];
    e->granularity_bits = b[17];
    e->name_size = load_be16(b + 18);
    e->extra_data_size = load_be32(b + 20);
    /* calc_dir_entry_size() computes this in an int */
    e->size = (uint64_t)(int64_t)(int)((DIR_ENTRY_SIZE + e->name_size +
                                        e->extra_data_size + 7) & ~7u);
}

/* check_dir_entry(); length is the image's virtual length. */
static bool entry_ok(const struct dir_entry *e, uint64_t cluster_size,
                     uint64_t length)
{
    uint64_t phys;

    if (e->table_size == 0 || e->table_offset == 0 ||
        e->table_offset % cluster_size ||
        e->table_size > BME_MAX_TABLE_SIZE ||
        e->granularity_bits > BME_MAX_GRANULARITY_BITS ||
        e->granularity_bits < BME_MIN_GRANULARITY_BITS ||
        (e->flags & BME_RESERVED_FLAGS) || e->name_size > BME_MAX_NAME_SIZE ||
        e->type != BT_DIRTY_TRACKING_BITMAP)
        return false;
    phys = (uint64_t)e->table_size * cluster_size;
    if (phys > BME_MAX_PHYS_SIZE || length > (uint64_t)INT64_MAX)
        return false;
    return (e->flags & BME_FLAG_IN_USE) ||
           length <= ((phys * 8) << e->granularity_bits);
}

/* The name as qemu copies it: name_size bytes, up to the first NUL. */
static int read_name(struct reader *r, uint64_t at, uint32_t size,
                     char *out, size_t cap, size_t *len,
                     struct map_error *err)
{
    size_t n = size < cap - 1 ? size : cap - 1;

    if (reader_read(r, at, out, n, err) < 0)
        return -1;
    out[n] = '\0';
    *len = strlen(out);
    return 0;
}

/* bitmap_list_load(): the whole directory is validated first. */
static int check_directory(struct reader *r, const struct qcow2_header *h,
                           const struct qcow2_extensions *ext,
                           uint64_t length, struct map_error *err)
{
    uint64_t off = ext->bitmap_directory_offset;
    uint64_t end = off + ext->bitmap_directory_size;
    uint64_t cluster_size = (uint64_t)1 << h->cluster_bits;
    uint32_t count = 0;

    if (ext->bitmap_directory_size == 0)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "Requested bitmap directory size is zero");
    if (off > NODE_MAX_LENGTH ||
        ext->bitmap_directory_size > NODE_MAX_LENGTH - off)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EIO,
                        "Failed to read bitmap directory: %s",
                        map_strerror(LINUX_EIO));
    while (off < end) {
        uint8_t b[DIR_ENTRY_SIZE];
        struct dir_entry e;

        if (end - off < DIR_ENTRY_SIZE)
            goto broken;
        if (++count > ext->nb_bitmaps)
            return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                            "More bitmaps found than specified in header "
                            "extension");
        if (reader_read(r, off, b, sizeof(b), err) < 0)
            return -1;
        parse_entry(b, &e);
        /* a negative int size points backwards and passes this check */
        if ((int64_t)e.size > 0 && e.size > end - off)
            goto broken;
        if (e.extra_data_size != 0)
            return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                            "Bitmap extra data is not supported");
        if (!entry_ok(&e, cluster_size, length)) {
            char name[NAME_SHOWN];
            size_t len;
            if (read_name(r, off + DIR_ENTRY_SIZE, e.name_size, name,
                          sizeof(name), &len, err) < 0)
                return -1;
            return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                            "Bitmap '%s' doesn't satisfy the constraints",
                            name);
        }
        off += e.size;
    }
    if (count != ext->nb_bitmaps)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "Less bitmaps found than specified in header "
                        "extension");
    if (off != end)
        goto broken;
    return 0;
broken:
    return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                    "Broken bitmap directory");
}

/* FNV-1a: bitmap names are compared by hash (collisions are ignored). */
static uint64_t name_hash(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i;

    for (i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
    return h;
}

/* bitmap_table_load(): every table entry must be well formed. */
static int check_table(struct reader *r, const struct dir_entry *e,
                       uint64_t cluster_size, struct map_error *err)
{
    uint64_t i, bytes = (uint64_t)e->table_size * 8;

    if (e->table_offset > NODE_MAX_LENGTH ||
        bytes > NODE_MAX_LENGTH - e->table_offset)
        return -LINUX_EIO;
    for (i = 0; i < e->table_size; i++) {
        uint8_t b[8];
        uint64_t entry, offset;

        if (reader_read(r, e->table_offset + i * 8, b, sizeof(b), err) < 0)
            return -err->errnum;
        entry = load_be64(b);
        offset = entry & BME_TABLE_ENTRY_OFFSET_MASK;
        if ((entry & BME_TABLE_ENTRY_RESERVED_MASK) ||
            (offset && ((entry & BME_TABLE_ENTRY_FLAG_ALL_ONES) ||
                        offset % cluster_size)))
            return -LINUX_EINVAL;
    }
    return 0;
}

/* load_bitmap_data()'s size check: the table covers the serialized
 * bitmap exactly (64-bit words of bits at the bitmap's granularity). */
static bool table_size_matches(const struct dir_entry *e,
                               uint64_t cluster_size, uint64_t length)
{
    uint64_t words, bytes, clusters;

    if (length == 0)
        return false;
    words = (((length - 1) >> e->granularity_bits) >> 6) + 1;
    bytes = words * 8;
    clusters = (bytes + cluster_size - 1) / cluster_size;
    return clusters == e->table_size && clusters <= BME_MAX_TABLE_SIZE;
}

int qcow2_check_bitmaps(struct node *n, struct reader *r,
                        const struct qcow2_header *h,
                        const struct qcow2_extensions *ext,
                        struct map_error *err)
{
    uint64_t cluster_size = (uint64_t)1 << h->cluster_bits;
    uint64_t length = h->size / 512 * 512;
    uint64_t off = ext->bitmap_directory_offset;
    uint64_t *hashes;
    uint32_t i, loaded = 0;

    if (ext->nb_bitmaps == 0)
        return 0;
    if (check_directory(r, h, ext, length, err) < 0)
        return -1;
    hashes = arena_alloc(n->ctx->arena, (size_t)ext->nb_bitmaps * 8);
    if (!hashes)
        return map_fail(err, MAP_ERR_INTERNAL, LINUX_ENOMEM,
                        "out of guest memory for %u bitmap names",
                        ext->nb_bitmaps);

    for (i = 0; i < ext->nb_bitmaps; i++) {
        uint8_t b[DIR_ENTRY_SIZE];
        char name[BME_MAX_NAME_SIZE + 1];
        struct dir_entry e;
        uint64_t hash;
        size_t len;
        uint32_t k;
        bool exists = false;
        int rc;

        if (reader_read(r, off, b, sizeof(b), err) < 0)
            return -1;
        parse_entry(b, &e);
        if (read_name(r, off + DIR_ENTRY_SIZE, e.name_size, name,
                      sizeof(name), &len, err) < 0)
            return -1;
        off += e.size;
        hash = name_hash(name, len);
        for (k = 0; k < loaded && !exists; k++)
            exists = hashes[k] == hash;
        if (exists && (e.flags & BME_FLAG_IN_USE))
            continue;   /* qemu keeps the bitmap it already has */
        if (exists)
            return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                            "Bitmap already exists: %s", name);
        hashes[loaded++] = hash;
        if (e.flags & BME_FLAG_IN_USE)
            continue;   /* inconsistent: its data is not loaded */
        rc = check_table(r, &e, cluster_size, err);
        if (rc < 0)
            return map_fail(err, MAP_ERR_OPEN, -rc,
                            "Could not read bitmap_table table from image "
                            "for bitmap '%.*s': %s", (int)NAME_SHOWN, name,
                            map_strerror(-rc));
        if (!table_size_matches(&e, cluster_size, length))
            return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                            "Could not read bitmap '%.*s' from image: %s",
                            (int)NAME_SHOWN, name,
                            map_strerror(LINUX_EINVAL));
    }
    return 0;
}
