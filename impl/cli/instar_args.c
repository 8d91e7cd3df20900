#include "instar_args.h"

#include <string.h>

static const char compat_opt[] = "--qemu-compat";

int instar_args_take(int *argc, char **argv, const char **compat,
                     const char *prog, FILE *err)
{
    int in = 1, out = 1;
    size_t n = sizeof(compat_opt) - 1;

    while (in < *argc) {
        const char *a = argv[in];
        if (strcmp(a, "--") == 0) {
            break; /* everything after it belongs to map, verbatim */
        }
        if (strncmp(a, compat_opt, n) == 0 && a[n] == '=') {
            *compat = a + n + 1;
            in++;
        } else if (strcmp(a, compat_opt) == 0) {
            if (in + 1 >= *argc) {
                fprintf(err, "%s: option '%s' requires a value\n", prog,
                        compat_opt);
                return 1;
            }
            *compat = argv[in + 1];
            in += 2;
        } else {
            argv[out++] = argv[in++];
        }
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
