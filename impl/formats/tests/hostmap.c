/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostmap: a host-only dev tool (not part of instar) that maps a real
 * file with the format library and prints what `qemu-img map
 * --output=json` would, for diffing against real qemu-img:
 *
 *   hostmap [-f FMT] [-s START] [-l LEN] [--qemu-compat=VERSION] [--stats]
 *           FILE
 *
 * --qemu-compat takes what `instar --qemu-compat` takes (X.Y, X.Y.Z or
 * the first line of `qemu-img --version`) and selects that release's
 * profile: JSON layout, merge keys, VHD size rule, driver rules. The
 * default is the newest. Errors are printed as instar prints them, with
 * qemu-img's name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonmap.h"

static enum image_format parse_fmt(const char *s)
{
    static const struct { const char *name; enum image_format fmt; } t[] = {
        {"raw", FMT_RAW},   {"qcow2", FMT_QCOW2}, {"vmdk", FMT_VMDK},
        {"vpc", FMT_VPC},   {"vhdx", FMT_VHDX},   {"file", FMT_FILE},
    };
    size_t i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (strcmp(s, t[i].name) == 0)
            return t[i].fmt;
    return FMT_OTHER;
}

int main(int argc, char **argv)
{
    enum image_format fmt = FMT_PROBE;
    struct qemu_profile prof;
    int64_t start = 0, max_length = -1;
    const char *path = NULL, *compat = NULL;
    bool stats = false;
    struct json_result r;
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-f") == 0 && i + 1 < argc)
            fmt = parse_fmt(argv[++i]);
        else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
            start = strtoll(argv[++i], NULL, 0);
        else if (strcmp(argv[i], "-l") == 0 && i + 1 < argc)
            max_length = strtoll(argv[++i], NULL, 0);
        else if (strncmp(argv[i], "--qemu-compat=", 14) == 0)
            compat = argv[i] + 14;
        else if (strcmp(argv[i], "--stats") == 0)
            stats = true;
        else
            path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: hostmap [-f FMT] [-s START] [-l LEN] "
                        "[--qemu-compat=VERSION] [--stats] FILE\n");
        return 2;
    }
    if (!compat)
        profile_default(&prof);
    else if (profile_from_compat(compat, &prof) < 0) {
        fprintf(stderr, "hostmap: unknown release '%s'\n", compat);
        return 2;
    }
    r = instar_map_file(path, fmt, start, max_length, &prof);
    fputs(r.out, stdout);
    fputs(r.err, stderr);
    if (stats)
        fprintf(stderr, "hostmap: %lu reads (%llu bytes), %lu seeks, "
                        "%llu bytes of arena\n", r.reads, r.bytes_read,
                r.seeks, r.arena_used);
    i = r.status;
    json_result_free(&r);
    return i;
}
