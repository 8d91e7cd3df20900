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
    enum vhd_rule vhd;
    enum driver_profile driver;
};

static const struct profile_row profile_table[] = {
    { 5, 2, JSON_J1, CLI_C0, CLI_C0,     SIZE_S0, VHD_LEGACY_CHS, DRIVER_D0 },
    { 6, 0, JSON_J1, CLI_C1, CLI_C1,     SIZE_S1, VHD_LEGACY_CHS, DRIVER_D1 },
    { 6, 1, JSON_J2, CLI_C1, CLI_C1,     SIZE_S1, VHD_LEGACY_CHS, DRIVER_D1 },
    { 7, 1, JSON_J2, CLI_C1, CLI_C1,     SIZE_S1, VHD_LEGACY_CHS, DRIVER_D2 },
    { 8, 0, JSON_J2, CLI_C1, CLI_C1,     SIZE_S2, VHD_LEGACY_CHS, DRIVER_D2 },
    { 8, 1, JSON_J2, CLI_C1, CLI_C1,     SIZE_S3, VHD_LEGACY_CHS, DRIVER_D2 },
    { 8, 2, JSON_J3, CLI_C1, CLI_C1,     SIZE_S3, VHD_LEGACY_CHS, DRIVER_D2 },
    { 10, 0, JSON_J3, CLI_C1, CLI_C1_DEB, SIZE_S3, VHD_CURRENT_SIZE, DRIVER_D2 },
    { 10, 1, JSON_J3, CLI_C2, CLI_C2,    SIZE_S4, VHD_CURRENT_SIZE, DRIVER_D2 },
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
    out->vhd = row->vhd;
    out->driver = row->driver;
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

const char *profile_vhd_label(enum vhd_rule v)
{
    switch (v) {
    case VHD_LEGACY_CHS: return "legacy CHS";
    case VHD_CURRENT_SIZE: return "current_size";
    }
    return "?";
}

const char *profile_driver_label(enum driver_profile d)
{
    switch (d) {
    case DRIVER_D0: return "D0";
    case DRIVER_D1: return "D1";
    case DRIVER_D2: return "D2";
    }
    return "?";
}
