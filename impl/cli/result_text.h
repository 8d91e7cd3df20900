/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The stderr line of a map run that ended in an error, composed the one
 * way qemu-img composes it (the sentences are listed with enum
 * instar_result in impl/abi/instar_map.h). guest_stream.c prints the
 * guest's results with it, run_map.c the host's own open errors, and the
 * format library's test tools their results, so the wording lives here
 * only.
 */
#ifndef INSTAR_CLI_RESULT_TEXT_H
#define INSTAR_CLI_RESULT_TEXT_H

#include <stdint.h>
#include <stdio.h>

struct result_text {
    const char *prog;   /* the program's name, the line's prefix */
    const char *image;  /* the image as the user named it */
    const char *path;   /* what was opened (OPEN_ERRNO) */
    uint32_t kind;      /* enum instar_result, not OK */
    int errnum;         /* OPEN_ERRNO, METADATA: a positive errno */
    const char *text;   /* OPEN, INTERNAL: already printable */
};

void result_print(FILE *err, const struct result_text *r);

#endif
