/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The words of the map operation that both sides of the VM boundary
 * speak: what the host asks for (the format named with -f, the release's
 * merge keys and block-layer rules) and what the guest answers (how a run
 * ended, what kind of diagnostic line it sends).
 *
 * These are the protocol's own values. The format library in
 * impl/formats has its own vocabulary (enum image_format, MAP_ERR_*,
 * MERGE_*, NODE_RULE_*) and never sees these; the guest translates once,
 * in guest/map_words.c, and the host never includes impl/formats. A value
 * here may only be added, never renumbered: it travels in the
 * configuration page and in guest.proto messages.
 */
#ifndef INSTAR_MAP_H
#define INSTAR_MAP_H

/* The -f value the host resolved (struct instar_map_config.format, and
 * the format the guest reports in MapOpened). */
enum instar_format {
    INSTAR_FORMAT_PROBE = 0, /* no -f: probe as qemu does */
    INSTAR_FORMAT_RAW = 1,
    INSTAR_FORMAT_QCOW2 = 2,
    INSTAR_FORMAT_VMDK = 3,
    INSTAR_FORMAT_VPC = 4,
    INSTAR_FORMAT_VHDX = 5,
    INSTAR_FORMAT_FILE = 6,  /* the protocol driver named as a format */
};
#define INSTAR_FORMAT_COUNT 7u

/*
 * How a run ended (MapResult.error_kind). The guest sends bare text; the
 * host composes the whole line, prefix included, by one rule
 * (impl/cli/guest_stream.c):
 *   OK          -
 *   OPEN        "<prog>: Could not open '<image>': <text>"; the text may
 *               hold '\n' and a hint line that qemu prints after it
 *   OPEN_ERRNO  "<prog>: Could not open '<image>': Could not open
 *               '<path>': <strerror(errnum)>" (a driver failed without a
 *               message: qemu's bdrv_open_driver() fallback)
 *   METADATA    "<prog>: Could not read file metadata: <strerror(errnum)>"
 *   LENGTH      "<prog>: Failed to get size for '<image>'"
 *   INTERNAL    "<prog>: <text>": an instar limit or a guest bug
 */
enum instar_result {
    INSTAR_RESULT_OK = 0,
    INSTAR_RESULT_OPEN = 1,
    INSTAR_RESULT_METADATA = 2,
    INSTAR_RESULT_LENGTH = 3,
    INSTAR_RESULT_INTERNAL = 4,
    INSTAR_RESULT_OPEN_ERRNO = 5,
};

/*
 * A diagnostic line (Log.kind). MESSAGE is one of qemu's error_report()
 * or warn_report() lines: the host prints "<prog>: <text>", as qemu-img
 * prefixes its own name. PLAIN is a line qemu prints without a prefix
 * (a hint after a warning): the host prints it as it is.
 */
enum instar_log_kind {
    INSTAR_LOG_MESSAGE = 0,
    INSTAR_LOG_PLAIN = 1,
};

/*
 * Longest text of a MapResult or Log, in bytes: room for qemu's longest
 * messages (two file names of PATH_MAX, or qcow2's list of every unknown
 * feature name). The host prints such text whole, as qemu-img does.
 */
#define INSTAR_TEXT_MAX 10240u

/*
 * Which MapEntry fields besides zero/data/depth/offset/file must match
 * for qemu-img to merge two neighbours (struct instar_map_config
 * .merge_keys): it compares the fields its JSON output prints.
 */
#define INSTAR_MERGE_PRESENT    (1u << 0) /* 6.1+: "present" */
#define INSTAR_MERGE_COMPRESSED (1u << 1) /* 8.2+: "compressed" */
#define INSTAR_MERGE_ALL (INSTAR_MERGE_PRESENT | INSTAR_MERGE_COMPRESSED)

/*
 * Block-layer behaviours that changed between qemu releases and show in
 * the drivers' results (struct instar_map_config.driver_rules;
 * docs/profiles.md, "drivers").
 */
/* 6.0+: bdrv_open_driver() refuses a length over BDRV_MAX_LENGTH. */
#define INSTAR_RULE_LENGTH_AT_OPEN  (1u << 0)
/* 7.1+: bdrv_pread() returns 0, not the byte count, on success. */
#define INSTAR_RULE_PREAD_RETURNS_0 (1u << 1)
#define INSTAR_RULES_ALL (INSTAR_RULE_LENGTH_AT_OPEN | INSTAR_RULE_PREAD_RETURNS_0)

/* How vpc sizes a VHD whose creator is not on qemu's list
 * (struct instar_map_config.vhd_size_rule). */
enum instar_vhd_size_rule {
    INSTAR_VHD_SIZE_CHS = 0,     /* qemu <= 9.2: from the CHS geometry */
    INSTAR_VHD_SIZE_CURRENT = 1, /* qemu 10.0+: the footer's current_size */
};

#endif
