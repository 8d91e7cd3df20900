/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Runs one `instar map` after option parsing: boots the guest, streams its
 * messages into the renderer. Implemented in run_map.c (VMM side).
 */
#ifndef INSTAR_CLI_RUN_MAP_H
#define INSTAR_CLI_RUN_MAP_H

#include "instar_args.h"
#include "options.h"
#include "profile.h"

/* Returns the process exit status (0 or 1); all output already written. */
int run_map(const struct map_options *o, const struct instar_options *io,
            const struct qemu_profile *p, const char *prog);

#endif
