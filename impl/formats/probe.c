/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu's per-driver probe functions, one scorer each, in qemu's terms.
 * Only the winner matters; scores are kept so that ties and the weak
 * (score 2) probes of cloop and dmg resolve exactly as in qemu.
 */
#include "probe.h"

#include <stdbool.h>

#include "compat.h"
#include "endian.h"

#define SCORE_MAGIC 100
#define SCORE_WEAK  2
#define SCORE_RAW   1

static bool has_bytes(const uint8_t *buf, size_t len, size_t off,
                      const char *magic, size_t mlen)
{
    return len >= off + mlen && memcmp(buf + off, magic, mlen) == 0;
}

/* qcow2 and qcow share the magic and split on the version (>= 2 / == 1). */
static int score_qcow_family(const uint8_t *buf, size_t len, size_t hdr_size,
                             bool v1)
{
    uint32_t version;

    if (len < hdr_size || !has_bytes(buf, len, 0, "QFI\xfb", 4))
        return 0;
    version = load_be32(buf + 4);
    if (v1)
        return version == 1 ? SCORE_MAGIC : 0;
    return version >= 2 ? SCORE_MAGIC : 0;
}

static bool is_version_line(const char *p, size_t left)
{
    static const char *const lines[] = {
        "version=1\n", "version=2\n", "version=3\n",
        "version=1\r\n", "version=2\r\n", "version=3\r\n",
    };
    size_t i;

    for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        size_t n = strlen(lines[i]);
        if (left >= n && memcmp(p, lines[i], n) == 0)
            return true;
    }
    return false;
}

/*
 * vmdk: binary magic, or a text descriptor whose first line that is not a
 * '#' comment or a line of spaces reads "version=1|2|3" (LF or CRLF).
 * Note qemu accepts a blank line only if it holds at least one space.
 */
static int score_vmdk(const uint8_t *buf, size_t len)
{
    const char *p = (const char *)buf;
    const char *end = p + len;

    if (len < 4)
        return 0;
    if (has_bytes(buf, len, 0, "COWD", 4) || has_bytes(buf, len, 0, "KDMV", 4))
        return SCORE_MAGIC;
    while (p < end) {
        if (*p == '#') {
            while (p < end && *p != '\n')
                p++;
            p++;
            continue;
        }
        if (*p == ' ') {
            while (p < end && *p == ' ')
                p++;
            if (p < end && *p == '\r')
                p++;
            if (p == end || *p != '\n')
                return 0;
            p++;
            continue;
        }
        return is_version_line(p, (size_t)(end - p)) ? SCORE_MAGIC : 0;
    }
    return 0;
}

static int score_vdi(const uint8_t *buf, size_t len)
{
    /* VdiHeader is 512 bytes; the signature follows a 64-byte text. */
    if (len < 512)
        return 0;
    return load_le32(buf + 64) == 0xbeda107fu ? SCORE_MAGIC : 0;
}

static int score_qed(const uint8_t *buf, size_t len)
{
    /* QEDHeader is 68 bytes. */
    return len >= 68 && has_bytes(buf, len, 0, "QED\0", 4) ? SCORE_MAGIC : 0;
}

static int score_parallels(const uint8_t *buf, size_t len)
{
    if (len < 64)
        return 0;
    if (!has_bytes(buf, len, 0, "WithoutFreeSpace", 16) &&
        !has_bytes(buf, len, 0, "WithouFreSpacExt", 16))
        return 0;
    return load_le32(buf + 16) == 2 ? SCORE_MAGIC : 0;
}

static int score_luks(const uint8_t *buf, size_t len)
{
    /* magic[6], version be16; qemu needs the bytes up to cipher_name. */
    if (len < 8 || !has_bytes(buf, len, 0, "LUKS\xba\xbe", 6))
        return 0;
    return load_be16(buf + 6) == 1 ? SCORE_MAGIC : 0;
}

static int score_bochs(const uint8_t *buf, size_t len)
{
    uint32_t version;

    /* strcmp() on the fixed fields: the terminating NUL must match too. */
    if (len < 512 || !has_bytes(buf, len, 0, "Bochs Virtual HD Image", 23) ||
        !has_bytes(buf, len, 32, "Redolog", 8) ||
        !has_bytes(buf, len, 48, "Growing", 8))
        return 0;
    version = load_le32(buf + 64);
    return version == 0x00020000u || version == 0x00010000u ? SCORE_MAGIC : 0;
}

static int score_cloop(const uint8_t *buf, size_t len)
{
    static const char magic[] = "#!/bin/sh\n"
        "#V2.0 Format\n"
        "modprobe cloop file=$0 && mount -r -t iso9660 /dev/cloop $1\n";
    size_t n = sizeof(magic) - 1;

    if (n > len)
        n = len;
    return memcmp(magic, buf, n) == 0 ? SCORE_WEAK : 0;
}

static int score_dmg(const char *filename)
{
    size_t n;

    if (!filename)
        return 0;
    n = strlen(filename);
    return n > 4 && strcmp(filename + n - 4, ".dmg") == 0 ? SCORE_WEAK : 0;
}

struct candidate {
    enum image_format fmt;
    const char *driver;
    int score;
};

struct probe_result probe_image(const uint8_t *buf, size_t len,
                                const char *filename)
{
    /* Magic-based drivers never tie with each other; among the weak
     * probes cloop is consulted before dmg. */
    const struct candidate c[] = {
        {FMT_QCOW2, "qcow2", score_qcow_family(buf, len, 112, false)},
        {FMT_OTHER, "qcow", score_qcow_family(buf, len, 48, true)},
        {FMT_VMDK, "vmdk", score_vmdk(buf, len)},
        {FMT_VPC, "vpc", has_bytes(buf, len, 0, "conectix", 8) ? SCORE_MAGIC
                                                              : 0},
        {FMT_VHDX, "vhdx", has_bytes(buf, len, 0, "vhdxfile", 8) ? SCORE_MAGIC
                                                                : 0},
        {FMT_OTHER, "vdi", score_vdi(buf, len)},
        {FMT_OTHER, "qed", score_qed(buf, len)},
        {FMT_OTHER, "parallels", score_parallels(buf, len)},
        {FMT_OTHER, "luks", score_luks(buf, len)},
        {FMT_OTHER, "bochs", score_bochs(buf, len)},
        {FMT_OTHER, "cloop", score_cloop(buf, len)},
        {FMT_OTHER, "dmg", score_dmg(filename)},
    };
    struct probe_result r = {FMT_RAW, "raw"};
    int best = SCORE_RAW;
    size_t i;

    for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        if (c[i].score > best) {
            best = c[i].score;
            r.fmt = c[i].fmt;
            r.driver = c[i].driver;
        }
    }
    return r;
}
