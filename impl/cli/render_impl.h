/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The per-output halves of render.h, dispatched by render.c. */
#ifndef INSTAR_CLI_RENDER_IMPL_H
#define INSTAR_CLI_RENDER_IMPL_H

#include "render.h"

void render_json_begin(struct render_ctx *r);
void render_json_entry(struct render_ctx *r, const struct map_entry_view *e);
void render_json_finish(struct render_ctx *r);
void render_json_abort(struct render_ctx *r);

void render_human_begin(struct render_ctx *r);
int render_human_entry(struct render_ctx *r, const struct map_entry_view *e);

#endif
