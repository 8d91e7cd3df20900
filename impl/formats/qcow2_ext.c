/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 header extensions (qcow2_read_extensions) and the feature-name
 * table used to name unknown incompatible features. Extensions are
 * (magic, length, data padded to 8) records between the header and the
 * backing file name, or the end of the first cluster.
 */
#include "qcow2.h"

#include "compat.h"
#include "endian.h"
#include "errnos.h"

#define EXT_HEADER_SIZE 8u
#define BACKING_FORMAT_MAX 16u           /* sizeof(bs->backing_format) */
#define CRYPTO_HEADER_EXT_SIZE 16u       /* Qcow2CryptoHeaderExtension */
#define BITMAPS_EXT_SIZE 24u             /* Qcow2BitmapHeaderExt */
#define FEATURE_ENTRY_SIZE 48u           /* Qcow2Feature: type, bit, name */
#define FEATURE_NAME_SIZE 46u

static void log_line(struct node *n, enum log_kind kind, const char *line)
{
    const struct io_ops *io = n->ctx->io;

    if (io->log)
        io->log(io->ctx, kind, line);
}

/* The bitmaps extension of an image some other program modified. */
static void warn_stale_bitmaps(struct node *n, const struct qcow2_header *h)
{
    if (h->version < 3)
        log_line(n, LOG_MESSAGE, "warning: This qcow2 v2 image contains "
                 "bitmaps, but they may have been modified by a program "
                 "without persistent bitmap support; so now they must all be "
                 "considered inconsistent");
    else
        log_line(n, LOG_MESSAGE, "warning: a program lacking bitmap support "
                 "modified this file, so all bitmaps are now considered "
                 "inconsistent");
    /* qemu prints this with error_printf() and no newline. */
    log_line(n, LOG_PLAIN, "Some clusters may be leaked, run 'qemu-img check "
             "-r' on the image file to fix.");
}

static int check_bitmaps_ext(const uint8_t *b, const struct qcow2_header *h,
                             struct qcow2_extensions *ext,
                             struct map_error *err)
{
    uint32_t nb = load_be32(b);
    uint64_t dir_size = load_be64(b + 8);
    uint64_t dir_offset = load_be64(b + 16);
    uint64_t cluster_size = (uint64_t)1 << h->cluster_bits;

    if (load_be32(b + 4) != 0)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "bitmaps_ext: Reserved field is not zero");
    if (nb > QCOW2_MAX_BITMAPS)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "bitmaps_ext: Image has %u bitmaps, exceeding the "
                        "QEMU supported maximum of %u", nb, QCOW2_MAX_BITMAPS);
    if (nb == 0)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "found bitmaps extension with zero bitmaps");
    if (dir_offset & (cluster_size - 1))
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "bitmaps_ext: invalid bitmap directory offset");
    if (dir_size > QCOW2_MAX_BITMAP_DIRECTORY_SIZE)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "bitmaps_ext: bitmap directory size (%llu) exceeds "
                        "the maximum supported size (%u)",
                        (unsigned long long)dir_size,
                        QCOW2_MAX_BITMAP_DIRECTORY_SIZE);
    ext->nb_bitmaps = nb;
    ext->bitmap_directory_offset = dir_offset;
    ext->bitmap_directory_size = dir_size;
    return 0;
}

/*
 * One extension's body. In the probe pass qemu has not yet recorded the
 * encryption method, so a crypto header always ends that pass.
 */
static int handle_extension(struct node *n, struct reader *r,
                            const struct qcow2_header *h, uint32_t magic,
                            uint64_t off, uint32_t len, bool probe_only,
                            struct qcow2_extensions *ext,
                            struct map_error *err)
{
    uint8_t b[BITMAPS_EXT_SIZE];
    uint64_t cluster_size = (uint64_t)1 << h->cluster_bits;

