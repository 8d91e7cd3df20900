/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The qcow2 driver: open in qcow2_do_open()'s order, so that the first
 * check qemu fails is the one instar reports, and block status per
 * qcow2_co_block_status(). Features instar does not implement yet are
 * refused only after every check qemu makes has passed, so an image qemu
 * would refuse still gets qemu's message.
 */
#include "qcow2.h"

#include "compat.h"
#include "drivers.h"
#include "errnos.h"

static int open_io_fail(struct map_error *err, const char *what)
{
    int errnum = err->errnum;

    return map_fail(err, MAP_ERR_OPEN, errnum, "%s: %s", what,
                    map_strerror(errnum));
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
 * bdrv_open_child(s->image_data_file, ...): the name from the header
 * extension (up to its first NUL, as qemu reads it into a zeroed buffer)
 * is opened as given, so a relative name is relative to the working
 * directory, not to the image's directory.
 */
static int open_data_file(struct node *n, struct map_error *err)
{
    const struct io_ops *io = n->ctx->io;
    struct qcow2_state *s = n->opaque;
    uint32_t len = s->ext.data_file_name_len;
    char *name;
    uint32_t dev;
    int rc;

    name = node_alloc(n, (size_t)len + 1, "data file name", err);
    if (!name)
        return -1;
    if (len && node_pread(n->file, s->ext.data_file_name_offset, name, len,
                          err) < 0)
        return map_fail(err, MAP_ERR_OPEN, err->errnum,
                        "ERROR: Could not read data file name: %s",
                        map_strerror(err->errnum));
    name[len] = '\0';
    if (!io->open || !name[0] || has_protocol(name))
        return map_fail(err, MAP_ERR_OPEN, LINUX_ENOTSUP,
                        "qcow2 external data file '%s' is not supported by "
                        "instar yet", name);
    rc = io->open(io->ctx, name, &dev);
    if (rc < 0)
        return map_fail(err, MAP_ERR_OPEN, -rc, "Could not open '%s': %s",
                        name, map_strerror(-rc));
    s->data_file = node_open_protocol(n->ctx, dev, err);
    return s->data_file ? 0 : -1;
}

/* Steps of qcow2_do_open() between the layout checks and the backing
 * file name that can fail: table reads, encryption, data file. */
static int check_tables_and_crypto(struct node *n, struct reader *r,
                                   uint64_t ext_end, const char **unsupported,
                                   struct map_error *err)
{
    struct qcow2_state *s = n->opaque;
    const struct qcow2_header *h = &s->h;

    /* qemu reads the whole L1 table here. */
    if (h->l1_size > 0 &&
        node_past_max(h->l1_table_offset, (uint64_t)h->l1_size * 8))
        return map_fail(err, MAP_ERR_OPEN, LINUX_EIO,
                        "Could not read L1 table: %s",
                        map_strerror(LINUX_EIO));
    /* qcow2_update_options() */
    if (h->crypt_method > QCOW2_CRYPT_LUKS)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "Unsupported encryption method %d",
                        (int)h->crypt_method);
    /* qcow2_refcount_init() reads the whole refcount table. */
    if (node_past_max(h->refcount_table_offset, s->g.refcount_table_size * 8))
        return map_fail(err, MAP_ERR_OPEN, LINUX_EIO,
                        "Could not initialize refcount handling: %s",
                        map_strerror(LINUX_EIO));
    if (qcow2_read_extensions(n, r, h, ext_end, false, &s->ext, err) < 0)
        return -1;

    if (h->incompatible_features & QCOW2_INCOMPAT_DATA_FILE) {
        if (s->ext.has_data_file_name) {
            if (open_data_file(n, err) < 0)
                return -1;
        } else {
            return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                            "'data-file' is required for this image");
        }
    } else if (h->autoclear_features & QCOW2_AUTOCLEAR_DATA_FILE_RAW) {
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "data-file-raw requires a data file");
    }

    if (h->crypt_method == QCOW2_CRYPT_LUKS && !s->ext.has_crypto_header)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "Missing CRYPTO header for crypt method %d",
                        (int)h->crypt_method);
    /* qcrypto_block_open() of the legacy AES cipher: instar has no
     * --object secret / encrypt.key-secret, so this is qemu's answer. */
    if (h->crypt_method == QCOW2_CRYPT_AES)
        return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                        "Parameter 'encrypt.key-secret' is required for "
                        "cipher");
    (void)unsupported;
    return 0;
}

