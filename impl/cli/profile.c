/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The version table. Each row holds from its release until the next row's;
 * the last row also covers releases newer than any we have seen. Evidence
 * for every boundary is in docs/profiles.md and qemu-img-map.md §1.
 */
#include "profile.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct profile_row {
    int major, minor;          /* first release of the row */
    enum json_profile json;
    enum cli_profile cli;      /* upstream builds and most Debian ones */
    enum cli_profile cli_debian; /* Debian's packages of this series */
    enum size_profile size;
    /* protocol values for the guest (impl/abi/instar_map.h) */
    uint32_t merge_keys;
    uint32_t vhd_size_rule;
    uint32_t driver_rules;
};

/* Short names for the table's guest columns. */
#define M_J1 0u
#define M_J2 INSTAR_MERGE_PRESENT
#define M_J3 (INSTAR_MERGE_PRESENT | INSTAR_MERGE_COMPRESSED)
#define V_CHS INSTAR_VHD_SIZE_CHS
#define V_CUR INSTAR_VHD_SIZE_CURRENT
#define D0 0u
#define D1 INSTAR_RULE_LENGTH_AT_OPEN
#define D2 (INSTAR_RULE_LENGTH_AT_OPEN | INSTAR_RULE_PREAD_RETURNS_0)

static const struct profile_row profile_table[] = {
    { 5, 2, JSON_J1, CLI_C0, CLI_C0,      SIZE_S0, M_J1, V_CHS, D0 },
    { 6, 0, JSON_J1, CLI_C1, CLI_C1,      SIZE_S1, M_J1, V_CHS, D1 },
    { 6, 1, JSON_J2, CLI_C1, CLI_C1,      SIZE_S1, M_J2, V_CHS, D1 },
    { 7, 1, JSON_J2, CLI_C1, CLI_C1,      SIZE_S1, M_J2, V_CHS, D2 },
    { 8, 0, JSON_J2, CLI_C1, CLI_C1,      SIZE_S2, M_J2, V_CHS, D2 },
    { 8, 1, JSON_J2, CLI_C1, CLI_C1,      SIZE_S3, M_J2, V_CHS, D2 },
    { 8, 2, JSON_J3, CLI_C1, CLI_C1,      SIZE_S3, M_J3, V_CHS, D2 },
    { 10, 0, JSON_J3, CLI_C1, CLI_C1_DEB, SIZE_S3, M_J3, V_CUR, D2 },
    { 10, 1, JSON_J3, CLI_C2, CLI_C2,     SIZE_S4, M_J3, V_CUR, D2 },
};

/*
 * The block drivers qemu-img knows by name (the "Supported formats" of
 * its --help), from the first release whose build lists them to the last
 * (0.0: still there). The lists are those of the Debian builds recorded
 * in baselines/versions.tsv: which drivers a binary has is as much a
 * build option as a release fact (Debian's 5.2 lacks parallels, its
 * 10.0.2 backport the libblkio drivers, its 11.1 gluster).
 */
