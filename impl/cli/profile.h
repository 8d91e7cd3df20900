/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which qemu-img release instar imitates. Every version-dependent
 * behaviour is one field of struct qemu_profile, and profile.c holds the
 * one table that maps versions to those fields (docs/profiles.md).
 */
#ifndef INSTAR_CLI_PROFILE_H
#define INSTAR_CLI_PROFILE_H

#include <stdint.h>

#include "instar_map.h"

/* JSON entry keys (qemu-img-map.md §1, §3.2). */
enum json_profile {
    JSON_J1, /* <= 6.0: start, length, depth, zero, data[, offset] */
    JSON_J2, /* 6.1 - 8.1: adds present */
    JSON_J3, /* 8.2+: adds compressed */
};

/* Option engine and message texts (§2.1 - §2.6). */
enum cli_profile {
    CLI_C0,     /* 5.2: as C1, but --object is acted on only after the
                 * file-name and --output checks */
    CLI_C1,     /* upstream 6.0 - 10.0, Debian 7.2: silent getopt,
                 * qemu-img's own messages */
    CLI_C1_DEB, /* Debian's 10.0.x packages: glibc messages, "more info" */
    CLI_C2,     /* 10.1+: glibc messages, "more information" */
};

/* How -s/-l strings become numbers (§2.7). */
enum size_profile {
    SIZE_S0, /* 5.2: whole string through strtod (53-bit precision) */
    SIZE_S1, /* 6.0 - 7.2: 64-bit integer part; hex with suffix warns */
    SIZE_S2, /* 8.0: hex with suffix rejected */
    SIZE_S3, /* 8.1 - 10.0: negatives are range errors, ".5k" accepted */
    SIZE_S4, /* 10.1+: parsed as S3 (only the message differs, by CLI) */
};

/*
 * A release's behaviour. The first three fields are the host's own (how
 * it parses and prints); the guest fields are protocol values
 * (impl/abi/instar_map.h) that go to the guest as they are.
 */
struct qemu_profile {
    char name[64];  /* e.g. "7.2.22", "10.0.13 (Debian)", "11.1" */
    enum json_profile json;
    enum cli_profile cli;
    enum size_profile size;
    /* for the guest */
    uint32_t merge_keys;    /* INSTAR_MERGE_*: the fields json prints */
    uint32_t vhd_size_rule; /* enum instar_vhd_size_rule (§5.4) */
    uint32_t driver_rules;  /* INSTAR_RULE_*, labelled D0-D2 in the docs:
                             * D0 5.2 none, D1 6.0-7.0 LENGTH_AT_OPEN,
                             * D2 7.1+ also PREAD_RETURNS_0 */
    int major, minor, micro;
};

/*
 * Accepts "X.Y", "X.Y.Z" or the first line of `qemu-img --version`
 * ("qemu-img version 10.0.13 (Debian 1:10.0.13+ds-0+deb13u1)"); anything
 * after the first newline is ignored, so `$(qemu-img --version)` works.
 * Returns 0, or -1 if the text is not one of those forms or names a
 * version older than 5.2. Versions newer than the table get its last row.
 */
int profile_from_compat(const char *text, struct qemu_profile *out);

/* The newest profile (11.1: J3, C2, S4, current_size). */
void profile_default(struct qemu_profile *out);

/* Short labels for messages and docs, e.g. "J3", "C1-Deb", "S4". */
const char *profile_json_label(enum json_profile j);
const char *profile_cli_label(enum cli_profile c);
const char *profile_size_label(enum size_profile s);
const char *profile_vhd_label(uint32_t vhd_size_rule);
const char *profile_driver_label(uint32_t driver_rules);

/*
 * Is `name` a block driver the release knows (its "Supported formats"
 * list)? Used for qemu's wording when -f names a driver instar does not
 * map.
 */
int profile_knows_driver(const struct qemu_profile *p, const char *name);

#endif