    switch (magic) {
    case QCOW2_EXT_BACKING_FORMAT:
        if (len >= BACKING_FORMAT_MAX)
            return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                            "ERROR: ext_backing_format: len=%u too large "
                            "(>=%u)", len, BACKING_FORMAT_MAX);
        return 0;
    case QCOW2_EXT_FEATURE_TABLE:
        if (probe_only) {
            /* A later table replaces an earlier one, as in qemu. */
            ext->has_feature_table = true;
            ext->feature_table_offset = off;
            ext->feature_table_len = len;
        }
        return 0;
    case QCOW2_EXT_CRYPTO_HEADER:
        if (probe_only || h->crypt_method != QCOW2_CRYPT_LUKS)
            return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                            "CRYPTO header extension only expected with "
                            "LUKS encryption method");
        if (len != CRYPTO_HEADER_EXT_SIZE)
            return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                            "CRYPTO header extension size %u, but expected "
                            "size %u", len, CRYPTO_HEADER_EXT_SIZE);
        if (reader_read(r, off, b, CRYPTO_HEADER_EXT_SIZE, err) < 0)
            return -1;
        if (load_be64(b) % cluster_size != 0)
            return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                            "Encryption header offset '%llu' is not a "
                            "multiple of cluster size '%u'",
                            (unsigned long long)load_be64(b),
                            (unsigned)cluster_size);
        /* qcrypto_block_open() of the LUKS payload: without --object
         * secret and encrypt.key-secret (instar has neither) it fails
         * before reading anything. */
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "Parameter 'encrypt.key-secret' is required for "
                        "cipher");
    case QCOW2_EXT_BITMAPS:
        if (len != BITMAPS_EXT_SIZE)
            return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                            "bitmaps_ext: Invalid extension length");
        if (!(h->autoclear_features & QCOW2_AUTOCLEAR_BITMAPS)) {
            warn_stale_bitmaps(n, h);
            return 0;
        }
        if (reader_read(r, off, b, BITMAPS_EXT_SIZE, err) < 0)
            return -1;
        return check_bitmaps_ext(b, h, ext, err);
    case QCOW2_EXT_DATA_FILE:
        ext->has_data_file_name = true;
        ext->data_file_name_offset = off;
        ext->data_file_name_len = len;
        return 0;
    default:
        return 0;   /* unknown extensions are kept by qemu, unused here */
    }
}

int qcow2_read_extensions(struct node *n, struct reader *r,
                          const struct qcow2_header *h, uint64_t end,
                          bool probe_only, struct qcow2_extensions *ext,
                          struct map_error *err)
{
    uint64_t off = h->header_length;
    struct map_error scratch;
    struct map_error *e = probe_only ? &scratch : err;

    while (off < end) {
        uint8_t b[EXT_HEADER_SIZE];
        uint32_t magic, len;

        if (reader_read(r, off, b, sizeof(b), e) < 0) {
            if (probe_only)
                return 0;
            err->kind = MAP_ERR_OPEN;
            return -1;
        }
        magic = load_be32(b);
        len = load_be32(b + 4);
        off += EXT_HEADER_SIZE;
        if (off > end || len > end - off) {
            if (probe_only)
                return 0;
            return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                            "Header extension too large");
        }
        if (magic == QCOW2_EXT_END)
            return 0;
        if (handle_extension(n, r, h, magic, off, len, probe_only, ext, e) <
            0) {
            if (probe_only)
                return 0;
            if (err->kind == MAP_ERR_METADATA)
                err->kind = MAP_ERR_OPEN;
            return -1;
        }
        off += ((uint64_t)len + 7) & ~(uint64_t)7;
    }
    return 0;
}

/* Append to the feature list the way g_string_append does, truncating. */
static void append(char *buf, size_t cap, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t cap, size_t *used, const char *fmt, ...)
{
    va_list ap;
    int w;

    if (*used >= cap)
        return;
    va_start(ap, fmt);
    w = vsnprintf(buf + *used, cap - *used, fmt, ap);
    va_end(ap);
    if (w > 0)
        *used += (size_t)w < cap - *used ? (size_t)w : cap - *used - 1;
}

int qcow2_report_unsupported_features(struct node *n, struct reader *r,
                                      const struct qcow2_header *h,
                                      const struct qcow2_extensions *ext,
                                      struct map_error *err)
{
    uint64_t mask = h->incompatible_features & ~(uint64_t)QCOW2_INCOMPAT_MASK;
    char list[MAP_ERR_MSG_MAX];
    size_t used = 0;
    uint64_t i;

    (void)n;
    list[0] = '\0';
    for (i = 0; ext->has_feature_table; i++) {
        uint8_t e[FEATURE_ENTRY_SIZE];
        uint64_t at = i * FEATURE_ENTRY_SIZE;
        uint64_t bit;
        size_t k;
        struct map_error ignored;

        /* qemu copies the table into a zeroed buffer two entries longer
         * than the extension: bytes past its length read as zero. */
        if (at >= ext->feature_table_len)
            break;
        if (reader_read(r, ext->feature_table_offset + at, e, sizeof(e),
                        &ignored) < 0)
            break;
        for (k = 0; k < sizeof(e); k++)
            if (at + k >= ext->feature_table_len)
                e[k] = 0;
        if (e[2] == '\0')
            break;
        if (e[0] != 0)
            continue;   /* not an incompatible feature */
        bit = (uint64_t)1 << (e[1] & 63);   /* x86 shift semantics */
        if (mask & bit) {
            if (used > 0)
                append(list, sizeof(list), &used, ", ");
            append(list, sizeof(list), &used, "%.*s", (int)FEATURE_NAME_SIZE,
                   (const char *)e + 2);
            mask &= ~bit;
        }
    }
    if (mask) {
        if (used > 0)
            append(list, sizeof(list), &used, ", ");
        append(list, sizeof(list), &used, "Unknown incompatible feature: %llx",
               (unsigned long long)mask);
    }
    return map_fail(err, MAP_ERR_OPEN, LINUX_ENOTSUP,
                    "Unsupported qcow2 feature(s): %s", list);
}