static int qcow2_open(struct node *n, struct map_error *err)
{
    uint8_t hb[QCOW2_HEADER_SIZE];
    const char *unsupported = NULL;
    struct qcow2_state *s;
    struct qcow2_header *h;
    struct reader r;
    uint64_t ext_end;

    s = node_alloc(n, sizeof(*s), "driver state", err);
    if (!s)
        return -1;
    n->opaque = s;
    h = &s->h;

    if (node_pread(n->file, 0, hb, sizeof(hb), err) < 0)
        return open_io_fail(err, "Could not read qcow2 header");
    qcow2_header_parse(hb, h);
    if (qcow2_header_check_basic(h, err) < 0)
        return -1;
    ext_end = h->backing_file_offset ? h->backing_file_offset
                                     : (uint64_t)1 << h->cluster_bits;
    reader_init(&r, n->file);

    if (h->incompatible_features & ~(uint64_t)QCOW2_INCOMPAT_MASK) {
        /* qemu reads the extensions once just to name the features. */
        qcow2_read_extensions(n, &r, h, ext_end, true, &s->ext, err);
        return qcow2_report_unsupported_features(n, &r, h, &s->ext, err);
    }
    if (qcow2_header_check_layout(h, &s->g, err) < 0)
        return -1;
    if (check_tables_and_crypto(n, &r, ext_end, &unsupported, err) < 0)
        return -1;

    if (h->backing_file_offset != 0) {
        uint64_t room = ((uint64_t)1 << h->cluster_bits) -
                        h->backing_file_offset;
        if (h->backing_file_size > (room < 1023 ? room : 1023) ||
            h->backing_file_size >= 1024)
            return map_fail(err, MAP_ERR_OPEN, LINUX_EINVAL,
                            "Backing file name too long");
    }
    if (qcow2_check_snapshots(n, &r, h, err) < 0)
        return -1;
    if (qcow2_check_bitmaps(n, &r, h, &s->ext, err) < 0)
        return -1;

    /* bdrv_open_driver(): the length check follows the driver's open. */
    if (node_set_sectors(n, (int64_t)(h->size / 512), err) < 0)
        return -1;

    if (!unsupported && h->backing_file_offset != 0)
        unsupported = "qcow2 images with a backing file";
    if (unsupported)
        return map_fail(err, MAP_ERR_OPEN, LINUX_ENOTSUP,
                        "%s are not supported by instar yet", unsupported);
    /* Tables are read through the metadata cache: no memory of their
     * own, whatever the image says. */
    return 0;
}

static int qcow2_block_status(struct node *n, uint64_t off, uint64_t bytes,
                              struct block_status *st, struct map_error *err)
{
    struct qcow2_state *s = n->opaque;
    struct qcow2_run run;

    if (!s->prealloc_checked) {
        struct map_error ignored;
        s->prealloc = qcow2_detect_metadata_preallocation(n, &ignored) == 1;
        s->prealloc_checked = true;
    }
    if (qcow2_find_run(n, off, bytes, &run, err) < 0)
        return -1;

    st->pnum = run.bytes;
    if (run.type == QCOW2_NORMAL || run.type == QCOW2_ZERO_ALLOC ||
        run.type == QCOW2_UNALLOCATED_ALLOC) {
        st->flags |= BS_OFFSET_VALID;
        st->map = run.host_offset;
        struct node *host = s->data_file ? s->data_file : n->file;
        st->file = host->dev;
        st->host = host;
    }
    if (run.type == QCOW2_ZERO_PLAIN || run.type == QCOW2_ZERO_ALLOC)
        st->flags |= BS_ZERO;
    else if (run.type != QCOW2_UNALLOCATED_PLAIN &&
             run.type != QCOW2_UNALLOCATED_ALLOC)
        st->flags |= BS_DATA;
    if (run.type == QCOW2_COMPRESSED)
        st->flags |= BS_COMPRESSED;
    if (s->prealloc && (st->flags & BS_DATA) && (st->flags & BS_OFFSET_VALID))
        st->flags |= BS_RECURSE;
    return 0;
}

const struct format_driver qcow2_driver = {
    .name = "qcow2",
    .open = qcow2_open,
    .block_status = qcow2_block_status,
    .supports_backing = true,
    .is_protocol = false,
};
