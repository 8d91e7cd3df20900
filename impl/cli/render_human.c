/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Human output (qemu-img-map.md §3.1, §4.5). qemu prints only data that
 * is not zero, as "%#-16x" columns: "0" for zero, no truncation, so from
 * 2^52 up a column fills its 16 characters and touches the next.
 */
#include <inttypes.h>

#include "render_impl.h"

void render_human_begin(struct render_ctx *r)
{
    fprintf(r->out, "%-16s%-16s%-16s%s\n", "Offset", "Length", "Mapped to",
            "File");
}

int render_human_entry(struct render_ctx *r, const struct map_entry_view *e)
{
    /*
     * qemu rewrites each later entry's flags to zero=true when it is not
     * plain data, so "data without offset" stops the run for any entry
     * that is not zero, and for the first entry even when it is zero.
     */
    if (e->data && !e->has_offset && (r->first || !e->zero)) {
        fprintf(r->err, "%s: File contains external, encrypted or compressed "
                "clusters.\n", r->prog);
        return -1;
    }
    if (e->data && !e->zero) {
        fprintf(r->out, "%#-16" PRIx64 "%#-16" PRIx64 "%#-16" PRIx64 "%s\n",
                e->start, e->length, e->has_offset ? e->offset : 0,
                e->filename ? e->filename : "");
    }
    return 0;
}
