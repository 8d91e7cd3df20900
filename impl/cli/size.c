/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img's cvtnum(): a size in [0, INT64_MAX] or one of its messages.
 * The texts are per CLI profile, because Debian's 10.0 patch and the 10.1
 * rework each reworded the "invalid" message (qemu-img-map.md §2.7).
 */
#include "size.h"

#include <errno.h>
#include <inttypes.h>

enum size_message size_message_for(enum cli_profile cli)
{
    switch (cli) {
    case CLI_C0:
    case CLI_C1:
        return SIZE_MSG_SUFFIX_HINT;
    case CLI_C1_DEB:
        return SIZE_MSG_QUOTED_PERIOD;
    case CLI_C2:
        return SIZE_MSG_QUOTED;
    }
    return SIZE_MSG_QUOTED;
}

void size_report_hex_suffix_warning(FILE *err, const char *prog,
                                    const char *value)
{
    fprintf(err, "%s: warning: Using a multiplier suffix on hex numbers "
            "is deprecated: %s\n", prog, value);
}

void size_report_error(FILE *err, const char *prog, enum size_message style,
                       const char *name, const char *value, int rc)
{
    if (rc == -ERANGE) {
        fprintf(err, "%s: Invalid %s specified. Must be between 0 and "
                "%" PRId64 ".\n", prog, name, INT64_MAX);
        return;
    }
    switch (style) {
    case SIZE_MSG_SUFFIX_HINT:
        fprintf(err, "%s: Invalid %s specified. You may use "
                "k, M, G, T, P or E suffixes for\n", prog, name);
        fprintf(err, "%s: kilobytes, megabytes, gigabytes, terabytes, "
                "petabytes and exabytes.\n", prog);
        break;
    case SIZE_MSG_QUOTED:
        fprintf(err, "%s: Invalid %s specified: '%s'\n", prog, name, value);
        break;
    case SIZE_MSG_QUOTED_PERIOD:
        fprintf(err, "%s: Invalid %s specified: '%s'.\n", prog, name, value);
        break;
    }
}

int64_t size_cvtnum(const struct qemu_profile *p, const char *prog,
                    const char *name, const char *value, FILE *err)
{
    uint64_t res = 0;
    bool warn;
    int rc = size_strtosz(p->size, value, &res, &warn);

    if (warn) {
        size_report_hex_suffix_warning(err, prog, value);
    }
    if (rc == 0 && res > (uint64_t)INT64_MAX) {
        rc = -ERANGE;
    }
    if (rc != 0) {
        size_report_error(err, prog, size_message_for(p->cli), name, value,
                          rc == -ERANGE ? -ERANGE : -EINVAL);
        return -1;
    }
    return (int64_t)res;
}
