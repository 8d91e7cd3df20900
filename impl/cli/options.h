/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `map` options, parsed exactly as the selected qemu-img release parses
 * them: glibc getopt_long with that release's option string and long
 * option table, its order of checks, and its message texts, with the
 * program name substituted (qemu-img-map.md §2).
 */
#ifndef INSTAR_CLI_OPTIONS_H
#define INSTAR_CLI_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "profile.h"

struct map_options {
    const char *filename;  /* points into argv */
    const char *format;    /* -f, or NULL to probe */
    bool json;             /* --output=json */
    int64_t start;         /* --start-offset, default 0 */
    int64_t max_length;    /* --max-length, -1 = none */
    bool force_share;      /* -U */
};

/*
 * argv[0] is the program as invoked (e.g. "/usr/bin/instar"); argv[1..]
 * are map's arguments, instar's own options already removed. prog is the
 * basename used as the "<prog>: " message prefix.
 *
 * C1-Deb and C2 let glibc report option errors with argv[0] set to
 * "<argv[0]> map", as qemu-img does; glibc writes those to stderr, so err
 * should be stderr to keep the order of messages. Help goes to out.
 *
 * Returns -1 when map should run, else the exit status: 0 after help,
 * 1 after an error (message already written). --image-opts and --object
 * are refused (status 1) at the point where qemu-img would act on them,
 * so every error qemu-img reports earlier is still reported first.
 */
int map_options_parse(int argc, char **argv, const char *prog,
                      const struct qemu_profile *p, struct map_options *o,
                      FILE *out, FILE *err);

#endif
