/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Batching of GuestMessages. Each hypercall exit costs microseconds, more
 * than qemu-img spends per extent, so messages are packed into the batch
 * region and handed over tens of KiB at a time, never one by one.
 */
#include "guest.h"
#include "guest_mem.h"
#include "guest_encode.h"
#include "hypercall.h"
#include "instar_abi.h"

#define batch ((uint8_t *)GUEST_PTR(GUEST_EMIT_ADDR))
static size_t batch_len;

void emit_flush(void)
{
    if (batch_len == 0)
        return;
    int64_t rc = hc_emit(batch, batch_len);
    batch_len = 0;
    if (rc < 0) /* the host refused the batch: it has already failed */
        hc_exit(1);
}

typedef size_t (*put_fn)(uint8_t *buf, size_t cap, const void *m);

static void append(put_fn put, const void *m)
{
    size_t n = put(batch + batch_len, GUEST_EMIT_SIZE - batch_len, m);
    if (n == 0) {
        emit_flush();
        n = put(batch, GUEST_EMIT_SIZE, m);
        if (n == 0)
            panic("message larger than the batch buffer");
    }
    batch_len += n;
}

static size_t put_opened(uint8_t *b, size_t c, const void *m)
{
    return pb_put_opened(b, c, m);
}

static size_t put_extent(uint8_t *b, size_t c, const void *m)
{
    return pb_put_extent(b, c, m);
}

static size_t put_result(uint8_t *b, size_t c, const void *m)
{
    return pb_put_result(b, c, m);
}

static size_t put_log(uint8_t *b, size_t c, const void *m)
{
    return pb_put_log(b, c, m);
}

void emit_opened(uint64_t virtual_size, uint32_t format)
{
    struct pb_opened m = { virtual_size, format };
    append(put_opened, &m);
}

void emit_extent(const struct map_extent *e)
{
    append(put_extent, e);
}

void emit_log(uint32_t kind, const char *text)
{
    struct pb_log m = { kind, text };
    append(put_log, &m);
}

void emit_result(uint32_t kind, int32_t errnum, const char *message,
                 uint64_t extent_count)
{
    struct pb_result m = { kind, errnum, message, extent_count };
    append(put_result, &m);
}
