/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-side map walks over host files, rendered as qemu-img's JSON by
 * instar's own renderer (impl/cli/render.h) as a chosen release does
 * (its struct qemu_profile), so tests and hostmap can compare whole
 * outputs with real qemu-img byte for byte.
 */
#ifndef INSTAR_TESTS_JSONMAP_H
#define INSTAR_TESTS_JSONMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "map.h"
#include "profile.h"

/* Result of a map: stdout and stderr text as qemu-img would print them. */
struct json_result {
    char *out;
    char *err;
    int status;
    unsigned long reads, seeks;     /* device calls the map made */
    unsigned long long bytes_read;
    unsigned long long arena_used;  /* guest memory the map needed */
};

/*
 * Map the file at path (format fmt, FMT_PROBE to probe) and render it as
 * the release of `p` does (JSON layout, merge keys, VHD and driver rules).
 * max_length -1 means none. Free with json_result_free().
 */
struct json_result instar_map_file(const char *path, enum image_format fmt,
                                   int64_t start, int64_t max_length,
                                   const struct qemu_profile *p);

/* The profile of a qemu-img binary, from its `--version` line. */
bool qemu_profile(const char *qemu_img, struct qemu_profile *out);

/* Run `qemu-img map --output=json ARGS` through the shell. */
struct json_result qemu_map(const char *qemu_img, const char *args);

void json_result_free(struct json_result *r);

/*
 * Map path with the library and with qemu_img (-f as fmt; -s/-l as
 * given, max_length -1 for none). True when stdout, stderr and exit
 * status are identical; differences are printed to stderr.
 */
bool same_as_qemu(const char *qemu_img, const char *path,
                  enum image_format fmt, int64_t start, int64_t max_length);

/* Is a program available (for skipping tests without qemu-img)? */
bool have_program(const char *path);

#endif
