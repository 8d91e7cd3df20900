/* SPDX-License-Identifier: GPL-2.0-or-later */
/* map_strerror() must print glibc's text: qemu-img's messages embed
 * strerror(), and the guest has no libc to ask. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

Test(map_strerror, matches_glibc_for_every_errno_it_names)
{
    int named = 0;
    for (int e = 1; e < 134; e++) {
        char unknown[32];
        snprintf(unknown, sizeof(unknown), "Unknown error %d", e);
        const char *ours = map_strerror(e);
        if (strcmp(ours, unknown) == 0)
            continue;
        named++;
        cr_expect_str_eq(ours, strerror(e), "errno %d", e);
    }
    /* The errnos open(2), read(2) and lseek(2) report on a file. */
    cr_expect_geq(named, 20);
}

Test(map_strerror, names_what_open_reports_for_long_names_and_loops)
{
    cr_expect_str_eq(map_strerror(36), "File name too long");
    cr_expect_str_eq(map_strerror(40), "Too many levels of symbolic links");
    cr_expect_str_eq(map_strerror(20), "Not a directory");
}

Test(map_strerror, unknown_errno_is_numbered_like_glibc)
{
    cr_expect_str_eq(map_strerror(4000), "Unknown error 4000");
    cr_expect_str_eq(map_strerror(4000), strerror(4000));
}
