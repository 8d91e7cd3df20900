/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "guest_stream.h"

#include <string.h>

#include "instar_abi.h"
#include "result_text.h"

/* Diagnostic lines a guest may send before we call it a flood. */
#define MAX_LOG_LINES 64

void guest_stream_init(struct guest_stream *s, struct render_ctx *r,
                       FILE *err, const char *prog, const char *display_name,
                       const char *(*file_name)(void *, uint32_t),
                       void *file_name_ctx, int64_t start,
                       int64_t max_length)
{
    memset(s, 0, sizeof *s);
    s->state = STREAM_WAIT_OPEN;
    s->render = r;
    s->err = err;
    s->prog = prog;
    s->display_name = display_name;
    s->file_name = file_name;
    s->file_name_ctx = file_name_ctx;
    s->start = start;
    s->max_length = max_length;
    s->next = start;
    s->exit_status = 1;
}

/* Guest text is printed only as printable ASCII, and bounded. */
static void clean_text_nl(char *out, size_t cap, const char *in,
                          bool newlines)
{
    size_t n = 0;
    for (; in && in[n] && n + 1 < cap; n++) {
        unsigned char c = (unsigned char)in[n];
        out[n] = (c >= 0x20 && c < 0x7f) || (newlines && c == '\n')
                     ? (char)c : '?';
    }
    out[n] = 0;
}

static void clean_text(char *out, size_t cap, const char *in)
{
    clean_text_nl(out, cap, in, false);
}

static int fail(struct guest_stream *s, const char *what)
{
    guest_stream_fail(s, what);
    return 1;
}

void guest_stream_notice(struct guest_stream *s, const char *text)
{
    /* Two paths at most (the name and where it leads). */
    char clean[2 * INSTAR_PATH_MAX + 256];
    clean_text(clean, sizeof clean, text);
    fprintf(s->err, "%s: %s\n", s->prog, clean);
}

void guest_stream_fail(struct guest_stream *s, const char *what)
{
    if (s->failed)
        return;
    s->failed = true;
    s->exit_status = 1;
    s->state = STREAM_DONE;
    fprintf(s->err, "%s: %s\n", s->prog, what);
}

/* qemu-img: end = MIN(start + max_length, length) in wrapping int64. */
static int64_t walk_end(int64_t start, int64_t max_length, int64_t length)
{
    if (max_length == -1)
        return length;
    int64_t sum = (int64_t)((uint64_t)start + (uint64_t)max_length);
    return sum < length ? sum : length;
}

static int on_opened(struct guest_stream *s, const Instar__MapOpened *o)
{
    if (s->state != STREAM_WAIT_OPEN)
        return fail(s, "guest protocol error: image opened twice");
    if (o->virtual_size % 512 || o->virtual_size > (uint64_t)INT64_MAX)
        return fail(s, "guest protocol error: invalid virtual size");
    s->end = walk_end(s->start, s->max_length, (int64_t)o->virtual_size);
    s->state = STREAM_WALKING;
    render_begin(s->render);
    return 0;
}

static bool empty_walk(const struct guest_stream *s)
{
    return s->start >= s->end;
}

static bool valid_extent(const struct guest_stream *s,
                         const Instar__MapExtent *e)
{
    if (e->start != (uint64_t)s->next)
        return false;
    if (empty_walk(s)) {
        /* qemu-img prints its initial, zero-length record. */
        return s->extents == 0 && e->length == 0 && e->depth == 0 &&
               !e->present && !e->zero && !e->data && !e->compressed &&
               !e->has_offset;
    }
    if (e->length == 0 || e->length > (uint64_t)(s->end - s->next))
        return false;
    if (e->depth > INSTAR_MAX_DEVICES)
        return false;
    /* The offset is only printed: qemu-img prints what its int64
     * arithmetic gives, wrapped offsets included (a vmdk flat extent at
     * sector 2^63 - 824 maps to "offset": -413696). */
    if (e->has_offset && !s->file_name(s->file_name_ctx, e->file))
        return false;
    return true;
}

