/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * instar's own command-line options, taken out of argv before the
 * qemu-img-style parsing of `map` sees it.
 */
#ifndef INSTAR_CLI_INSTAR_ARGS_H
#define INSTAR_CLI_INSTAR_ARGS_H

#include <stdio.h>

#include "profile.h"

#define INSTAR_MAX_ALLOW_PATHS 16

/* instar's own options. */
struct instar_options {
    const char *compat;   /* --qemu-compat, or NULL */
    const char *allow_paths[INSTAR_MAX_ALLOW_PATHS]; /* --allow-path */
    size_t allow_count;
};

/*
 * Removes every "--qemu-compat[=| ]VER" and "--allow-path[=| ]DIR" that
 * comes before a "--" from argv (anywhere: before or after the command
 * word), compacting argv and *argc. For --qemu-compat the last one wins;
 * --allow-path accumulates. Returns 0, or 1 after a message when an
 * option lacks its value or too many directories are given.
 */
int instar_args_take(int *argc, char **argv, struct instar_options *o,
                     const char *prog, FILE *err);

/*
 * Resolves the profile: compat (from --qemu-compat), else env_compat
 * (INSTAR_QEMU_COMPAT; an empty value counts as unset), else the default.
 * Returns 0, or 1 after a message naming the accepted forms.
 */
int instar_args_profile(const char *compat, const char *env_compat,
                        struct qemu_profile *p, const char *prog, FILE *err);

/*
 * A whole number of seconds from instar's environment variable NAME
 * (INSTAR_TIMEOUT_SECONDS, INSTAR_IDLE_SECONDS) with value VALUE: unset
 * (NULL) or empty gives fallback; otherwise it must be decimal digits
 * only, 1..max. Returns 0 with *out set, or 1 after a message naming the
 * variable, the value and the accepted range.
 */
int instar_env_seconds(const char *name, const char *value, unsigned fallback,
                       unsigned max, unsigned *out, const char *prog,
                       FILE *err);

#endif
