/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "instar_args.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char compat_opt[] = "--qemu-compat";
static const char allow_opt[] = "--allow-path";

/* Matches "NAME=value" or "NAME value": sets *value and how many argv
 * elements it used (0: not this option; -1: value missing). */
static int match(const char *name, int in, int argc, char **argv,
                 const char **value)
{
    const char *a = argv[in];
    size_t n = strlen(name);
    if (strncmp(a, name, n) == 0 && a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (strcmp(a, name) != 0)
        return 0;
    if (in + 1 >= argc)
        return -1;
    *value = argv[in + 1];
    return 2;
}

int instar_args_take(int *argc, char **argv, struct instar_options *o,
                     const char *prog, FILE *err)
{
    int in = 1, out = 1;

    while (in < *argc) {
        const char *value = NULL;
        if (strcmp(argv[in], "--") == 0) {
            break; /* everything after it belongs to map, verbatim */
        }
        int used = match(compat_opt, in, *argc, argv, &value);
        const char *opt = compat_opt;
        if (used == 0) {
            used = match(allow_opt, in, *argc, argv, &value);
            opt = allow_opt;
        }
        if (used < 0) {
            fprintf(err, "%s: option '%s' requires a value\n", prog, opt);
            return 1;
        }
        if (used == 0) {
            argv[out++] = argv[in++];
            continue;
        }
        if (opt == compat_opt) {
            o->compat = value;
        } else if (o->allow_count < INSTAR_MAX_ALLOW_PATHS) {
            o->allow_paths[o->allow_count++] = value;
        } else {
            fprintf(err, "%s: too many --allow-path options (limit %d)\n",
                    prog, INSTAR_MAX_ALLOW_PATHS);
            return 1;
        }
        in += used;
    }
    while (in < *argc) {
        argv[out++] = argv[in++];
    }
    argv[out] = NULL;
    *argc = out;
    return 0;
}

int instar_args_profile(const char *compat, const char *env_compat,
                        struct qemu_profile *p, const char *prog, FILE *err)
{
    const char *source = "--qemu-compat";
    if (!compat && env_compat && env_compat[0]) {
        compat = env_compat;
        source = "INSTAR_QEMU_COMPAT";
    }
    if (!compat) {
        profile_default(p);
        return 0;
    }
    if (profile_from_compat(compat, p) == 0) {
        return 0;
    }
    fprintf(err, "%s: unsupported %s value '%s'\n", prog, source, compat);
    fprintf(err, "%s: expected X.Y or X.Y.Z (qemu-img 5.2 or later), or the "
            "first line of `qemu-img --version`,\n", prog);
    fprintf(err, "%s: e.g. '7.2', '10.0.2' or 'qemu-img version 10.0.13 "
            "(Debian 1:10.0.13+ds-0+deb13u1)'\n", prog);
    return 1;
}

int instar_env_seconds(const char *name, const char *value, unsigned fallback,
                       unsigned max, unsigned *out, const char *prog,
                       FILE *err)
{
    if (!value || !value[0]) {
        *out = fallback;
        return 0;
    }
    /* Digits only: strtoul alone would take " 5", "+5" and "-1". */
    bool digits = true;
    for (const char *c = value; *c; c++)
        digits = digits && *c >= '0' && *c <= '9';
    char *end = NULL;
    errno = 0;
    unsigned long n = digits ? strtoul(value, &end, 10) : 0;
    if (!digits || errno || *end || n == 0 || n > max) {
        fprintf(err, "%s: invalid %s value '%s': expected a whole number of "
                "seconds from 1 to %u\n", prog, name, value, max);
        return 1;
    }
    *out = (unsigned)n;
    return 0;
}