static int on_extent(struct guest_stream *s, const Instar__MapExtent *e)
{
    if (s->state != STREAM_WALKING)
        return fail(s, "guest protocol error: extent outside a walk");
    if (!valid_extent(s, e))
        return fail(s, "guest protocol error: extent does not continue the "
                       "requested range");
    struct map_entry_view v = {
        .start = e->start, .length = e->length, .depth = e->depth,
        .present = e->present, .zero = e->zero, .data = e->data,
        .compressed = e->compressed, .has_offset = e->has_offset,
        .offset = e->offset,
        .filename = e->has_offset ? s->file_name(s->file_name_ctx, e->file)
                                  : "",
    };
    s->next += (int64_t)e->length;
    s->extents++;
    if (render_entry(s->render, &v) < 0) {
        /* The renderer printed qemu-img's own error. */
        s->failed = true;
        s->exit_status = 1;
        s->state = STREAM_DONE;
        return 1;
    }
    return 0;
}

static int on_log(struct guest_stream *s, const Instar__Log *l)
{
    if (++s->logs > MAX_LOG_LINES)
        return fail(s, "guest protocol error: too many diagnostics");
    char text[INSTAR_TEXT_MAX + 1];
    clean_text(text, sizeof text, l->text);
    /* The guest sends bare text: the program's name is ours to add, by
     * the same rule as every other line we print. */
    if (l->kind == INSTAR_LOG_PLAIN)
        fprintf(s->err, "%s\n", text);
    else
        fprintf(s->err, "%s: %s\n", s->prog, text);
    return 0;
}

/* The guest's errno, if it is one; anything else reads as EIO. */
static int guest_errno(const Instar__MapResult *r)
{
    return r->errnum > 0 && r->errnum < 4096 ? r->errnum : 5 /* EIO */;
}

static int on_result(struct guest_stream *s, const Instar__MapResult *r)
{
    char text[INSTAR_TEXT_MAX + 1];
    /* An open error may carry qemu's hint lines after a '\n'
     * (instar_map.h). */
    clean_text_nl(text, sizeof text, r->message,
                  r->error_kind == INSTAR_RESULT_OPEN);

    if (r->error_kind == INSTAR_RESULT_OK) {
        bool complete = empty_walk(s) ? s->extents == 1 : s->next == s->end;
        if (s->state != STREAM_WALKING || !complete ||
            r->extent_count != s->extents)
            return fail(s, "guest protocol error: walk ended early");
        render_finish(s->render);
        s->exit_status = 0;
        s->state = STREAM_DONE;
        return 1;
    }

    if (s->state == STREAM_WALKING)
        render_abort(s->render);
    bool open_error = r->error_kind == INSTAR_RESULT_OPEN ||
                      r->error_kind == INSTAR_RESULT_OPEN_ERRNO;
    if (open_error && s->state != STREAM_WAIT_OPEN)
        return fail(s, "guest protocol error: open error after open");
    /* qemu-img map prints its header before blk_getlength(). */
    if (r->error_kind == INSTAR_RESULT_LENGTH && s->state == STREAM_WAIT_OPEN)
        render_begin(s->render);
    struct result_text rt = {
        .prog = s->prog, .image = s->display_name,
        .path = s->file_name(s->file_name_ctx, 0), .kind = r->error_kind,
        .errnum = guest_errno(r), .text = text,
    };
    result_print(s->err, &rt);
    s->exit_status = 1;
    s->state = STREAM_DONE;
    s->failed = true;
    return 1;
}

int guest_stream_message(void *ctx, const Instar__GuestMessage *m)
{
    struct guest_stream *s = ctx;
    if (s->state == STREAM_DONE)
        return fail(s, "guest protocol error: message after the result");
    switch (m->body_case) {
    case INSTAR__GUEST_MESSAGE__BODY_OPENED:
        return on_opened(s, m->opened);
    case INSTAR__GUEST_MESSAGE__BODY_EXTENT:
        return on_extent(s, m->extent);
    case INSTAR__GUEST_MESSAGE__BODY_LOG:
        return on_log(s, m->log);
    case INSTAR__GUEST_MESSAGE__BODY_RESULT:
        return on_result(s, m->result);
    default:
        return fail(s, "guest protocol error: unknown message");
    }
}
