/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Freestanding protobuf encoding of GuestMessage (see guest.proto).
 *
 * proto3 rules the host's protobuf-c packer follows, and so do we: fields
 * are written in field-number order, a scalar or string equal to its
 * default (0, false, "") is left out, and the oneof member is always
 * written, even when empty. int32 values are sign-extended to 64 bits, so
 * a negative one takes ten bytes.
 */
#include "guest_encode.h"

#include "compat.h"

#define WIRE_VARINT 0u
#define WIRE_LEN    2u

/* A bounded writer: once it overflows, every later put is a no-op. */
struct pb_writer {
    uint8_t *p;
    size_t cap;
    size_t len;
    int overflow;
};

static void put_byte(struct pb_writer *w, uint8_t b)
{
    if (!w->p) { /* sizing pass: count only */
        w->len++;
        return;
    }
    if (w->len >= w->cap) {
        w->overflow = 1;
        return;
    }
    w->p[w->len++] = b;
}

static void put_varint(struct pb_writer *w, uint64_t v)
{
    while (v >= 0x80) {
        put_byte(w, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    put_byte(w, (uint8_t)v);
}

static size_t varint_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static void put_tag(struct pb_writer *w, unsigned field, unsigned wire)
{
    put_varint(w, (uint64_t)field << 3 | wire);
}

static void put_u64_field(struct pb_writer *w, unsigned field, uint64_t v)
{
    if (v == 0)
        return;
    put_tag(w, field, WIRE_VARINT);
    put_varint(w, v);
}

static void put_bool_field(struct pb_writer *w, unsigned field, int v)
{
    put_u64_field(w, field, v ? 1 : 0);
}

static void put_i32_field(struct pb_writer *w, unsigned field, int32_t v)
{
    /* int32 is encoded as the 64-bit two's complement varint. */
    put_u64_field(w, field, (uint64_t)(int64_t)v);
}

static void put_string_field(struct pb_writer *w, unsigned field,
                             const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0)
        return;
    put_tag(w, field, WIRE_LEN);
    put_varint(w, n);
    for (size_t i = 0; i < n; i++)
        put_byte(w, (uint8_t)s[i]);
}

/*
 * Messages are written twice: once by a writer with no buffer, which only
 * counts, to learn the body's size, then for real behind the length prefixes. The
 * bodies are small, so the second pass costs less than a copy would.
 */
typedef void (*body_fn)(struct pb_writer *w, const void *m);

static size_t put_message(uint8_t *buf, size_t cap, unsigned oneof_field,
                          body_fn body, const void *m)
{
    struct pb_writer sizing = { .p = NULL, .cap = 0 };
    body(&sizing, m);
    size_t body_len = sizing.len;
    /* GuestMessage = tag + varint(body_len) + body */
    size_t outer_len = varint_size((uint64_t)oneof_field << 3 | WIRE_LEN) +
                       varint_size(body_len) + body_len;

    struct pb_writer w = { .p = buf, .cap = cap };
    put_varint(&w, outer_len);
    put_tag(&w, oneof_field, WIRE_LEN);
    put_varint(&w, body_len);
    body(&w, m);
    return w.overflow ? 0 : w.len;
}

static void opened_body(struct pb_writer *w, const void *p)
{
    const struct pb_opened *m = p;
    put_u64_field(w, 1, m->virtual_size);
    put_u64_field(w, 2, m->format);
}

static void extent_body(struct pb_writer *w, const void *p)
{
    const struct map_extent *m = p;
    put_u64_field(w, 1, m->start);
    put_u64_field(w, 2, m->length);
    put_u64_field(w, 3, m->depth);
    put_bool_field(w, 4, m->present);
    put_bool_field(w, 5, m->zero);
    put_bool_field(w, 6, m->data);
    put_bool_field(w, 7, m->compressed);
    put_bool_field(w, 8, m->has_offset);
    put_u64_field(w, 9, m->offset);
    put_u64_field(w, 10, m->file);
}

static void result_body(struct pb_writer *w, const void *p)
{
    const struct pb_result *m = p;
    put_u64_field(w, 1, m->error_kind);
    put_i32_field(w, 2, m->errnum);
    put_string_field(w, 3, m->message);
    put_u64_field(w, 4, m->extent_count);
}

static void log_body(struct pb_writer *w, const void *p)
{
    const struct pb_log *m = p;
    put_string_field(w, 1, m->text);
    put_u64_field(w, 2, m->kind);
}

size_t pb_put_opened(uint8_t *buf, size_t cap, const struct pb_opened *m)
{
    return put_message(buf, cap, PB_MSG_OPENED, opened_body, m);
}

size_t pb_put_extent(uint8_t *buf, size_t cap, const struct map_extent *m)
{
    return put_message(buf, cap, PB_MSG_EXTENT, extent_body, m);
}

size_t pb_put_result(uint8_t *buf, size_t cap, const struct pb_result *m)
{
    return put_message(buf, cap, PB_MSG_RESULT, result_body, m);
}

size_t pb_put_log(uint8_t *buf, size_t cap, const struct pb_log *m)
{
    return put_message(buf, cap, PB_MSG_LOG, log_body, m);
}
