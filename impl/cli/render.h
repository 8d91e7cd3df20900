/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The two map outputs, streamed one entry at a time in constant memory
 * (qemu-img-map.md §3, §4.5). render.c picks the renderer; render_json.c
 * and render_human.c each know one byte layout.
 *
 * Call order for one run: render_begin() once the image is open; then
 * render_entry() for each merged entry, at the moment qemu-img would
 * print it (when its successor is known, the last one after the walk);
 * then render_finish() after a successful walk, or render_abort() when
 * the walk fails, *before* printing the walk's error message. stdout is
 * buffered and stderr is not, so this keeps the bytes, and when both go
 * to one pipe their interleaving, as qemu-img produced them.
 */
#ifndef INSTAR_CLI_RENDER_H
#define INSTAR_CLI_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "profile.h"

/* One merged extent, already validated by the caller. */
struct map_entry_view {
    uint64_t start, length;
    uint32_t depth;
    bool present, zero, data, compressed, has_offset;
    uint64_t offset;
    const char *filename; /* human output only; NULL prints as "" */
};

struct render_ctx {
    FILE *out;              /* stdout */
    FILE *err;              /* stderr */
    const char *prog;       /* "<prog>: " prefix of messages */
    enum json_profile json; /* key set of JSON entries */
    bool human;             /* human output instead of JSON */
    bool first;             /* no entry rendered yet */
    bool sep_pending;       /* JSON: ",\n" owed before the next entry */
};

/* Sets up r (first = true, nothing pending) from its arguments. */
void render_init(struct render_ctx *r, FILE *out, FILE *err, const char *prog,
                 const struct qemu_profile *p, bool human);

/* The human header line, or JSON's "[". */
void render_begin(struct render_ctx *r);

/*
 * One entry. Returns 0, or -1 when human output cannot show it (data
 * without a host offset): the message is on r->err and the run must end
 * with exit status 1 and no further output.
 */
int render_entry(struct render_ctx *r, const struct map_entry_view *e);

/* After the last entry of a successful walk: JSON's "]\n". */
void render_finish(struct render_ctx *r);

/* The walk failed after some entries: JSON's owed ",\n" (qemu printed it
 * with the entry), and no closing bracket. */
void render_abort(struct render_ctx *r);

#endif
