/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The program-name rule: see program_name.h and docs/conformance.md. */
#include "program_name.h"

#include <stdlib.h>
#include <string.h>

static const char from[] = "qemu-img";
static const char to[] = "instar";

/* What follows `qemu-img` where qemu-img names itself. */
static const char *const self[] = {":", " map", " --help", " [", " version"};

static int names_itself(const char *p, size_t n)
{
    for (size_t k = 0; k < sizeof self / sizeof self[0]; k++) {
        size_t l = strlen(self[k]);
        if (l <= n && memcmp(p, self[k], l) == 0) {
            return 1;
        }
    }
    return 0;
}

char *program_name_apply(const char *text, size_t len, size_t *out_len)
{
    const size_t fl = sizeof from - 1, tl = sizeof to - 1;
    /* The result is never longer than the input (tl < fl). */
    char *out = malloc(len + 1);
    size_t o = 0, i = 0;
    if (!out) {
        return NULL;
    }
    while (i < len) {
        if (len - i >= fl && memcmp(text + i, from, fl) == 0 &&
            names_itself(text + i + fl, len - i - fl)) {
            memcpy(out + o, to, tl);
            o += tl;
            i += fl;
        } else {
            out[o++] = text[i++];
        }
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}
