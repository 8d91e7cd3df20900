/*
 * instar's own command-line options, taken out of argv before the
 * qemu-img-style parsing of `map` sees it.
 */
#ifndef INSTAR_CLI_INSTAR_ARGS_H
#define INSTAR_CLI_INSTAR_ARGS_H

#include <stdio.h>

#include "profile.h"

/*
 * Removes every "--qemu-compat=VER" and "--qemu-compat VER" that comes
 * before a "--" from argv (anywhere: before or after the command word),
 * compacting argv and *argc; the last one wins and is stored in *compat
 * (left alone when there is none). Returns 0, or 1 after a message when
 * the option lacks its value.
 */
int instar_args_take(int *argc, char **argv, const char **compat,
                     const char *prog, FILE *err);

/*
 * Resolves the profile: compat (from --qemu-compat), else env_compat
 * (INSTAR_QEMU_COMPAT; an empty value counts as unset), else the default.
 * Returns 0, or 1 after a message naming the accepted forms.
 */
int instar_args_profile(const char *compat, const char *env_compat,
                        struct qemu_profile *p, const char *prog, FILE *err);

#endif
