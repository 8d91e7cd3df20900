/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the host's decoder of guest message batches and the
 * checks behind it. The guest is untrusted, so arbitrary bytes must never
 * crash the host or reach the output unchecked.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "guest_decode.h"
#include "guest_stream.h"
#include "profile.h"
#include "render.h"

static const char *name_of(void *ctx, uint32_t file)
{
    (void)ctx;
    return file < 3 ? "img" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *null;
    if (!null)
        null = fopen("/dev/null", "w");
    if (size < 2)
        return 0;
    struct qemu_profile p;
    profile_default(&p);
    struct render_ctx r;
    render_init(&r, null, null, "instar", &p, data[0] & 1);
    struct guest_stream s;
    int64_t start = data[1] & 0x80 ? (int64_t)(data[1] & 0x7f) * 512 : 0;
    guest_stream_init(&s, &r, null, "instar", "img", name_of, NULL, start,
                      data[1] & 0x40 ? 4096 : -1);
    char err[256];
    /* the batch may come in two EMITs, as it would from the guest */
    size_t cut = (size - 2) / 2;
    if (guest_batch_decode(data + 2, cut, guest_stream_message, &s, err,
                           sizeof err) == 0)
        guest_batch_decode(data + 2 + cut, size - 2 - cut,
                           guest_stream_message, &s, err, sizeof err);
    return 0;
}
