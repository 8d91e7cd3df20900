/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JSON output, byte for byte as qemu-img's dump_map_entry(): one printf
 * per entry, numbers as signed 64-bit decimals, "offset" only when the
 * entry has one, and between entries the ",\n" of puts(",").
 */
#include <inttypes.h>

#include "render_impl.h"

static const char *json_bool(bool b)
{
    return b ? "true" : "false";
}

void render_json_begin(struct render_ctx *r)
{
    fputc('[', r->out);
}

void render_json_entry(struct render_ctx *r, const struct map_entry_view *e)
{
    if (r->sep_pending) {
        fputs(",\n", r->out);
    }
    /* qemu's MapEntry fields are int64_t: print them as such. */
    fprintf(r->out, "{ \"start\": %" PRId64 ", \"length\": %" PRId64
            ", \"depth\": %" PRId64,
            (int64_t)e->start, (int64_t)e->length, (int64_t)e->depth);
    if (r->json != JSON_J1) {
        fprintf(r->out, ", \"present\": %s", json_bool(e->present));
    }
    fprintf(r->out, ", \"zero\": %s, \"data\": %s", json_bool(e->zero),
            json_bool(e->data));
    if (r->json == JSON_J3) {
        fprintf(r->out, ", \"compressed\": %s", json_bool(e->compressed));
    }
    if (e->has_offset) {
        fprintf(r->out, ", \"offset\": %" PRId64, (int64_t)e->offset);
    }
    fputc('}', r->out);
    r->sep_pending = true;
}

void render_json_finish(struct render_ctx *r)
{
    r->sep_pending = false;
    fputs("]\n", r->out);
}

void render_json_abort(struct render_ctx *r)
{
    if (r->sep_pending) {
        fputs(",\n", r->out);
        r->sep_pending = false;
    }
}
