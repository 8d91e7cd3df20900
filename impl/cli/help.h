/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Help texts. `map -h` prints what the imitated qemu-img prints; where
 * that is qemu-img's global help (C0, C1), instar prints its own global
 * help instead, as qemu-img's lists commands and drivers instar lacks.
 */
#ifndef INSTAR_CLI_HELP_H
#define INSTAR_CLI_HELP_H

#include <stdio.h>

#include "profile.h"

/* `instar --help`. */
void help_instar(FILE *out, const char *prog);

/* `map -h` of the given CLI profile, "qemu-img" replaced by prog. */
void help_map(FILE *out, const char *prog, enum cli_profile cli);

#endif
