/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Chooses the renderer; each output's bytes live in its own file. */
#include "render_impl.h"

void render_init(struct render_ctx *r, FILE *out, FILE *err, const char *prog,
                 const struct qemu_profile *p, bool human)
{
    r->out = out;
    r->err = err;
    r->prog = prog;
    r->json = p->json;
    r->human = human;
    r->first = true;
    r->sep_pending = false;
}

void render_begin(struct render_ctx *r)
{
    if (r->human) {
        render_human_begin(r);
    } else {
        render_json_begin(r);
    }
}

int render_entry(struct render_ctx *r, const struct map_entry_view *e)
{
    int ret = 0;
    if (r->human) {
        ret = render_human_entry(r, e);
    } else {
        render_json_entry(r, e);
    }
    r->first = false;
    return ret;
}

void render_finish(struct render_ctx *r)
{
    if (!r->human) {
        render_json_finish(r);
    }
}

void render_abort(struct render_ctx *r)
{
    if (!r->human) {
        render_json_abort(r);
    }
}
