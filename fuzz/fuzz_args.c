/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the size parser in every profile and the map option
 * parser in every CLI profile. Input: NUL-separated arguments.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "profile.h"
#include "size.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *null;
    if (!null)
        null = fopen("/dev/null", "w");
    if (size == 0 || size > 4096)
        return 0;
    char buf[4097];
    memcpy(buf, data, size);
    buf[size] = 0;

    /* every size profile on the first argument */
    for (int prof = 0; prof <= SIZE_S4; prof++) {
        uint64_t v;
        bool warn;
        size_strtosz((enum size_profile)prof, buf, &v, &warn);
    }

    /* argv: "instar", then the NUL-separated pieces */
    char *argv[64];
    int argc = 0;
    argv[argc++] = "instar";
    for (size_t i = 0; i < size && argc < 63;) {
        argv[argc++] = buf + i;
        i += strlen(buf + i) + 1;
    }
    argv[argc] = NULL;
    static const char *versions[] = { "5.2", "7.2", "8.0", "9.0", "10.0.2",
                                      "qemu-img version 10.0.13 (Debian "
                                      "1:10.0.13+ds-0+deb13u1)", "11.1" };
    struct qemu_profile p;
    if (profile_from_compat(versions[data[0] % 7], &p) != 0)
        return 0;
    char *copy[64];
    memcpy(copy, argv, sizeof(char *) * (size_t)(argc + 1));
    struct map_options o;
    map_options_parse(argc, copy, "instar", &p, &o, null, null);
    return 0;
}
