/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "result_text.h"

#include <string.h>

#include "instar_map.h"

void result_print(FILE *err, const struct result_text *r)
{
    switch (r->kind) {
    case INSTAR_RESULT_OPEN:
        fprintf(err, "%s: Could not open '%s': %s\n", r->prog, r->image,
                r->text);
        break;
    case INSTAR_RESULT_OPEN_ERRNO:
        fprintf(err, "%s: Could not open '%s': Could not open '%s': %s\n",
                r->prog, r->image, r->path, strerror(r->errnum));
        break;
    case INSTAR_RESULT_METADATA:
        fprintf(err, "%s: Could not read file metadata: %s\n", r->prog,
                strerror(r->errnum));
        break;
    case INSTAR_RESULT_LENGTH:
        fprintf(err, "%s: Failed to get size for '%s'\n", r->prog, r->image);
        break;
    default:
        fprintf(err, "%s: %s\n", r->prog,
                r->text && r->text[0] ? r->text
                                      : "the guest reported an unknown error");
        break;
    }
}