static const struct known_driver {
    const char *name;
    int since_major, since_minor;
    int until_major, until_minor;
} known_drivers[] = {
    { "blkdebug", 5, 2, 0, 0 },       { "blklogwrites", 5, 2, 0, 0 },
    { "blkverify", 5, 2, 0, 0 },      { "bochs", 5, 2, 0, 0 },
    { "cloop", 5, 2, 0, 0 },          { "compress", 5, 2, 0, 0 },
    { "copy-before-write", 6, 0, 0, 0 },
    { "copy-on-read", 5, 2, 0, 0 },   { "dmg", 5, 2, 0, 0 },
    { "file", 5, 2, 0, 0 },           { "ftp", 5, 2, 0, 0 },
    { "ftps", 5, 2, 0, 0 },           { "gluster", 5, 2, 11, 0 },
    { "host_cdrom", 5, 2, 0, 0 },     { "host_device", 5, 2, 0, 0 },
    { "http", 5, 2, 0, 0 },           { "https", 5, 2, 0, 0 },
    { "io_uring", 10, 0, 0, 0 },      { "iscsi", 5, 2, 0, 0 },
    { "iser", 5, 2, 0, 0 },           { "luks", 5, 2, 0, 0 },
    { "nbd", 5, 2, 0, 0 },            { "nfs", 5, 2, 0, 0 },
    { "null-aio", 5, 2, 0, 0 },       { "null-co", 5, 2, 0, 0 },
    { "nvme", 5, 2, 0, 0 },           { "nvme-io_uring", 10, 0, 0, 0 },
    { "parallels", 6, 0, 0, 0 },      { "preallocate", 6, 0, 0, 0 },
    { "qcow", 5, 2, 0, 0 },           { "qcow2", 5, 2, 0, 0 },
    { "qed", 5, 2, 0, 0 },            { "quorum", 5, 2, 0, 0 },
    { "raw", 5, 2, 0, 0 },            { "rbd", 5, 2, 0, 0 },
    { "replication", 5, 2, 0, 0 },    { "snapshot-access", 6, 0, 0, 0 },
    { "ssh", 5, 2, 0, 0 },            { "throttle", 5, 2, 0, 0 },
    { "vdi", 5, 2, 0, 0 },            { "vhdx", 5, 2, 0, 0 },
    { "virtio-blk-vfio-pci", 10, 0, 0, 0 },
    { "virtio-blk-vhost-user", 10, 0, 0, 0 },
    { "virtio-blk-vhost-vdpa", 10, 0, 0, 0 },
    { "vmdk", 5, 2, 0, 0 },           { "vpc", 5, 2, 0, 0 },
    { "vvfat", 5, 2, 0, 0 },
};

#define TABLE_LEN (sizeof(profile_table) / sizeof(profile_table[0]))

/* The release the default profile stands for. */
#define DEFAULT_MAJOR 11
#define DEFAULT_MINOR 1

static const char version_prefix[] = "qemu-img version ";

static bool version_before(int major, int minor, int r_major, int r_minor)
{
    return major < r_major || (major == r_major && minor < r_minor);
}

static const struct profile_row *row_for(int major, int minor)
{
    const struct profile_row *row = NULL;
    for (size_t i = 0; i < TABLE_LEN; i++) {
        if (version_before(major, minor, profile_table[i].major,
                           profile_table[i].minor)) {
            break;
        }
        row = &profile_table[i];
    }
    return row;
}

/* One decimal component of at most 3 digits; returns chars used, 0 if none. */
static size_t parse_component(const char *s, size_t len, int *out)
{
    size_t n = 0;
    int v = 0;
    while (n < len && n < 4 && s[n] >= '0' && s[n] <= '9') {
        v = v * 10 + (s[n] - '0');
        n++;
    }
    if (n == 0 || n > 3) {
        return 0;
    }
    *out = v;
    return n;
}

/* "X.Y" or "X.Y.Z" filling exactly len chars. */
static bool parse_version(const char *s, size_t len, int *major, int *minor,
                          int *micro)
{
    size_t n = parse_component(s, len, major);
    if (n == 0 || n == len || s[n] != '.') {
        return false;
    }
    size_t m = parse_component(s + n + 1, len - n - 1, minor);
    if (m == 0) {
        return false;
    }
    n += 1 + m;
    *micro = 0;
    if (n == len) {
        return true;
    }
    if (s[n] != '.') {
        return false;
    }
    m = parse_component(s + n + 1, len - n - 1, micro);
    return m != 0 && n + 1 + m == len;
}

/*
 * qemu numbers release candidates of X.Y+1 as X.Y.90, X.Y.91, ... and
 * the release after X.2 is X+1.0, so an rc build behaves like the
 * release it leads to.
 */
static void release_for(int *major, int *minor, int micro)
{
    if (micro < 90) {
        return;
    }
    if (*minor >= 2) {
        (*major)++;
        *minor = 0;
    } else {
        (*minor)++;
    }
}

