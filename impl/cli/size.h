/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `-s`/`-l` values: qemu-img's cvtnum() on top of qemu_strtosz(), in each
 * generation qemu has shipped (qemu-img-map.md §2.7, docs/profiles.md).
 *
 * size_strtosz() is the pure parser. size_cvtnum() adds the range check
 * and writes qemu-img's messages; the two message writers are exported
 * so their bytes can be tested on their own.
 */
#ifndef INSTAR_CLI_SIZE_H
#define INSTAR_CLI_SIZE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "profile.h"

/*
 * qemu_strtosz() of the given generation, unit 1024, default suffix B,
 * no end pointer (trailing characters are an error). Returns 0 with
 * *value set, -EINVAL or -ERANGE. *hex_suffix_warning is set when S1
 * would have warned about a multiplier suffix on a hex number; the
 * warning comes before any error for the same string.
 */
int size_strtosz(enum size_profile prof, const char *text, uint64_t *value,
                 bool *hex_suffix_warning);

/* How cvtnum() words an unparsable value. */
enum size_message {
    SIZE_MSG_SUFFIX_HINT,   /* C0, C1: the two-line "You may use k, M, ..." */
    SIZE_MSG_QUOTED,        /* C2: "Invalid <name> specified: '<value>'" */
    SIZE_MSG_QUOTED_PERIOD, /* C1-Deb: the same with a trailing '.' */
};

enum size_message size_message_for(enum cli_profile cli);

/* "<prog>: warning: Using a multiplier suffix on hex numbers is ..." */
void size_report_hex_suffix_warning(FILE *err, const char *prog,
                                    const char *value);

/* The cvtnum() message for rc (-EINVAL or -ERANGE from size_strtosz). */
void size_report_error(FILE *err, const char *prog, enum size_message style,
                       const char *name, const char *value, int rc);

/*
 * cvtnum(name, value): the value in [0, INT64_MAX], or -1 after writing
 * the profile's message(s) to err. name is "start offset" or "max length".
 */
int64_t size_cvtnum(const struct qemu_profile *p, const char *prog,
                    const char *name, const char *value, FILE *err);

#endif