static void fill(struct qemu_profile *out, const char *name, int major,
                 int minor, int micro, bool debian)
{
    int rel_major = major, rel_minor = minor;
    release_for(&rel_major, &rel_minor, micro);
    const struct profile_row *row = row_for(rel_major, rel_minor);

    memset(out, 0, sizeof(*out));
    snprintf(out->name, sizeof(out->name), "%s", name);
    out->json = row->json;
    out->cli = debian ? row->cli_debian : row->cli;
    out->size = row->size;
    out->merge_keys = row->merge_keys;
    out->vhd_size_rule = row->vhd_size_rule;
    out->driver_rules = row->driver_rules;
    out->major = major;
    out->minor = minor;
    out->micro = micro;
}

int profile_from_compat(const char *text, struct qemu_profile *out)
{
    size_t len = strcspn(text, "\n");
    const char *ver = text;
    size_t ver_len = len;
    bool debian = false;

    if (len >= sizeof(version_prefix) - 1 &&
        memcmp(text, version_prefix, sizeof(version_prefix) - 1) == 0) {
        /* `qemu-img --version`: "<prefix>X.Y.Z[ (package)]" */
        ver = text + sizeof(version_prefix) - 1;
        ver_len = len - (sizeof(version_prefix) - 1);
        const char *paren = memchr(ver, ' ', ver_len);
        if (paren) {
            size_t rest = ver_len - (size_t)(paren - ver);
            if (rest < 3 || paren[1] != '(' || paren[rest - 1] != ')') {
                return -1;
            }
            debian = rest >= 9 && memcmp(paren + 2, "Debian ", 7) == 0;
            ver_len = (size_t)(paren - ver);
        }
    }

    int major, minor, micro;
    if (!parse_version(ver, ver_len, &major, &minor, &micro)) {
        return -1;
    }
    int rel_major = major, rel_minor = minor;
    release_for(&rel_major, &rel_minor, micro);
    if (version_before(rel_major, rel_minor, profile_table[0].major,
                       profile_table[0].minor)) {
        return -1;
    }

    char name[sizeof(out->name)];
    snprintf(name, sizeof(name), "%.*s%s", (int)ver_len, ver,
             debian ? " (Debian)" : "");
    fill(out, name, major, minor, micro, debian);
    return 0;
}

void profile_default(struct qemu_profile *out)
{
    char name[16];
    snprintf(name, sizeof(name), "%d.%d", DEFAULT_MAJOR, DEFAULT_MINOR);
    fill(out, name, DEFAULT_MAJOR, DEFAULT_MINOR, 0, false);
}

const char *profile_json_label(enum json_profile j)
{
    switch (j) {
    case JSON_J1: return "J1";
    case JSON_J2: return "J2";
    case JSON_J3: return "J3";
    }
    return "?";
}

const char *profile_cli_label(enum cli_profile c)
{
    switch (c) {
    case CLI_C0: return "C0";
    case CLI_C1: return "C1";
    case CLI_C1_DEB: return "C1-Deb";
    case CLI_C2: return "C2";
    }
    return "?";
}

const char *profile_size_label(enum size_profile s)
{
    switch (s) {
    case SIZE_S0: return "S0";
    case SIZE_S1: return "S1";
    case SIZE_S2: return "S2";
    case SIZE_S3: return "S3";
    case SIZE_S4: return "S4";
    }
    return "?";
}

const char *profile_vhd_label(uint32_t vhd_size_rule)
{
    switch (vhd_size_rule) {
    case INSTAR_VHD_SIZE_CHS: return "legacy CHS";
    case INSTAR_VHD_SIZE_CURRENT: return "current_size";
    }
    return "?";
}

const char *profile_driver_label(uint32_t driver_rules)
{
    switch (driver_rules) {
    case D0: return "D0";
    case D1: return "D1";
    case D2: return "D2";
    }
    return "?";
}

int profile_knows_driver(const struct qemu_profile *p, const char *name)
{
    int major = p->major, minor = p->minor;
    release_for(&major, &minor, p->micro);
    for (size_t i = 0; i < sizeof known_drivers / sizeof known_drivers[0];
         i++) {
        const struct known_driver *d = &known_drivers[i];
        if (strcmp(d->name, name) != 0)
            continue;
        if (version_before(major, minor, d->since_major, d->since_minor))
            return 0;
        return d->until_major == 0 ||
               version_before(major, minor, d->until_major, d->until_minor);
    }
    return 0;
}
